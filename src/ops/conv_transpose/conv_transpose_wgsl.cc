// The WebGPU ConvTranspose: gather form, no atomics, as one implicit-GEMM Conv per stride phase.
//
// Along an axis, the outputs o with the same o mod stride ("phase") receive the same kernel taps:
// tap k reaches o when o + pad - k * dilation is a multiple of the stride, so the valid taps are
// k0, k0 + step, k0 + 2 step, ... (nk of them) with step = stride / gcd(stride, dilation), and their
// input index falls by in_step = dilation / gcd per step: i = base + q - j * in_step for the phase's
// q-th output and its j-th tap. Counting the taps backwards (j' = nk - 1 - j) turns that into an ordinary
// stride-1 correlation, i = q - P + j' * in_step with P = (nk - 1) * in_step - base: a Conv with kernel
// nk, dilation in_step and pad P, whose rows are the phase's outputs. Each phase therefore runs on the
// Conv's implicit-GEMM generator (conv_wgsl.cc, with its baked geometry, register blocking and tile
// model); ConvProblem::phase makes it read its weights out of the ConvTranspose weight and store output
// q at o = first + q * stride, and lets phases of equal geometry share one dispatch. Every output
// belongs to exactly one phase and is written exactly once; outputs no tap reaches get the bias alone.
#include <algorithm>
#include <numeric>

#include "ops/conv/conv.h"
#include "ops/conv_transpose/conv_transpose.h"

namespace webconv::ops {
namespace {

struct AxisPhase {
  int64_t first = 0, rows = 0, k0 = 0, nk = 0, base = 0;
};

// The phase of outputs first, first + stride, ... along one axis (see the file comment).
AxisPhase PhaseOf(const AxisGeometry& g, int64_t first, int64_t tap_step) {
  const int64_t s = g.stride;
  AxisPhase p;
  p.first = first;
  p.rows = (g.out - first + s - 1) / s;
  const int64_t t = first + g.pad_begin;  // the phase's first output in the unpadded full result
  const int64_t r = ((t % s) + s) % s;
  int64_t kd_mod = 0;  // (k * dilation) mod stride
  for (int64_t k = 0; k < std::min(g.kernel, tap_step); ++k) {
    if (kd_mod == r) {
      p.k0 = k;
      p.nk = (g.kernel - k + tap_step - 1) / tap_step;
      p.base = (t - k * g.dilation) / s;  // exact: t - k * dilation is a multiple of s
      break;
    }
    kd_mod = (kd_mod + g.dilation) % s;
  }
  return p;
}

}  // namespace

Status ConvTransposeGpu(const ConvTransposeProblem& p, GpuContext& ctx) {
  const AxisGeometry* a = p.axis3;
  // Every index the kernels form (element offsets, tap positions, pads) must fit in i32/u32.
  const int64_t limit = int64_t{1} << 31;
  bool fits = p.batch * p.in_channels * p.in_spatial() < limit &&
              p.batch * p.out_channels * p.out_spatial() < limit &&
              p.in_channels * p.out_per_group() * p.kernel_volume() < limit;
  for (int k = 0; k < 3; ++k)
    fits = fits && a[k].stride * (a[k].in - 1) + a[k].dilated_kernel() < limit && a[k].pad_begin < limit &&
           a[k].pad_begin > -limit && a[k].out < limit;
  if (!fits) return BadModel("ConvTranspose tensors or extents of 2^31 or more are not supported on WebGPU");
  if (p.batch * p.out_channels * p.out_spatial() == 0) return OkStatus();  // nothing to write

  int64_t phases[3], tap_step[3], in_step[3];
  for (int k = 0; k < 3; ++k) {
    const int64_t gcd = std::gcd(a[k].stride, a[k].dilation);
    phases[k] = std::min(a[k].stride, a[k].out);
    tap_step[k] = a[k].stride / gcd;
    in_step[k] = a[k].dilation / gcd;
  }
  // Each phase is a slot of a dispatch (one table entry in its WGSL) or a dispatch of its own, so their
  // number is bounded: 4096 allows a stride of 16 along all three axes.
  constexpr int64_t kMaxPhases = 4096;
  if (phases[0] * phases[1] * phases[2] > kMaxPhases)
    return BadModel("ConvTranspose strides ", p.axis3[0].stride, "x", p.axis3[1].stride, "x", p.axis3[2].stride,
                    " give ", phases[0] * phases[1] * phases[2], " stride phases; at most ", kMaxPhases,
                    " are supported on WebGPU");
  // The phase Convs: same channels, groups and bias; per axis the phase's rows, taps and pad. Phases
  // with the same Conv geometry become slots of one dispatch (a kernel equal to the stride, as in most
  // U-Nets, gives a single dispatch for all phases).
  std::vector<ConvProblem> convs;
  for (int64_t f0 = 0; f0 < phases[0]; ++f0)
    for (int64_t f1 = 0; f1 < phases[1]; ++f1)
      for (int64_t f2 = 0; f2 < phases[2]; ++f2) {
        const int64_t first[3] = {f0, f1, f2};
        ConvProblem c;
        c.batch = p.batch;
        c.in_channels = p.in_channels;
        c.out_channels = p.out_channels;
        c.group = p.group;
        c.has_bias = p.has_bias;
        c.phase.active = true;
        ConvTransposePhase::Axes k0;
        for (int k = 0; k < 3; ++k) {
          const AxisPhase ph = PhaseOf(a[k], first[k], tap_step[k]);
          AxisGeometry& g = c.axis3[k];
          g.in = a[k].in;
          g.out = ph.rows;
          g.kernel = std::max<int64_t>(ph.nk, 1);
          g.dilation = in_step[k];
          g.pad_begin = ph.nk > 0 ? (ph.nk - 1) * in_step[k] - ph.base : 0;
          c.phase.tapless = c.phase.tapless || ph.nk == 0;
          c.phase.step[k] = a[k].stride;
          c.phase.full[k] = a[k].out;
          c.phase.tap_step[k] = tap_step[k];
          c.phase.taps[k] = a[k].kernel;
          k0[k] = ph.k0;
        }
        c.axes.assign(c.axis3 + (3 - p.axes.size()), c.axis3 + 3);
        auto same = [&](const ConvProblem& o) {
          if (o.phase.tapless != c.phase.tapless) return false;
          for (int k = 0; k < 3; ++k) {
            const AxisGeometry &x = o.axis3[k], &y = c.axis3[k];
            if (x.out != y.out || x.kernel != y.kernel || x.pad_begin != y.pad_begin) return false;
          }
          return true;
        };
        auto it = std::find_if(convs.begin(), convs.end(), same);
        if (it == convs.end()) it = convs.insert(convs.end(), c);
        it->phase.first.push_back({first[0], first[1], first[2]});
        it->phase.k0.push_back(k0);
      }
  for (const ConvProblem& c : convs)
    WC_RETURN_IF_ERROR(ctx.quick && ConvQuickFits(c) ? ConvQuickGpu(c, ctx) : ConvGemmGpu(c, ctx));
  return OkStatus();
}

}  // namespace webconv::ops
