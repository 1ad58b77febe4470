// Status and Result<T>: how every webconv call reports failure. Errors are values; nothing throws across
// the API (exceptions are costly in WebAssembly and unwelcome in many embedders). The library's own
// layers use these same types, so an error reaches the caller exactly as the `webconv` CLI prints it.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace webconv {

// The numeric values are the CLI's exit codes.
enum class StatusCode : int {
  kOk = 0,
  kCheckFailed = 1,  // a numeric check against the reference failed
  kUsage = 2,        // bad arguments or inputs: unreadable file, unknown input name, wrong dtype or shape
  kBadModel = 3,     // malformed or unsupported model
  kDevice = 4,       // GPU/adapter/device failure, or the WebGPU library cannot be loaded
};

struct Status {
  StatusCode code = StatusCode::kOk;
  std::string op;    // op type, e.g. "Conv" (may be empty)
  std::string node;  // node name or a synthesized "#index" (may be empty)
  std::string message;

  bool ok() const noexcept { return code == StatusCode::kOk; }
  int exit_code() const noexcept { return static_cast<int>(code); }
  // The one-line text the CLI prints after "error: ", e.g.
  // "Conv 'conv_17': input channels 6 != weight channels 4 x group 2".
  std::string ToString() const;
  // Returns a copy that names the node/op, unless it already names one.
  Status WithNode(const std::string& op_type, const std::string& node_name) const;
  Status Prefixed(const std::string& prefix) const;
};

// Result<T>: a value or a non-ok Status. Check ok() before value(); value() of a failed Result is
// undefined behaviour, as for std::optional.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const noexcept { return status_.ok(); }
  const Status& status() const noexcept { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace webconv
