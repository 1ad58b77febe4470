// Errors are values: every fallible call returns Status or Result<T>. Nothing throws across layers.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <utility>

// StatusCode, Status and Result<T> are part of the public API (include/webconv/status.h); this header
// adds the helpers the library uses to build them.
#include "webconv/status.h"

namespace webconv {

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
