// WGSL for the Conv epilogue (see conv_epilogue.h): bias, then each fused step in order, then one
// store, all in registers, so a fused activation or residual Add costs no extra pass over memory.
// Each step's WGSL comes from its op (PointwiseStepWgsl), parameters baked as exact bit patterns.
#include "ops/conv/conv_epilogue.h"
#include "ops/elementwise/unary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {

using Step = ConvFusion::Step;

std::string ConvEpilogueTag(const ConvProblem& p) {
  std::string tag = p.has_bias ? "_bias" : "";
  for (const Step& s : p.fusion.steps) tag += "_" + (s.kind == Step::kAdd ? std::string("add") : PointwiseTag(s.fn));
  if (p.fusion.channel_total > 0) tag += "_cat";
  if (p.fusion.pooled())
    tag += "_avgpool" + std::to_string(p.fusion.pool[0]) + "x" + std::to_string(p.fusion.pool[1]) + "x" +
           std::to_string(p.fusion.pool[2]);
  return tag;
}

std::string AddConvEpilogue(const ConvProblem& p, gpu::KernelBuilder& b, std::vector<GpuRef>* bindings,
                            ConvSizeTable* sizes) {
  std::string body;
  if (p.has_bias) {
    b.Input("Bias", gpu::ScalarType::kF32);
    bindings->push_back(GpuContext::In(2));
  }
  int addends = 0;
  uint32_t math = 0;        // WgslMath functions the steps call
  std::string functions;    // helper functions of the steps (PointwiseStepWgsl)
  for (const Step& s : p.fusion.steps) {
    if (s.kind == Step::kAdd) {
      const std::string name = "Addend" + std::to_string(addends++);
      b.Input(name, gpu::ScalarType::kF32);
      bindings->push_back(GpuContext::In(s.input));
      body += "  y = y + " + name + "[i];\n";
      continue;
    }
    body += "  " + PointwiseStepWgsl(s.fn, &functions, &math) + "\n";
  }
  b.Output("Y", gpu::ScalarType::kF32);
  bindings->push_back(GpuContext::Out(0));
  // Placement into a Concat's output: Y holds `channels` channels and this Conv owns a slice of them.
  const bool placed = p.fusion.channel_total > 0;
  const int64_t channels = placed ? p.fusion.channel_total : p.out_channels;
  const int64_t offset = placed ? p.fusion.channel_offset : 0;
  const int64_t sp_total = p.out_spatial();
  const Shape stored = ConvStoredShape(p);
  int64_t stored_sp = 1;
  for (size_t k = 2; k < stored.size(); ++k) stored_sp *= stored[k];
  // A ConvTranspose phase stores output q at first + q * step of the ConvTranspose's output.
  std::string put_sp = "sp";
  if (p.phase.active) stored_sp = p.phase.full_spatial();
  std::string wgsl = (math ? WgslMathFunctions(math) : "") + functions;
  if (p.phase.active) {
    const ConvTransposePhase& ph = p.phase;
    auto u = [](int64_t v) { return std::to_string(v) + "u"; };
    auto at = [&](int a, const std::string& q) {
      return "(f." + std::string(1, "xyz"[a]) + " + " + q + " * " + u(ph.step[a]) + ")";
    };
    wgsl += "fn phase_sp(sp: u32) -> u32 {\n  let f = PHASE_FIRST[phase_slot];\n";
    wgsl += "  let qw = sp % " + u(p.axis3[2].out) + ";\n  let t = sp / " + u(p.axis3[2].out) + ";\n";
    wgsl += "  let qh = t % " + u(p.axis3[1].out) + ";\n  let qd = t / " + u(p.axis3[1].out) + ";\n";
    wgsl += "  return (" + at(0, "qd") + " * " + u(ph.full[1]) + " + " + at(1, "qh") + ") * " + u(ph.full[2]) +
            " + " + at(2, "qw") + ";\n}\n";
    put_sp = "phase_sp(sp)";
  }
  // Channels of the stored tensor, this Conv's first channel there, spatial size of the Conv's output
  // (where addends are read) and of the stored tensor.
  sizes->Add("EP_CH", channels);
  sizes->Add("EP_CH0", offset);
  sizes->Add("EP_SP", sp_total);
  sizes->Add("EP_PUT_SP", stored_sp);
  // conv_value: bias and steps for output (n, co, sp) of the Conv (addends read there); conv_put:
  // the store of a finished value at spatial index sp of the stored tensor.
  wgsl += "fn conv_value(n: u32, co: u32, sp: u32, acc: f32) -> f32 {\n";
  wgsl += "  let i = (n * EP_CH + EP_CH0 + co) * EP_SP + sp;\n";
  wgsl += std::string("  var y = ") + (p.has_bias ? "acc + Bias[co]" : "acc") + ";\n";
  wgsl += body;
  wgsl += "  return y;\n}\n";
  wgsl += "fn conv_put(n: u32, co: u32, sp: u32, y: f32) {\n";
  wgsl += "  Y[(n * EP_CH + EP_CH0 + co) * EP_PUT_SP + " + put_sp + "] = y;\n}\n";
  // Without a fused pool every output is stored where it is computed.
  if (!p.fusion.pooled())
    wgsl +=
        "fn conv_store(n: u32, co: u32, sp: u32, acc: f32) {\n  conv_put(n, co, sp, conv_value(n, co, sp, "
        "acc));\n}\n";
  return wgsl;
}

}  // namespace webconv::ops
