// Hardmax (opsets 1-17): 1 at the first largest element of each row and 0 elsewhere. Rows are as Softmax
// reads them: before opset 13 the flattened axes from `axis` (default 1) on, from 13 the single axis `axis`
// (default -1). Either way the input is [outer, len, inner] around the row (inner = 1 before opset 13).
// Elements are compared with `>` from the row's first, so a NaN is never chosen over an earlier number
// and a leading NaN keeps the first position (the same rule in the reference and the kernel).
#include "ops/elementwise/elementwise.h"
#include "ops/reduce/reduce.h"

namespace webconv::ops {
namespace {

struct HardmaxAttrs {
  int64_t axis = 1;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<HardmaxAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", ctx.opset >= 13 ? -1 : 1, &a->axis));
  *out = a;
  return OkStatus();
}

Result<AxisLines> Resolve(const HardmaxAttrs& a, int opset, DType t, const Shape& shape) {
  if (t != DType::kFloat32 && t != DType::kFloat64 && t != DType::kFloat16 && !(t == DType::kBFloat16 && opset >= 13))
    return BadModel("input type ", DTypeName(t), " is not supported by Hardmax-", opset);
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, static_cast<int64_t>(shape.size()), &axis));
  return SplitAtAxis(shape, axis, /*through_end=*/opset < 13);
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<HardmaxAttrs>(), ctx.opset, x.dtype, x.shape).status());
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(AxisLines l, Resolve(ctx.Attrs<HardmaxAttrs>(), ctx.opset, x.dtype(), x.shape()));
  HostTensor& y = ctx.out(0);
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t in = 0; in < l.inner; ++in) {
      int64_t arg = 0;
      double best = l.len ? x.GetDouble(l.at(o, 0, in)) : 0;
      for (int64_t s = 1; s < l.len; ++s) {
        const double v = x.GetDouble(l.at(o, s, in));
        if (v > best) {
          best = v;
          arg = s;
        }
      }
      for (int64_t s = 0; s < l.len; ++s) y.SetDouble(l.at(o, s, in), s == arg ? 1.0 : 0.0);
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(AxisLines l, Resolve(ctx.Attrs<HardmaxAttrs>(), ctx.opset, x.dtype, x.shape));
  if (!IsGpuFloat(x.dtype)) return BadModel(DTypeName(x.dtype), " is not held on the GPU");
  WC_RETURN_IF_ERROR(CheckLinesFitGpu(l));
  if (l.lines() == 0 || l.len == 0) return OkStatus();
  gpu::KernelBuilder b("hardmax_f32");
  b.Input("X", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  AddLineUniforms(b.uniforms(), l);
  // One invocation per row: find the first largest element, then write the row.
  b.Body(LineStartWgsl() + ElementwiseMain(
      "let base = line_start(i);\n"
      "  var best = X[base];\n  var arg = 0u;\n"
      "  for (var s = 1u; s < u.len; s++) {\n    let v = X[base + s * u.inner];\n"
      "    if (v > best) { best = v; arg = s; }\n  }\n"
      "  for (var s = 0u; s < u.len; s++) { Y[base + s * u.inner] = select(0.0, 1.0, s == arg); }"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(l.lines()), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> HardmaxRows() {
  OpSchema s;
  s.op_type = "Hardmax";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "float32 (float16/float64 on the reference); rows as Softmax's for the opset; the first largest wins";
  return {s};
}

}  // namespace webconv::ops
