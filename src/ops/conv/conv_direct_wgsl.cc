// The WebGPU Conv for few output channels per group (depthwise and channel-multiplier convs, small
// heads). A GEMM tile would leave most of its columns idle here; this kernel is bound by memory
// traffic, so it is built to read each input element from memory about once.
//
// Each thread computes a column strip of RH outputs along H (same n, channel, od and ow), so
// neighbouring threads differ in ow: every load and store of a warp is one contiguous run. The
// strip's input rows are loaded once into registers (RIN = (RH-1)*S_H + (K_H-1)*DL_H + 1 rows by K_W
// taps) and every output of the strip reads its taps from there: 3x3 stride 1 with RH = 8 loads 30
// values for 8 outputs instead of 72. The filter of the current (ci, kd) slice sits in registers.
// RH is chosen from the problem size (enough threads to fill the GPU first, then reuse), capped by
// a register budget for the row window. 1-D convs (no H axis) run with RH = 1. 3-D windows also
// reuse along D: a thread computes RD output depths, loads each input slab (row window) once and
// adds it into every output depth whose window holds it, with the whole filter in registers (3x3x3
// with RD = 2: 4 slabs for 2 depths instead of 6). Optionally (WEBCONV_CONV_SUBGROUPS=1, stride and
// dilation 1 along W) a lane takes its taps along W from its neighbours' loads by subgroup shuffles.

#include "ops/conv/conv_direct.h"
#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_geometry_wgsl.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"

namespace webconv::ops {
namespace {

using gpu::U;

int64_t WindowRows(const ConvProblem& p, int64_t rh) {
  const AxisGeometry& h = p.axis3[1];
  return (rh - 1) * h.stride + (h.kernel - 1) * h.dilation + 1;
}

}  // namespace

int ChooseConvStripRows(const ConvProblem& p, const KernelTuning* tuning) {
  const int64_t out_h = p.axis3[1].out;
  int rows = 0;
  if (tuning && tuning->strip_rows > 0) {
    rows = tuning->strip_rows;
  } else {
    // Fill the GPU first (about 64 K threads keep 132 SMs busy with memory requests in flight), then
    // reuse rows: the largest power of two up to 8 that leaves that many threads.
    const int64_t outputs = p.batch * p.out_channels * p.out_spatial();
    rows = 1;
    while (rows < 8 && outputs / (rows * 2) >= 65536) rows *= 2;
  }
  rows = static_cast<int>(std::min<int64_t>(rows, out_h));
  // The row window lives in registers: keep it to about 64 values.
  while (rows > 1 && WindowRows(p, rows) * p.axis3[2].kernel > 64) --rows;
  return std::max(rows, 1);
}

Result<bool> ChooseConvSubgroupTaps(const ConvProblem& p, bool device_has_subgroups, const KernelTuning* tuning) {
  if (!tuning || !tuning->subgroup_taps) return false;
  if (!device_has_subgroups)
    return UsageError("subgroup taps (WEBCONV_CONV_SUBGROUPS=1) need the WebGPU device's \"subgroups\" feature, "
                      "which it lacks");
  const AxisGeometry& w = p.axis3[2];
  return w.stride == 1 && w.dilation == 1 && w.kernel > 1;
}

int ChooseConvStripDepths(const ConvProblem& p, int rows, const KernelTuning* tuning) {
  const AxisGeometry& d = p.axis3[0];
  // Only 3-D windows reuse input slabs across output depths; all K_D x K_H x K_W weights then stay in
  // registers next to the row window, so the filter must be small.
  if (d.kernel == 1 || d.out == 1 || p.kernel_volume() > 32) return 1;
  int depths = 0;
  if (tuning && tuning->strip_depths > 0) {
    depths = tuning->strip_depths;
  } else {
    const int64_t outputs = p.batch * p.out_channels * p.out_spatial();
    depths = outputs / (rows * 2) >= 65536 ? 2 : 1;
  }
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(depths, d.out)));
}

Status ConvDirectGpu(const ConvProblem& p, GpuContext& ctx) {
  constexpr uint32_t kWorkgroup = 128;
  const KernelTuning& tuning = ctx.tuning_or_defaults();
  const int64_t rh = ChooseConvStripRows(p, &tuning);
  const int64_t rd = ChooseConvStripDepths(p, static_cast<int>(rh), &tuning);
  const int64_t rin = WindowRows(p, rh);
  const AxisGeometry &ad = p.axis3[0], &ah = p.axis3[1];
  const int64_t strips = (ah.out + rh - 1) / rh;
  const int64_t dstrips = (ad.out + rd - 1) / rd;
  // Input slabs along D that the RD output depths of a thread read.
  const int64_t sin = (rd - 1) * ad.stride + (ad.kernel - 1) * ad.dilation + 1;
  WC_ASSIGN_OR_RETURN(const bool sg, ChooseConvSubgroupTaps(p, ctx.subgroups, &tuning));
  // Subgroup shuffles need uniform control flow, which loops bounded by private copies of uniform sizes
  // do not have in WGSL's analysis: that variant keeps its sizes baked.
  ConvSizes size_mode = ChooseConvSizes(p, ctx.software_adapter, &tuning);
  if (sg) size_mode = ConvSizes::kBaked;
  ConvSizeTable sizes(size_mode);
  // The last strip may run past OUT_H (or OUT_D); its rows then need the bounds check even when the
  // window otherwise stays inside the input. With sizes in uniforms the checks are always emitted, so
  // that layers differing only in sizes share the WGSL.
  const bool h_tail = sizes.uniform() || ah.out % rh != 0, d_tail = sizes.uniform() || ad.out % rd != 0;
  const bool check_d = ConvAxisNeedsCheck(p, 0) || d_tail, check_w = ConvAxisNeedsCheck(p, 2);
  const bool check_h = ConvAxisNeedsCheck(p, 1) || h_tail;
  // The filter sits in registers unless it is large (then it is read through the cache).
  const bool filter_in_registers = p.kernel_volume() <= 64;
  gpu::KernelBuilder b("conv3d_f32_direct_h" + std::to_string(rh) + (rd > 1 ? "d" + std::to_string(rd) : "") +
                       (sg ? "_sg" : "") + ConvEpilogueTag(p) + ConvSizesTag(size_mode));
  if (sg) b.Enable("subgroups");
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  const std::string store = AddConvEpilogue(p, b, &bind, &sizes);
  const int64_t total = p.batch * p.out_channels * dstrips * strips * p.axis3[2].out;
  std::string s = store + ConvGeometryWgsl(p, &sizes) + gpu::LinearIndexWgsl(kWorkgroup);
  sizes.Add("TOTAL", total);
  sizes.Add("STRIPS", strips);
  sizes.Add("DSTRIPS", dstrips);
  s += sizes.Declarations();
  s += "const RH = " + U(rh) + ";\nconst RIN = " + U(rin) + ";\nconst RD = " + U(rd) + ";\n";
  s += "const SIN = " + U(sin) + ";\n";
  s += "@compute @workgroup_size(" + std::to_string(kWorkgroup) + ", 1, 1)\n";
  s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>";
  if (sg) {
    // Shuffles need every lane of the subgroup: threads past the end compute a clamped copy of the last
    // output and do not store it, rather than return early; control flow stays uniform up to the stores.
    s += ",\n        @builtin(subgroup_invocation_id) sgi: u32, @builtin(subgroup_size) sgs: u32) {\n";
    s += sizes.LoadAtEntry();
    s += "  let o_raw = linear_index(gid, nwg);\n  let in_range = o_raw < TOTAL;\n  let o = min(o_raw, TOTAL - 1u);\n";
  } else {
    s += ") {\n" + sizes.LoadAtEntry() + "  let o = linear_index(gid, nwg);\n  if (o >= TOTAL) { return; }\n";
  }
  s += "  let ow = o % OUT_W;\n  let t0 = o / OUT_W;\n  let strip = t0 % STRIPS;\n  let t1 = t0 / STRIPS;\n";
  s +=
      "  let dstrip = t1 % DSTRIPS;\n  let t2 = t1 / DSTRIPS;\n  let co = t2 % COUT;\n  let n = t2 / COUT;\n";
  s += "  let g = co / COUT_G;\n  let oh0 = strip * RH;\n  let od0 = dstrip * RD;\n";
  s +=
      "  let d0 = i32(od0 * S_D) - P_D;\n  let h0 = i32(oh0 * S_H) - P_H;\n  let w0 = i32(ow * S_W) - P_W;\n";
  s += "  var acc: array<f32, " + U(rd * rh) + ">;\n";
  s += "  var xr: array<f32, " + U(rin * p.axis3[2].kernel) + ">;\n";
  if (filter_in_registers) s += "  var wr: array<f32, " + U(p.kernel_volume()) + ">;\n";
  const int64_t kw_taps = p.axis3[2].kernel;
  if (sg) {
    // nbK: the lane K to the right computes this thread's output at ow + K (same n, channel, rows), so
    // its first tap is this thread's tap K.
    for (int64_t k = 1; k < kw_taps; ++k)
      s += "  let nb" + std::to_string(k) + " = subgroupShuffleDown(o_raw, " + U(k) + ") == o_raw + " + U(k) +
           " && ow + " + U(k) + " < OUT_W && sgi + " + U(k) + " < sgs;\n";
  }
  s += "  for (var ci = 0u; ci < CIN_G; ci++) {\n";
  s += "    let xb = (n * X_CH + X_CH0 + g * CIN_G + ci) * IN_SP;\n";
  s += "    let wb = (co * CIN_G + ci) * (K_D * K_H * K_W);\n";
  if (filter_in_registers) s += "    for (var k = 0u; k < K_D * K_H * K_W; k++) { wr[k] = W[wb + k]; }\n";
  // Each input slab along D is loaded once and used by every output depth whose window holds it.
  s += "    for (var sd = 0u; sd < SIN; sd++) {\n";
  s += "      let id = d0 + i32(sd);\n";
  // With subgroup taps every lane must reach the shuffles, so a slab outside the input loads zeros
  // instead of being skipped.
  if (check_d && !sg) s += "      if (u32(id) >= IN_D) { continue; }\n";
  s += "      let xd = xb + u32(id) * IN_HW;\n";
  s += "      for (var r = 0u; r < RIN; r++) {\n";
  s += "        let ih = h0 + i32(r);\n";
  std::string cond;
  if (check_d && sg) cond += "u32(id) < IN_D";
  if (check_h) cond += std::string(cond.empty() ? "" : " && ") + "u32(ih) < IN_H";
  auto tap_load = [&](const std::string& iw, const std::string& indent) {
    const std::string c = cond + (check_w ? std::string(cond.empty() ? "" : " && ") + "u32(" + iw + ") < IN_W" : "");
    const std::string load = "X[xd + u32(ih) * IN_W + u32(" + iw + ")]";
    if (c.empty()) return indent + "v = " + load + ";\n";
    return indent + "v = 0.0;\n" + indent + "if (" + c + ") { v = " + load + "; }\n";
  };
  if (!sg) {
    s += "        for (var kw = 0u; kw < K_W; kw++) {\n";
    s += "          let iw = w0 + i32(kw * DL_W);\n          var v: f32;\n";
    s += tap_load("iw", "          ");
    s += "          xr[r * K_W + kw] = v;\n        }\n";
  } else {
    // Every row's own tap first, so the loads are in flight together; then the shuffles, each of which
    // waits for its row's load, and the loads of lanes without a neighbour.
    s += "        var v: f32;\n" + tap_load("w0", "        ") + "        xr[r * K_W] = v;\n      }\n";
    s += "      for (var r = 0u; r < RIN; r++) {\n        let ih = h0 + i32(r);\n        var v: f32;\n";
    for (int64_t k = 1; k < kw_taps; ++k) {
      const std::string K = std::to_string(k);
      s += "        v = subgroupShuffleDown(xr[r * K_W], " + U(k) + ");\n";
      s += "        if (!nb" + K + ") {\n" + tap_load("w0 + " + K, "          ") + "        }\n";
      s += "        xr[r * K_W + " + U(k) + "] = v;\n";
    }
  }
  s += "      }\n";
  // Output depth i reads slab sd with tap kd when i * S_D + kd * DL_D == sd.
  s += "      for (var i = 0u; i < RD; i++) {\n";
  s += "        if (sd < i * S_D) { continue; }\n";
  s += "        let off = sd - i * S_D;\n";
  s += "        if (off % DL_D != 0u || off / DL_D >= K_D) { continue; }\n";
  s += "        let wk = (off / DL_D) * (K_H * K_W);\n";
  s += "        for (var j = 0u; j < RH; j++) {\n";
  s += "          var a = acc[i * RH + j];\n";
  s += "          for (var kh = 0u; kh < K_H; kh++) {\n";
  s += "            for (var kw = 0u; kw < K_W; kw++) {\n";
  s += std::string("              a = fma(xr[(j * S_H + kh * DL_H) * K_W + kw], ") +
       (filter_in_registers ? "wr[wk + kh * K_W + kw]" : "W[wb + wk + kh * K_W + kw]") + ", a);\n";
  s += "            }\n          }\n          acc[i * RH + j] = a;\n        }\n      }\n";
  s += "    }\n  }\n";
  if (sg) s += "  if (!in_range) { return; }\n";
  s += "  for (var i = 0u; i < RD; i++) {\n    let od = od0 + i;\n";
  if (d_tail) s += "    if (od >= OUT_D) { break; }\n";
  s += "    for (var j = 0u; j < RH; j++) {\n      let oh = oh0 + j;\n";
  if (h_tail) s += "      if (oh >= OUT_H) { break; }\n";
  s += "      conv_store(n, co, (od * OUT_H + oh) * OUT_W + ow, acc[i * RH + j]);\n    }\n  }\n}\n";
  b.Body(s);
  sizes.AddUniforms(b.uniforms());
  AddConvGroupUniforms(p, sizes, b.uniforms());
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kWorkgroup, groups);
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
