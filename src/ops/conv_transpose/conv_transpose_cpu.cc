// The fast CPU ConvTranspose (float32), in scatter form: per (batch, group) one library GEMM gives every
// (output channel, kernel tap) row's contribution of every input position,
//   columns [M/g * kernel, in spatial] = W_g^T [M/g * kernel, C/g] x X_g [C/g, in spatial],
// and col2im adds each row into the output at o = i * stride + k * dilation - pad_begin, skipping what
// falls outside. Rows are blocked over input lines so the column buffer stays small; col2im is split
// over output channels, which write disjoint planes.
#include <algorithm>
#include <vector>

#include "cpu/gemm.h"
#include "cpu/parallel.h"
#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {
namespace {

constexpr int64_t kColumnBudget = int64_t{1} << 22;  // floats of columns at once (16 MiB)

// Adds the columns of input lines [line0, line1) (a line is one (id, ih) row of IW inputs) into the
// M/g output planes of y.
void Col2im(const ConvTransposeProblem& p, const float* col, int64_t line0, int64_t line1, float* y) {
  const AxisGeometry* a = p.axis3;
  const int64_t mg = p.out_per_group(), kvol = p.kernel_volume(), iw_n = a[2].in, ih_n = a[1].in;
  const int64_t width = (line1 - line0) * iw_n, out_hw = a[1].out * a[2].out, out_sp = p.out_spatial();
  cpu::ParallelFor(mg, mg * kvol * width, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) {
      float* plane = y + m * out_sp;
      for (int64_t tap = 0; tap < kvol; ++tap) {
        const int64_t kw = tap % a[2].kernel, kh = (tap / a[2].kernel) % a[1].kernel;
        const int64_t kd = tap / (a[2].kernel * a[1].kernel);
        const float* row = col + (m * kvol + tap) * width;
        // Inputs iw whose output ow = iw * stride + shift lies in [0, out).
        const int64_t shift = kw * a[2].dilation - a[2].pad_begin;
        int64_t lo = 0, hi = iw_n;
        while (lo < hi && lo * a[2].stride + shift < 0) ++lo;
        while (hi > lo && (hi - 1) * a[2].stride + shift >= a[2].out) --hi;
        for (int64_t line = line0; line < line1; ++line, row += iw_n) {
          const int64_t id = line / ih_n, ih = line % ih_n;
          const int64_t od = id * a[0].stride + kd * a[0].dilation - a[0].pad_begin;
          const int64_t oh = ih * a[1].stride + kh * a[1].dilation - a[1].pad_begin;
          if (od < 0 || od >= a[0].out || oh < 0 || oh >= a[1].out) continue;
          const int64_t out = od * out_hw + oh * a[2].out + shift;  // may lie before the row: an index, not a pointer
          for (int64_t iw = lo; iw < hi; ++iw) plane[out + iw * a[2].stride] += row[iw];
        }
      }
    }
  });
}

}  // namespace

bool ConvTransposeCpuHandles(const ConvTransposeProblem& p, const std::vector<const HostTensor*>& inputs) {
  for (const HostTensor* t : inputs)
    if (t && t->dtype() != DType::kFloat32) return false;
  const int64_t limit = int64_t{1} << 31;  // the GEMM library takes 32-bit sizes
  return p.in_spatial() < limit && p.out_per_group() * p.kernel_volume() < limit;
}

Status ConvTransposeCpu(const ConvTransposeProblem& p, const std::vector<const HostTensor*>& inputs,
                        HostTensor* out) {
  const float* x = inputs[0]->as<float>();
  const float* w = inputs[1]->as<float>();
  float* y = out->mutable_as<float>();
  const int64_t cg = p.in_per_group(), mg = p.out_per_group(), kvol = p.kernel_volume();
  const int64_t rows = mg * kvol, in_sp = p.in_spatial(), out_sp = p.out_spatial();
  const int64_t iw = p.axis3[2].in, lines = p.axis3[0].in * p.axis3[1].in;
  const int64_t block = std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, rows * iw), 1, lines);
  std::vector<float> col(static_cast<size_t>(rows * block * iw));
  std::fill(y, y + p.batch * p.out_channels * out_sp, 0.0f);
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t g = 0; g < p.group; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * in_sp;
      const float* wg = w + g * cg * rows;
      float* yg = y + (n * p.out_channels + g * mg) * out_sp;
      for (int64_t line0 = 0; line0 < lines; line0 += block) {
        const int64_t line1 = std::min(lines, line0 + block), width = (line1 - line0) * iw;
        cpu::Sgemm(true, false, rows, width, cg, 1.0f, wg, rows, xg + line0 * iw, in_sp, 0.0f, col.data(), width);
        Col2im(p, col.data(), line0, line1, yg);
      }
    }
  if (p.has_bias) {
    const float* b = inputs[2]->as<float>();
    cpu::ParallelFor(p.batch * p.out_channels, p.batch * p.out_channels * out_sp, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        for (float *v = y + i * out_sp, *end = v + out_sp; v < end; ++v) *v += b[i % p.out_channels];
    });
  }
  return OkStatus();
}

}  // namespace webconv::ops
