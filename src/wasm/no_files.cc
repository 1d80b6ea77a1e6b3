// The browser module reads no files: the scenario text and the baseline come
// from the page. This replaces data::ReadFileToString (src/data/csv.cc, which
// needs zlib and a file system) in the WebAssembly build only, and the two
// loaders src/scenario/tariff_war_run.cc refers to (RunTariffWarScenarios,
// which the module never calls, loads world2023 from the data folder).
#include <fmt/format.h>

#include "rebalance/data/csv.h"
#include "rebalance/scenario/run.h"
#include "rebalance/scenario/world2023.h"

namespace rebalance::data {

Result<std::string> ReadFileToString(const std::string& path) {
  return Status::NotFound(fmt::format(
      "{}: the report's explorer cannot read files (the page has no file system)", path));
}

}  // namespace rebalance::data

namespace rebalance::scenario {

std::string DefaultDataDir() { return ""; }

Result<World2023> LoadWorld2023(const std::string& dir) {
  return Status::NotFound(fmt::format(
      "{}: the report's explorer cannot read files (the page has no file system)", dir));
}

}  // namespace rebalance::scenario
