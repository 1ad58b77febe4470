// The machinery shared by every UnaryDef row: attribute parsing, type checks, the float64 / exact
// integer reference loop, and the one-thread-per-element WGSL kernel.
#include "ops/elementwise/unary.h"

#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

bool Accepts(UnaryTypes k, DType t) {
  switch (k) {
    case UnaryTypes::kFloat:
    case UnaryTypes::kFloatToBool:
      return IsFloat(t);
    case UnaryTypes::kFloatSigned:
      return IsFloat(t) || (IsInteger(t) && IsSigned(t));
    case UnaryTypes::kNumeric:
      return IsFloat(t) || IsInteger(t);
    case UnaryTypes::kBool:
      return t == DType::kBool;
  }
  return false;
}

DType OutputType(const UnaryDef& d, DType in) {
  return d.types == UnaryTypes::kFloatToBool ? DType::kBool : in;
}

const HostTensor* OptionalHost(const std::vector<TensorInfo>& in, size_t i) {
  return i < in.size() && in[i].present ? in[i].constant : nullptr;
}

UnaryParams Resolve(const UnaryAttrs& a, DType t, const HostTensor* in1, const HostTensor* in2) {
  return a.def->resolve ? a.def->resolve(a, t, in1, in2) : a.params;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const DType t = ctx.inputs[0].dtype;
  if (!Accepts(a.def->types, t)) return BadModel("input type ", DTypeName(t), " is not supported");
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i].present) continue;
    if (ctx.inputs[i].dtype != t)
      return BadModel("input ", i, " has type ", DTypeName(ctx.inputs[i].dtype), ", expected ", DTypeName(t));
    if (NumElements(ctx.inputs[i].shape) != 1)
      return BadModel("input ", i, " must be a scalar, got shape ", ShapeString(ctx.inputs[i].shape));
  }
  ctx.outputs[0].dtype = OutputType(*a.def, t);
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const UnaryDef& d = *a.def;
  const HostTensor& x = *ctx.inputs[0];
  const DType t = x.dtype();
  const UnaryParams p = Resolve(a, t, ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr,
                                ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr);
  HostTensor& y = ctx.out(0);
  const int64_t n = x.num_elements();
  const bool nan_passes = d.types != UnaryTypes::kFloatToBool;
  const bool is_unsigned = !IsFloat(t) && (t == DType::kBool || !IsSigned(t));
  for (int64_t i = 0; i < n; ++i) {
    if (IsFloat(t)) {
      const double v = x.GetDouble(i);
      y.SetDouble(i, std::isnan(v) && nan_passes ? v : d.ref(v, p));
    } else if (is_unsigned && d.ref_uint) {
      y.SetInt(i, static_cast<int64_t>(d.ref_uint(static_cast<uint64_t>(x.GetInt(i)), p)));
    } else if (!is_unsigned && d.ref_int) {
      y.SetInt(i, d.ref_int(x.GetInt(i), p));
    } else if (d.ref) {
      y.SetDouble(i, d.ref(x.GetDouble(i), p));
    } else {
      return BadModel("input type ", DTypeName(t), " is not supported");
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<UnaryAttrs>();
  const UnaryDef& d = *a.def;
  const DType t = ctx.inputs[0].dtype;
  const UnaryParams p = Resolve(a, t, OptionalHost(ctx.inputs, 1), OptionalHost(ctx.inputs, 2));
  const gpu::ScalarType st = GpuType(t), ot = GpuType(OutputType(d, t));
  const char* body = st == gpu::ScalarType::kF32   ? d.wgsl_f32
                     : st == gpu::ScalarType::kI32 ? d.wgsl_i32
                                                   : d.wgsl_u32;
  if (!body) return BadModel("the WebGPU kernel does not support type ", DTypeName(t));
  std::vector<gpu::ScalarType> types = {st};
  if (ot != st) types.push_back(ot);
  gpu::KernelBuilder b(KernelName("unary", d.op, types));
  b.Input("X", st).Output("Y", ot);
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.outputs[0].shape));
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  for (int k = 0; k < 3; ++k) AddScalarUniform(b.uniforms(), "p" + std::to_string(k), st, p.p[k]);
  const std::string T = gpu::WgslType(st), R = gpu::WgslType(ot);
  // NaN maps to NaN for every float-to-float op, whatever min/max/select would make of it.
  const bool nan_passes = st == gpu::ScalarType::kF32 && ot == st;
  b.Body(WgslMathFunctions(st == gpu::ScalarType::kF32 ? d.math : 0) + NarrowWgsl(OutputType(d, t)) +
         "alias T = " + T + ";\nfn op(x: T) -> " + R + " {\n  " + body + "\n}\n" +
         ElementwiseMain(nan_passes ? "let x = X[i];\n  Y[i] = select(op(x), x, is_nan(x));"
                                    : "Y[i] = narrow(op(X[i]));"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

Status ParseUnary(const UnaryDef& d, const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, ctx.opset >= d.inputs_since ? d.max_inputs : 1));
  auto a = std::make_shared<UnaryAttrs>();
  a->def = &d;
  for (int k = 0; k < 3; ++k) {
    const ParamSpec& s = d.params[k];
    if (!s.name) continue;
    a->present[k] = ctx.attrs.Has(s.name);
    if (s.is_int) {
      int64_t v = 0;
      WC_RETURN_IF_ERROR(ctx.attrs.Int(s.name, static_cast<int64_t>(s.def), &v));
      a->params.p[k] = static_cast<double>(v);
    } else {
      float v = 0;
      const double def = ctx.opset < 6 && !std::isnan(s.def_before_6) ? s.def_before_6 : s.def;
      WC_RETURN_IF_ERROR(ctx.attrs.Float(s.name, static_cast<float>(def), &v));
      a->params.p[k] = v;
    }
  }
  if (d.check) WC_RETURN_IF_ERROR(d.check(a->params));
  *out = a;
  return OkStatus();
}

OpSchema UnaryRow(const UnaryDef& d, ParseFn parse) {
  OpSchema s;
  s.op_type = d.op;
  s.min_opset = d.since;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  // Inputs beyond X (Clip's bounds) become uniforms, so they must be known when planning.
  if (d.max_inputs > 1) s.host_inputs = {1, 2};
  if (d.fusable) s.as_pointwise = UnaryAsPointwise;
  // The registry row lists the input types Infer accepts (the same test, made first when binding).
  for (int v = 1; v <= 16; ++v) {
    DType t;
    if (DTypeFromInt(v, &t) && IsSupportedDType(t) && Accepts(d.types, t)) s.types.push_back(t);
  }
  return s;
}

std::vector<OpSchema> UnaryOps() {
  std::vector<OpSchema> all = UnaryActivationRows();
  for (auto rows : {UnaryMathRows, UnaryTrigRows, ShrinkRows}) {
    auto more = rows();
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

}  // namespace webconv::ops
