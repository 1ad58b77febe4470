// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12 and 13). With the input viewed as
// [N, C, D] (D: the product of the axes after C, 1 when there are none) and the target as [N, D]:
//   loss[n, d] = -input[n, t, d] * weight[t], t = target[n, d]  (weight[t] = 1 without a weight input)
// and loss 0, weight 0 where t == ignore_index. reduction "none" keeps loss ([N, d1, ...]); "sum" sums it;
// "mean" (the default) divides that sum by the sum of the weights of the targets not ignored (ONNX's
// wording and its reference agree on this), which is NaN when every target is ignored.
// SoftmaxCrossEntropyLoss is the same loss on log(softmax(scores)) over axis 1, which is its optional
// second output. A target outside [0, C) that is not ignore_index is an error naming the node, on every
// backend (the GPU checks the targets before the loss reads them).
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct LossAttrs {
  bool softmax = false;  // SoftmaxCrossEntropyLoss
  enum Reduction { kNone, kSum, kMean } reduction = kMean;
  bool has_ignore = false;
  int64_t ignore_index = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out, bool softmax) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  auto a = std::make_shared<LossAttrs>();
  a->softmax = softmax;
  std::string reduction;
  WC_RETURN_IF_ERROR(ctx.attrs.String("reduction", "mean", &reduction));
  if (reduction == "none") a->reduction = LossAttrs::kNone;
  else if (reduction == "sum") a->reduction = LossAttrs::kSum;
  else if (reduction == "mean") a->reduction = LossAttrs::kMean;
  else return BadModel("attribute reduction is '", reduction, "': none, sum or mean");
  a->has_ignore = ctx.attrs.Has("ignore_index");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("ignore_index", 0, &a->ignore_index));
  *out = a;
  return OkStatus();
}

Status ParseNll(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, false); }
Status ParseSce(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, true); }

// The [N, C, D] view, after checking the inputs against each other.
struct LossShape {
  int64_t n = 0, c = 0, d = 1;
};

Result<LossShape> Resolve(const std::vector<TensorInfo>& in) {
  const TensorInfo& x = in[0];
  const TensorInfo& t = in[1];
  if (!IsFloat(x.dtype)) return BadModel("input has type ", DTypeName(x.dtype), ": a float type is needed");
  if (t.dtype != DType::kInt64 && t.dtype != DType::kInt32)
    return BadModel("target has type ", DTypeName(t.dtype), ": int64 or int32 is needed");
  if (x.shape.size() < 2) return BadModel("input has shape ", ShapeString(x.shape), ": at least [N, C] is needed");
  Shape want = {x.shape[0]};
  want.insert(want.end(), x.shape.begin() + 2, x.shape.end());
  if (t.shape != want)
    return BadModel("target has shape ", ShapeString(t.shape), ": for input ", ShapeString(x.shape), " it must be ",
                    ShapeString(want));
  LossShape s;
  s.n = x.shape[0];
  s.c = x.shape[1];
  for (size_t k = 2; k < x.shape.size(); ++k) s.d *= x.shape[k];
  if (in.size() > 2 && in[2].present) {
    if (in[2].dtype != x.dtype)
      return BadModel("weight has type ", DTypeName(in[2].dtype), ", the input ", DTypeName(x.dtype));
    if (in[2].shape != Shape{s.c})
      return BadModel("weight has shape ", ShapeString(in[2].shape), ": it must be [", s.c, "]");
  }
  return s;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<LossAttrs>();
  WC_RETURN_IF_ERROR(Resolve(ctx.inputs).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = a.reduction == LossAttrs::kNone ? ctx.inputs[1].shape : Shape{};
  if (ctx.outputs.size() > 1) {
    if (!a.softmax) return BadModel("NegativeLogLikelihoodLoss has one output");
    ctx.outputs[1].dtype = ctx.inputs[0].dtype;
    ctx.outputs[1].shape = ctx.inputs[0].shape;
  }
  return OkStatus();
}

Status TargetOutOfRange(const int64_t* value, int64_t position, int64_t classes) {
  return BadModel(value ? "target " + std::to_string(*value) : std::string("a target"), " (flat position ", position,
                  ") is outside [0, ", classes, ") and is not ignore_index");
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<LossAttrs>();
  WC_ASSIGN_OR_RETURN(LossShape s, Resolve(ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& target = *ctx.inputs[1];
  const HostTensor* weight = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  // log(softmax) over C for SoftmaxCrossEntropyLoss, in double; the loss reads `logp` either way.
  std::vector<double> logp(static_cast<size_t>(s.n * s.c * s.d));
  for (int64_t i = 0; i < x.num_elements(); ++i) logp[static_cast<size_t>(i)] = x.GetDouble(i);
  if (a.softmax) {
    for (int64_t n = 0; n < s.n; ++n)
      for (int64_t d = 0; d < s.d; ++d) {
        auto at = [&](int64_t c) -> double& { return logp[static_cast<size_t>((n * s.c + c) * s.d + d)]; };
        double mx = -std::numeric_limits<double>::infinity(), sum = 0;
        for (int64_t c = 0; c < s.c; ++c) mx = std::max(mx, at(c));
        for (int64_t c = 0; c < s.c; ++c) sum += std::exp(at(c) - mx);
        for (int64_t c = 0; c < s.c; ++c) at(c) = at(c) - mx - std::log(sum);
      }
    if (ctx.outputs->size() > 1 && ctx.out(1).byte_size() > 0)
      for (size_t i = 0; i < logp.size(); ++i) ctx.out(1).SetDouble(static_cast<int64_t>(i), logp[i]);
  }
  double total = 0, weights = 0;
  HostTensor& y = ctx.out(0);
  for (int64_t p = 0; p < s.n * s.d; ++p) {
    const int64_t t = target.GetInt(p);
    double loss = 0, w = 0;
    if (!(a.has_ignore && t == a.ignore_index)) {
      if (t < 0 || t >= s.c) return TargetOutOfRange(&t, p, s.c);
      w = weight ? weight->GetDouble(t) : 1.0;
      loss = -logp[static_cast<size_t>(((p / s.d) * s.c + t) * s.d + p % s.d)] * w;
    }
    if (a.reduction == LossAttrs::kNone) y.SetDouble(p, loss);
    total += loss;
    weights += w;
  }
  if (a.reduction == LossAttrs::kSum) y.SetDouble(0, total);
  if (a.reduction == LossAttrs::kMean) y.SetDouble(0, total / weights);
  return OkStatus();
}

// The targets' check: the first position holding neither ignore_index nor a class in [0, C) fails the run
// with the reference's message (GpuIndexCheck).
void DispatchTargetCheck(GpuContext& ctx, const LossAttrs& a, const LossShape& s) {
  GpuIndexCheck check;
  check.indices_input = 1;
  const int64_t classes = s.c;
  check.describe = [classes](int64_t position, const int64_t* value) {
    return TargetOutOfRange(value, position, classes);
  };
  const uint32_t slot = ctx.CheckIndices(std::move(check));
  gpu::KernelBuilder b("loss_target_check");
  b.Input("T", gpu::ScalarType::kI32).Atomic("index_error");
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(s.n * s.d));
  u.AddI32("classes", static_cast<int32_t>(s.c));
  u.AddU32("check_slot", slot);
  u.AddU32("has_ignore", a.has_ignore ? 1u : 0u);
  u.AddI32("ignore", static_cast<int32_t>(a.ignore_index));
  // The word holds n - position, so atomicMax keeps the first offending position; 0 means none.
  b.Body(ElementwiseMain(
      "let t = T[i];\n"
      "  if (!(u.has_ignore == 1u && t == u.ignore) && (t < 0 || t >= u.classes)) {\n"
      "    atomicMax(&index_error[u.check_slot], u.n - i);\n  }"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(s.n * s.d), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(1), GpuContext::IndexCheckWords()}, groups);
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<LossAttrs>();
  WC_ASSIGN_OR_RETURN(LossShape s, Resolve(ctx.inputs));
  if (!IsGpuFloat(ctx.inputs[0].dtype))
    return BadModel("input has type ", DTypeName(ctx.inputs[0].dtype),
                    ": the WebGPU backend holds float32 and float16");
  // An ignore_index beyond i32 matches no target the GPU holds (int64 is held in 32 bits there).
  if (a.has_ignore && (a.ignore_index < INT32_MIN || a.ignore_index > INT32_MAX))
    return BadModel("ignore_index ", a.ignore_index, " is beyond the 32 bits the WebGPU backend holds int64 in");
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(ctx.inputs[0].shape, "input"));
  const int64_t positions = s.n * s.d;
  const bool has_weight = ctx.has_input(2);
  GpuRef logp = GpuContext::In(0);
  if (a.softmax && s.n * s.c * s.d > 0) {
    const bool keep = ctx.outputs.size() > 1 && ctx.outputs[1].present;
    logp = keep ? GpuContext::Out(1) : ctx.Scratch(static_cast<uint64_t>(s.n * s.c * s.d));
    gpu::KernelBuilder b("log_softmax_axis1");
    b.Input("X", gpu::ScalarType::kF32).Output("L", gpu::ScalarType::kF32);
    auto& u = b.uniforms();
    u.AddU32("n", static_cast<uint32_t>(positions));
    u.AddU32("c", static_cast<uint32_t>(s.c));
    u.AddU32("d", static_cast<uint32_t>(s.d));
    b.Body(ElementwiseMain(
        "let base = (i / u.d) * u.c * u.d + i % u.d;\n"
        "  var mx = X[base];\n"
        "  for (var c = 1u; c < u.c; c = c + 1u) { mx = max(mx, X[base + c * u.d]); }\n"
        "  var sum = 0.0;\n"
        "  for (var c = 0u; c < u.c; c = c + 1u) { sum = sum + exp(X[base + c * u.d] - mx); }\n"
        "  let shift = mx + log(sum);\n"
        "  for (var c = 0u; c < u.c; c = c + 1u) { L[base + c * u.d] = X[base + c * u.d] - shift; }"));
    uint32_t groups[3];
    gpu::LinearGrid(static_cast<uint64_t>(positions), kElementwiseWorkgroup, groups);
    ctx.Dispatch(b, {GpuContext::In(0), logp}, groups);
  }
  if (positions > 0) DispatchTargetCheck(ctx, a, s);
  const bool none = a.reduction == LossAttrs::kNone;
  if (none && positions == 0) return OkStatus();
  // Per position: the loss (into the output when reduction is none) and its weight.
  const GpuRef losses = none ? GpuContext::Out(0) : ctx.Scratch(static_cast<uint64_t>(std::max<int64_t>(positions, 1)));
  const GpuRef weights = ctx.Scratch(static_cast<uint64_t>(std::max<int64_t>(positions, 1)));
  if (positions > 0) {
    gpu::KernelBuilder b(std::string("nll_loss_positions") + (has_weight ? "_weighted" : ""));
    b.Input("L", gpu::ScalarType::kF32).Input("T", gpu::ScalarType::kI32);
    if (has_weight) b.Input("W", gpu::ScalarType::kF32);
    b.Output("Y", gpu::ScalarType::kF32).Output("V", gpu::ScalarType::kF32);
    auto& u = b.uniforms();
    u.AddU32("n", static_cast<uint32_t>(positions));
    u.AddU32("c", static_cast<uint32_t>(s.c));
    u.AddU32("d", static_cast<uint32_t>(s.d));
    u.AddU32("has_ignore", a.has_ignore ? 1u : 0u);
    u.AddI32("ignore", static_cast<int32_t>(a.ignore_index));
    // Targets outside [0, C) fail the run after it (the check above); clamped here so no read strays.
    b.Body(ElementwiseMain(
        "let t = T[i];\n"
        "  let tc = u32(clamp(t, 0, i32(u.c) - 1));\n"
        "  let ignored = u.has_ignore == 1u && t == u.ignore;\n"
        "  let w = select(" + std::string(has_weight ? "W[tc]" : "1.0") + ", 0.0, ignored);\n"
        "  let x = L[((i / u.d) * u.c + tc) * u.d + i % u.d];\n"
        "  Y[i] = select(-x * w, 0.0, ignored);\n"
        "  V[i] = w;"));
    uint32_t groups[3];
    gpu::LinearGrid(static_cast<uint64_t>(positions), kElementwiseWorkgroup, groups);
    std::vector<GpuRef> bindings = {logp, GpuContext::In(1)};
    if (has_weight) bindings.push_back(GpuContext::In(2));
    bindings.push_back(losses);
    bindings.push_back(weights);
    ctx.Dispatch(b, bindings, groups);
  }
  if (none) return OkStatus();
  // One workgroup sums the losses and the weights.
  gpu::KernelBuilder b(std::string("nll_loss_") + (a.reduction == LossAttrs::kSum ? "sum" : "mean"));
  b.Input("Y", gpu::ScalarType::kF32).Input("V", gpu::ScalarType::kF32).Output("R", gpu::ScalarType::kF32);
  b.uniforms().AddU32("n", static_cast<uint32_t>(positions));
  b.Body(std::string(R"(var<workgroup> ls: array<f32, 256>;
var<workgroup> ws: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var l = 0.0;
  var w = 0.0;
  for (var i = t; i < u.n; i = i + 256u) {
    l = l + Y[i];
    w = w + V[i];
  }
  ls[t] = l;
  ws[t] = w;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (t < s) {
      ls[t] = ls[t] + ls[t + s];
      ws[t] = ws[t] + ws[t + s];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
)") + (a.reduction == LossAttrs::kSum ? "    R[0] = ls[0];\n" : "    R[0] = ls[0] / ws[0];\n") + "  }\n}\n");
  const uint32_t one[3] = {1, 1, 1};
  ctx.Dispatch(b, {losses, weights, GpuContext::Out(0)}, one);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 12;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "reduction none, sum or mean; ignore_index; a target outside [0, C) is an error";
  return s;
}

}  // namespace

std::vector<OpSchema> LossRows() {
  return {Row("NegativeLogLikelihoodLoss", ParseNll), Row("SoftmaxCrossEntropyLoss", ParseSce)};
}

}  // namespace webconv::ops
