// The record of an estimation's steps (IterationRecord, ppml.h): kept for the
// result and handed to the options' callback as each step ends.
#ifndef REBALANCE_SRC_ECON_ITERATION_LOG_H_
#define REBALANCE_SRC_ECON_ITERATION_LOG_H_

#include <chrono>
#include <utility>
#include <vector>

#include "rebalance/econ/ppml.h"

namespace rebalance::econ {

class IterationLog {
 public:
  IterationLog(const IterationCallback& callback, std::chrono::steady_clock::time_point start)
      : callback_(callback), start_(start) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  // Stamps the record's time (unless set), calls the callback and keeps it.
  void Add(IterationRecord record) {
    if (record.seconds == 0) record.seconds = Seconds();
    if (callback_) callback_(record);
    records_.push_back(std::move(record));
  }
  const std::vector<IterationRecord>& records() const { return records_; }

 private:
  const IterationCallback& callback_;
  std::chrono::steady_clock::time_point start_;
  std::vector<IterationRecord> records_;
};

}  // namespace rebalance::econ

#endif  // REBALANCE_SRC_ECON_ITERATION_LOG_H_
