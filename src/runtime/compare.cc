#include "runtime/compare.h"

#include <cmath>

namespace webconv::runtime {

Comparison Compare(const HostTensor& actual, const HostTensor& expected, const Tolerance& tol) {
  Comparison c;
  if (actual.dtype() != expected.dtype()) {
    c.message = StrCat("dtype ", DTypeName(actual.dtype()), " != expected ", DTypeName(expected.dtype()));
    return c;
  }
  if (actual.shape() != expected.shape()) {
    c.message = StrCat("shape ", ShapeString(actual.shape()), " != expected ", ShapeString(expected.shape()));
    return c;
  }
  const int64_t n = expected.num_elements();
  const bool exact = !IsFloat(expected.dtype());
  double worst_excess = 0;
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    bool ok;
    double diff;
    if (exact) {
      const int64_t a = actual.GetInt(i), e = expected.GetInt(i);
      ok = a == e;
      diff = std::fabs(static_cast<double>(a) - static_cast<double>(e));
    } else {
      const double a = actual.GetDouble(i), e = expected.GetDouble(i);
      if (std::isnan(a) || std::isnan(e)) {
        ok = std::isnan(a) && std::isnan(e);
        diff = ok ? 0 : INFINITY;
      } else if (std::isinf(a) || std::isinf(e)) {
        ok = a == e;
        diff = ok ? 0 : INFINITY;
      } else {
        diff = std::fabs(a - e);
        ok = diff <= tol.atol + tol.rtol * std::fabs(e);
        if (e != 0) c.max_rel = std::max(c.max_rel, diff / std::fabs(e));
      }
    }
    if (diff > c.max_abs || (c.worst < 0 && diff == c.max_abs)) {
      c.max_abs = diff;
      if (bad == 0) c.worst = i;
    }
    if (!ok) {
      const double e = exact ? 0 : std::fabs(expected.GetDouble(i));
      const double excess = std::isinf(diff) ? INFINITY : diff - (tol.atol + tol.rtol * e);
      if (bad == 0 || excess > worst_excess) {
        worst_excess = excess;
        c.worst = i;
      }
      ++bad;
    }
  }
  c.ok = bad == 0;
  if (!c.ok) {
    c.message = StrCat(bad, " of ", n, " elements outside tolerance (atol ", tol.atol, ", rtol ", tol.rtol,
                       "); worst at index ", c.worst, ": got ", actual.GetDouble(c.worst), ", expected ",
                       expected.GetDouble(c.worst), "; max abs err ", c.max_abs, ", max rel err ", c.max_rel);
  }
  return c;
}

}  // namespace webconv::runtime
