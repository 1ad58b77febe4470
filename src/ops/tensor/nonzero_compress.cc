// NonZero (opset 9, 13) and Compress (opset 9, 11): selections whose output shape depends on the input
// values. Neither has a WebGPU kernel: every input must be known when the graph is planned (a constant
// or a graph input, bound by value), and the node is then evaluated by the float64 reference on every
// backend.
//
// NonZero: the indices of the nonzero elements of X, as an int64 tensor [rank, count] whose column j
// holds the coordinates of the j-th nonzero element in row-major order. A float is nonzero when it
// compares unequal to 0 (NaN is nonzero, -0 is zero). A scalar is taken as a 1-D tensor of one element
// (output [1, count] with index 0), as numpy's nonzero and ONNX Runtime do.
//
// Compress: the slices of `input` along `axis` (or, without axis, the elements of the flattened input)
// whose entry of `condition` is true, in order. condition is a 1-D bool tensor; when it is shorter than
// the axis (the flattened size) the slices beyond it are dropped, and entries beyond the axis's extent
// are ignored, as ONNX Runtime does. A negative axis counts from the end from opset 11 on; opset 9 asks
// for an axis in [0, rank).
#include <algorithm>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

const HostTensor* Known(const std::vector<TensorInfo>& in, size_t k, const char* what, Status* st) {
  if (k >= in.size() || !in[k].present) {
    *st = BadModel("input ", k, " (", what, ") is required");
    return nullptr;
  }
  if (!in[k].constant) {
    *st = BadModel("input ", k, " (", what,
                   ") must be known when the graph is planned (a constant or a graph input)");
    return nullptr;
  }
  return in[k].constant;
}

bool Nonzero(const HostTensor& x, int64_t i) {
  return IsFloat(x.dtype()) ? x.GetDouble(i) != 0.0 : x.GetInt(i) != 0;
}

// ---- NonZero ----

Status ParseNonZero(const ParseContext& ctx, OpAttrs*) {
  return CheckInputCount(ctx, 1, 1);
}

Result<int64_t> CountNonzero(const HostTensor& x) {
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype()));
  int64_t count = 0;
  const int64_t n = x.num_elements();
  for (int64_t i = 0; i < n; ++i) count += Nonzero(x, i);
  return count;
}

Status InferNonZero(InferContext& ctx) {
  Status st;
  const HostTensor* x = Known(ctx.inputs, 0, "X", &st);
  if (!x) return st;
  WC_ASSIGN_OR_RETURN(int64_t count, CountNonzero(*x));
  const int64_t rank = std::max<int64_t>(static_cast<int64_t>(x->shape().size()), 1);
  ctx.outputs[0].dtype = DType::kInt64;
  ctx.outputs[0].shape = {rank, count};
  return CheckedNumElements(ctx.outputs[0].shape).status();
}

Status ReferenceNonZero(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(int64_t count, CountNonzero(x));
  HostTensor& y = ctx.out(0);
  const Shape& shape = x.shape();
  const size_t rank = shape.size();
  std::vector<int64_t> coord(rank, 0);
  int64_t j = 0;
  const int64_t n = x.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    if (Nonzero(x, i)) {
      if (rank == 0) y.SetInt(j, 0);
      for (size_t d = 0; d < rank; ++d) y.SetInt(static_cast<int64_t>(d) * count + j, coord[d]);
      ++j;
    }
    for (size_t d = rank; d-- > 0;) {  // next row-major coordinate
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return OkStatus();
}

// ---- Compress ----

struct CompressAttrs {
  bool has_axis = false;
  int64_t axis = 0;
};

Status ParseCompress(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  auto a = std::make_shared<CompressAttrs>();
  a->has_axis = ctx.attrs.Has("axis");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  if (a->has_axis && ctx.opset < 11 && a->axis < 0)
    return BadModel("attribute axis is ", a->axis, ": Compress-", ctx.opset,
                    " takes no negative axis (opset 11 does)");
  *out = a;
  return OkStatus();
}

// The geometry around the compressed axis: the input seen as [outer, extent, inner] (without axis:
// [1, size, 1]), and which of the `extent` slices are kept.
struct CompressPlan {
  int64_t outer = 1, extent = 1, inner = 1, axis = -1;
  std::vector<int64_t> kept;
  Shape out_shape;
};

Result<CompressPlan> PlanCompress(const CompressAttrs& a, const HostTensor& x, const HostTensor& cond) {
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype()));
  if (cond.dtype() != DType::kBool)
    return BadModel("condition has type ", DTypeName(cond.dtype()), ", expected bool");
  if (cond.shape().size() != 1)
    return BadModel("condition must be 1-D, got shape ", ShapeString(cond.shape()));
  CompressPlan p;
  const Shape& shape = x.shape();
  if (a.has_axis) {
    const int64_t rank = static_cast<int64_t>(shape.size());
    WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &p.axis));
    for (int64_t d = 0; d < p.axis; ++d) p.outer *= shape[static_cast<size_t>(d)];
    p.extent = shape[static_cast<size_t>(p.axis)];
    for (int64_t d = p.axis + 1; d < rank; ++d) p.inner *= shape[static_cast<size_t>(d)];
  } else {
    p.extent = x.num_elements();
  }
  const int64_t n = std::min(p.extent, cond.num_elements());
  for (int64_t k = 0; k < n; ++k)
    if (cond.GetInt(k) != 0) p.kept.push_back(k);
  const int64_t count = static_cast<int64_t>(p.kept.size());
  if (a.has_axis) {
    p.out_shape = shape;
    p.out_shape[static_cast<size_t>(p.axis)] = count;
  } else {
    p.out_shape = {count};
  }
  return p;
}

Status InferCompress(InferContext& ctx) {
  Status st;
  const HostTensor* x = Known(ctx.inputs, 0, "input", &st);
  if (!x) return st;
  const HostTensor* cond = Known(ctx.inputs, 1, "condition", &st);
  if (!cond) return st;
  WC_ASSIGN_OR_RETURN(CompressPlan p, PlanCompress(ctx.Attrs<CompressAttrs>(), *x, *cond));
  ctx.outputs[0].dtype = x->dtype();
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

Status ReferenceCompress(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(CompressPlan p, PlanCompress(ctx.Attrs<CompressAttrs>(), x, *ctx.inputs[1]));
  HostTensor& y = ctx.out(0);
  const int64_t count = static_cast<int64_t>(p.kept.size());
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t j = 0; j < count; ++j)
      for (int64_t i = 0; i < p.inner; ++i)
        CopyElement(x, (o * p.extent + p.kept[static_cast<size_t>(j)]) * p.inner + i, y,
                    (o * count + j) * p.inner + i);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> NonZeroCompressRows() {
  OpSchema nz;
  nz.op_type = "NonZero";
  nz.min_opset = 9;
  nz.parse = ParseNonZero;
  nz.infer = InferNonZero;
  nz.reference = ReferenceNonZero;
  nz.host_inputs = {0};
  nz.notes =
      "output shape depends on the values: evaluated by the reference when planning; NaN is nonzero; "
      "a scalar gives [1, count]";

  OpSchema c;
  c.op_type = "Compress";
  c.min_opset = 9;
  c.parse = ParseCompress;
  c.infer = InferCompress;
  c.reference = ReferenceCompress;
  c.host_inputs = {0, 1};
  c.notes =
      "output shape depends on the values: evaluated by the reference when planning; condition 1-D bool, "
      "entries beyond the axis ignored";
  return {nz, c};
}

}  // namespace webconv::ops::tensor
