// The WebGPU Conv for first layers: few input channels (RGB frames) and many output channels, e.g.
// TransNetV2's 1x3x3 3->32 and MobileNetV2's 3x3/2 3->32. Their reduction is short (27 taps) and their output
// is 10-20x larger than their input, so they are bound by the output store, not by arithmetic; the implicit
// GEMM spends its time on the im2col gather of a 16-deep slice at a time instead.
//
// Each thread owns four output pixels (128 apart) and a block of CB output channels (accumulators as
// vec4s). It reads each of its pixels' DEPTH receptive-field taps from memory once (neighbouring
// threads read neighbouring pixels) and multiplies them into all CB channels with vec4 weights from
// workgroup memory, staged there as [tap][channel] so every read is one 16-byte broadcast that
// feeds four FMAs. The stores of a channel are one contiguous run per warp.
#include "ops/conv/conv_direct.h"
#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_geometry_wgsl.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"

namespace webconv::ops {
namespace {

constexpr uint32_t kWorkgroup = 128;
constexpr int64_t kMaxDepth = 64;       // taps; longer windows (ResNet's 7x7x3 = 147) measured faster as GEMM
constexpr int64_t kStageFloats = 4096;  // weights staged per workgroup: 16 KiB, WebGPU's default limit
constexpr int kPixels = 4;              // output pixels per thread: one weight read feeds four FMAs
constexpr int64_t kPixelsPerGroup = kWorkgroup * kPixels;

using gpu::U;

}  // namespace

bool ConvUsesFewInputKernel(const ConvProblem& p) {
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  const int64_t pixel_groups = (p.batch * p.out_spatial() + kPixelsPerGroup - 1) / kPixelsPerGroup;
  return p.group == 1 && p.in_channels <= 4 && p.out_channels > 4 && depth <= kMaxDepth &&
         !p.fusion.pooled() && pixel_groups <= 65535;
}

int ChooseFewInputChannelBlock(const ConvProblem& p, uint32_t compute_units, const KernelTuning* tuning) {
  if (tuning && tuning->few_input_block > 0) return tuning->few_input_block;
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  const int64_t pixel_groups = (p.batch * p.out_spatial() + kPixelsPerGroup - 1) / kPixelsPerGroup;
  // Widest block (fewest re-reads of the input, most FMAs per weight read) that fits the stage and
  // still gives a workgroup to each SM.
  int64_t cb = 16;
  const int64_t sms = compute_units;
  while (cb > 4 && (cb * depth > kStageFloats || pixel_groups * ((p.out_channels + cb - 1) / cb) < sms))
    cb /= 2;
  while (cb > 4 && cb / 2 >= p.out_channels) cb /= 2;  // no block much wider than the channels
  return static_cast<int>(cb);
}

Status ConvFewInputGpu(const ConvProblem& p, GpuContext& ctx) {
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  const int64_t cb = ChooseFewInputChannelBlock(p, ctx.compute_units, &ctx.tuning_or_defaults());
  const int64_t cb4 = cb / 4;
  const int64_t pixels = p.batch * p.out_spatial();
  const bool check[3] = {ConvAxisNeedsCheck(p, 0), ConvAxisNeedsCheck(p, 1), ConvAxisNeedsCheck(p, 2)};
  gpu::KernelBuilder b("conv3d_f32_fewin_c" + std::to_string(cb) + "p" + std::to_string(kPixels) +
                       ConvEpilogueTag(p));
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  // Used once per model (its first layer): nothing to share, so the sizes stay baked.
  ConvSizeTable sizes(ConvSizes::kBaked);
  const std::string store = AddConvEpilogue(p, b, &bind, &sizes);
  std::string s = store + ConvGeometryWgsl(p, &sizes);
  s += sizes.Declarations();
  s += "const CB = " + U(cb) + ";\nconst CB4 = " + U(cb4) + ";\nconst PIXELS = " + U(pixels) + ";\n";
  s += "var<workgroup> Ws: array<vec4<f32>, " + U(depth * cb4) + ">;\n";
  s += "@compute @workgroup_size(" + std::to_string(kWorkgroup) + ", 1, 1)\n";
  s += "fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {\n";
  s += "  let c0 = wid.y * CB;\n";
  // Stage this block's weights as [tap][channel], reading W in memory order (coalesced); channels
  // past COUT read as zero.
  s += "  for (var e = tid; e < DEPTH * CB; e += " + U(kWorkgroup) + ") {\n";
  s += "    let c = e / DEPTH;\n    let k = e % DEPTH;\n    var v = 0.0;\n";
  s += "    if (c0 + c < COUT) { v = W[c0 * DEPTH + e]; }\n";
  s += "    Ws[k * CB4 + c / 4u][c % 4u] = v;\n  }\n";
  s += "  workgroupBarrier();\n";
  // KPIX pixels per thread, 128 apart, so every load and store of a warp stays one contiguous run.
  for (int q = 0; q < kPixels; ++q) {
    const std::string Q = std::to_string(q);
    s += "  let m" + Q + " = wid.x * " + U(kPixelsPerGroup) + " + tid + " + U(q * kWorkgroup) + ";\n";
    s += "  let v" + Q + " = m" + Q + " < PIXELS;\n";
    s += "  let mc" + Q + " = min(m" + Q + ", PIXELS - 1u);\n";
    s += "  let sp" + Q + " = mc" + Q + " % OUT_SP;\n  let n" + Q + " = mc" + Q + " / OUT_SP;\n";
    s += "  let d" + Q + " = i32(sp" + Q + " / (OUT_W * OUT_H) * S_D) - P_D;\n";
    s += "  let h" + Q + " = i32((sp" + Q + " / OUT_W) % OUT_H * S_H) - P_H;\n";
    s += "  let w" + Q + " = i32(sp" + Q + " % OUT_W * S_W) - P_W;\n";
    s += "  let xb" + Q + " = (n" + Q + " * X_CH + X_CH0) * IN_SP;\n";
  }
  // Accumulators are named vec4 variables and the pixel and channel loops are written out (an array
  // indexed in a loop the GPU compiler does not unroll would live in local memory).
  for (int q = 0; q < kPixels; ++q)
    for (int64_t c = 0; c < cb4; ++c)
      s += "  var acc" + std::to_string(q) + "_" + std::to_string(c) + " = vec4<f32>(0.0);\n";
  s += "  for (var k = 0u; k < DEPTH; k++) {\n";
  s += "    let kw = k % K_W;\n    let kh = (k / K_W) % K_H;\n    let kd = (k / (K_W * K_H)) % K_D;\n";
  s += "    let ci = k / (K_W * K_H * K_D);\n";
  s += "    let dd = i32(kd * DL_D);\n    let dh = i32(kh * DL_H);\n    let dw = i32(kw * DL_W);\n";
  for (int q = 0; q < kPixels; ++q) {
    const std::string Q = std::to_string(q);
    s += "    let id" + Q + " = d" + Q + " + dd;\n    let ih" + Q + " = h" + Q + " + dh;\n    let iw" + Q +
         " = w" + Q + " + dw;\n";
    std::string c;
    const char* names[3] = {"id", "ih", "iw"};
    const char* extents[3] = {"IN_D", "IN_H", "IN_W"};
    for (int a = 0; a < 3; ++a)
      if (check[a]) c += std::string(c.empty() ? "" : " && ") + "u32(" + names[a] + Q + ") < " + extents[a];
    const std::string load =
        "X[xb" + Q + " + ci * IN_SP + u32(id" + Q + ") * IN_HW + u32(ih" + Q + ") * IN_W + u32(iw" + Q + ")]";
    if (c.empty()) {
      s += "    let x" + Q + " = vec4<f32>(" + load + ");\n";
    } else {
      s += "    var s" + Q + " = 0.0;\n    if (" + c + ") { s" + Q + " = " + load + "; }\n";
      s += "    let x" + Q + " = vec4<f32>(s" + Q + ");\n";
    }
  }
  // One weight read feeds kPixels FMAs.
  for (int64_t c = 0; c < cb4; ++c) {
    const std::string C = std::to_string(c);
    s += "    let wv" + C + " = Ws[k * CB4 + " + U(c) + "];\n";
    for (int q = 0; q < kPixels; ++q) {
      const std::string a = "acc" + std::to_string(q) + "_" + C;
      s += "    " + a + " = fma(x" + std::to_string(q) + ", wv" + C + ", " + a + ");\n";
    }
  }
  s += "  }\n";
  for (int q = 0; q < kPixels; ++q) {
    const std::string Q = std::to_string(q);
    s += "  if (v" + Q + ") {\n";
    for (int64_t c = 0; c < cb; ++c) {
      const std::string v = "acc" + Q + "_" + std::to_string(c / 4) + "." + "xyzw"[c % 4];
      const std::string line = "conv_store(n" + Q + ", c0 + " + U(c) + ", sp" + Q + ", " + v + ");";
      // Channels past COUT (the last block of a tail) are not stored.
      if (p.out_channels % cb != 0)
        s += "    if (c0 + " + U(c) + " < COUT) { " + line + " }\n";
      else
        s += "    " + line + "\n";
    }
    s += "  }\n";
  }
  s += "}\n";
  b.Body(s);
  const uint32_t groups[3] = {static_cast<uint32_t>((pixels + kPixelsPerGroup - 1) / kPixelsPerGroup),
                              static_cast<uint32_t>((p.out_channels + cb - 1) / cb), 1};
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
