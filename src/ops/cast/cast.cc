// Cast (target type from the `to` attribute: a type name before opset 6, a TensorProto.DataType number
// from 6 on) and CastLike (opset 15: the target type is input 1's). `saturate` arrives only in opset 19.
#include <limits>

#include "ops/cast/cast_wgsl.h"
#include "ops/cast/convert.h"
#include "ops/elementwise/elementwise.h"
#include "ops/families.h"

namespace webconv::ops {
namespace {

struct CastAttrs {
  DType to = DType::kUndefined;  // kUndefined for CastLike: taken from input 1
};

Status CheckTarget(DType t) {
  if (t == DType::kString)
    return BadModel("casting to string is not supported: webconv holds no string tensors");
  if (!IsSupportedDType(t)) return BadModel("casting to ", DTypeName(t), " is not supported");
  return OkStatus();
}

Status ParseCast(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  const onnx::AttributeProto* to = ctx.attrs.Find("to");
  if (!to) return BadModel("attribute 'to' is required");
  auto a = std::make_shared<CastAttrs>();
  // Opsets 1-5 spell the type ("FLOAT"); some exporters wrote the number there too, and that reading is
  // unambiguous, so the attribute's own type decides.
  const bool is_name = to->type == onnx::AttributeProto::kString ||
                       (to->type == onnx::AttributeProto::kUndefined && !to->s.empty());
  if (is_name) {
    if (!DTypeFromOnnxName(to->s, &a->to))
      return BadModel("attribute 'to' names an unknown type '", std::string(to->s), "'");
  } else {
    int64_t v = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("to", 0, &v));
    if (!DTypeFromInt(v, &a->to)) return BadModel("attribute 'to' is ", v, ", not a TensorProto data type");
  }
  WC_RETURN_IF_ERROR(CheckTarget(a->to));
  *out = a;
  return OkStatus();
}

Status ParseCastLike(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  *out = std::make_shared<CastAttrs>();
  return OkStatus();
}

DType Target(const CastAttrs& a, DType like) {
  return a.to == DType::kUndefined ? like : a.to;
}

Status Infer(InferContext& ctx) {
  const DType from = ctx.inputs[0].dtype;
  if (!IsSupportedDType(from)) return BadModel("casting from ", DTypeName(from), " is not supported");
  const DType to =
      Target(ctx.Attrs<CastAttrs>(), ctx.inputs.size() > 1 ? ctx.inputs[1].dtype : DType::kUndefined);
  WC_RETURN_IF_ERROR(CheckTarget(to));
  ctx.outputs[0].dtype = to;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  CastElements(*ctx.inputs[0], &ctx.out(0));
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const DType from = ctx.inputs[0].dtype, to = ctx.outputs[0].dtype;
  if (!GpuSupports(from) || !GpuSupports(to))
    return BadModel("the WebGPU backend does not hold ", DTypeName(GpuSupports(from) ? to : from));
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.outputs[0].shape));
  if (n > std::numeric_limits<uint32_t>::max())
    return BadModel("output of ", n, " elements exceeds the 2^32 elements one WebGPU kernel addresses");
  gpu::KernelBuilder b("cast_" + DTypeName(from) + "_to_" + DTypeName(to));
  b.Input("X", GpuType(from)).Output("Y", GpuType(to));
  b.uniforms().AddU32("n", static_cast<uint32_t>(n));
  b.Body(CastFunctionWgsl(from, to) + ElementwiseMain("Y[i] = convert(X[i]);"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse, int min_opset) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = min_opset;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes =
      "float to int truncates, NaN gives 0, out-of-range values saturate; no string types; on WebGPU int64 "
      "results are limited to 32 bits";
  return s;
}

}  // namespace

std::vector<OpSchema> CastOps() {
  return {Row("Cast", ParseCast, 1), Row("CastLike", ParseCastLike, 15)};
}

}  // namespace webconv::ops
