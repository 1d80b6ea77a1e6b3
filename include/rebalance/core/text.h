// Text checks shared by the readers and the front doors: UTF-8 validity
// (labels are stored and written as UTF-8; the JSON writers require it) and
// printable messages (an error that quotes a binary file's bytes must not
// send them to the terminal).
#ifndef REBALANCE_CORE_TEXT_H_
#define REBALANCE_CORE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace rebalance::core {

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). Otherwise *first_bad (if given) is the
// offset of the first byte of the first ill-formed sequence.
bool IsValidUtf8(std::string_view s, size_t* first_bad = nullptr);

// `s` with every byte that would not print as itself escaped: control
// characters (other than newline and tab) as \xNN, and each byte of an
// ill-formed UTF-8 sequence as \xNN. Well-formed non-ASCII text is kept.
std::string PrintableText(std::string_view s);

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_TEXT_H_
