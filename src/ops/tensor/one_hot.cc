// OneHot (opsets 9-17): output[..., j, ...] (j on the new axis `axis` of extent depth) is values[1] where
// j equals the index at that position and values[0] elsewhere. Indices of any numeric type are truncated
// to integers; a negative index counts from the end (index + depth) and one still outside [0, depth)
// sets nothing, as ONNX Runtime does. depth (a scalar of any numeric type) decides the output shape, so it
// must be known when the graph is planned; indices and values may come at run time.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct OneHotAttrs {
  int64_t axis = -1;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  auto a = std::make_shared<OneHotAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", -1, &a->axis));
  *out = a;
  return OkStatus();
}

// The output seen as [outer, depth, inner]: the indices' axes before `axis`, the new one, those after.
struct Problem {
  int64_t depth = 0, outer = 1, inner = 1;
  Shape out_shape;
};

Result<Problem> Resolve(const OneHotAttrs& a, const TensorInfo& indices, const HostTensor* depth,
                        const TensorInfo& values) {
  if (!depth) return BadModel("input 1 (depth) must be known when the graph is planned");
  if (depth->num_elements() != 1) return BadModel("depth must be a scalar, got shape ", ShapeString(depth->shape()));
  if (!IsFloat(indices.dtype) && !IsInteger(indices.dtype))
    return BadModel("indices have type ", DTypeName(indices.dtype), ", expected a numeric type");
  if (NumElements(values.shape) != 2)
    return BadModel("values must hold 2 elements (off, on), got shape ", ShapeString(values.shape));
  const double d = IsFloat(depth->dtype()) ? std::trunc(depth->GetDouble(0)) : static_cast<double>(depth->GetInt(0));
  if (!(d >= 1 && d <= static_cast<double>(kMaxElements)))
    return BadModel("depth is ", d, ": it must be at least 1 (and below 2^40)");
  Problem p;
  p.depth = static_cast<int64_t>(d);
  const int64_t rank = static_cast<int64_t>(indices.shape.size()) + 1;
  int64_t axis = 0;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &axis));
  for (int64_t k = 0; k < rank - 1; ++k) (k < axis ? p.outer : p.inner) *= indices.shape[k];
  p.out_shape = indices.shape;
  p.out_shape.insert(p.out_shape.begin() + axis, p.depth);
  if (NumElements(p.out_shape) > kMaxElements)
    return BadModel("the output ", ShapeString(p.out_shape), " has more than 2^40 elements");
  return p;
}

TensorInfo InfoOf(const HostTensor& t) {
  TensorInfo i;
  i.present = true;
  i.dtype = t.dtype();
  i.shape = t.shape();
  return i;
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(Problem p, Resolve(ctx.Attrs<OneHotAttrs>(), ctx.inputs[0], ctx.inputs[1].constant,
                                         ctx.inputs[2]));
  ctx.outputs[0].dtype = ctx.inputs[2].dtype;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& indices = *ctx.inputs[0];
  const HostTensor& values = *ctx.inputs[2];
  WC_ASSIGN_OR_RETURN(Problem p, Resolve(ctx.Attrs<OneHotAttrs>(), InfoOf(indices), ctx.inputs[1], InfoOf(values)));
  HostTensor& y = ctx.out(0);
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t in = 0; in < p.inner; ++in) {
      const int64_t src = o * p.inner + in;
      int64_t hot = IsFloat(indices.dtype()) ? static_cast<int64_t>(std::trunc(indices.GetDouble(src)))
                                             : indices.GetInt(src);
      if (hot < 0) hot += p.depth;
      for (int64_t j = 0; j < p.depth; ++j) CopyElement(values, j == hot ? 1 : 0, y, (o * p.depth + j) * p.inner + in);
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(Problem p, Resolve(ctx.Attrs<OneHotAttrs>(), ctx.inputs[0], ctx.inputs[1].constant,
                                         ctx.inputs[2]));
  WC_RETURN_IF_ERROR(CheckGpuElements(p.out_shape, "output"));
  const int64_t n = NumElements(p.out_shape);
  if (n == 0) return OkStatus();
  const gpu::ScalarType it = GpuType(ctx.inputs[0].dtype), vt = GpuType(ctx.inputs[2].dtype);
  gpu::KernelBuilder b("onehot_" + std::string(gpu::WgslType(it)) + "_" + gpu::WgslType(vt));
  b.Input("I", it).Input("V", vt).Output("Y", vt);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddI32("depth", static_cast<int32_t>(p.depth));
  u.AddU32("inner", static_cast<uint32_t>(p.inner));
  // Element (o, j, in) of the output reads index (o, in). f32 indices truncate toward zero (i32() does) and
  // are clamped first so that the conversion is defined; an index outside the depth matches no j.
  const std::string idx = it == gpu::ScalarType::kF32 ? "i32(clamp(I[src], -2147483520.0, 2147483520.0))" : "i32(I[src])";
  b.Body(ElementwiseMain("let in = i % u.inner;\n  let q = i / u.inner;\n  let j = i32(q % u.depth_u);\n"
                         "  let src = (q / u.depth_u) * u.inner + in;\n  var hot = " + idx + ";\n"
                         "  if (hot < 0) { hot = hot + u.depth; }\n  Y[i] = select(V[0], V[1], hot == j);"));
  u.AddU32("depth_u", static_cast<uint32_t>(p.depth));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(2), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> OneHotRows() {
  OpSchema s;
  s.op_type = "OneHot";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1};
  s.notes = "numeric indices (truncated; negative ones count from the end, others outside the depth set "
            "nothing); values of any numeric type";
  return {s};
}

}  // namespace webconv::ops::tensor
