// GatherND (opset 11; 12 adds batch_dims). Each index tuple (the last axis of `indices`, m entries)
// addresses a slice data[batch, t0, .., tm-1, :] of `inner` contiguous elements.
// Index values wrap and are checked as in Gather (see gather.cc).
#include <cstring>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct GatherNDAttrs {
  int64_t batch_dims = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<GatherNDAttrs>();
  if (ctx.opset >= 12) WC_RETURN_IF_ERROR(ctx.attrs.Int("batch_dims", 0, &a->batch_dims));
  *out = a;
  return OkStatus();
}

struct Geometry {
  int64_t b = 0, m = 0;
  int64_t tuples = 1;       // index tuples in all: prod(indices.shape[:-1])
  int64_t per_batch = 1;    // tuples per batch: prod(indices.shape[b:-1])
  int64_t batch_block = 1;  // data elements per batch: prod(data.shape[b:])
  int64_t inner = 1;        // elements per gathered slice: prod(data.shape[b+m:])
  Shape out;
};

Result<Geometry> Resolve(const GatherNDAttrs& a, const Shape& d, const Shape& s) {
  Geometry g;
  const int64_t r = static_cast<int64_t>(d.size()), q = static_cast<int64_t>(s.size());
  if (r < 1 || q < 1) return BadModel("data and indices must have rank >= 1, got ", r, " and ", q);
  g.b = a.batch_dims;
  if (g.b < 0 || g.b >= std::min(q, r))
    return BadModel("batch_dims ", g.b, " must lie in [0, min(", q, ", ", r, ")) for indices rank ", q,
                    " and data rank ", r);
  g.m = s[q - 1];
  if (g.m < 1 || g.m > r - g.b)
    return BadModel("indices' last dim ", g.m, " must lie in [1, ", r - g.b, "] (data rank ", r,
                    " - batch_dims ", g.b, ")");
  for (int64_t k = 0; k < g.b; ++k)
    if (s[k] != d[k])
      return BadModel("batch dim ", k, " differs: indices ", ShapeString(s), ", data ", ShapeString(d));
  for (int64_t k = 0; k < q - 1; ++k) g.tuples *= s[k];
  for (int64_t k = g.b; k < q - 1; ++k) g.per_batch *= s[k];
  for (int64_t k = g.b; k < r; ++k) g.batch_block *= d[k];
  for (int64_t k = g.b + g.m; k < r; ++k) g.inner *= d[k];
  g.out.assign(s.begin(), s.end() - 1);
  g.out.insert(g.out.end(), d.begin() + g.b + g.m, d.end());
  return g;
}

// Data offset of tuple t, or an error naming the first index that is out of range.
Result<int64_t> TupleOffset(const Geometry& g, const Shape& d, const std::vector<int64_t>& strides,
                            const HostTensor& indices, int64_t t) {
  int64_t off = (t / g.per_batch) * g.batch_block;
  for (int64_t j = 0; j < g.m; ++j) {
    const int64_t v = indices.GetInt(t * g.m + j), size = d[g.b + j];
    int64_t k;
    if (!WrapIndex(v, size, &k)) return TupleIndexOutOfRange(&v, t, j, g.b + j, size);
    off += k * strides[g.b + j];
  }
  return off;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& data = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(data.dtype, "data"));
  if (ctx.inputs[1].dtype != DType::kInt64)  // GatherND takes int64 indices only
    return BadModel("indices must be int64, got ", DTypeName(ctx.inputs[1].dtype));
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(ctx.Attrs<GatherNDAttrs>(), data.shape, ctx.inputs[1].shape));
  if (const HostTensor* known = ctx.inputs[1].constant) {
    const auto strides = ContiguousStrides(data.shape);
    for (int64_t t = 0; t < g.tuples; ++t)
      WC_RETURN_IF_ERROR(TupleOffset(g, data.shape, strides, *known, t).status());
  } else if (g.tuples > 0) {
    for (int64_t j = 0; j < g.m; ++j)
      if (data.shape[g.b + j] == 0)
        return BadModel("data axis ", g.b + j, " has size 0, so no index into it is valid");
  }
  ctx.outputs[0].dtype = data.dtype;
  ctx.outputs[0].shape = g.out;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& data = *ctx.inputs[0];
  const HostTensor& indices = *ctx.inputs[1];
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(ctx.Attrs<GatherNDAttrs>(), data.shape(), indices.shape()));
  const auto strides = ContiguousStrides(data.shape());
  HostTensor& y = ctx.out(0);
  const size_t es = DTypeSize(data.dtype()), row = static_cast<size_t>(g.inner) * es;
  for (int64_t t = 0; t < g.tuples; ++t) {
    WC_ASSIGN_OR_RETURN(int64_t off, TupleOffset(g, data.shape(), strides, indices, t));
    if (row)
      std::memcpy(y.mutable_data() + static_cast<size_t>(t) * row,
                  data.data() + static_cast<size_t>(off) * es, row);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const Shape& d = ctx.inputs[0].shape;
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(ctx.Attrs<GatherNDAttrs>(), d, ctx.inputs[1].shape));
  if (g.m > static_cast<int64_t>(kMaxGpuRank))
    return BadModel("index tuples of ", g.m, " entries exceed the WebGPU kernel's ", kMaxGpuRank);
  WC_RETURN_IF_ERROR(CheckGpuElements(d, "data"));
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.inputs[1].shape, "indices"));
  WC_RETURN_IF_ERROR(CheckGpuElements(g.out, "output"));
  const int64_t n = NumElements(g.out);
  if (n == 0) return OkStatus();
  const auto strides = ContiguousStrides(d);
  gpu::KernelBuilder b("gather_nd_b32");
  b.Input("X", gpu::ScalarType::kU32).Input("I", gpu::ScalarType::kI32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("inner", static_cast<uint32_t>(g.inner));
  u.AddU32("m", static_cast<uint32_t>(g.m));
  u.AddU32("per_batch", static_cast<uint32_t>(g.per_batch));
  u.AddU32("batch_block", static_cast<uint32_t>(g.batch_block));
  u.AddU32Array("dims", ToU32({d.begin() + g.b, d.begin() + g.b + g.m}), kMaxGpuRank);
  u.AddU32Array("strides", ToU32({strides.begin() + g.b, strides.begin() + g.b + g.m}), kMaxGpuRank);
  WC_RETURN_IF_ERROR(DispatchTupleIndexCheck(ctx, 1, g.b, {d.begin() + g.b, d.begin() + g.b + g.m}));
  b.Body(WrapIndexWgsl() + gpu::LinearIndexWgsl(kWorkgroup) + "@compute @workgroup_size(" +
         std::to_string(kWorkgroup) +
         ")\n"
         "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n"
         "  let t = i / u.inner;\n"
         "  var off = (t / u.per_batch) * u.batch_block + i % u.inner;\n"
         "  for (var j = 0u; j < u.m; j++) {\n"
         "    off += u32(wrap_index(I[t * u.m + j], i32(dims(j)))) * strides(j);\n  }\n"
         "  Y[i] = X[off];\n}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> GatherNDRows() {
  OpSchema s;
  s.op_type = "GatherND";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return {s};
}

}  // namespace webconv::ops::tensor
