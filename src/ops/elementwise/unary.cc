// Elementwise unary ops: one table row per op gives its float64 reference, its WGSL expression and the
// types it accepts. Reference and kernel read the same parameters (alpha, beta, clip bounds).
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

struct UnaryParams {
  double alpha = 0, beta = 0;  // LeakyRelu alpha; Clip bounds (lo = alpha, hi = beta)
};

struct UnaryDef {
  const char* op;
  double (*ref)(double x, const UnaryParams& p);
  // WGSL body of `fn op(x: T) -> T`, with the uniforms u.alpha and u.beta of type T.
  const char* wgsl_float;
  const char* wgsl_int;  // nullptr: floats only
  double default_alpha;
};

const UnaryDef kUnary[] = {
    {"Relu", [](double x, const UnaryParams&) { return x > 0 ? x : 0.0; }, "return max(x, 0.0);",
     "return max(x, T(0));", 0},
    {"Sigmoid", [](double x, const UnaryParams&) { return 1.0 / (1.0 + std::exp(-x)); },
     // exp(-x) overflows to inf for x < -88 and the quotient correctly becomes 0.
     "return 1.0 / (1.0 + exp(-x));", nullptr, 0},
    {"Tanh", [](double x, const UnaryParams&) { return std::tanh(x); },
     // Clamped because some implementations evaluate tanh as a ratio of exponentials that becomes
     // inf/inf for large |x|; tanh(10) already rounds to 1 in f32.
     "return tanh(clamp(x, -10.0, 10.0));", nullptr, 0},
    {"LeakyRelu", [](double x, const UnaryParams& p) { return x >= 0 ? x : p.alpha * x; },
     "return select(u.alpha * x, x, x >= 0.0);", nullptr, 0.01},
    {"Clip", [](double x, const UnaryParams& p) { return std::min(std::max(x, p.alpha), p.beta); },
     // min(max()) rather than clamp(): ONNX gives `max` when min > max, clamp() is unspecified there.
     "return min(max(x, u.alpha), u.beta);", "return min(max(x, u.alpha), u.beta);", 0},
};

const UnaryDef* Find(const std::string& op) {
  for (const UnaryDef& d : kUnary)
    if (op == d.op) return &d;
  return nullptr;
}

struct UnaryAttrs {
  const UnaryDef* def = nullptr;
  double alpha = 0;
  // Clip before opset 11 carries its bounds as attributes.
  bool has_min = false, has_max = false;
  double min = 0, max = 0;
};

template <const char* kOp>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<UnaryAttrs>();
  a->def = Find(kOp);
  const bool clip = std::string(kOp) == "Clip";
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, clip && ctx.opset >= 11 ? 3 : 1));
  float alpha = static_cast<float>(a->def->default_alpha);
  WC_RETURN_IF_ERROR(ctx.attrs.Float("alpha", alpha, &alpha));
  a->alpha = alpha;
  if (clip && ctx.opset < 11) {
    float v = 0;
    a->has_min = ctx.attrs.Has("min");
    a->has_max = ctx.attrs.Has("max");
    WC_RETURN_IF_ERROR(ctx.attrs.Float("min", 0, &v));
    a->min = v;
    WC_RETURN_IF_ERROR(ctx.attrs.Float("max", 0, &v));
    a->max = v;
  }
  *out = a;
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const DType t = ctx.inputs[0].dtype;
  if (!IsFloat(t) && !(a.def->wgsl_int && IsInteger(t)))
    return BadModel("input type ", DTypeName(t), " is not supported");
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i].present) continue;
    if (ctx.inputs[i].dtype != t) return BadModel("input ", i, " has type ", DTypeName(ctx.inputs[i].dtype),
                                                  ", expected ", DTypeName(t));
    if (NumElements(ctx.inputs[i].shape) != 1) return BadModel("input ", i, " must be a scalar");
  }
  ctx.outputs[0].dtype = t;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

// Resolves alpha/beta for this node: for Clip, the bounds from attributes or (opset >= 11) inputs,
// defaulting to the type's range.
UnaryParams ResolveParams(const UnaryAttrs& a, DType t, const HostTensor* min_in, const HostTensor* max_in) {
  UnaryParams p;
  p.alpha = a.alpha;
  if (std::string(a.def->op) != "Clip") return p;
  const bool is_int = IsInteger(t);
  p.alpha = is_int ? static_cast<double>(TypeLowest(t)) : -std::numeric_limits<double>::infinity();
  p.beta = is_int ? static_cast<double>(TypeHighest(t)) : std::numeric_limits<double>::infinity();
  if (a.has_min) p.alpha = a.min;
  if (a.has_max) p.beta = a.max;
  if (min_in) p.alpha = min_in->GetDouble(0);
  if (max_in) p.beta = max_in->GetDouble(0);
  return p;
}

const HostTensor* OptionalHost(const std::vector<TensorInfo>& in, size_t i) {
  return i < in.size() && in[i].present ? in[i].constant : nullptr;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const UnaryParams p = ResolveParams(a, x.dtype(), ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr,
                                      ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr);
  HostTensor& y = ctx.out(0);
  const int64_t n = x.num_elements();
  if (IsInteger(x.dtype())) {
    // Integers stay exact: only Relu and Clip accept them, and both are comparisons.
    const int64_t lo = static_cast<int64_t>(p.alpha), hi = static_cast<int64_t>(p.beta);
    const bool relu = std::string(a.def->op) == "Relu";
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = x.GetInt(i);
      y.SetInt(i, relu ? std::max<int64_t>(v, 0) : std::min(std::max(v, lo), hi));
    }
    return OkStatus();
  }
  for (int64_t i = 0; i < n; ++i) y.SetDouble(i, a.def->ref(x.GetDouble(i), p));
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const DType t = ctx.inputs[0].dtype;
  const UnaryParams p = ResolveParams(a, t, OptionalHost(ctx.inputs, 1), OptionalHost(ctx.inputs, 2));
  const gpu::ScalarType st = GpuType(t);
  const std::string T = gpu::WgslType(st);
  std::string name = std::string("unary_") + a.def->op + "_" + T;
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  gpu::KernelBuilder b(name);
  b.Input("X", st).Output("Y", st);
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.outputs[0].shape));
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  AddScalarUniform(b.uniforms(), "alpha", st, ClampToGpuRange(p.alpha, st));
  AddScalarUniform(b.uniforms(), "beta", st, ClampToGpuRange(p.beta, st));
  const char* body = IsInteger(t) ? a.def->wgsl_int : a.def->wgsl_float;
  b.Body("alias T = " + T + ";\nfn op(x: T) -> T { " + body + " }\n" + ElementwiseMain("Y[i] = op(X[i]);"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

constexpr char kRelu[] = "Relu", kSigmoid[] = "Sigmoid", kTanh[] = "Tanh", kLeakyRelu[] = "LeakyRelu",
               kClip[] = "Clip";

template <const char* kOp>
OpSchema Row(std::vector<int> host_inputs = {}) {
  OpSchema s;
  s.op_type = kOp;
  s.parse = Parse<kOp>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = std::move(host_inputs);
  return s;
}

}  // namespace

std::vector<OpSchema> UnaryOps() {
  // Clip's min/max inputs (opset >= 11) become uniforms, so they must be known when planning.
  return {Row<kRelu>(), Row<kSigmoid>(), Row<kTanh>(), Row<kLeakyRelu>(), Row<kClip>({1, 2})};
}

}  // namespace webconv::ops
