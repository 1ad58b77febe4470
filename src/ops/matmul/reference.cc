#include "ops/matmul/reference.h"

#include <cmath>
#include <limits>
#include <vector>

namespace webconv::ops::matmul {
namespace {

// Operands are widened once up front: the inner loop then runs on plain arrays, not per-element
// dtype dispatch. Integers are kept as their two's-complement bits so sums wrap without overflow.
std::vector<double> Widen(const HostTensor& t, double*) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetDouble(static_cast<int64_t>(i));
  return v;
}

std::vector<uint64_t> Widen(const HostTensor& t, uint64_t*) {
  std::vector<uint64_t> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint64_t>(t.GetInt(static_cast<int64_t>(i)));
  return v;
}

// Visits each row of the output: fn(first output index, m, row of N dot products).
template <typename V, typename Fn>
void ForEachRow(const Geometry& g, const std::vector<V>& a, const std::vector<V>& b, Fn fn) {
  std::vector<V> row(static_cast<size_t>(g.n));
  ForEachBatch(g, [&](int64_t z, int64_t a_off, int64_t b_off) {
    for (int64_t m = 0; m < g.m; ++m) {
      std::fill(row.begin(), row.end(), V{0});
      for (int64_t k = 0; k < g.k; ++k) {
        const V av = a[static_cast<size_t>(a_off + m * g.a_m + k * g.a_k)];
        const V* bk = b.data() + b_off + k * g.b_k;
        for (int64_t n = 0; n < g.n; ++n) row[static_cast<size_t>(n)] += av * bk[n * g.b_n];
      }
      fn((z * g.m + m) * g.n, m, row);
    }
  });
}

// A float result stored into an integer type: NaN becomes 0 and out-of-range values saturate, so the
// conversion is always defined; the store then truncates to the type's width.
int64_t SaturatingIntBits(double v, bool is_unsigned) {
  if (std::isnan(v)) return 0;
  if (is_unsigned) {
    if (v <= 0) return 0;
    if (v >= 18446744073709551616.0) return -1;  // all ones: UINT64_MAX
    return static_cast<int64_t>(static_cast<uint64_t>(v));
  }
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::lowest();
  if (v >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(v);
}

void IntegerProduct(const Geometry& g, const Epilogue& e, const HostTensor& at, const HostTensor& bt,
                    const HostTensor* ct, HostTensor* y) {
  const auto a = Widen(at, static_cast<uint64_t*>(nullptr));
  const auto b = Widen(bt, static_cast<uint64_t*>(nullptr));
  const auto c = g.has_c ? Widen(*ct, static_cast<uint64_t*>(nullptr)) : std::vector<uint64_t>{};
  const bool is_unsigned = !IsSigned(y->dtype());
  auto as_double = [&](uint64_t v) {
    return is_unsigned ? static_cast<double>(v) : static_cast<double>(static_cast<int64_t>(v));
  };
  const bool exact = !e.scaled || IntegerScales(e);
  const uint64_t alpha = exact ? static_cast<uint64_t>(static_cast<int64_t>(e.alpha)) : 0;
  const uint64_t beta = exact ? static_cast<uint64_t>(static_cast<int64_t>(e.beta)) : 0;
  ForEachRow(g, a, b, [&](int64_t out, int64_t m, const std::vector<uint64_t>& row) {
    for (int64_t n = 0; n < g.n; ++n) {
      const uint64_t acc = row[static_cast<size_t>(n)];
      const uint64_t cv = g.has_c ? c[static_cast<size_t>(m * g.c_m + n * g.c_n)] : 0;
      if (!e.scaled) {
        y->SetInt(out + n, static_cast<int64_t>(acc));
      } else if (exact) {
        y->SetInt(out + n, static_cast<int64_t>(alpha * acc + beta * cv));
      } else {
        const double v = e.alpha * as_double(acc) + (g.has_c ? e.beta * as_double(cv) : 0.0);
        y->SetInt(out + n, SaturatingIntBits(v, is_unsigned));
      }
    }
  });
}

}  // namespace

Status ReferenceProduct(const Geometry& g, const Epilogue& e, const HostTensor& a, const HostTensor& b,
                        const HostTensor* c, HostTensor* y) {
  if (g.has_c && !c) return BadModel("internal: the bias C is missing");
  if (IsInteger(y->dtype())) {
    IntegerProduct(g, e, a, b, c, y);
    return OkStatus();
  }
  const auto av = Widen(a, static_cast<double*>(nullptr));
  const auto bv = Widen(b, static_cast<double*>(nullptr));
  const auto cv = g.has_c ? Widen(*c, static_cast<double*>(nullptr)) : std::vector<double>{};
  ForEachRow(g, av, bv, [&](int64_t out, int64_t m, const std::vector<double>& row) {
    for (int64_t n = 0; n < g.n; ++n) {
      double v = row[static_cast<size_t>(n)];
      if (e.scaled) v *= e.alpha;
      if (g.has_c) v += e.beta * cv[static_cast<size_t>(m * g.c_m + n * g.c_n)];
      y->SetDouble(out + n, v);
    }
  });
  return OkStatus();
}

}  // namespace webconv::ops::matmul
