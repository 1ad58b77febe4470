// Where(condition, X, Y): X where the condition holds, else Y, all three broadcast together. Values are
// copied, never converted, so every type the backends hold passes through exactly.
#include "ops/elementwise/elementwise.h"
#include "ops/op_schema.h"

namespace webconv::ops {
namespace {

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  *out = std::make_shared<int>(0);
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const TensorInfo &c = ctx.inputs[0], &x = ctx.inputs[1], &y = ctx.inputs[2];
  if (c.dtype != DType::kBool) return BadModel("condition has type ", DTypeName(c.dtype), ", expected bool");
  if (x.dtype != y.dtype)
    return BadModel("X and Y types differ: ", DTypeName(x.dtype), " and ", DTypeName(y.dtype));
  if (!IsSupportedDType(x.dtype)) return BadModel("input type ", DTypeName(x.dtype), " is not supported");
  WC_ASSIGN_OR_RETURN(Shape s, BroadcastShapes(c.shape, x.shape));
  WC_ASSIGN_OR_RETURN(s, BroadcastShapes(s, y.shape));
  ctx.outputs[0] = {true, x.dtype, s, nullptr};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor &c = *ctx.inputs[0], &x = *ctx.inputs[1], &y = *ctx.inputs[2];
  HostTensor& z = ctx.out(0);
  ForEachBroadcast(z.shape(), {c.shape(), x.shape(), y.shape()}, [&](int64_t o, const int64_t* off) {
    if (c.GetInt(off[0]) != 0)
      CopyElement(x, off[1], z, o);
    else
      CopyElement(y, off[2], z, o);
  });
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const Shape& out = ctx.outputs[0].shape;
  const gpu::ScalarType st = GpuType(ctx.outputs[0].dtype);
  gpu::UniformBlock u;
  u.AddU32("n", static_cast<uint32_t>(NumElements(out)));
  bool same = false;
  WC_ASSIGN_OR_RETURN(
      std::string offsets,
      BroadcastOffsetsWgsl(u, out, {ctx.inputs[0].shape, ctx.inputs[1].shape, ctx.inputs[2].shape}, &same));
  gpu::KernelBuilder b(KernelName("where", "select", {st}) + (same ? "" : "_bcast"));
  b.Input("C", gpu::ScalarType::kU32).Input("X", st).Input("Y", st).Output("Z", st);
  b.uniforms() = u;
  b.Body(offsets + ElementwiseMain("let o = offsets(i);\n  Z[i] = select(Y[o[2]], X[o[1]], C[o[0]] != 0u);"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(NumElements(out)), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> WhereRows() {
  OpSchema s;
  s.op_type = "Where";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return {s};
}

}  // namespace webconv::ops
