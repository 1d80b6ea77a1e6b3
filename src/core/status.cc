#include "rebalance/core/status.h"

namespace rebalance {

const char* ToString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kParseError:
      return "parse error";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
    case StatusCode::kNotConverged:
      return "not converged";
    case StatusCode::kNumericalError:
      return "numerical error";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(rebalance::ToString(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  Status out(code_, context + ": " + message_);
  out.options_ = options_;
  return out;
}

Status Status::WithOptions(std::vector<std::string> names) const {
  Status out = *this;
  out.options_ = std::move(names);
  return out;
}

}  // namespace rebalance
