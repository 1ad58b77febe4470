// QuantizeLinear and DequantizeLinear (opsets 10, 13, 19, 21): ONNX's linear quantization between float32
// and 8- or 16-bit integers.
//   QuantizeLinear:   y = saturate(round_half_to_even(x / scale) + zero_point)
//   DequantizeLinear: y = (x - zero_point) * scale
// scale and the optional zero_point (same shape) are one value for the whole tensor, a 1-D tensor along
// `axis` (opset 13+; default axis 1), or from opset 21 with block_size > 0 x's shape with `axis` cut into
// blocks of block_size. The quantized type is zero_point's (uint8 without one, or output_dtype from
// opset 21): uint8, int8, uint16 or int16. DequantizeLinear also takes int32 (its zero point must be 0).
// Float8 and 4-bit types are not held by webconv and are refused by name.
//
// DynamicQuantizeLinear (opset 11) quantizes float32 x to uint8 with a scale and zero point it derives
// from x's range widened to include 0: scale = (max - min) / 255 (1/255 when the range is empty), zero point
// = round(clamp(-min / scale, 0, 255)), as ONNX's reference computes them in float32. NaNs are left out of
// the range (ONNX's reference would make every output NaN-derived) and quantize to the zero point.
//
// The quotient x / scale is rounded to float32 before it is rounded to an integer, as ONNX's reference
// implementation does (numpy on float32 arrays), so the float64 reference divides in float32 too. WGSL's
// division is only required to be within 2.5 ULP (SwiftShader turns a division by a constant into a
// multiplication, 1 ULP off), and one ULP moves a quotient near .5 to the other integer, so the kernels
// divide with divide() (wgsl_math.h): a correctly rounded division by long division on the mantissas. A NaN quotient
// (NaN input, 0/0) quantizes to the zero point, a choice of webconv's: ONNX leaves it undefined.
#include <cmath>
#include <limits>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

struct QuantizeAttrs {
  bool quantize = true;  // false: DequantizeLinear
  int64_t axis = 1;
  int64_t block_size = 0;
  DType output_dtype = DType::kUndefined;  // QuantizeLinear-21 without a zero point
};

Status Parse(const ParseContext& ctx, OpAttrs* out, bool quantize) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  auto a = std::make_shared<QuantizeAttrs>();
  a->quantize = quantize;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 1, &a->axis));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("block_size", 0, &a->block_size));
  if (a->block_size < 0) return BadModel("attribute block_size must be >= 0, got ", a->block_size);
  int64_t output_dtype = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("output_dtype", 0, &output_dtype));
  if (output_dtype != 0) {
    if (!quantize) return BadModel("attribute output_dtype belongs to QuantizeLinear");
    if (!DTypeFromInt(output_dtype, &a->output_dtype))
      return BadModel("attribute output_dtype is ", output_dtype, ", not a TensorProto data type");
  }
  // `saturate` (opset 19) concerns float8 outputs only, which are refused below; nothing to keep.
  *out = a;
  return OkStatus();
}

Status ParseQuantize(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, true); }
Status ParseDequantize(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, false); }

bool IsQuantizedType(DType t) {
  return t == DType::kUInt8 || t == DType::kInt8 || t == DType::kUInt16 || t == DType::kInt16;
}

// Where scale's element for x's element comes from.
struct ScaleLayout {
  enum Mode { kPerTensor, kPerAxis, kBlocked } mode = kPerTensor;
  int64_t inner = 1, dim = 1, scale_dim = 1, block = 1;  // x = [outer, dim, inner] around the axis
};

// Checks scale and zero point against x and the attributes; the quantized type is returned in *qtype.
Status Resolve(const QuantizeAttrs& a, const std::vector<TensorInfo>& in, ScaleLayout* layout, DType* qtype) {
  const TensorInfo& x = in[0];
  const TensorInfo& scale = in[1];
  const TensorInfo* zero = in.size() > 2 && in[2].present ? &in[2] : nullptr;
  if (a.quantize) {
    if (x.dtype != DType::kFloat32 && x.dtype != DType::kInt32)
      return BadModel("x has type ", DTypeName(x.dtype), ": QuantizeLinear takes float32 or int32 here");
    *qtype = zero ? zero->dtype : a.output_dtype != DType::kUndefined ? a.output_dtype : DType::kUInt8;
    if (zero && a.output_dtype != DType::kUndefined && a.output_dtype != zero->dtype)
      return BadModel("output_dtype ", DTypeName(a.output_dtype), " differs from the zero point's type ",
                      DTypeName(zero->dtype));
    if (!IsQuantizedType(*qtype))
      return BadModel("quantized type ", DTypeName(*qtype),
                      " is not supported: uint8, int8, uint16 and int16 are (float8 and 4-bit types are not "
                      "held by webconv)");
  } else {
    *qtype = x.dtype;
    if (!IsQuantizedType(x.dtype) && x.dtype != DType::kInt32)
      return BadModel("x has type ", DTypeName(x.dtype),
                      ": DequantizeLinear takes uint8, int8, uint16, int16 or int32 here (float8 and 4-bit types "
                      "are not held by webconv)");
    if (zero && zero->dtype != x.dtype)
      return BadModel("the zero point has type ", DTypeName(zero->dtype), ", x ", DTypeName(x.dtype));
  }
  if (scale.dtype != DType::kFloat32)
    return BadModel("scale has type ", DTypeName(scale.dtype), ": float32 is supported");
  if (zero && zero->shape != scale.shape)
    return BadModel("the zero point's shape ", ShapeString(zero->shape), " differs from scale's ",
                    ShapeString(scale.shape));
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  const int64_t scale_n = NumElements(scale.shape);
  if (a.block_size == 0 && scale.shape.size() <= 1 && scale_n == 1) {
    layout->mode = ScaleLayout::kPerTensor;
    return OkStatus();
  }
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &axis));
  layout->dim = x.shape[static_cast<size_t>(axis)];
  layout->inner = 1;
  for (int64_t d = axis + 1; d < rank; ++d) layout->inner *= x.shape[static_cast<size_t>(d)];
  if (a.block_size == 0) {
    if (scale.shape.size() != 1 || scale.shape[0] != layout->dim)
      return BadModel("scale has shape ", ShapeString(scale.shape), ": per-axis scale along axis ", axis,
                      " of x ", ShapeString(x.shape), " must be [", layout->dim, "]");
    layout->mode = ScaleLayout::kPerAxis;
    return OkStatus();
  }
  // Blocked: scale is x's shape with the axis cut into ceil(dim / block_size) blocks.
  Shape want = x.shape;
  want[static_cast<size_t>(axis)] = (layout->dim + a.block_size - 1) / a.block_size;
  if (scale.shape != want)
    return BadModel("scale has shape ", ShapeString(scale.shape), ": with block_size ", a.block_size,
                    " along axis ", axis, " of x ", ShapeString(x.shape), " it must be ", ShapeString(want));
  layout->mode = ScaleLayout::kBlocked;
  layout->scale_dim = want[static_cast<size_t>(axis)];
  layout->block = a.block_size;
  return OkStatus();
}

int64_t ScaleIndex(const ScaleLayout& l, int64_t i) {
  if (l.mode == ScaleLayout::kPerTensor) return 0;
  const int64_t along = (i / l.inner) % l.dim;
  if (l.mode == ScaleLayout::kPerAxis) return along;
  const int64_t outer = i / (l.inner * l.dim);
  return (outer * l.scale_dim + along / l.block) * l.inner + i % l.inner;
}

void TypeRange(DType t, double* lo, double* hi) {
  switch (t) {
    case DType::kUInt8: *lo = 0, *hi = 255; break;
    case DType::kInt8: *lo = -128, *hi = 127; break;
    case DType::kUInt16: *lo = 0, *hi = 65535; break;
    default: *lo = -32768, *hi = 32767; break;  // int16
  }
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<QuantizeAttrs>();
  ScaleLayout layout;
  DType qtype = DType::kUndefined;
  WC_RETURN_IF_ERROR(Resolve(a, ctx.inputs, &layout, &qtype));
  ctx.outputs[0].dtype = a.quantize ? qtype : DType::kFloat32;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<QuantizeAttrs>();
  ScaleLayout layout;
  DType qtype = DType::kUndefined;
  WC_RETURN_IF_ERROR(Resolve(a, ctx.input_infos(), &layout, &qtype));
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor& scale = *ctx.inputs[1];
  const HostTensor* zero = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  HostTensor& y = ctx.out(0);
  double lo = 0, hi = 0;
  TypeRange(qtype, &lo, &hi);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t s = ScaleIndex(layout, i);
    const double zp = zero ? zero->GetDouble(s) : 0.0;
    if (a.quantize) {
      // float32 division, as ONNX's reference divides float32 arrays; nearbyint rounds half to even.
      const float q = static_cast<float>(x.GetDouble(i)) / static_cast<float>(scale.GetDouble(s));
      const double v = std::isnan(q) ? zp : std::min(hi, std::max(lo, std::nearbyint(static_cast<double>(q)) + zp));
      y.SetDouble(i, v);
    } else {
      y.SetDouble(i, (x.GetDouble(i) - zp) * scale.GetDouble(s));
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<QuantizeAttrs>();
  ScaleLayout layout;
  DType qtype = DType::kUndefined;
  WC_RETURN_IF_ERROR(Resolve(a, ctx.inputs, &layout, &qtype));
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.inputs[0].shape));
  if (n > std::numeric_limits<uint32_t>::max())
    return BadModel("x of ", n, " elements exceeds the 2^32 elements one WebGPU kernel addresses");
  if (n == 0) return OkStatus();
  const bool has_zero = ctx.has_input(2);
  const DType x_type = ctx.inputs[0].dtype, y_type = ctx.outputs[0].dtype;
  gpu::KernelBuilder b(std::string(a.quantize ? "quantize_linear_" : "dequantize_linear_") + DTypeName(qtype) +
                       (has_zero ? "_zp" : "") + "_mode" + std::to_string(static_cast<int>(layout.mode)));
  b.Input("X", GpuType(x_type)).Input("S", gpu::ScalarType::kF32);
  if (has_zero) b.Input("Z", GpuType(qtype));
  b.Output("Y", GpuType(y_type));
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("inner", static_cast<uint32_t>(layout.inner));
  u.AddU32("dim", static_cast<uint32_t>(layout.dim));
  u.AddU32("scale_dim", static_cast<uint32_t>(layout.scale_dim));
  u.AddU32("block", static_cast<uint32_t>(layout.block));
  std::string body;
  switch (layout.mode) {
    case ScaleLayout::kPerTensor: body = "let s = 0u;\n"; break;
    case ScaleLayout::kPerAxis: body = "let s = (i / u.inner) % u.dim;\n"; break;
    case ScaleLayout::kBlocked:
      body = "let along = (i / u.inner) % u.dim;\n"
             "  let s = ((i / (u.inner * u.dim)) * u.scale_dim + along / u.block) * u.inner + i % u.inner;\n";
      break;
  }
  body += std::string("  let zp = ") + (has_zero ? "i32(Z[s])" : "0") + ";\n";
  if (a.quantize) {
    double lo = 0, hi = 0;
    TypeRange(qtype, &lo, &hi);
    // round() is half-to-even in WGSL. is_nan() reads the bits: a compiler may fold q != q away.
    body += "  let q = round(divide(f32(X[i]), S[s]));\n"
            "  let v = select(clamp(q + f32(zp), " + std::to_string(static_cast<int>(lo)) + ".0, " +
            std::to_string(static_cast<int>(hi)) + ".0), f32(zp), is_nan(q));\n"
            "  Y[i] = " + std::string(GpuType(y_type) == gpu::ScalarType::kU32 ? "u32" : "i32") + "(v);";
  } else {
    body += "  Y[i] = f32(i32(X[i]) - zp) * S[s];";
  }
  b.Body((a.quantize ? WgslMathFunctions(kMathDivide) : std::string()) + ElementwiseMain(body));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  std::vector<GpuRef> bindings = {GpuContext::In(0), GpuContext::In(1)};
  if (has_zero) bindings.push_back(GpuContext::In(2));
  bindings.push_back(GpuContext::Out(0));
  ctx.Dispatch(b, bindings, groups);
  return OkStatus();
}

Status ParseDynamic(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  *out = std::make_shared<QuantizeAttrs>();
  return OkStatus();
}

Status InferDynamic(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  if (x.dtype != DType::kFloat32)
    return BadModel("x has type ", DTypeName(x.dtype), ": DynamicQuantizeLinear takes float32 here");
  ctx.outputs[0].dtype = DType::kUInt8;
  ctx.outputs[0].shape = x.shape;
  for (size_t k = 1; k < ctx.outputs.size(); ++k) ctx.outputs[k].shape = {};
  if (ctx.outputs.size() > 1) ctx.outputs[1].dtype = DType::kFloat32;
  if (ctx.outputs.size() > 2) ctx.outputs[2].dtype = DType::kUInt8;
  return OkStatus();
}

Status ReferenceDynamic(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  float lo = 0, hi = 0;  // the range always includes 0
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const float v = static_cast<float>(x.GetDouble(i));
    if (std::isnan(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const float scale = (hi == lo ? 1.0f : hi - lo) / 255.0f;
  const float zero_point = std::nearbyint(std::min(255.0f, std::max(0.0f, 0.0f - lo / scale)));
  HostTensor& y = ctx.out(0);
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const float q = static_cast<float>(x.GetDouble(i)) / scale;
    y.SetDouble(i, std::isnan(q) ? zero_point : std::min(255.0, std::max(0.0, std::nearbyint(double{q}) + zero_point)));
  }
  // An omitted output is an empty tensor here (no bytes).
  if (ctx.outputs->size() > 1 && ctx.out(1).byte_size() > 0) ctx.out(1).SetDouble(0, scale);
  if (ctx.outputs->size() > 2 && ctx.out(2).byte_size() > 0) ctx.out(2).SetDouble(0, zero_point);
  return OkStatus();
}

// Two dispatches: one workgroup finds x's range and writes the scale and zero point (outputs 1 and 2),
// then one thread per element quantizes x with them.
Status GpuDynamic(GpuContext& ctx) {
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.inputs[0].shape));
  if (n > std::numeric_limits<uint32_t>::max())
    return BadModel("x of ", n, " elements exceeds the 2^32 elements one WebGPU kernel addresses");
  // Omitted scale or zero point outputs get scratch words, so both kernels keep one shape.
  const bool has_scale = ctx.outputs.size() > 1 && ctx.outputs[1].present;
  const bool has_zero = ctx.outputs.size() > 2 && ctx.outputs[2].present;
  const GpuRef scale = has_scale ? GpuContext::Out(1) : ctx.Scratch(1);
  const GpuRef zero = has_zero ? GpuContext::Out(2) : ctx.Scratch(1);
  gpu::KernelBuilder range("dynamic_quantize_range");
  range.Input("X", gpu::ScalarType::kF32).Output("S", gpu::ScalarType::kF32).Output("Z", gpu::ScalarType::kU32);
  range.uniforms().AddU32("n", static_cast<uint32_t>(n));
  range.Body(WgslMathFunctions(kMathDivide) + R"(var<workgroup> lo: array<f32, 256>;
var<workgroup> hi: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var mn = 0.0;
  var mx = 0.0;
  for (var i = t; i < u.n; i += 256u) {
    let v = X[i];
    if (!is_nan(v)) {
      mn = min(mn, v);
      mx = max(mx, v);
    }
  }
  lo[t] = mn;
  hi[t] = mx;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (t < s) {
      lo[t] = min(lo[t], lo[t + s]);
      hi[t] = max(hi[t], hi[t + s]);
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    let scale = divide(select(hi[0] - lo[0], 1.0, hi[0] == lo[0]), 255.0);
    S[0] = scale;
    Z[0] = u32(round(clamp(0.0 - divide(lo[0], scale), 0.0, 255.0)));
  }
}
)");
  const uint32_t one[3] = {1, 1, 1};
  ctx.Dispatch(range, {GpuContext::In(0), scale, zero}, one);
  if (n == 0) return OkStatus();
  gpu::KernelBuilder apply("dynamic_quantize_apply");
  apply.Input("X", gpu::ScalarType::kF32).Input("S", gpu::ScalarType::kF32).Input("Z", gpu::ScalarType::kU32);
  apply.Output("Y", gpu::ScalarType::kU32);
  apply.uniforms().AddU32("n", static_cast<uint32_t>(n));
  apply.Body(WgslMathFunctions(kMathDivide) + ElementwiseMain(
      "let q = round(divide(X[i], S[0]));\n"
      "  Y[i] = u32(select(clamp(q + f32(Z[0]), 0.0, 255.0), f32(Z[0]), is_nan(q)));"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(apply, {GpuContext::In(0), scale, zero, GpuContext::Out(0)}, groups);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 10;
  s.max_opset = 21;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "uint8, int8, uint16, int16 (and int32 into DequantizeLinear); float32 scale; per tensor, per axis or "
            "blocked; no float8 or 4-bit types";
  return s;
}

}  // namespace

std::vector<OpSchema> QuantizeOps() {
  OpSchema dynamic;
  dynamic.op_type = "DynamicQuantizeLinear";
  dynamic.min_opset = 11;
  dynamic.max_opset = 21;
  dynamic.parse = ParseDynamic;
  dynamic.infer = InferDynamic;
  dynamic.reference = ReferenceDynamic;
  dynamic.gpu = GpuDynamic;
  dynamic.notes = "float32 to uint8; NaNs are left out of the range and quantize to the zero point";
  return {Row("QuantizeLinear", ParseQuantize), Row("DequantizeLinear", ParseDequantize), dynamic};
}

}  // namespace webconv::ops
