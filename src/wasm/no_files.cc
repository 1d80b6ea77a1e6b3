// The browser module reads no files: the scenario text and the baseline come
// from the page. This replaces data::ReadFileToString (src/data/csv.cc, which
// needs zlib and a file system) in the WebAssembly build only.
#include <fmt/format.h>

#include "rebalance/data/csv.h"

namespace rebalance::data {

Result<std::string> ReadFileToString(const std::string& path) {
  return Status::NotFound(fmt::format(
      "{}: the report's explorer cannot read files (the page has no file system)", path));
}

}  // namespace rebalance::data
