// Gather (opsets 1, 11, 13) and GatherElements (11, 13): index one axis of the data.
//
// Index values: negatives wrap once. Indices known when planning are checked then, with an error naming
// the offending one; the reference checks runtime indices and fails the same way; the kernels clamp an
// out-of-range index so that they never read outside the data, and a check dispatched before them
// (DispatchAxisIndexCheck) fails the run with the reference's message.
#include <cstring>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct AxisAttrs {
  int64_t axis = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<AxisAttrs>();
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  *out = a;
  return OkStatus();
}

// Checks every index value against data axis `axis` of extent `size`.
Status CheckIndices(const HostTensor& indices, int64_t size, int64_t axis) {
  const int64_t n = indices.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    int64_t k;
    const int64_t v = indices.GetInt(i);
    if (!WrapIndex(v, size, &k)) return IndexOutOfRange(&v, i, axis, size);
  }
  return OkStatus();
}

Status CheckCommon(const InferContext& ctx, int64_t* axis) {
  const TensorInfo& data = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(data.dtype, "data"));
  WC_RETURN_IF_ERROR(CheckIndexType(ctx.inputs[1].dtype));
  const int64_t rank = static_cast<int64_t>(data.shape.size());
  if (rank == 0) return BadModel("data must have rank >= 1, got a scalar");
  WC_RETURN_IF_ERROR(NormalizeAxis(ctx.Attrs<AxisAttrs>().axis, rank, axis));
  const int64_t size = data.shape[*axis];
  if (ctx.inputs[1].constant) return CheckIndices(*ctx.inputs[1].constant, size, *axis);
  if (size == 0 && NumElements(ctx.inputs[1].shape) > 0)
    return BadModel("data axis ", *axis, " has size 0, so no index into it is valid");
  return OkStatus();
}

// [outer, size, inner] around the gathered axis.
void AroundAxis(const Shape& s, int64_t axis, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t k = 0; k < axis; ++k) *outer *= s[k];
  for (size_t k = static_cast<size_t>(axis) + 1; k < s.size(); ++k) *inner *= s[k];
}

// ---- Gather: output = data[:axis] + indices + data[axis+1:] ----

Status GatherInfer(InferContext& ctx) {
  int64_t axis;
  WC_RETURN_IF_ERROR(CheckCommon(ctx, &axis));
  const Shape& d = ctx.inputs[0].shape;
  Shape out(d.begin(), d.begin() + axis);
  out.insert(out.end(), ctx.inputs[1].shape.begin(), ctx.inputs[1].shape.end());
  out.insert(out.end(), d.begin() + axis + 1, d.end());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = out;
  return OkStatus();
}

Status GatherReference(RefContext& ctx) {
  const HostTensor& data = *ctx.inputs[0];
  const HostTensor& indices = *ctx.inputs[1];
  int64_t axis, outer, inner;
  WC_RETURN_IF_ERROR(
      NormalizeAxis(ctx.Attrs<AxisAttrs>().axis, static_cast<int64_t>(data.shape().size()), &axis));
  AroundAxis(data.shape(), axis, &outer, &inner);
  const int64_t size = data.shape()[axis], count = indices.num_elements();
  WC_RETURN_IF_ERROR(CheckIndices(indices, size, axis));
  HostTensor& y = ctx.out(0);
  if (y.num_elements() == 0) return OkStatus();
  const size_t es = DTypeSize(data.dtype()), row = static_cast<size_t>(inner) * es;
  uint8_t* dst = y.mutable_data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) {
      int64_t k = indices.GetInt(j);
      if (k < 0) k += size;
      std::memcpy(dst + static_cast<size_t>(o * count + j) * row,
                  data.data() + static_cast<size_t>(o * size + k) * row, row);
    }
  return OkStatus();
}

Status GatherGpu(GpuContext& ctx) {
  const Shape& d = ctx.inputs[0].shape;
  int64_t axis, outer, inner;
  WC_RETURN_IF_ERROR(NormalizeAxis(ctx.Attrs<AxisAttrs>().axis, static_cast<int64_t>(d.size()), &axis));
  AroundAxis(d, axis, &outer, &inner);
  WC_RETURN_IF_ERROR(CheckGpuElements(d, "data"));
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.outputs[0].shape, "output"));
  const int64_t n = NumElements(ctx.outputs[0].shape);
  if (n == 0) return OkStatus();
  gpu::KernelBuilder b("gather_b32");
  b.Input("X", gpu::ScalarType::kU32).Input("I", gpu::ScalarType::kI32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("inner", static_cast<uint32_t>(inner));
  u.AddU32("count", static_cast<uint32_t>(NumElements(ctx.inputs[1].shape)));
  u.AddU32("size", static_cast<uint32_t>(d[axis]));
  WC_RETURN_IF_ERROR(DispatchAxisIndexCheck(ctx, 1, axis, d[axis]));
  b.Body(WrapIndexWgsl() + gpu::LinearIndexWgsl(kWorkgroup) + "@compute @workgroup_size(" +
         std::to_string(kWorkgroup) +
         ")\n"
         "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n"
         "  let t = i / u.inner;\n"
         "  let k = u32(wrap_index(I[t % u.count], i32(u.size)));\n"
         "  Y[i] = X[((t / u.count) * u.size + k) * u.inner + i % u.inner];\n}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

// ---- GatherElements: output[c] = data[c with c[axis] = indices[c]] ----

Status ElementsInfer(InferContext& ctx) {
  int64_t axis;
  WC_RETURN_IF_ERROR(CheckCommon(ctx, &axis));
  const Shape& d = ctx.inputs[0].shape;
  const Shape& s = ctx.inputs[1].shape;
  if (s.size() != d.size())
    return BadModel("indices have rank ", s.size(), " but data has rank ", d.size(), "; they must be equal");
  // The kernels address data with the index tensor's coordinates off the axis: they must lie in data.
  for (size_t k = 0; k < s.size(); ++k)
    if (static_cast<int64_t>(k) != axis && s[k] > d[k])
      return BadModel("indices ", ShapeString(s), " exceed data ", ShapeString(d), " on axis ", k);
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = s;
  return OkStatus();
}

Status ElementsReference(RefContext& ctx) {
  const HostTensor& data = *ctx.inputs[0];
  const HostTensor& indices = *ctx.inputs[1];
  const Shape& s = indices.shape();
  int64_t axis;
  WC_RETURN_IF_ERROR(NormalizeAxis(ctx.Attrs<AxisAttrs>().axis, static_cast<int64_t>(s.size()), &axis));
  const int64_t size = data.shape()[axis];
  WC_RETURN_IF_ERROR(CheckIndices(indices, size, axis));
  HostTensor& y = ctx.out(0);
  const int64_t n = y.num_elements();
  if (n == 0) return OkStatus();
  const auto strides = ContiguousStrides(data.shape());
  const size_t es = DTypeSize(data.dtype());
  std::vector<int64_t> coord(s.size(), 0);
  int64_t off = 0;  // data offset of `coord` without its axis component
  for (int64_t i = 0; i < n; ++i) {
    int64_t k = indices.GetInt(i);
    if (k < 0) k += size;
    std::memcpy(y.mutable_data() + static_cast<size_t>(i) * es,
                data.data() + static_cast<size_t>(off + k * strides[axis]) * es, es);
    for (size_t d = s.size(); d-- > 0;) {
      const int64_t step = static_cast<int64_t>(d) == axis ? 0 : strides[d];
      off += step;
      if (++coord[d] < s[d]) break;
      off -= step * s[d];
      coord[d] = 0;
    }
  }
  return OkStatus();
}

Status ElementsGpu(GpuContext& ctx) {
  const Shape& d = ctx.inputs[0].shape;
  const Shape& s = ctx.inputs[1].shape;
  int64_t axis;
  WC_RETURN_IF_ERROR(NormalizeAxis(ctx.Attrs<AxisAttrs>().axis, static_cast<int64_t>(d.size()), &axis));
  if (d.size() > kMaxGpuRank)
    return BadModel("rank ", d.size(), " exceeds the WebGPU kernel's ", kMaxGpuRank);
  WC_RETURN_IF_ERROR(CheckGpuElements(d, "data"));
  WC_RETURN_IF_ERROR(CheckGpuElements(s, "indices"));
  const int64_t n = NumElements(s);
  if (n == 0) return OkStatus();
  auto strides = ContiguousStrides(d);
  gpu::KernelBuilder b("gather_elements_b32");
  b.Input("X", gpu::ScalarType::kU32).Input("I", gpu::ScalarType::kI32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(d.size()));
  u.AddU32("axis", static_cast<uint32_t>(axis));
  u.AddU32("size", static_cast<uint32_t>(d[axis]));
  u.AddU32Array("idx_shape", ToU32(s), kMaxGpuRank);
  u.AddU32Array("data_strides", ToU32(strides), kMaxGpuRank);
  WC_RETURN_IF_ERROR(DispatchAxisIndexCheck(ctx, 1, axis, d[axis]));
  b.Body(WrapIndexWgsl() + gpu::LinearIndexWgsl(kWorkgroup) + "@compute @workgroup_size(" +
         std::to_string(kWorkgroup) +
         ")\n"
         "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n"
         "  var rem = i;\n  var off = 0u;\n"
         "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
         "    let k = u32(d);\n"
         "    if (k != u.axis) { off += (rem % idx_shape(k)) * data_strides(k); }\n"
         "    rem = rem / idx_shape(k);\n  }\n"
         "  off += u32(wrap_index(I[i], i32(u.size))) * data_strides(u.axis);\n"
         "  Y[i] = X[off];\n}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

OpSchema Row(const char* op, int min_opset, InferFn infer, RefFn ref, GpuFn gpu) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = min_opset;
  s.parse = Parse;
  s.infer = infer;
  s.reference = ref;
  s.gpu = gpu;
  return s;
}

}  // namespace

std::vector<OpSchema> GatherRows() {
  return {Row("Gather", 1, GatherInfer, GatherReference, GatherGpu)};
}

std::vector<OpSchema> GatherElementsRows() {
  return {Row("GatherElements", 11, ElementsInfer, ElementsReference, ElementsGpu)};
}

}  // namespace webconv::ops::tensor
