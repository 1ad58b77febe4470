// The float64 reference pools: a direct loop over outputs. Each output clips its window to the input once
// per axis (signed bases), so padded positions are never visited: they cannot win a max and count
// toward an average only through the divisor, when count_include_pad asks for it.
#include <cmath>
#include <limits>

#include "ops/pool/pool.h"

namespace webconv::ops {
namespace {

// What a window without a single input element yields: the max of nothing is the type's lowest value
// (-inf for floats); the average of nothing is NaN.
double EmptyMax(DType t) {
  if (IsFloat(t)) return -std::numeric_limits<double>::infinity();
  return t == DType::kInt8 ? -128.0 : 0.0;
}

struct Window {
  int64_t base[3], k0[3], k1[3];
  double divisor = 1;  // AveragePool only
};

Window Clip(const PoolProblem& p, const int64_t o[3]) {
  Window w;
  for (int a = 0; a < 3; ++a) {
    const AxisGeometry& g = p.axis3[a];
    w.base[a] = o[a] * g.stride - g.pad_begin;
    ClipTaps(g, w.base[a], 0, g.in, &w.k0[a], &w.k1[a]);
    int64_t c0 = w.k0[a], c1 = w.k1[a];
    // count_include_pad counts padding, but never the part of a ceil_mode window beyond the end padding.
    if (p.count_include_pad) ClipTaps(g, w.base[a], -g.pad_begin, g.in + g.pad_end, &c0, &c1);
    w.divisor *= static_cast<double>(c1 - c0);
  }
  return w;
}

}  // namespace

Status PoolReference(const PoolProblem& p, const HostTensor& x, HostTensor* y, HostTensor* indices) {
  std::vector<double> xv(static_cast<size_t>(x.num_elements()));
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = x.GetDouble(static_cast<int64_t>(i));
  const AxisGeometry* g = p.axis3;
  const int64_t in_sp = p.in_spatial(), out_sp = p.out_spatial();
  int64_t istride[3];
  p.IndexStrides(istride);
  const double empty = EmptyMax(p.dtype);
  for (int64_t plane = 0; plane < p.planes(); ++plane) {
    const double* xp = xv.data() + plane * in_sp;
    int64_t o[3];
    for (int64_t out = 0; out < out_sp; ++out) {
      o[2] = out % g[2].out;
      o[1] = out / g[2].out % g[1].out;
      o[0] = out / g[2].out / g[1].out;
      const Window w = Clip(p, o);
      double best = empty, sum = 0;
      int64_t arg = -1;
      for (int64_t kd = w.k0[0]; kd < w.k1[0]; ++kd) {
        const int64_t id = w.base[0] + kd * g[0].dilation;
        for (int64_t kh = w.k0[1]; kh < w.k1[1]; ++kh) {
          const int64_t ih = w.base[1] + kh * g[1].dilation;
          for (int64_t kw = w.k0[2]; kw < w.k1[2]; ++kw) {
            const int64_t iw = w.base[2] + kw * g[2].dilation;
            const double v = xp[(id * g[1].in + ih) * g[2].in + iw];
            sum += v;
            // The first element in window order starts the max; later ones replace it only when strictly
            // greater, so ties keep the earliest index (as ONNX's reference does).
            if (arg < 0 || v > best) {
              best = v;
              arg = plane * in_sp + id * istride[0] + ih * istride[1] + iw * istride[2];
            }
          }
        }
      }
      const int64_t at = plane * out_sp + out;
      if (p.is_max()) {
        y->SetDouble(at, best);
        if (indices) indices->SetInt(at, arg);
      } else {
        y->SetDouble(at, w.divisor > 0 ? sum / w.divisor : std::numeric_limits<double>::quiet_NaN());
      }
    }
  }
  return OkStatus();
}

}  // namespace webconv::ops
