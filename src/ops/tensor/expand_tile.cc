// Expand (opsets 8, 13) and Tile (opsets 1, 6, 13): both read output coordinate c from input coordinate
// c mod in_shape (the input right-aligned under the output, padded with unit axes). Expand broadcasts
// (in dim 1, or in dim = out dim); Tile repeats the whole axis (out dim = in dim * repeats).
// The shape/repeats inputs must be known when planning; Tile-1's `tiles` and `axis` scalars too.
#include <cstring>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

Status NoAttrs(const ParseContext& ctx, int inputs) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, inputs, inputs));
  return OkStatus();
}
Status ParseExpand(const ParseContext& ctx, OpAttrs*) {
  return NoAttrs(ctx, 2);
}
Status ParseTile(const ParseContext& ctx, OpAttrs*) {
  return NoAttrs(ctx, ctx.opset < 6 ? 3 : 2);
}

// The input shape padded with leading unit axes to the output's rank.
Shape Aligned(const Shape& in, size_t rank) {
  Shape s(rank - in.size(), 1);
  s.insert(s.end(), in.begin(), in.end());
  return s;
}

// Drops unit output axes and merges axis k into k-1 when in[k] == out[k], or when both input dims are 1:
// then (c_{k-1} mod in_{k-1}) * in_k + (c_k mod in_k) equals the merged coordinate mod (in_{k-1} * in_k).
void Simplify(Shape* in, Shape* out) {
  Shape i2, o2;
  for (size_t k = 0; k < out->size(); ++k) {
    const int64_t i = (*in)[k], o = (*out)[k];
    if (o == 1) continue;
    if (!o2.empty() && (i == o || (i == 1 && i2.back() == 1))) {
      i2.back() *= i;
      o2.back() *= o;
      continue;
    }
    i2.push_back(i);
    o2.push_back(o);
  }
  *in = std::move(i2);
  *out = std::move(o2);
}

void ModCopyReference(const HostTensor& x, HostTensor* y) {
  const int64_t n = y->num_elements();
  if (n == 0) return;
  Shape in = Aligned(x.shape(), y->shape().size()), out = y->shape();
  Simplify(&in, &out);
  const size_t rank = out.size(), es = DTypeSize(x.dtype());
  const auto in_strides = ContiguousStrides(in);
  std::vector<int64_t> coord(rank, 0);
  uint8_t* dst = y->mutable_data();
  for (int64_t o = 0; o < n; ++o) {
    int64_t off = 0;
    for (size_t k = 0; k < rank; ++k) off += (coord[k] % in[k]) * in_strides[k];
    std::memcpy(dst + static_cast<size_t>(o) * es, x.data() + static_cast<size_t>(off) * es, es);
    for (size_t k = rank; k-- > 0;) {
      if (++coord[k] < out[k]) break;
      coord[k] = 0;
    }
  }
}

Status ModCopyGpu(GpuContext& ctx, const std::string& name) {
  Shape out = ctx.outputs[0].shape;
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.inputs[0].shape, "input"));
  WC_RETURN_IF_ERROR(CheckGpuElements(out, "output"));
  const int64_t n = NumElements(out);
  if (n == 0) return OkStatus();
  const size_t original_rank = out.size();
  Shape in = Aligned(ctx.inputs[0].shape, out.size());
  Simplify(&in, &out);
  if (out.size() > kMaxGpuRank)
    return BadModel("rank ", original_rank, " (", out.size(), " after merging axes) exceeds the ",
                    kMaxGpuRank, " axes the WebGPU kernel handles");
  gpu::KernelBuilder b(name + "_b32");
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(out.size()));
  u.AddU32Array("out_shape", ToU32(out), kMaxGpuRank);
  u.AddU32Array("in_shape", ToU32(in), kMaxGpuRank);
  b.Body(
      "fn source(i: u32) -> u32 {\n"
      "  var rem = i;\n  var off = 0u;\n  var stride = 1u;\n"
      "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
      "    let k = u32(d);\n"
      "    off += (rem % out_shape(k)) % in_shape(k) * stride;\n"
      "    stride *= in_shape(k);\n"
      "    rem = rem / out_shape(k);\n  }\n  return off;\n}\n" +
      ElementwiseMain("Y[i] = X[source(i)];"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

// Reads a 1-D int64 tensor (or a scalar when `scalar`) known when planning.
Result<std::vector<int64_t>> HostInts(const HostTensor* t, const char* name, bool scalar) {
  if (!t) return BadModel(name, " must be known when the graph is planned");
  if (t->dtype() != DType::kInt64) return BadModel(name, " must be int64, got ", DTypeName(t->dtype()));
  if (scalar ? t->num_elements() != 1 : t->shape().size() != 1)
    return BadModel(name, " must be ", scalar ? "a scalar" : "1-D", ", got shape ", ShapeString(t->shape()));
  return ToInts(*t);
}

// ---- Expand: output = broadcast(input shape, shape) ----

Status ExpandInfer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  WC_ASSIGN_OR_RETURN(auto shape, HostInts(ctx.inputs[1].constant, "shape", false));
  for (size_t k = 0; k < shape.size(); ++k)
    if (shape[k] < 0) return BadModel("shape[", k, "] = ", shape[k], " is negative");
  WC_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(x.shape, shape));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = out;
  return OkStatus();
}

// ---- Tile: out[k] = in[k] * repeats[k] ----

Result<std::vector<int64_t>> Repeats(int opset, const Shape& in, const HostTensor* a, const HostTensor* b) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> repeats(in.size(), 1);
  if (opset < 6) {  // Tile-1: `tiles` copies along one `axis`
    WC_ASSIGN_OR_RETURN(auto tiles, HostInts(a, "tiles", true));
    WC_ASSIGN_OR_RETURN(auto axis, HostInts(b, "axis", true));
    int64_t k;
    WC_RETURN_IF_ERROR(NormalizeAxis(axis[0], rank, &k));
    repeats[k] = tiles[0];
  } else {
    WC_ASSIGN_OR_RETURN(repeats, HostInts(a, "repeats", false));
    if (static_cast<int64_t>(repeats.size()) != rank)
      return BadModel("repeats has ", repeats.size(), " entries for a rank-", rank, " input");
  }
  for (size_t k = 0; k < repeats.size(); ++k) {
    if (repeats[k] < 0) return BadModel("repeat count ", repeats[k], " for axis ", k, " is negative");
    if (repeats[k] > 0 && in[k] > kMaxElements / repeats[k])
      return BadModel("axis ", k, " of size ", in[k], " repeated ", repeats[k],
                      " times exceeds 2^40 elements");
  }
  return repeats;
}

Status TileInfer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  const HostTensor* b = ctx.inputs.size() > 2 ? ctx.inputs[2].constant : nullptr;
  WC_ASSIGN_OR_RETURN(auto repeats, Repeats(ctx.opset, x.shape, ctx.inputs[1].constant, b));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  for (size_t k = 0; k < repeats.size(); ++k) ctx.outputs[0].shape[k] *= repeats[k];
  return OkStatus();
}

// The output shape (from inference) already says everything both references need.
Status ModCopyRef(RefContext& ctx) {
  ModCopyReference(*ctx.inputs[0], &ctx.out(0));
  return OkStatus();
}
Status ExpandGpu(GpuContext& ctx) {
  return ModCopyGpu(ctx, "expand");
}
Status TileGpu(GpuContext& ctx) {
  return ModCopyGpu(ctx, "tile");
}

OpSchema Row(const char* op, int min_opset, int max_opset, ParseFn parse, InferFn infer, GpuFn gpu,
             std::vector<int> host_inputs) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = min_opset;
  s.max_opset = max_opset;
  s.parse = parse;
  s.infer = infer;
  s.reference = ModCopyRef;
  s.gpu = gpu;
  s.host_inputs = std::move(host_inputs);
  return s;
}

}  // namespace

std::vector<OpSchema> ExpandRows() {
  return {Row("Expand", 8, 17, ParseExpand, ExpandInfer, ExpandGpu, {1})};
}

std::vector<OpSchema> TileRows() {
  return {Row("Tile", 1, 5, ParseTile, TileInfer, TileGpu, {1, 2}),
          Row("Tile", 6, 17, ParseTile, TileInfer, TileGpu, {1})};
}

}  // namespace webconv::ops::tensor
