// Fuzz target: the estimate JSON read by `rebalance gravity --estimate`
// (app/estimate_file.cc). Errors carry a message; an estimate that reads has
// one finite beta per name and a finite k x k vcov (or none).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../app/estimate_file.h"
#include "fuzz_util.h"

using rebalance::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto est = rebalance::app::ParseEstimate(text, "fuzz.json");
  if (!est.ok()) {
    rebalance::fuzz::CheckError(est.status());
    return 0;
  }
  const auto k = static_cast<Eigen::Index>(est->names.size());
  Check(est->beta.size() == k, "beta length differs from the names");
  Check(est->beta.allFinite(), "non-finite beta");
  Check(est->vcov.size() == 0 || (est->vcov.rows() == k && est->vcov.cols() == k),
        "vcov is not k x k");
  Check(est->vcov.allFinite(), "non-finite vcov");
  return 0;
}
