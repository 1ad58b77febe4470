// WGSL for the Conv epilogue (see conv_epilogue.h): bias, then each fused step in order, then one
// store, all in registers, so a fused activation or residual Add costs no extra pass over memory.
// Step parameters are baked into the WGSL as exact bit patterns (and into the pipeline's cache key).
#include <cmath>
#include <cstring>

#include "ops/conv/conv_epilogue.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using Step = ConvFusion::Step;

const char* StepTag(Step::Kind k) {
  switch (k) {
    case Step::kAdd:
      return "add";
    case Step::kRelu:
      return "relu";
    case Step::kClip:
      return "clip";
    case Step::kLeakyRelu:
      return "lrelu";
    case Step::kSigmoid:
      return "sigmoid";
    case Step::kHardSigmoid:
      return "hsigmoid";
    case Step::kHardSwish:
      return "hswish";
    case Step::kTanh:
      return "tanh";
  }
  return "?";
}

// An f32 constant, exactly: the bit pattern, so no decimal round trip can change it.
std::string F32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return "bitcast<f32>(" + std::to_string(bits) + "u)";
}

// The WGSL statement applying one activation to `y` (same formulas as the ops' own kernels).
std::string ActivationWgsl(const Step& s) {
  switch (s.kind) {
    case Step::kRelu:
      return "y = max(y, 0.0);";
    case Step::kClip: {
      // An infinite bound is no bound (and cannot be written in WGSL); min(max()) as Clip's kernel.
      std::string e = "y";
      if (!(std::isinf(s.alpha) && s.alpha < 0)) e = "max(" + e + ", " + F32(s.alpha) + ")";
      if (!(std::isinf(s.beta) && s.beta > 0)) e = "min(" + e + ", " + F32(s.beta) + ")";
      return "y = " + e + ";";
    }
    case Step::kLeakyRelu:
      return "y = select(" + F32(s.alpha) + " * y, y, y >= 0.0);";
    // exp(-y) overflows to inf for y < -88 and the quotient correctly becomes 0.
    case Step::kSigmoid:
      return "y = 1.0 / (1.0 + exp(-y));";
    case Step::kHardSigmoid:
      return "y = max(0.0, min(1.0, " + F32(s.alpha) + " * y + " + F32(s.beta) + "));";
    case Step::kHardSwish:
      return "y = y * max(0.0, min(1.0, y / 6.0 + 0.5));";
    case Step::kTanh:
      return "y = tanh_acc(y);";
    case Step::kAdd:
      break;
  }
  return "";
}

}  // namespace

std::string ConvEpilogueTag(const ConvProblem& p) {
  std::string tag = p.has_bias ? "_bias" : "";
  for (const Step& s : p.fusion.steps) tag += std::string("_") + StepTag(s.kind);
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
  bool needs_tanh = false;
  for (const Step& s : p.fusion.steps) {
    if (s.kind == Step::kAdd) {
      const std::string name = "Addend" + std::to_string(addends++);
      b.Input(name, gpu::ScalarType::kF32);
      bindings->push_back(GpuContext::In(s.input));
      body += "  y = y + " + name + "[i];\n";
      continue;
    }
    needs_tanh = needs_tanh || s.kind == Step::kTanh;
    body += "  " + ActivationWgsl(s) + "\n";
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
  std::string wgsl = needs_tanh ? WgslMathFunctions(kMathTanh) : "";
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
