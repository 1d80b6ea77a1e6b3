// The field separator of a delimited text file: parsed from an option
// (",", ";", "tab", "|", "auto") or detected from the header line.
//
// Detection counts each candidate (',' ';' tab '|') in the header outside
// double quotes and picks the most frequent; ties go to the earlier one in
// that order, and a header with none of them is one column (','). A header
// read with a separator it does not contain, while it does contain another
// candidate, is almost always a file written with another separator (a
// European ';' file read as ','): CheckHeaderSeparator refuses it with a
// message naming the separator found, instead of one oddly named column.
#ifndef REBALANCE_DATA_CSV_SNIFF_H_
#define REBALANCE_DATA_CSV_SNIFF_H_

#include <string>
#include <string_view>

#include "rebalance/core/status.h"

namespace rebalance::data {

// The candidates, in order of preference.
inline constexpr char kSeparatorCandidates[] = {',', ';', '\t', '|'};

// "," / "comma", ";" / "semicolon", "tab" / "\t" / "\\t", "|" / "pipe"; "auto"
// (or "") gives 0 (detect). Anything else is kInvalidArgument.
Result<char> ParseSeparator(std::string_view text);

// How a separator is written in messages: "','", "';'", "tab", "'|'".
std::string SeparatorName(char separator);

// The separator of a header line (a UTF-8 BOM and a final '\r' are ignored).
char DetectSeparator(std::string_view header);

// kInvalidArgument "<source>: line 1: ..." when `header` holds no
// `separator` but another candidate (see the banner); Ok otherwise.
Status CheckHeaderSeparator(std::string_view header, char separator, const std::string& source);

// The first line of a file (gzip is inflated; at most 1 MiB is read), without
// its line ending. I/O errors are kIoError naming the file.
Result<std::string> ReadHeaderLine(const std::string& path);

// ParseSeparator(option), detected from the file's header when it is auto,
// then CheckHeaderSeparator. The result is the separator to read with. Only a
// regular, readable file is looked at: for anything else (a directory, a
// FIFO, a missing file) the result is the option's separator (',' for auto)
// and the CSV reader reports the problem.
Result<char> ResolveSeparator(const std::string& path, std::string_view option);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_CSV_SNIFF_H_
