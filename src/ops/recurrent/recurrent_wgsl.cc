// RNN, GRU and LSTM on WebGPU. Steps depend on each other, so each step is a dispatch (GRU: two, since its
// candidate gate reads r * h of every unit), with one invocation per (direction, batch entry, hidden unit)
// computing its gates' dot products. The state lives in a scratch buffer of two halves that the steps
// alternate between (the step's parity is a uniform); an entry past its sequence_lens copies its state
// forward and writes zeros to Y, so the last half holds every entry's final state. A first dispatch
// checks sequence_lens (an error names the node, as the reference's does) and loads the initial state; a
// last one copies the final state to Y_h (and Y_c). Equations: recurrent.cc.
#include <cstdio>
#include <cstring>
#include <string>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/recurrent/recurrent.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

// An f32 literal with v's exact bits.
std::string F(float v) {
  uint32_t bits = 0;
  std::memcpy(&bits, &v, 4);
  char text[32];
  std::snprintf(text, sizeof text, "bitcast<f32>(0x%08xu)", bits);
  return text;
}

// WGSL for one activation applied to `x`.
std::string ActivationWgsl(const RnnActivation& a, const std::string& x) {
  const std::string al = F(a.alpha), be = F(a.beta);
  switch (a.kind) {
    case RnnActivation::kSigmoid: return "(1.0 / (1.0 + exp(-" + x + ")))";
    case RnnActivation::kTanh: return "tanh_acc(" + x + ")";
    case RnnActivation::kRelu: return "max(0.0, " + x + ")";
    case RnnActivation::kAffine: return "(" + al + " * " + x + " + " + be + ")";
    case RnnActivation::kLeakyRelu: return "select(" + al + " * " + x + ", " + x + ", " + x + " >= 0.0)";
    case RnnActivation::kThresholdedRelu: return "select(0.0, " + x + ", " + x + " > " + al + ")";
    case RnnActivation::kScaledTanh: return "(" + al + " * tanh_acc(" + be + " * " + x + "))";
    case RnnActivation::kHardSigmoid: return "clamp(" + al + " * " + x + " + " + be + ", 0.0, 1.0)";
    case RnnActivation::kElu: return "select(" + al + " * expm1_acc(" + x + "), " + x + ", " + x + " >= 0.0)";
    case RnnActivation::kSoftsign: return "(" + x + " / (1.0 + abs(" + x + ")))";
    case RnnActivation::kSoftplus: return "log1p_acc(exp(" + x + "))";
  }
  return x;
}

// `fn act<k>(x: f32, d: u32) -> f32` for each function slot k of the cell: direction d's own function.
std::string ActivationFunctions(const RecurrentAttrs& a) {
  std::string s;
  for (int k = 0; k < a.functions(); ++k) {
    const RnnActivation& first = a.activations[static_cast<size_t>(k)];
    const RnnActivation& second = a.activations[static_cast<size_t>(a.directions() == 2 ? a.functions() + k : k)];
    s += "fn act" + std::to_string(k) + "(x: f32, d: u32) -> f32 {\n  if (d == 1u) { return " +
         ActivationWgsl(second, "x") + "; }\n  return " + ActivationWgsl(first, "x") + ";\n}\n";
  }
  return s;
}

// Helpers every step kernel shares: the invocation's coordinates and time, the dot products, biases.
std::string StepPrelude(const RecurrentAttrs& a, const RecurrentProblem& p) {
  std::string s = WgslMathFunctions(kMathTanh | kMathExpm1 | kMathLog1p) + ActivationFunctions(a);
  s += "fn clipped(x: f32) -> f32 { return " +
       std::string(a.has_clip ? "clamp(x, -" + F(a.clip) + ", " + F(a.clip) + ")" : "x") + "; }\n";
  // x_t W[row]^T, for the row of gate row in direction d.
  s += "fn xdot(d: u32, b: u32, t: u32, row: u32) -> f32 {\n"
       "  let xb = select((t * u.batch + b) * u.input, (b * u.seq + t) * u.input, u.batch_first == 1u);\n"
       "  let wb = (d * u.gh + row) * u.input;\n"
       "  var s = 0.0;\n"
       "  for (var k = 0u; k < u.input; k = k + 1u) { s = s + X[xb + k] * W[wb + k]; }\n"
       "  return s;\n}\n";
  // h R[row]^T with h the current half of the state.
  s += "fn hdot(d: u32, b: u32, row: u32) -> f32 {\n"
       "  let hb = u.parity * u.states + (d * u.batch + b) * u.hidden;\n"
       "  let rb = (d * u.gh + row) * u.hidden;\n"
       "  var s = 0.0;\n"
       "  for (var k = 0u; k < u.hidden; k = k + 1u) { s = s + HS[hb + k] * R[rb + k]; }\n"
       "  return s;\n}\n";
  s += std::string("fn wbias(d: u32, row: u32) -> f32 { return ") +
       (p.has_bias ? "Bi[d * 2u * u.gh + row]" : "0.0") + "; }\n";
  s += std::string("fn rbias(d: u32, row: u32) -> f32 { return ") +
       (p.has_bias ? "Bi[d * 2u * u.gh + u.gh + row]" : "0.0") + "; }\n";
  s += "fn y_index(d: u32, b: u32, t: u32, j: u32) -> u32 {\n"
       "  return select(((t * u.dirs + d) * u.batch + b) * u.hidden + j, ((b * u.seq + t) * u.dirs + d) * u.hidden + j,\n"
       "                u.batch_first == 1u);\n}\n";
  return s;
}

// The statements that open every step kernel's main: coordinates, this entry's length and time.
std::string StepHead(const RecurrentProblem& p) {
  return std::string("let j = i % u.hidden;\n"
                     "  let b = (i / u.hidden) % u.batch;\n"
                     "  let d = i / (u.hidden * u.batch);\n") +
         (p.has_lens ? "  let len = u32(clamp(L[b], 0, i32(u.seq)));\n" : "  let len = u.seq;\n") +
         "  let running = u.step < len;\n"
         "  let rev = ((u.reverse >> d) & 1u) == 1u;\n"
         "  let t = select(u.step, len - 1u - u.step, running && rev);\n"
         "  let cur = u.parity * u.states + i;\n"
         "  let nxt = (1u - u.parity) * u.states + i;\n";
}

void AddUniforms(gpu::UniformBlock& u, const RecurrentAttrs& a, const RecurrentProblem& p, uint32_t step) {
  u.AddU32("n", static_cast<uint32_t>(p.dirs * p.batch * p.hidden));
  u.AddU32("seq", static_cast<uint32_t>(p.seq));
  u.AddU32("batch", static_cast<uint32_t>(p.batch));
  u.AddU32("input", static_cast<uint32_t>(p.input));
  u.AddU32("hidden", static_cast<uint32_t>(p.hidden));
  u.AddU32("dirs", static_cast<uint32_t>(p.dirs));
  u.AddU32("gh", static_cast<uint32_t>(a.gates() * p.hidden));
  u.AddU32("states", static_cast<uint32_t>(p.dirs * p.batch * p.hidden));
  u.AddU32("batch_first", static_cast<uint32_t>(a.layout));
  u.AddU32("reverse", (a.reversed(0) ? 1u : 0u) | (a.reversed(1) ? 2u : 0u));
  u.AddU32("step", step);
  u.AddU32("parity", step % 2);
}

// The binding list and declarations every step kernel starts with: X, W, R, then the optional B, L, P.
std::vector<GpuRef> StepInputs(gpu::KernelBuilder& b, const RecurrentProblem& p) {
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32).Input("R", gpu::ScalarType::kF32);
  std::vector<GpuRef> refs = {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2)};
  if (p.has_bias) b.Input("Bi", gpu::ScalarType::kF32), refs.push_back(GpuContext::In(3));
  if (p.has_lens) b.Input("L", gpu::ScalarType::kI32), refs.push_back(GpuContext::In(4));
  if (p.has_peepholes) b.Input("P", gpu::ScalarType::kF32), refs.push_back(GpuContext::In(7));
  return refs;
}

std::string Name(const char* what, const RecurrentProblem& p) {
  return std::string(what) + (p.has_bias ? "_b" : "") + (p.has_lens ? "_l" : "") + (p.has_peepholes ? "_p" : "");
}

// The check of sequence_lens and the initial state, one invocation per state element.
void DispatchStart(GpuContext& ctx, const RecurrentAttrs& a, const RecurrentProblem& p, GpuRef hs, GpuRef cs) {
  const bool lstm = a.cell == RecurrentAttrs::kLstm;
  gpu::KernelBuilder b(std::string("recurrent_start") + (p.has_lens ? "_l" : "") + (p.has_h0 ? "_h" : "") +
                       (lstm && p.has_c0 ? "_c" : "") + (lstm ? "_lstm" : ""));
  std::vector<GpuRef> refs;
  if (p.has_lens) b.Input("L", gpu::ScalarType::kI32), refs.push_back(GpuContext::In(4));
  if (p.has_h0) b.Input("H0", gpu::ScalarType::kF32), refs.push_back(GpuContext::In(5));
  if (lstm && p.has_c0) b.Input("C0", gpu::ScalarType::kF32), refs.push_back(GpuContext::In(6));
  b.Output("HS", gpu::ScalarType::kF32), refs.push_back(hs);
  if (lstm) b.Output("CS", gpu::ScalarType::kF32), refs.push_back(cs);
  uint32_t slot = 0;
  if (p.has_lens) {
    GpuIndexCheck check;
    check.indices_input = 4;
    const int64_t seq = p.seq;
    check.describe = [seq](int64_t position, const int64_t* value) {
      return BadModel("sequence_lens[", position, "] is ", value ? std::to_string(*value) : std::string("a value"),
                      ": it must lie in [0, ", seq, "]");
    };
    slot = ctx.CheckIndices(std::move(check));
    b.Atomic("index_error"), refs.push_back(GpuContext::IndexCheckWords());
  }
  auto& u = b.uniforms();
  AddUniforms(u, a, p, 0);
  u.AddU32("check_slot", slot);
  std::string body =
      "let j = i % u.hidden;\n"
      "  let b = (i / u.hidden) % u.batch;\n"
      "  let d = i / (u.hidden * u.batch);\n"
      "  let s = select((d * u.batch + b) * u.hidden + j, (b * u.dirs + d) * u.hidden + j, u.batch_first == 1u);\n";
  if (p.has_lens)  // once per entry: the word holds batch - position, so atomicMax keeps the first
    body += "  if (d == 0u && j == 0u && (L[b] < 0 || L[b] > i32(u.seq))) {\n"
            "    atomicMax(&index_error[u.check_slot], u.batch - b);\n  }\n";
  body += std::string("  HS[i] = ") + (p.has_h0 ? "H0[s]" : "0.0") + ";\n";
  if (lstm) body += std::string("  CS[i] = ") + (p.has_c0 ? "C0[s]" : "0.0") + ";\n";
  b.Body(ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.dirs * p.batch * p.hidden), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, refs, groups);
}

// The final state (the half the last step wrote) into Y_h and Y_c.
void DispatchFinish(GpuContext& ctx, const RecurrentAttrs& a, const RecurrentProblem& p, GpuRef hs, GpuRef cs) {
  const bool want_h = ctx.outputs.size() > 1 && ctx.outputs[1].present;
  const bool want_c = a.cell == RecurrentAttrs::kLstm && ctx.outputs.size() > 2 && ctx.outputs[2].present;
  for (int k = 0; k < 2; ++k) {
    if (!(k == 0 ? want_h : want_c)) continue;
    gpu::KernelBuilder b("recurrent_finish");
    b.Input("S", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
    AddUniforms(b.uniforms(), a, p, static_cast<uint32_t>(p.seq));
    b.Body(ElementwiseMain(
        "let j = i % u.hidden;\n"
        "  let b = (i / u.hidden) % u.batch;\n"
        "  let d = i / (u.hidden * u.batch);\n"
        "  Y[select((d * u.batch + b) * u.hidden + j, (b * u.dirs + d) * u.hidden + j, u.batch_first == 1u)] =\n"
        "      S[u.parity * u.states + i];"));
    uint32_t groups[3];
    gpu::LinearGrid(static_cast<uint64_t>(p.dirs * p.batch * p.hidden), kElementwiseWorkgroup, groups);
    ctx.Dispatch(b, {k == 0 ? hs : cs, GpuContext::Out(k + 1)}, groups);
  }
}

}  // namespace

Status RecurrentGpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<RecurrentAttrs>();
  WC_ASSIGN_OR_RETURN(RecurrentProblem p, ResolveRecurrent(a, ctx.inputs));
  if (!IsGpuFloat(ctx.inputs[0].dtype))
    return BadModel("X has type ", DTypeName(ctx.inputs[0].dtype), ": the WebGPU backend holds float32 and float16");
  for (size_t i : {size_t{0}, size_t{1}, size_t{2}})
    WC_RETURN_IF_ERROR(tensor::CheckGpuElements(ctx.inputs[i].shape, "input"));
  const int64_t states = p.dirs * p.batch * p.hidden;
  if (states == 0) return OkStatus();
  if (p.seq > 65536) return BadModel("a sequence of ", p.seq, " steps is more dispatches than the WebGPU kernel runs");
  const bool lstm = a.cell == RecurrentAttrs::kLstm, gru = a.cell == RecurrentAttrs::kGru;
  const GpuRef hs = ctx.Scratch(static_cast<uint64_t>(2 * states));
  const GpuRef cs = lstm ? ctx.Scratch(static_cast<uint64_t>(2 * states)) : hs;
  const bool want_y = !ctx.outputs.empty() && ctx.outputs[0].present;
  const GpuRef y = want_y ? GpuContext::Out(0) : ctx.Scratch(1);
  // GRU's z and r per state element, and r * h, between its two kernels.
  const GpuRef zr = gru ? ctx.Scratch(static_cast<uint64_t>(2 * states)) : hs;
  const GpuRef rh = gru ? ctx.Scratch(static_cast<uint64_t>(states)) : hs;
  DispatchStart(ctx, a, p, hs, cs);
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(states), kElementwiseWorkgroup, groups);
  const std::string prelude = StepPrelude(a, p), head = StepHead(p);
  const std::string y_write = want_y ? "  Y[y_index(d, b, t, j)] = select(0.0, nh, running);\n" : "";
  for (int64_t step = 0; step < p.seq; ++step) {
    const uint32_t st = static_cast<uint32_t>(step);
    if (!gru) {
      gpu::KernelBuilder b(Name(lstm ? "lstm_step" : "rnn_step", p) + (want_y ? "_y" : ""));
      std::vector<GpuRef> refs = StepInputs(b, p);
      b.Output("HS", gpu::ScalarType::kF32), refs.push_back(hs);
      if (lstm) b.Output("CS", gpu::ScalarType::kF32), refs.push_back(cs);
      b.Output("Y", gpu::ScalarType::kF32), refs.push_back(y);
      AddUniforms(b.uniforms(), a, p, st);
      std::string body = head + "  var nh = HS[cur];\n";
      if (lstm) {
        const std::string peep = p.has_peepholes ? "P[d * 3u * u.hidden + K * u.hidden + j]" : "0.0";
        auto pv = [&](int k) {
          std::string s = peep;
          const size_t at = s.find('K');
          if (at != std::string::npos) s.replace(at, 1, std::to_string(k) + "u");
          return s;
        };
        auto gate = [&](int g) {
          const std::string row = std::to_string(g) + "u * u.hidden + j";
          return "xdot(d, b, t, " + row + ") + hdot(d, b, " + row + ") + wbias(d, " + row + ") + rbias(d, " + row + ")";
        };
        body += "  var nc = CS[cur];\n"
                "  if (running) {\n"
                "    let c = CS[cur];\n"
                "    let ig = act0(clipped(" + gate(0) + " + " + pv(0) + " * c), d);\n" +
                (a.input_forget ? "    let fg = 1.0 - ig;\n"
                                : "    let fg = act0(clipped(" + gate(2) + " + " + pv(2) + " * c), d);\n") +
                "    let ug = act1(clipped(" + gate(3) + "), d);\n"
                "    nc = fg * c + ig * ug;\n"
                "    let og = act0(clipped(" + gate(1) + " + " + pv(1) + " * nc), d);\n"
                "    nh = og * act2(nc, d);\n"
                "  }\n"
                "  CS[nxt] = nc;\n";
      } else {
        body += "  if (running) { nh = act0(clipped(xdot(d, b, t, j) + hdot(d, b, j) + wbias(d, j) + rbias(d, j)), d); }\n";
      }
      body += "  HS[nxt] = nh;\n" + y_write;
      b.Body(prelude + ElementwiseMain(body));
      ctx.Dispatch(b, refs, groups);
      continue;
    }
    // GRU, first kernel: z and r of every unit, and r * h.
    {
      gpu::KernelBuilder b(Name("gru_gates", p));
      std::vector<GpuRef> refs = StepInputs(b, p);
      b.Input("HS", gpu::ScalarType::kF32), refs.push_back(hs);
      b.Output("ZR", gpu::ScalarType::kF32), refs.push_back(zr);
      b.Output("RH", gpu::ScalarType::kF32), refs.push_back(rh);
      AddUniforms(b.uniforms(), a, p, st);
      b.Body(prelude + ElementwiseMain(head +
                                       "  let z = act0(clipped(xdot(d, b, t, j) + hdot(d, b, j) + wbias(d, j) + rbias(d, j)), d);\n"
                                       "  let rr = u.hidden + j;\n"
                                       "  let r = act0(clipped(xdot(d, b, t, rr) + hdot(d, b, rr) + wbias(d, rr) + rbias(d, rr)), d);\n"
                                       "  ZR[2u * i] = z;\n  ZR[2u * i + 1u] = r;\n  RH[i] = r * HS[cur];"));
      ctx.Dispatch(b, refs, groups);
    }
    // GRU, second kernel: the candidate and the new state.
    {
      gpu::KernelBuilder b(Name(a.linear_before_reset ? "gru_state_lbr" : "gru_state", p) + (want_y ? "_y" : ""));
      std::vector<GpuRef> refs = StepInputs(b, p);
      b.Output("HS", gpu::ScalarType::kF32), refs.push_back(hs);
      b.Input("ZR", gpu::ScalarType::kF32), refs.push_back(zr);
      b.Input("RH", gpu::ScalarType::kF32), refs.push_back(rh);
      b.Output("Y", gpu::ScalarType::kF32), refs.push_back(y);
      AddUniforms(b.uniforms(), a, p, st);
      const std::string candidate =
          a.linear_before_reset
              ? "act1(clipped(xdot(d, b, t, hr) + wbias(d, hr) + r * (hdot(d, b, hr) + rbias(d, hr))), d)"
              : "act1(clipped(xdot(d, b, t, hr) + wbias(d, hr) + rhdot(d, b, hr) + rbias(d, hr)), d)";
      const std::string rhdot =
          "fn rhdot(d: u32, b: u32, row: u32) -> f32 {\n"
          "  let hb = (d * u.batch + b) * u.hidden;\n"
          "  let rb = (d * u.gh + row) * u.hidden;\n"
          "  var s = 0.0;\n"
          "  for (var k = 0u; k < u.hidden; k = k + 1u) { s = s + RH[hb + k] * R[rb + k]; }\n"
          "  return s;\n}\n";
      b.Body(prelude + rhdot +
             ElementwiseMain(head +
                             "  var nh = HS[cur];\n"
                             "  if (running) {\n"
                             "    let z = ZR[2u * i];\n    let r = ZR[2u * i + 1u];\n"
                             "    let hr = 2u * u.hidden + j;\n"
                             "    nh = (1.0 - z) * " + candidate + " + z * HS[cur];\n"
                             "  }\n"
                             "  HS[nxt] = nh;\n" + y_write));
      ctx.Dispatch(b, refs, groups);
    }
  }
  DispatchFinish(ctx, a, p, hs, cs);
  return OkStatus();
}

}  // namespace webconv::ops
