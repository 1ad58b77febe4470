// ScatterND (opsets 11, 13, 16 with reduction): output = data, then for each index tuple t (the last axis
// of `indices`, m entries) the slice output[t0, .., tm-1, :] of `inner` elements (op)= updates[t, :].
// Index values wrap and are checked as in Gather (gather.cc).
//
// Two race-free kernels, both applying tuples in order t = 0, 1, ... (see scatter_common.h):
//  - gather: one thread per output element scans every tuple and combines those naming its row. Work is
//    outputs * tuples * m, in one pass; the choice for small outputs.
//  - rows: the output is first a copy of data; then one thread per column e of a slice walks the tuples
//    serially, updating output[row(t) * inner + e]. Columns are disjoint, so threads never share an
//    element. Work is tuples * inner, but only `inner` threads: the choice for large outputs.
#include <algorithm>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/scatter_common.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct ScatterNDAttrs {
  ScatterReduction reduction = ScatterReduction::kNone;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  auto a = std::make_shared<ScatterNDAttrs>();
  WC_RETURN_IF_ERROR(ParseReduction(ctx, &a->reduction));
  *out = a;
  return OkStatus();
}

struct Geometry {
  int64_t m = 0, tuples = 1, inner = 1;
};

Result<Geometry> Resolve(const Shape& d, const Shape& s, const Shape& upd) {
  Geometry g;
  const int64_t r = static_cast<int64_t>(d.size()), q = static_cast<int64_t>(s.size());
  if (r < 1 || q < 1) return BadModel("data and indices must have rank >= 1, got ", r, " and ", q);
  g.m = s[q - 1];
  if (g.m < 1 || g.m > r) return BadModel("indices' last dim ", g.m, " must lie in [1, ", r, "] (data rank)");
  Shape want(s.begin(), s.end() - 1);
  want.insert(want.end(), d.begin() + g.m, d.end());
  if (upd != want)
    return BadModel("updates have shape ", ShapeString(upd), "; indices ", ShapeString(s), " and data ",
                    ShapeString(d), " need ", ShapeString(want));
  for (int64_t k = 0; k < q - 1; ++k) g.tuples *= s[k];
  for (int64_t k = g.m; k < r; ++k) g.inner *= d[k];
  return g;
}

// The row (linear index over data's first m axes) tuple t names, or an error for an index out of range.
Result<int64_t> TupleRow(const Geometry& g, const Shape& d, const HostTensor& indices, int64_t t) {
  int64_t row = 0;
  for (int64_t j = 0; j < g.m; ++j) {
    const int64_t v = indices.GetInt(t * g.m + j);
    int64_t k;
    if (!WrapIndex(v, d[j], &k)) return TupleIndexOutOfRange(&v, t, j, j, d[j]);
    row = row * d[j] + k;
  }
  return row;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& data = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(data.dtype, "data"));
  if (ctx.inputs[1].dtype != DType::kInt64)  // ScatterND takes int64 indices only
    return BadModel("indices must be int64, got ", DTypeName(ctx.inputs[1].dtype));
  if (ctx.inputs[2].dtype != data.dtype)
    return BadModel("updates have type ", DTypeName(ctx.inputs[2].dtype), ", data has ",
                    DTypeName(data.dtype));
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(data.shape, ctx.inputs[1].shape, ctx.inputs[2].shape));
  if (const HostTensor* known = ctx.inputs[1].constant) {
    for (int64_t t = 0; t < g.tuples; ++t) WC_RETURN_IF_ERROR(TupleRow(g, data.shape, *known, t).status());
  } else if (g.tuples > 0) {
    for (int64_t j = 0; j < g.m; ++j)
      if (data.shape[j] == 0) return BadModel("data axis ", j, " has size 0, so no index into it is valid");
  }
  ctx.outputs[0].dtype = data.dtype;
  ctx.outputs[0].shape = data.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& data = *ctx.inputs[0];
  const HostTensor& indices = *ctx.inputs[1];
  const HostTensor& updates = *ctx.inputs[2];
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(data.shape(), indices.shape(), updates.shape()));
  ScatterTarget target(data, ctx.Attrs<ScatterNDAttrs>().reduction, &ctx.out(0));
  for (int64_t t = 0; t < g.tuples; ++t) {
    WC_ASSIGN_OR_RETURN(int64_t row, TupleRow(g, data.shape(), indices, t));
    for (int64_t e = 0; e < g.inner; ++e) target.Apply(row * g.inner + e, updates, t * g.inner + e);
  }
  target.Finish();
  return OkStatus();
}

// Threads in flight at once on a large GPU, roughly: below it, extra threads cost little extra time.
constexpr int64_t kResidentThreads = 65536;

// The gather kernel's time grows with ceil(outputs / resident) * m per tuple; the rows kernel's with
// one dependent read-modify-write (about 4 tuple reads' worth) per tuple per ceil(inner / resident).
bool UseRows(const Geometry& g, int64_t outputs) {
  const int64_t gather = (outputs + kResidentThreads - 1) / kResidentThreads * g.m;
  const int64_t rows = (g.inner + kResidentThreads - 1) / kResidentThreads * 4;
  return gather > rows;
}

Status Gpu(GpuContext& ctx) {
  const ScatterReduction r = ctx.Attrs<ScatterNDAttrs>().reduction;
  const Shape& d = ctx.inputs[0].shape;
  WC_ASSIGN_OR_RETURN(Geometry g, Resolve(d, ctx.inputs[1].shape, ctx.inputs[2].shape));
  if (g.m > static_cast<int64_t>(kMaxGpuRank))
    return BadModel("index tuples of ", g.m, " entries exceed the WebGPU kernel's ", kMaxGpuRank);
  WC_RETURN_IF_ERROR(CheckGpuElements(d, "data"));
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.inputs[1].shape, "indices"));
  const int64_t n = NumElements(d);
  if (n == 0) return OkStatus();
  const bool rows = UseRows(g, n) && g.tuples > 0;
  const gpu::ScalarType t = ScatterGpuType(ctx.inputs[0].dtype, r);
  const std::string suffix = r == ScatterReduction::kNone ? "b32" : gpu::WgslType(t);
  gpu::KernelBuilder b(std::string("scatter_nd_") + (rows ? "rows_" : "gather_") + ReductionName(r) + "_" +
                       suffix);
  if (!rows) b.Input("X", t);
  b.Input("I", gpu::ScalarType::kI32).Input("U", t).Output("Y", t);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(rows ? g.inner : n));
  u.AddU32("inner", static_cast<uint32_t>(g.inner));
  u.AddU32("m", static_cast<uint32_t>(g.m));
  u.AddU32("tuples", static_cast<uint32_t>(g.tuples));
  u.AddU32Array("dims", ToU32({d.begin(), d.begin() + g.m}), kMaxGpuRank);
  WC_RETURN_IF_ERROR(DispatchTupleIndexCheck(ctx, 1, 0, {d.begin(), d.begin() + g.m}));
  const std::string row_fn =
      "fn tuple_row(t: u32) -> u32 {\n"
      "  var row = 0u;\n"
      "  for (var j = 0u; j < u.m; j++) {\n"
      "    row = row * dims(j) + u32(wrap_index(I[t * u.m + j], i32(dims(j))));\n  }\n"
      "  return row;\n}\n";
  std::string body;
  if (rows) {
    body =
        "for (var t = 0u; t < u.tuples; t++) {\n"
        "    let o = tuple_row(t) * u.inner + i;\n"
        "    var acc = Y[o];\n    let upd = U[t * u.inner + i];\n    " +
        CombineWgsl(r) + "\n    Y[o] = acc;\n  }";
  } else {
    body =
        "let row = i / u.inner;\n  let e = i % u.inner;\n  var acc = X[i];\n"
        "  for (var t = 0u; t < u.tuples; t++) {\n"
        "    if (tuple_row(t) == row) {\n      let upd = U[t * u.inner + e];\n      " +
        CombineWgsl(r) + "\n    }\n  }\n  Y[i] = acc;";
  }
  b.Body(WrapIndexWgsl() + row_fn + ElementwiseMain(body));
  uint32_t groups[3];
  if (rows) {
    // Y = data first (a flat copy), then the serial pass over the tuples.
    WC_RETURN_IF_ERROR(DispatchStridedCopy(ctx, "scatter_nd_copy", 0, d, ContiguousStrides(d)));
    gpu::LinearGrid(static_cast<uint64_t>(g.inner), kWorkgroup, groups);
    ctx.Dispatch(b, {GpuContext::In(1), GpuContext::In(2), GpuContext::Out(0)}, groups);
  } else {
    gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
    ctx.Dispatch(b, {GpuContext::In(0), GpuContext::In(1), GpuContext::In(2), GpuContext::Out(0)}, groups);
  }
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> ScatterNDRows() {
  OpSchema s;
  s.op_type = "ScatterND";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return {s};
}

}  // namespace webconv::ops::tensor
