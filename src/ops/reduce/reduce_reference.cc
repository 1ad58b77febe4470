// The float64 reference of the Reduce* ops. Floats accumulate in double and round once when stored.
// Integer sums, products, extremes, L1 norms, sums of squares and means stay exact: they accumulate in
// 64-bit words with wraparound (unsigned arithmetic, never signed overflow) and compare uint64 values as
// unsigned. L2, LogSum and LogSumExp leave the integers, so they run in double and truncate when stored.
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"

namespace webconv::ops {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The first NaN wins and stays, as numpy's maximum/minimum propagate it.
double Extreme(double acc, double v, bool max) {
  if (std::isnan(acc)) return acc;
  if (std::isnan(v)) return v;
  return (max ? v > acc : v < acc) ? v : acc;
}

double RowMax(const HostTensor& x, int64_t base, const RowGeometry& g) {
  OffsetWalker w(g.red_dims, g.red_strides);
  double m = -kInf;
  for (int64_t r = 0; r < g.len; ++r, w.Next()) m = Extreme(m, x.GetDouble(base + w.offset()), true);
  return m;
}

double DoubleRow(ReduceKind k, const HostTensor& x, int64_t base, const RowGeometry& g) {
  // LogSumExp subtracts the max; an infinite max (or an empty row) leaves the sum to say it.
  const double shift = k == ReduceKind::kLogSumExp ? RowMax(x, base, g) : 0.0;
  if (std::isnan(shift)) return shift;
  const double s = std::isinf(shift) ? 0.0 : shift;
  double acc = k == ReduceKind::kProd  ? 1.0
               : k == ReduceKind::kMax ? -kInf
               : k == ReduceKind::kMin ? kInf
                                       : 0.0;
  OffsetWalker w(g.red_dims, g.red_strides);
  for (int64_t r = 0; r < g.len; ++r, w.Next()) {
    const double v = x.GetDouble(base + w.offset());
    switch (k) {
      case ReduceKind::kMax:
        acc = Extreme(acc, v, true);
        break;
      case ReduceKind::kMin:
        acc = Extreme(acc, v, false);
        break;
      case ReduceKind::kProd:
        acc *= v;
        break;
      case ReduceKind::kL1:
        acc += std::fabs(v);
        break;
      case ReduceKind::kL2:
      case ReduceKind::kSumSquare:
        acc += v * v;
        break;
      case ReduceKind::kLogSumExp:
        acc += std::exp(v - s);
        break;
      default:
        acc += v;
        break;
    }
  }
  switch (k) {
    case ReduceKind::kMean:
      return g.len ? acc / static_cast<double>(g.len) : std::numeric_limits<double>::quiet_NaN();
    case ReduceKind::kL2:
      return std::sqrt(acc);
    case ReduceKind::kLogSum:
      return std::log(acc);
    case ReduceKind::kLogSumExp:
      return s + std::log(acc);
    default:
      return acc;
  }
}

bool ExactInIntegers(ReduceKind k) {
  return k != ReduceKind::kL2 && k != ReduceKind::kLogSum && k != ReduceKind::kLogSumExp;
}

// Integers as 64-bit words; the caller stores the result with SetInt (which narrows by truncation).
uint64_t IntRow(ReduceKind k, DType t, const HostTensor& x, int64_t base, const RowGeometry& g) {
  const bool is_unsigned = t == DType::kUInt64 || !IsSigned(t);
  const auto word = [](int64_t v) { return static_cast<uint64_t>(v); };
  uint64_t acc = 0;
  if (k == ReduceKind::kProd) acc = 1;
  if (k == ReduceKind::kMax) acc = is_unsigned ? 0 : word(TypeLowest(t));
  if (k == ReduceKind::kMin) acc = t == DType::kUInt64 ? ~uint64_t{0} : word(TypeHighest(t));
  const auto greater = [is_unsigned](uint64_t a, uint64_t b) {
    return is_unsigned ? a > b : static_cast<int64_t>(a) > static_cast<int64_t>(b);
  };
  OffsetWalker w(g.red_dims, g.red_strides);
  for (int64_t r = 0; r < g.len; ++r, w.Next()) {
    const int64_t s = x.GetInt(base + w.offset());
    const uint64_t v = word(s);
    switch (k) {
      case ReduceKind::kMax:
        acc = greater(v, acc) ? v : acc;
        break;
      case ReduceKind::kMin:
        acc = greater(acc, v) ? v : acc;
        break;
      case ReduceKind::kProd:
        acc *= v;
        break;
      case ReduceKind::kL1:
        acc += !is_unsigned && s < 0 ? uint64_t{0} - v : v;
        break;
      case ReduceKind::kSumSquare:
        acc += v * v;
        break;
      default:
        acc += v;
        break;
    }
  }
  if (k == ReduceKind::kMean) {
    // The mean of an empty row is NaN in floats; integers have no NaN and get 0.
    if (g.len == 0) return 0;
    if (is_unsigned) return acc / static_cast<uint64_t>(g.len);
    return word(static_cast<int64_t>(acc) / g.len);
  }
  return acc;
}

}  // namespace

Status ReduceReference(const ReduceProblem& p, const HostTensor& x, HostTensor* y) {
  const RowGeometry& g = p.rows;
  const bool exact = IsInteger(p.dtype) && ExactInIntegers(p.kind);
  for (int64_t row = 0; row < g.rows; ++row) {
    const int64_t base = WalkOffset(g.kept_dims, g.kept_strides, row);
    if (exact)
      y->SetInt(row, static_cast<int64_t>(IntRow(p.kind, p.dtype, x, base, g)));
    else
      y->SetDouble(row, DoubleRow(p.kind, x, base, g));
  }
  return OkStatus();
}

}  // namespace webconv::ops
