// Errors are values: every fallible call returns Status or Result<T>. Nothing throws across layers.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace webconv {

// The numeric values are the CLI's exit codes (see DESIGN.md "Contracts").
enum class StatusCode : int {
  kOk = 0,
  kCheckFailed = 1,  // a numeric check against the reference failed
  kUsage = 2,        // bad command line, unreadable input file
  kBadModel = 3,     // malformed or unsupported model
  kDevice = 4,       // GPU/adapter/device failure
};

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string op;    // op type, e.g. "Conv" (may be empty)
  std::string node;  // node name or a synthesized "#index" (may be empty)
  std::string message;

  bool ok() const { return code == StatusCode::kOk; }
  int exit_code() const { return static_cast<int>(code); }
  // "Conv 'conv_17': input channels 6 != weight channels 4 x group 2"
  std::string ToString() const;
  // Returns a copy that names the node/op, unless it already names one.
  Status WithNode(const std::string& op_type, const std::string& node_name) const;
  Status Prefixed(const std::string& prefix) const;
};

inline Status OkStatus() { return {}; }

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <typename... Args>
Status Error(StatusCode code, const Args&... args) {
  Status s;
  s.code = code;
  s.message = StrCat(args...);
  return s;
}
template <typename... Args>
Status BadModel(const Args&... args) { return Error(StatusCode::kBadModel, args...); }
template <typename... Args>
Status UsageError(const Args&... args) { return Error(StatusCode::kUsage, args...); }
template <typename... Args>
Status DeviceError(const Args&... args) { return Error(StatusCode::kDevice, args...); }

// Result<T>: a value or a non-ok Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace webconv

#define WC_CONCAT_INNER(a, b) a##b
#define WC_CONCAT(a, b) WC_CONCAT_INNER(a, b)

#define WC_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    ::webconv::Status wc_status_ = (expr);         \
    if (!wc_status_.ok()) return wc_status_;      \
  } while (0)

#define WC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

#define WC_ASSIGN_OR_RETURN(lhs, expr) \
  WC_ASSIGN_OR_RETURN_IMPL(WC_CONCAT(wc_result_, __LINE__), lhs, expr)
