// The WebGPU Conv for few output channels per group (depthwise and channel-multiplier convs, small
// heads): one thread per output element, looping over its group's input channels and the kernel
// window, geometry baked in as constants. A GEMM tile would leave most of its columns idle here;
// this kernel is bound by memory traffic, and neighbouring threads read neighbouring inputs.
#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::ops {

Status ConvDirectGpu(const ConvProblem& p, GpuContext& ctx) {
  constexpr uint32_t kWorkgroup = 128;
  gpu::KernelBuilder b("conv3d_f32_direct" + ConvEpilogueTag(p));
  b.Spec(ConvGeometryKey(p));
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  const std::string store = AddConvEpilogue(p, b, &bind);
  const int64_t total = p.batch * p.out_channels * p.out_spatial();
  std::string s = store + ConvGeometryWgsl(p) + gpu::LinearIndexWgsl(kWorkgroup);
  s += "const TOTAL = " + std::to_string(total) + "u;\n";
  s += "@compute @workgroup_size(" + std::to_string(kWorkgroup) + ", 1, 1)\n";
  s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n";
  s += "  let o = linear_index(gid, nwg);\n  if (o >= TOTAL) { return; }\n";
  s += "  let sp = o % OUT_SP;\n  let t = o / OUT_SP;\n  let co = t % COUT;\n  let n = t / COUT;\n";
  s += "  let g = co / COUT_G;\n";
  s += "  let ow = sp % OUT_W;\n  let oh = (sp / OUT_W) % OUT_H;\n  let od = sp / (OUT_W * OUT_H);\n";
  s += "  let d0 = i32(od * S_D) - P_D;\n  let h0 = i32(oh * S_H) - P_H;\n  let w0 = i32(ow * S_W) - P_W;\n";
  s += "  var acc = 0.0;\n";
  s += "  for (var ci = 0u; ci < CIN_G; ci++) {\n";
  s += "    let xb = (n * CIN + g * CIN_G + ci) * IN_SP;\n";
  s += "    let wbase = (co * CIN_G + ci) * (K_D * K_H * K_W);\n";
  s += "    for (var kd = 0u; kd < K_D; kd++) {\n";
  s += "      let id = d0 + i32(kd * DL_D);\n";
  if (ConvAxisNeedsCheck(p, 0)) s += "      if (u32(id) >= IN_D) { continue; }\n";
  s += "      for (var kh = 0u; kh < K_H; kh++) {\n";
  s += "        let ih = h0 + i32(kh * DL_H);\n";
  if (ConvAxisNeedsCheck(p, 1)) s += "        if (u32(ih) >= IN_H) { continue; }\n";
  s += "        for (var kw = 0u; kw < K_W; kw++) {\n";
  s += "          let iw = w0 + i32(kw * DL_W);\n";
  if (ConvAxisNeedsCheck(p, 2)) s += "          if (u32(iw) >= IN_W) { continue; }\n";
  s += "          acc = fma(X[xb + u32(id) * IN_HW + u32(ih) * IN_W + u32(iw)], W[wbase + (kd * K_H + kh) * "
       "K_W + kw], acc);\n";
  s += "        }\n      }\n    }\n  }\n";
  s += "  conv_store(n, co, sp, acc);\n}\n";
  b.Body(s);
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kWorkgroup, groups);
  ctx.Dispatch(b, bind, groups);
  ctx.dispatches.back().uniforms.clear();  // everything is baked in: no uniform block
  return OkStatus();
}

}  // namespace webconv::ops
