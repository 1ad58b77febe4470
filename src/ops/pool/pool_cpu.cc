// The fast CPU backend's pools (float32, without MaxPool's Indices): the reference's loop (each output
// clips its window once per axis, so padding is never visited) on floats, planes split over threads.
// Sums accumulate in float32, as the WebGPU kernels do.
#include <cmath>
#include <limits>

#include "cpu/parallel.h"
#include "ops/pool/pool.h"

namespace webconv::ops {

bool PoolCpuHandles(const PoolProblem& p, const HostTensor& x, const HostTensor* indices) {
  return p.dtype == DType::kFloat32 && x.dtype() == DType::kFloat32 && !indices;
}

Status PoolCpu(const PoolProblem& p, const HostTensor& x, HostTensor* y) {
  const float* xv = x.as<float>();
  float* yv = y->mutable_as<float>();
  const AxisGeometry* g = p.axis3;
  const int64_t in_sp = p.in_spatial(), out_sp = p.out_spatial();
  const int64_t work = p.planes() * out_sp * g[0].kernel * g[1].kernel * g[2].kernel;
  cpu::ParallelFor(p.planes(), work, [&](int64_t plane0, int64_t plane1) {
    for (int64_t plane = plane0; plane < plane1; ++plane) {
      const float* xp = xv + plane * in_sp;
      for (int64_t out = 0; out < out_sp; ++out) {
        const int64_t o[3] = {out / g[2].out / g[1].out, out / g[2].out % g[1].out, out % g[2].out};
        int64_t base[3], k0[3], k1[3];
        double divisor = 1;
        for (int a = 0; a < 3; ++a) {
          base[a] = o[a] * g[a].stride - g[a].pad_begin;
          ClipTaps(g[a], base[a], 0, g[a].in, &k0[a], &k1[a]);
          int64_t c0 = k0[a], c1 = k1[a];
          if (p.count_include_pad) ClipTaps(g[a], base[a], -g[a].pad_begin, g[a].in + g[a].pad_end, &c0, &c1);
          divisor *= static_cast<double>(c1 - c0);
        }
        float best = -std::numeric_limits<float>::infinity(), sum = 0;
        bool first = true;  // as the reference: the first element starts the max, NaN included
        // Offsets stay integers until an element is read: a window's base lies in the padding, before
        // the plane, and a pointer formed there would be undefined behaviour.
        for (int64_t kd = k0[0]; kd < k1[0]; ++kd) {
          const int64_t d_off = (base[0] + kd * g[0].dilation) * g[1].in * g[2].in;
          for (int64_t kh = k0[1]; kh < k1[1]; ++kh) {
            const int64_t row = d_off + (base[1] + kh * g[1].dilation) * g[2].in + base[2];
            if (p.is_max()) {
              for (int64_t kw = k0[2]; kw < k1[2]; ++kw) {
                const float v = xp[row + kw * g[2].dilation];
                if (first || v > best) best = v;
                first = false;
              }
            } else {
              for (int64_t kw = k0[2]; kw < k1[2]; ++kw) sum += xp[row + kw * g[2].dilation];
            }
          }
        }
        if (p.is_max()) yv[plane * out_sp + out] = best;
        else yv[plane * out_sp + out] = divisor > 0 ? static_cast<float>(sum / divisor) : std::nanf("");
      }
    }
  });
  return OkStatus();
}

}  // namespace webconv::ops
