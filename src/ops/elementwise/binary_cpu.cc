// The fast CPU backend's binary arithmetic on float32: rows along the output's last axis, where each
// input steps by 1 or stays put (broadcast), so the inner loop is a plain vectorizable loop; the rows'
// starting offsets advance like an odometer over the other axes.
#include <vector>

#include "cpu/parallel.h"
#include "ops/elementwise/binary.h"
#include "ops/elementwise/elementwise.h"

namespace webconv::ops {
namespace {

template <BinaryF32 kOp>
inline float Apply(float a, float b) {
  if constexpr (kOp == BinaryF32::kAdd) return a + b;
  if constexpr (kOp == BinaryF32::kSub) return a - b;
  if constexpr (kOp == BinaryF32::kMul) return a * b;
  return a / b;
}

template <BinaryF32 kOp>
void Row(const float* a, int64_t sa, const float* b, int64_t sb, float* c, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) c[i] = Apply<kOp>(a[i], b[i]);
  } else if (sa == 1) {
    const float bv = *b;
    for (int64_t i = 0; i < n; ++i) c[i] = Apply<kOp>(a[i], bv);
  } else if (sb == 1) {
    const float av = *a;
    for (int64_t i = 0; i < n; ++i) c[i] = Apply<kOp>(av, b[i]);
  } else {
    const float v = Apply<kOp>(*a, *b);
    for (int64_t i = 0; i < n; ++i) c[i] = v;
  }
}

template <BinaryF32 kOp>
void Run(const float* a, const float* b, float* c, const Shape& out, const std::vector<int64_t>& stride_a,
         const std::vector<int64_t>& stride_b) {
  const size_t rank = out.size();
  const int64_t inner = rank ? out[rank - 1] : 1, rows = NumElements(out) / (inner ? inner : 1);
  const int64_t sa = rank ? stride_a[rank - 1] : 0, sb = rank ? stride_b[rank - 1] : 0;
  auto rows_in = [&](int64_t r0, int64_t r1) {
    // The offsets of row r0, then an odometer over the outer axes.
    std::vector<int64_t> coord(rank ? rank - 1 : 0);
    int64_t oa = 0, ob = 0;
    for (size_t d = coord.size(), rest = static_cast<size_t>(r0); d-- > 0;) {
      coord[d] = static_cast<int64_t>(rest % static_cast<size_t>(out[d]));
      rest /= static_cast<size_t>(out[d]);
      oa += coord[d] * stride_a[d];
      ob += coord[d] * stride_b[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      Row<kOp>(a + oa, sa, b + ob, sb, c + r * inner, inner);
      for (size_t d = coord.size(); d-- > 0;) {
        oa += stride_a[d];
        ob += stride_b[d];
        if (++coord[d] < out[d]) break;
        oa -= stride_a[d] * out[d];
        ob -= stride_b[d] * out[d];
        coord[d] = 0;
      }
    }
  };
  cpu::ParallelFor(rows, NumElements(out), rows_in);
}

}  // namespace

bool BinaryCpu(BinaryF32 op, const HostTensor& a, const HostTensor& b, const Shape& b_shape, HostTensor* c) {
  if (op == BinaryF32::kNone || a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32 ||
      c->dtype() != DType::kFloat32)
    return false;
  const Shape& out = c->shape();
  if (NumElements(out) == 0) return true;
  const std::vector<int64_t> sa = BroadcastStrides(a.shape(), out), sb = BroadcastStrides(b_shape, out);
  const float *av = a.as<float>(), *bv = b.as<float>();
  float* cv = c->mutable_as<float>();
  switch (op) {
    case BinaryF32::kAdd:
      Run<BinaryF32::kAdd>(av, bv, cv, out, sa, sb);
      break;
    case BinaryF32::kSub:
      Run<BinaryF32::kSub>(av, bv, cv, out, sa, sb);
      break;
    case BinaryF32::kMul:
      Run<BinaryF32::kMul>(av, bv, cv, out, sa, sb);
      break;
    case BinaryF32::kDiv:
      Run<BinaryF32::kDiv>(av, bv, cv, out, sa, sb);
      break;
    case BinaryF32::kNone:
      return false;
  }
  return true;
}

}  // namespace webconv::ops
