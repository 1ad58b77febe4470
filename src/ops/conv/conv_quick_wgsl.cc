// The quick Conv: the kernel a first run uses while the tuned ones still compile (runtime/session.h,
// FirstRun). A tuned implicit GEMM is a long, unrolled shader with workgroup-memory stages; a driver
// takes 100-200 ms to compile one (NVIDIA, H100) and SwiftShader's JIT longer, one after another. This
// kernel is short so that it compiles in a fraction of that, and every Conv of one epilogue and channel
// block shares it: the sizes and the window come from the uniform block (conv_sizes.h), only the
// epilogue and the channel block are baked (and the window tables of per-group windows and ConvTranspose
// phases).
//
// Each thread computes one output pixel (with a fused pool: one pooled pixel, its window's outputs one
// after another) for a block of CB consecutive output channels, looping over the group's input
// channels and the kernel's taps: one input load feeds CB FMAs, and the weights it reads are the same
// for every thread of the workgroup (one channel block per workgroup), so they come from cache. It
// serves every Conv the other kernels do: groups, per-group windows, channel slices, fused steps,
// pools and placements (through the shared epilogue), and ConvTranspose's stride phases.
#include "ops/conv/conv_direct.h"
#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_geometry_wgsl.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::ops {
namespace {

using gpu::U;
constexpr uint32_t kQuickThreads = 64;

const char* Lane(uint32_t i) {
  return i == 0 ? "x" : i == 1 ? "y" : i == 2 ? "z" : "w";
}

}  // namespace

// Channels per thread: 8 (two vec4 accumulators) unless the group has at most 4 output channels.
uint32_t ConvQuickChannelBlock(const ConvProblem& p) {
  return p.out_per_group() <= 4 ? 4 : 8;
}

namespace {

// Threads are output pixels (pooled pixels with a fused pool).
int64_t QuickPixels(const ConvProblem& p) {
  return p.batch * (p.axis3[0].out / p.fusion.pool[0]) * (p.axis3[1].out / p.fusion.pool[1]) *
         (p.axis3[2].out / p.fusion.pool[2]);
}

void QuickGroups(const ConvProblem& p, int64_t groups[3]) {
  const int64_t cb = ConvQuickChannelBlock(p);
  groups[0] = (QuickPixels(p) + kQuickThreads - 1) / kQuickThreads;
  groups[1] = (p.out_per_group() + cb - 1) / cb;
  groups[2] = p.group * p.phase.slots();
}

}  // namespace

bool ConvQuickFits(const ConvProblem& p) {
  int64_t g[3];
  QuickGroups(p, g);
  return g[0] <= 65535 && g[1] <= 65535 && g[2] <= 65535;
}

Status ConvQuickGpu(const ConvProblem& p, GpuContext& ctx) {
  const uint32_t cb = ConvQuickChannelBlock(p);
  const uint32_t vecs = cb / 4;
  const bool pooled = p.fusion.pooled();
  const bool per_group = !p.group_geometry.empty();
  const int64_t pixels = QuickPixels(p);
  int64_t wide[3];
  QuickGroups(p, wide);
  const uint32_t groups[3] = {static_cast<uint32_t>(wide[0]), static_cast<uint32_t>(wide[1]),
                              static_cast<uint32_t>(wide[2])};
  if (!ConvQuickFits(p))
    return BadModel("quick Conv dispatch of ", groups[0], "x", groups[1], "x", groups[2],
                    " workgroups exceeds 65535 per dimension");

  const std::string family = p.phase.active ? "conv_transpose3d_f32_phase_quick" : "conv3d_f32_quick";
  gpu::KernelBuilder b(family + "_c" + std::to_string(cb) + ConvEpilogueTag(p) + "_u");
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  ConvSizeTable sizes(ConvSizes::kUniform);
  std::string s = AddConvEpilogue(p, b, &bind, &sizes);
  if (pooled) s += ConvPoolWgsl(p, &sizes);
  // Per-group windows and ConvTranspose phases keep their tables baked, so their windows stay baked too.
  const bool window_uniform = !per_group && !p.phase.active;
  s += ConvGeometryWgsl(p, &sizes, window_uniform);
  sizes.Add("PIXELS", pixels);
  s += sizes.Declarations();
  if (p.phase.active && !p.phase.tapless) s += ConvPhaseWeightWgsl(p);
  const uint64_t pv = static_cast<uint64_t>(p.fusion.pool_volume());
  s += "const CB = " + U(cb) + ";\n";
  // The weight of output channel co (clamped: a tail block's extra lanes compute a copy that is never
  // stored) at reduction index k.
  if (!p.phase.tapless) {
    s += "fn weight(g: u32, co: u32, k: u32) -> f32 {\n  let c = min(co, COUT_G - 1u);\n";
    s += p.phase.active ? "  return W[w_index(g, c, k)];\n}\n" : "  return W[(g * COUT_G + c) * DEPTH + k];\n}\n";
  }
  s += "@compute @workgroup_size(" + U(kQuickThreads) + ", 1, 1)\n";
  s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {\n";
  s += sizes.LoadAtEntry();
  if (p.phase.active) {  // workgroup z = (phase slot, group)
    s += "  phase_slot = wid.z / " + U(p.group) + ";\n  let g = wid.z % " + U(p.group) + ";\n";
  } else {
    s += "  let g = wid.z;\n";
  }
  s += "  let q = gid.x;\n  if (q >= PIXELS) { return; }\n  let co0 = wid.y * CB;\n";
  if (per_group) s += "  let gdl = GROUP_DL[g];\n  let gp = GROUP_P[g];\n";
  auto pad = [&](int a) {
    if (per_group) return std::string("gp.") + Lane(a);
    return window_uniform ? std::string("i32(PAD_") + "DHW"[a] + ")" : std::string("P_") + "DHW"[a];
  };
  // Taps that can leave the input are checked; with the window in the sizes, always.
  auto check = [&](int a) { return window_uniform || ConvAxisNeedsCheck(p, a); };
  auto dil = [&](int a) { return per_group ? std::string("gdl.") + Lane(a) : std::string("DL_") + "DHW"[a]; };
  // Pixel q: its batch index and (pooled) spatial index.
  if (pooled) {
    s += "  let n = q / PO_SP;\n  let psp = q % PO_SP;\n";
  } else {
    s += "  let n = q / OUT_SP;\n  let psp = q % OUT_SP;\n";
  }
  s += "  let x0 = (n * X_CH + " + (per_group ? ConvGroupX0(sizes) : std::string("X_CH0 + g * CIN_G")) + ") * IN_SP;\n";
  for (uint32_t v = 0; v < vecs; ++v) s += "  var sum" + std::to_string(v) + " = vec4<f32>(0.0);\n";
  // The outputs of the pool window one after another (one output without a pool).
  s += "  for (var l = 0u; l < " + U(pv) + "; l++) {\n";
  s += pooled ? "    let sp = pool_sp(psp, l);\n" : "    let sp = psp;\n";
  s += "    let ow = sp % OUT_W;\n    let t = sp / OUT_W;\n    let oh = t % OUT_H;\n    let od = t / OUT_H;\n";
  s += "    let rd = i32(od * S_D) - " + pad(0) + ";\n    let rh = i32(oh * S_H) - " + pad(1) + ";\n";
  s += "    let rw = i32(ow * S_W) - " + pad(2) + ";\n";
  for (uint32_t v = 0; v < vecs; ++v) s += "    var acc" + std::to_string(v) + " = vec4<f32>(0.0);\n";
  if (!p.phase.tapless) {  // a phase no tap reaches reads nothing: its outputs are the bias alone
    s += "    for (var ci = 0u; ci < CIN_G; ci++) {\n      let xc = x0 + ci * IN_SP;\n";
    s += "      for (var kd = 0u; kd < K_D; kd++) {\n        let id = rd + i32(kd * " + dil(0) + ");\n";
    if (check(0)) s += "        if (u32(id) >= IN_D) { continue; }\n";
    s += "        for (var kh = 0u; kh < K_H; kh++) {\n          let ih = rh + i32(kh * " + dil(1) + ");\n";
    if (check(1)) s += "          if (u32(ih) >= IN_H) { continue; }\n";
    s += "          for (var kw = 0u; kw < K_W; kw++) {\n            let iw = rw + i32(kw * " + dil(2) + ");\n";
    if (check(2)) s += "            if (u32(iw) >= IN_W) { continue; }\n";
    s += "            let xv = X[xc + u32(id) * IN_HW + u32(ih) * IN_W + u32(iw)];\n";
    s += "            let k = ((ci * K_D + kd) * K_H + kh) * K_W + kw;\n";
    for (uint32_t v = 0; v < vecs; ++v) {
      std::string w = "vec4<f32>(";
      for (uint32_t j = 0; j < 4; ++j)
        w += (j ? ", " : "") + std::string("weight(g, co0 + ") + U(v * 4 + j) + ", k)";
      s += "            acc" + std::to_string(v) + " = fma(vec4<f32>(xv), " + w + "), acc" + std::to_string(v) + ");\n";
    }
    s += "          }\n        }\n      }\n    }\n";
  }
  // The epilogue per channel, summed over the pool window's outputs.
  for (uint32_t c = 0; c < cb; ++c) {
    const std::string lane = std::to_string(c / 4) + "." + Lane(c % 4);
    s += "    if (co0 + " + U(c) + " < COUT_G) { sum" + lane + " = sum" + lane + " + conv_value(n, g * COUT_G + co0 + " +
         U(c) + ", sp, acc" + lane + "); }\n";
  }
  s += "  }\n";
  // A fused pool of 2 or 4 outputs averages exactly (a power-of-two scale), as the GEMM's store does.
  const std::string scale = pv == 1 ? "" : pv == 2 ? " * 0.5" : " * 0.25";
  for (uint32_t c = 0; c < cb; ++c) {
    const std::string lane = std::to_string(c / 4) + "." + Lane(c % 4);
    s += "  if (co0 + " + U(c) + " < COUT_G) { conv_put(n, g * COUT_G + co0 + " + U(c) + ", psp, sum" + lane + scale +
         "); }\n";
  }
  s += "}\n";
  b.Body(s);
  sizes.AddUniforms(b.uniforms());
  AddConvGroupUniforms(p, sizes, b.uniforms());
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
