// The fast CPU Conv (float32). A Conv with a window (not 1x1) runs on the convolution library
// (cpu/convolution.h: oneDNN natively), channel slices and per-group windows included; only small
// depthwise Convs stay on the direct loop below, where the library's fixed cost per call is more than
// the work. Builds without the library (WebAssembly) and every 1x1 Conv use the GEMM path:
// each (batch, group) is one matrix product on the library GEMM
// (cpu/gemm.h): Y_g [M/g, spatial] = W_g [M/g, C/g * kernel] x columns [C/g * kernel, spatial], where
// the columns are X's shifted windows laid out by im2col. A thin product (few output channels per
// group: TransNetV2's temporal convolutions, 16 to 64) is memory-bound on its columns, which im2col
// writes and the GEMM packs again: there the columns are made and multiplied in blocks of output lines
// small enough to stay in a core's L2 cache, each thread taking whole blocks (its own im2col, then a
// single-threaded GEMM). A wider product (more than 64 output channels per group) runs on all columns
// at once (in 16 MiB chunks), the GEMM split over the threads. NOTES.md ("CPU backend") has the
// measurements behind the split. A pointwise Conv (1x1, unit strides, no pads) multiplies X itself. Groups with very few
// channels (depthwise) are a matrix product too thin to pay for the columns: they run a direct loop,
// one output plane per work item, with padding clipped once per tap (TapRanges) as the reference does.
// Bias, the fused steps and a fused pool follow in one pass over the output.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "cpu/convolution.h"
#include "cpu/gemm.h"
#include "cpu/parallel.h"
#include "ops/conv/conv.h"
#include "ops/conv/conv_epilogue.h"
#include "ops/elementwise/unary.h"

namespace webconv::ops {
namespace {

// Floats of columns per block (512 KiB: half of a current x86 core's L2), in whole output lines, but at
// least kMinBlockColumns wide so that packing W, which the GEMM does per call, is spread over enough
// columns.
constexpr int64_t kBlockFloats = int64_t{1} << 17;
constexpr int64_t kMinBlockColumns = 256;
// Output channels per group up to which a product is thin (blocked as above).
constexpr int64_t kThinChannels = 64;
// Without blocking, im2col keeps at most this many floats of columns at once (16 MiB).
constexpr int64_t kChunkFloats = int64_t{1} << 22;

// A depthwise-like Conv (few channels per group) below this many multiply-adds runs the direct loop:
// there the library's fixed cost per call (its layout reorders and three parallel regions, about 5 us)
// is more than the loop takes (NOTES.md, "CPU backend").
constexpr int64_t kLibraryDepthwiseMacs = 30000;

// The geometry and the first X channel of group g (per-group windows give each group its own).
struct GroupView {
  const AxisGeometry* axis3;
  int64_t x_channel;
};

GroupView ViewOf(const ConvProblem& p, int64_t g) {
  if (p.fusion.per_group()) {
    const ConvProblem::GroupGeometry& gg = p.group_geometry[static_cast<size_t>(g)];
    return {gg.axis3, gg.x_channel_offset};
  }
  return {p.axis3, p.x_channel_offset + g * p.in_per_group()};
}

// Groups with so few channels that a matrix product per group is too thin to pay for im2col.
bool IsDepthwise(const ConvProblem& p) { return p.in_per_group() * p.out_per_group() <= 8; }

bool IsPointwise(const AxisGeometry* a) {
  for (int i = 0; i < 3; ++i)
    if (a[i].kernel != 1 || a[i].stride != 1 || a[i].pad_begin != 0 || a[i].in != a[i].out) return false;
  return true;
}

// Columns for output lines [line0, line1) (a line is one (od, oh) row of OW outputs): row
// ((c * KD + kd) * KH + kh) * KW + kw holds, for each output of those lines, the X value that tap
// reads, or 0 in padding. When a tap reads whole input rows unshifted (width and height taps that are
// 1x1 in effect: TransNetV2's temporal kernels), the lines of one output depth slice are one copy.
// Only rows [row0, row1) are written, so callers may split rows over threads.
void Im2col(const AxisGeometry* a, const std::vector<TapRange>* taps, const float* x, int64_t line0,
            int64_t line1, int64_t row0, int64_t row1, float* col) {
  const int64_t kd_n = a[0].kernel, kh_n = a[1].kernel, kw_n = a[2].kernel;
  const int64_t ow_n = a[2].out, oh_n = a[1].out;
  const int64_t width = (line1 - line0) * ow_n, in_hw = a[1].in * a[2].in, in_sp = a[0].in * in_hw;
  const bool same_plane = a[2].stride == 1 && a[1].stride == 1 && a[2].in == ow_n && a[1].in == oh_n;
  for (int64_t r = row0; r < row1; ++r) {
    const int64_t kw = r % kw_n, kh = (r / kw_n) % kh_n, kd = (r / (kw_n * kh_n)) % kd_n;
    const int64_t c = r / (kw_n * kh_n * kd_n);
    const TapRange &td = taps[0][static_cast<size_t>(kd)], &th = taps[1][static_cast<size_t>(kh)],
                   &tw = taps[2][static_cast<size_t>(kw)];
    const float* xc = x + c * in_sp;
    float* dst = col + r * width;
    const bool whole_rows = same_plane && tw.offset == 0 && th.offset == 0 && tw.lo == 0 && tw.hi == ow_n &&
                            th.lo == 0 && th.hi == oh_n;
    int64_t od = line0 / oh_n, oh = line0 % oh_n;
    for (int64_t line = line0; line < line1;) {
      if (whole_rows) {  // the rest of this depth slice's lines at once
        const int64_t lines = std::min(line1 - line, oh_n - oh), run = lines * ow_n;
        if (od < td.lo || od >= td.hi) std::fill(dst, dst + run, 0.0f);
        else std::memcpy(dst, xc + (od * a[0].stride + td.offset) * in_hw + oh * ow_n, static_cast<size_t>(run) * 4);
        dst += run;
        line += lines;
        oh = 0;
        ++od;
        continue;
      }
      if (od < td.lo || od >= td.hi || oh < th.lo || oh >= th.hi || tw.hi <= tw.lo) {
        std::fill(dst, dst + ow_n, 0.0f);
      } else {
        const float* src = xc + (od * a[0].stride + td.offset) * in_hw + (oh * a[1].stride + th.offset) * a[2].in;
        std::fill(dst, dst + tw.lo, 0.0f);
        if (a[2].stride == 1) {
          const float* from = src + tw.lo + tw.offset;  // the first input this tap reads (never before the row)
          for (int64_t ow = tw.lo; ow < tw.hi; ++ow) dst[ow] = from[ow - tw.lo];
        } else {
          for (int64_t ow = tw.lo; ow < tw.hi; ++ow) dst[ow] = src[ow * a[2].stride + tw.offset];
        }
        std::fill(dst + tw.hi, dst + ow_n, 0.0f);
      }
      dst += ow_n;
      ++line;
      if (++oh == oh_n) {
        oh = 0;
        ++od;
      }
    }
  }
}

// One group of one image through the GEMM: y (M/g planes of the output) from x (its first channel).
void GemmGroup(const ConvProblem& p, const GroupView& v, const float* x, const float* w, float* y) {
  const int64_t cg = p.in_per_group(), mg = p.out_per_group(), kvol = p.kernel_volume();
  const int64_t k = cg * kvol, out_sp = p.out_spatial(), in_sp = p.in_spatial();
  if (IsPointwise(v.axis3)) {
    cpu::Sgemm(false, false, mg, out_sp, k, 1.0f, w, k, x, in_sp, 0.0f, y, out_sp);
    return;
  }
  std::vector<TapRange> taps[3];
  for (int i = 0; i < 3; ++i) taps[i] = TapRanges(v.axis3[i]);
  const int64_t ow = v.axis3[2].out, lines = v.axis3[0].out * v.axis3[1].out;
  if (mg > kThinChannels) {
    const int64_t chunk = std::clamp<int64_t>(kChunkFloats / std::max<int64_t>(1, k * ow), 1, lines);
    std::vector<float> col(static_cast<size_t>(k * chunk * ow));
    for (int64_t line0 = 0; line0 < lines; line0 += chunk) {
      const int64_t line1 = std::min(lines, line0 + chunk), width = (line1 - line0) * ow;
      cpu::ParallelFor(k, [&](int64_t r0, int64_t r1) { Im2col(v.axis3, taps, x, line0, line1, r0, r1, col.data()); });
      cpu::Sgemm(false, false, mg, width, k, 1.0f, w, k, col.data(), width, 0.0f, y + line0 * ow, out_sp);
    }
    return;
  }
  const int64_t columns = std::max(kMinBlockColumns, kBlockFloats / std::max<int64_t>(1, k));
  const int64_t block = std::clamp<int64_t>(columns / std::max<int64_t>(1, ow), 1, lines);
  const int64_t blocks = (lines + block - 1) / block;
  cpu::ParallelFor(blocks, [&](int64_t b0, int64_t b1) {
    std::vector<float> col(static_cast<size_t>(k * block * ow));
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t line0 = b * block, line1 = std::min(lines, line0 + block), width = (line1 - line0) * ow;
      Im2col(v.axis3, taps, x, line0, line1, 0, k, col.data());
      cpu::SgemmSerial(false, false, mg, width, k, 1.0f, w, k, col.data(), width, 0.0f, y + line0 * ow, out_sp);
    }
  });
}

// out[i] += w * in[i * stride] for i in [0, count).
void AccumulateRow(float* __restrict out, const float* __restrict in, float w, int64_t count, int64_t stride) {
  if (stride == 1) {
    for (int64_t i = 0; i < count; ++i) out[i] += w * in[i];
  } else {
    for (int64_t i = 0; i < count; ++i) out[i] += w * in[i * stride];
  }
}

// Each group's TapRanges per axis: one set shared by all groups, or one per group with per-group windows.
struct GroupTaps {
  std::vector<TapRange> axis[3];
};

std::vector<GroupTaps> TapsOfGroups(const ConvProblem& p) {
  std::vector<GroupTaps> taps(p.fusion.per_group() ? static_cast<size_t>(p.group) : 1);
  for (size_t g = 0; g < taps.size(); ++g)
    for (int i = 0; i < 3; ++i) taps[g].axis[i] = TapRanges(ViewOf(p, static_cast<int64_t>(g)).axis3[i]);
  return taps;
}

// Output plane (n, co) by direct summation over its group's channels and taps.
void DirectPlane(const ConvProblem& p, const std::vector<GroupTaps>& group_taps, const float* x, const float* w,
                 int64_t n, int64_t co, float* plane) {
  const int64_t g = co / p.out_per_group(), cg = p.in_per_group();
  const GroupView v = ViewOf(p, g);
  const AxisGeometry* a = v.axis3;
  const std::vector<TapRange>* taps = group_taps[group_taps.size() == 1 ? 0 : static_cast<size_t>(g)].axis;
  const int64_t in_hw = a[1].in * a[2].in, in_sp = a[0].in * in_hw, out_hw = a[1].out * a[2].out;
  std::fill(plane, plane + p.out_spatial(), 0.0f);
  for (int64_t ci = 0; ci < cg; ++ci) {
    const float* xc = x + (n * p.x_total_channels() + v.x_channel + ci) * in_sp;
    const float* wc = w + (co * cg + ci) * p.kernel_volume();
    for (int64_t kd = 0; kd < a[0].kernel; ++kd) {
      const TapRange& td = taps[0][static_cast<size_t>(kd)];
      for (int64_t kh = 0; kh < a[1].kernel; ++kh) {
        const TapRange& th = taps[1][static_cast<size_t>(kh)];
        for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
          const TapRange& tw = taps[2][static_cast<size_t>(kw)];
          if (tw.hi <= tw.lo) continue;
          const float wt = wc[(kd * a[1].kernel + kh) * a[2].kernel + kw];
          for (int64_t od = td.lo; od < td.hi; ++od) {
            const float* xplane = xc + (od * a[0].stride + td.offset) * in_hw;
            for (int64_t oh = th.lo; oh < th.hi; ++oh)
              AccumulateRow(plane + od * out_hw + oh * a[2].out + tw.lo,
                            xplane + (oh * a[1].stride + th.offset) * a[2].in + tw.lo * a[2].stride + tw.offset, wt,
                            tw.hi - tw.lo, a[2].stride);
          }
        }
      }
    }
  }
}

// Bias and the fused steps over y ([N, M, spatial]), in place; addends are read with the placement.
// Each step is its op's CPU loop (PointwiseApplyF32: a float loop where the op has one, else the op's
// reference in double, rounded once).
void Epilogue(const ConvProblem& p, const std::vector<const HostTensor*>& inputs, const float* bias, float* y) {
  const ConvFusion& f = p.fusion;
  const int64_t sp = p.out_spatial(), m = p.out_channels;
  const int64_t total = f.channel_total > 0 ? f.channel_total : m, offset = f.channel_total > 0 ? f.channel_offset : 0;
  if (!bias && f.steps.empty()) return;
  cpu::ParallelFor(p.batch * m, p.batch * m * sp * static_cast<int64_t>(f.steps.size() + 1), [&](int64_t i0, int64_t i1) {
    for (int64_t item = i0; item < i1; ++item) {
      const int64_t n = item / m, co = item % m;
      float* plane = y + item * sp;
      const float b = bias ? bias[co] : 0.0f;
      if (f.steps.empty()) {
        for (int64_t s = 0; s < sp; ++s) plane[s] += b;
        continue;
      }
      // Step by step over the whole plane (it is in cache), so each loop is a plain vectorizable one.
      const int64_t stored = (n * total + offset + co) * sp;
      for (int64_t s = 0; s < sp; ++s) plane[s] += b;
      for (const ConvFusion::Step& step : f.steps) {
        if (step.kind == ConvFusion::Step::kAdd) {
          const float* addend = inputs[step.input]->as<float>() + stored;
          for (int64_t s = 0; s < sp; ++s) plane[s] += addend[s];
        } else {
          PointwiseApplyF32(step.fn, plane, sp);  // the op's own loop (UnaryDef::apply_f32)
        }
      }
    }
  });
}

// The fused AveragePool: non-overlapping windows of pool[] over the Conv's own output, one output row
// at a time: the window's input rows are summed into it, then scaled.
void Pool(const ConvProblem& p, const float* full, float* y) {
  const int64_t* k = p.fusion.pool;
  const AxisGeometry* g = p.axis3;
  const int64_t pd = g[0].out / k[0], ph = g[1].out / k[1], pw = g[2].out / k[2];
  const float scale = 1.0f / static_cast<float>(p.fusion.pool_volume());
  cpu::ParallelFor(p.batch * p.out_channels, p.batch * p.out_channels * p.out_spatial(), [&](int64_t i0, int64_t i1) {
    for (int64_t plane = i0; plane < i1; ++plane) {
      const float* in = full + plane * p.out_spatial();
      float* out = y + plane * pd * ph * pw;
      for (int64_t d = 0; d < pd; ++d)
        for (int64_t h = 0; h < ph; ++h) {
          float* row = out + (d * ph + h) * pw;
          std::fill(row, row + pw, 0.0f);
          for (int64_t a = 0; a < k[0]; ++a)
            for (int64_t b = 0; b < k[1]; ++b) {
              const float* src = in + ((d * k[0] + a) * g[1].out + h * k[1] + b) * g[2].out;
              for (int64_t c = 0; c < k[2]; ++c)
                for (int64_t w = 0; w < pw; ++w) row[w] += src[w * k[2] + c];
            }
          for (int64_t w = 0; w < pw; ++w) row[w] *= scale;
        }
    }
  });
}

// The Conv (bias included, no steps) on the convolution library, for every Conv with a window (a 1x1
// Conv is a plain GEMM, where OpenBLAS was as fast). Per-group windows are one call per group, each
// reading its own channel slice of X. False when the build has no library or it declines the problem.
// What a node keeps between runs (RefContext::state): each group's W in the library's layout.
struct LibraryWeights {
  std::vector<std::shared_ptr<cpu::ConvolutionWeights>> groups;
};

bool LibraryConv(const ConvProblem& p, const float* x, const float* w, const float* bias, float* y,
                 std::shared_ptr<void>* state, cpu::Workspace* workspace) {
  if (!cpu::ConvolutionAvailable() || IsPointwise(p.axis3)) return false;
  const int64_t macs = p.batch * p.out_channels * p.out_spatial() * p.in_per_group() * p.kernel_volume();
  if (IsDepthwise(p) && macs < kLibraryDepthwiseMacs) return false;
  const bool per_group = p.fusion.per_group();
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  const int rank = static_cast<int>(p.axes.size());
  const int64_t calls = per_group ? p.group : 1;
  LibraryWeights* kept = nullptr;
  if (state) {
    if (!*state) *state = std::make_shared<LibraryWeights>();
    kept = static_cast<LibraryWeights*>(state->get());
    kept->groups.resize(static_cast<size_t>(calls));
  }
  for (int64_t g = 0; g < calls; ++g) {
    const GroupView v = ViewOf(p, g);
    cpu::ConvolutionSpec s;
    s.rank = rank;
    s.batch = p.batch;
    s.groups = per_group ? 1 : p.group;
    s.in_per_group = cg;
    s.out_per_group = mg;
    for (int i = 0; i < rank; ++i) {
      const AxisGeometry& a = v.axis3[3 - rank + i];
      s.in[i] = a.in, s.out[i] = a.out, s.kernel[i] = a.kernel, s.stride[i] = a.stride;
      s.dilation[i] = a.dilation, s.pad_begin[i] = a.pad_begin, s.pad_end[i] = a.pad_end;
    }
    s.x_batch_stride = p.x_total_channels() * p.in_spatial();
    s.y_batch_stride = p.out_channels * p.out_spatial();
    s.bias = bias != nullptr;
    const int64_t first_out = per_group ? g * mg : 0;
    if (!cpu::Convolution(s, x + v.x_channel * p.in_spatial(), w + first_out * cg * p.kernel_volume(),
                          bias ? bias + first_out : nullptr, y + first_out * p.out_spatial(),
                          kept ? &kept->groups[static_cast<size_t>(g)] : nullptr, workspace))
      return false;
  }
  return true;
}

}  // namespace

bool ConvCpuHandles(const ConvProblem& p, const std::vector<const HostTensor*>& inputs) {
  for (const HostTensor* t : inputs)
    if (t && t->dtype() != DType::kFloat32) return false;
  // The GEMM library takes 32-bit sizes.
  const int64_t limit = int64_t{1} << 31;
  return p.out_spatial() < limit && p.in_spatial() < limit && p.in_per_group() * p.kernel_volume() < limit;
}

Status ConvCpu(const ConvProblem& p, const std::vector<const HostTensor*>& inputs, HostTensor* out,
               std::shared_ptr<void>* state, cpu::Workspace* workspace) {
  const float* x = inputs[0]->as<float>();
  const float* w = inputs[1]->as<float>();
  const float* bias = p.has_bias ? inputs[2]->as<float>() : nullptr;
  std::vector<float> unpooled;
  float* y = out->mutable_as<float>();
  if (p.fusion.pooled()) {
    unpooled.resize(static_cast<size_t>(p.batch * p.out_channels * p.out_spatial()));
    y = unpooled.data();
  }
  const int64_t cg = p.in_per_group(), mg = p.out_per_group(), sp = p.out_spatial();
  if (LibraryConv(p, x, w, bias, y, state, workspace)) {
    bias = nullptr;  // added by the library
  } else if (IsDepthwise(p)) {
    const std::vector<GroupTaps> taps = TapsOfGroups(p);
    const int64_t macs = p.batch * p.out_channels * sp * cg * p.kernel_volume();
    cpu::ParallelFor(p.batch * p.out_channels, macs, [&](int64_t i0, int64_t i1) {
      for (int64_t item = i0; item < i1; ++item)
        DirectPlane(p, taps, x, w, item / p.out_channels, item % p.out_channels, y + item * sp);
    });
  } else {
    const int64_t x_image = p.x_total_channels() * p.in_spatial();
    for (int64_t n = 0; n < p.batch; ++n)
      for (int64_t g = 0; g < p.group; ++g) {
        const GroupView v = ViewOf(p, g);
        GemmGroup(p, v, x + n * x_image + v.x_channel * p.in_spatial(), w + g * mg * cg * p.kernel_volume(),
                  y + (n * p.out_channels + g * mg) * sp);
      }
  }
  Epilogue(p, inputs, bias, y);
  if (p.fusion.pooled()) Pool(p, y, out->mutable_as<float>());
  return OkStatus();
}

}  // namespace webconv::ops
