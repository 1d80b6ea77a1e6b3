// Status and Result<T>: the two-level outcome convention of rebalance.
//
// "The call could not run" (bad input, I/O failure, invalid options) is a
// Status / Result<T>; "the mathematics ended this way" (not converged,
// separated) is a field of the call's result struct. No exception crosses the
// public API. Modelled on the HiGHS / OSQP split described in STYLE.md.
#ifndef REBALANCE_CORE_STATUS_H_
#define REBALANCE_CORE_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rebalance {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // an option or argument is out of range or malformed
  kNotFound,            // a file, column, label or key does not exist
  kParseError,          // a file or expression could not be parsed
  kIoError,             // reading or writing failed
  kFailedPrecondition,  // the input is well-formed but unusable (e.g. all dropped)
  kNotConverged,        // a front door turned a non-converged solve into an error
  kNumericalError,      // NaN/Inf where a finite number was required
  kCancelled,           // interrupted by the user (SIGINT)
  kInternal,            // a bug: an internal invariant failed
};

const char* ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
  static Status ParseError(std::string m) { return Status(StatusCode::kParseError, std::move(m)); }
  static Status IoError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
  static Status FailedPrecondition(std::string m) {
    return Status(StatusCode::kFailedPrecondition, std::move(m));
  }
  static Status NotConverged(std::string m) {
    return Status(StatusCode::kNotConverged, std::move(m));
  }
  static Status NumericalError(std::string m) {
    return Status(StatusCode::kNumericalError, std::move(m));
  }
  static Status Cancelled(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }
  static Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "parse error: trade.csv:12:3: expected a number, found 'abc'"
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

  // The library options the message names, each by its library name as a
  // word of the message ("grid 'x': expected ...", "pass force to overwrite
  // it"). The library never names a front door's spelling; a front door
  // renders these words in its own (core::RenderOptionNames: the CLI writes
  // its flags, "--grid", "--force").
  Status WithOptions(std::vector<std::string> names) const;
  const std::vector<std::string>& options() const { return options_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<std::string> options_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    if (std::get<Status>(data_).ok()) {
      data_ = Status::Internal("Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace rebalance

#define REBALANCE_CONCAT_INNER(a, b) a##b
#define REBALANCE_CONCAT(a, b) REBALANCE_CONCAT_INNER(a, b)

#define RB_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::rebalance::Status rb_status_ = (expr); \
    if (!rb_status_.ok()) return rb_status_; \
  } while (0)

#define RB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define RB_ASSIGN_OR_RETURN(lhs, expr) \
  RB_ASSIGN_OR_RETURN_IMPL(REBALANCE_CONCAT(rb_result_, __LINE__), lhs, expr)

#endif  // REBALANCE_CORE_STATUS_H_
