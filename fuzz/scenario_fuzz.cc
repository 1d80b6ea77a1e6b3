// Fuzz target: scenario files (scenario::ParseScenario, TOML via toml++).
// Errors carry a message; a parsed file has named scenarios, a sigma > 1 for
// gravity models, and label references with a key.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "rebalance/scenario/scenario.h"

using rebalance::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = rebalance::scenario::ParseScenario(text, "/tmp/fuzz/scenario.toml");
  if (!file.ok()) {
    rebalance::fuzz::CheckError(file.status());
    return 0;
  }
  if (file->model == rebalance::scenario::ModelKind::kGravity) {
    Check(std::isfinite(file->sigma) && file->sigma > 1.0, "gravity scenario with sigma <= 1");
  }
  for (const auto& s : file->scenarios) {
    Check(!s.name.empty(), "scenario without a name");
    for (const auto& e : s.efficiency) {
      Check(std::isfinite(e.change), "non-finite efficiency change");
    }
    for (const auto& l : s.labels) Check(!l.key.empty(), "label without a key");
  }
  return 0;
}
