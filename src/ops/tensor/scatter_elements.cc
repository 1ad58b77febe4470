// ScatterElements (opsets 11, 13, 16 with reduction) and its deprecated predecessor Scatter (9, 10):
// output = data, then output[c with c[axis] = indices[c]] (op)= updates[c] for every coordinate c of
// updates. Index values wrap once and are checked as in Gather (gather.cc): when known while planning
// and in the reference; the kernel clamps a runtime index that is out of range, and a check dispatched
// before it (DispatchAxisIndexCheck) fails the run with the reference's message.
//
// The kernel is the gather form of the scatter: one thread per output element o walks the update
// column that can reach it (coordinates equal to o's off the axis, every position j along the axis), in
// j order, and combines the updates whose index names o. No two threads write one element: no races,
// no atomics, and the same order as the reference (see scatter_common.h on duplicates).
#include "ops/elementwise/elementwise.h"
#include "ops/tensor/scatter_common.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct ScatterAttrs {
  int64_t axis = 0;
  ScatterReduction reduction = ScatterReduction::kNone;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  auto a = std::make_shared<ScatterAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  WC_RETURN_IF_ERROR(ParseReduction(ctx, &a->reduction));
  *out = a;
  return OkStatus();
}

Status CheckIndices(const HostTensor& indices, int64_t size, int64_t axis) {
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    int64_t k;
    const int64_t v = indices.GetInt(i);
    if (!WrapIndex(v, size, &k)) return IndexOutOfRange(&v, i, axis, size);
  }
  return OkStatus();
}

// Checks the shapes; returns the normalized axis.
Result<int64_t> Resolve(const ScatterAttrs& a, const Shape& d, const Shape& s, const Shape& upd) {
  const int64_t rank = static_cast<int64_t>(d.size());
  if (rank == 0) return BadModel("data must have rank >= 1, got a scalar");
  int64_t axis;
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &axis));
  if (s != upd)
    return BadModel("indices ", ShapeString(s), " and updates ", ShapeString(upd), " must have one shape");
  if (static_cast<int64_t>(s.size()) != rank)
    return BadModel("indices have rank ", s.size(), " but data has rank ", rank, "; they must be equal");
  for (int64_t k = 0; k < rank; ++k)
    if (k != axis && s[k] > d[k])
      return BadModel("indices ", ShapeString(s), " exceed data ", ShapeString(d), " on axis ", k);
  if (d[axis] == 0 && NumElements(s) > 0)
    return BadModel("data axis ", axis, " has size 0, so no index into it is valid");
  return axis;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& data = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(data.dtype, "data"));
  WC_RETURN_IF_ERROR(CheckIndexType(ctx.inputs[1].dtype));
  if (ctx.inputs[2].dtype != data.dtype)
    return BadModel("updates have type ", DTypeName(ctx.inputs[2].dtype), ", data has ",
                    DTypeName(data.dtype));
  WC_ASSIGN_OR_RETURN(
      int64_t axis, Resolve(ctx.Attrs<ScatterAttrs>(), data.shape, ctx.inputs[1].shape, ctx.inputs[2].shape));
  if (ctx.inputs[1].constant)
    WC_RETURN_IF_ERROR(CheckIndices(*ctx.inputs[1].constant, data.shape[axis], axis));
  ctx.outputs[0].dtype = data.dtype;
  ctx.outputs[0].shape = data.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& data = *ctx.inputs[0];
  const HostTensor& indices = *ctx.inputs[1];
  const HostTensor& updates = *ctx.inputs[2];
  const ScatterAttrs& a = ctx.Attrs<ScatterAttrs>();
  const Shape& d = data.shape();
  const Shape& s = indices.shape();
  WC_ASSIGN_OR_RETURN(int64_t axis, Resolve(a, d, s, updates.shape()));
  WC_RETURN_IF_ERROR(CheckIndices(indices, d[axis], axis));
  ScatterTarget target(data, a.reduction, &ctx.out(0));
  const auto strides = ContiguousStrides(d);
  std::vector<int64_t> coord(s.size(), 0);
  int64_t off = 0;  // data offset of `coord` without its axis component
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    int64_t k;
    WrapIndex(indices.GetInt(i), d[axis], &k);
    target.Apply(off + k * strides[axis], updates, i);
    for (size_t q = s.size(); q-- > 0;) {
      const int64_t step = static_cast<int64_t>(q) == axis ? 0 : strides[q];
      off += step;
      if (++coord[q] < s[q]) break;
      off -= step * s[q];
      coord[q] = 0;
    }
  }
  target.Finish();
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const ScatterAttrs& a = ctx.Attrs<ScatterAttrs>();
  const Shape& d = ctx.inputs[0].shape;
  const Shape& s = ctx.inputs[1].shape;
  WC_ASSIGN_OR_RETURN(int64_t axis, Resolve(a, d, s, ctx.inputs[2].shape));
  if (d.size() > kMaxGpuRank)
    return BadModel("rank ", d.size(), " exceeds the WebGPU kernel's ", kMaxGpuRank);
  WC_RETURN_IF_ERROR(CheckGpuElements(d, "data"));
  WC_RETURN_IF_ERROR(CheckGpuElements(s, "indices"));
  const int64_t n = NumElements(d);
  if (n == 0) return OkStatus();
  const gpu::ScalarType t = ScatterGpuType(ctx.inputs[0].dtype, a.reduction);
  const std::string suffix = a.reduction == ScatterReduction::kNone ? "b32" : gpu::WgslType(t);
  gpu::KernelBuilder b(std::string("scatter_elements_") + ReductionName(a.reduction) + "_" + suffix);
  b.Input("X", t).Input("I", gpu::ScalarType::kI32).Input("U", t).Output("Y", t);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(d.size()));
  u.AddU32("axis", static_cast<uint32_t>(axis));
  u.AddU32Array("data_shape", ToU32(d), kMaxGpuRank);
  u.AddU32Array("idx_shape", ToU32(s), kMaxGpuRank);
  u.AddU32Array("idx_strides", ToU32(ContiguousStrides(s)), kMaxGpuRank);
  const int64_t size = d[axis];
  WC_RETURN_IF_ERROR(DispatchAxisIndexCheck(ctx, 1, axis, size));
  b.Body(WrapIndexWgsl() + "fn scatter(i: u32) -> " + gpu::WgslType(t) +
         " {\n"
         "  var acc = X[i];\n"
         "  var rem = i;\n  var base = 0u;\n  var want = 0u;\n"
         "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
         "    let k = u32(d);\n"
         "    let c = rem % data_shape(k);\n"
         "    rem = rem / data_shape(k);\n"
         "    if (k == u.axis) { want = c; continue; }\n"
         "    if (c >= idx_shape(k)) { return acc; }\n"  // no update reaches this element
         "    base += c * idx_strides(k);\n  }\n"
         "  let size = i32(data_shape(u.axis));\n"
         "  for (var j = 0u; j < idx_shape(u.axis); j++) {\n"
         "    let p = base + j * idx_strides(u.axis);\n"
         "    if (u32(wrap_index(I[p], size)) == want) {\n"
         "      let upd = U[p];\n      " +
         CombineWgsl(a.reduction) +
         "\n    }\n  }\n"
         "  return acc;\n}\n" +
         ElementwiseMain("Y[i] = scatter(i);"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), GpuContext::Out(0)}, groups);
  return OkStatus();
}

OpSchema Row(const char* op, int min_opset, int max_opset) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = min_opset;
  s.max_opset = max_opset;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return s;
}

}  // namespace

std::vector<OpSchema> ScatterElementsRows() {
  // Scatter-11 only marks the op deprecated (models of opset >= 11 must use ScatterElements).
  return {Row("ScatterElements", 11, 17), Row("Scatter", 9, 10)};
}

}  // namespace webconv::ops::tensor
