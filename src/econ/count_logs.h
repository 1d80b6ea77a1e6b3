// log(y) and lgamma(y + 1) of counts from tables.
//
// Outcomes of gravity models are mostly small integer counts, and a log or
// lgamma per observation costs as much as the rest of the pass around it.
// The tables hold the library functions' own values for y = 0, 1, ...,
// kCountTable - 1, so results are the same bit for bit; other values go to
// the library functions.
#ifndef REBALANCE_SRC_ECON_COUNT_LOGS_H_
#define REBALANCE_SRC_ECON_COUNT_LOGS_H_

#include <cmath>
#include <vector>

namespace rebalance::econ {

inline constexpr int kCountTable = 4096;

class CountLogs {
 public:
  CountLogs() : log_(kCountTable), lgamma1_(kCountTable) {
    for (int v = 0; v < kCountTable; ++v) {
      log_[static_cast<size_t>(v)] = std::log(static_cast<double>(v));
      lgamma1_[static_cast<size_t>(v)] = std::lgamma(v + 1.0);
    }
  }
  // std::log(y).
  double Log(double y) const {
    if (y >= 0 && y < kCountTable) {
      const int v = static_cast<int>(y);
      if (v == y) return log_[static_cast<size_t>(v)];
    }
    return std::log(y);
  }
  // std::lgamma(y + 1).
  double LogFactorial(double y) const {
    if (y >= 0 && y < kCountTable) {
      const int v = static_cast<int>(y);
      if (v == y) return lgamma1_[static_cast<size_t>(v)];
    }
    return std::lgamma(y + 1);
  }

 private:
  std::vector<double> log_, lgamma1_;
};

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_COUNT_LOGS_H_
