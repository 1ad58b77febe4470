// Slice: opsets 1-9 carry starts/ends/axes as attributes; from 10 they (and steps) are inputs, which
// must be known when planning. Each sliced axis becomes (first element, step, length), so the slice is
// a strided read of the input; negative steps give negative strides.
#include <algorithm>
#include <optional>

#include "ops/tensor/slice_geometry.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct SliceAttrs {
  bool from_inputs = false;  // opset >= 10
  std::vector<int64_t> starts, ends;
  std::optional<std::vector<int64_t>> axes;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<SliceAttrs>();
  if (ctx.opset >= 10) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 5));
    a->from_inputs = true;
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
    WC_RETURN_IF_ERROR(ctx.attrs.RequiredInts("starts", &a->starts));
    WC_RETURN_IF_ERROR(ctx.attrs.RequiredInts("ends", &a->ends));
    if (ctx.attrs.Has("axes")) {
      a->axes.emplace();
      WC_RETURN_IF_ERROR(ctx.attrs.Ints("axes", &*a->axes));
    }
  }
  *out = a;
  return OkStatus();
}

// Reads input `i` (a 1-D int32/int64 tensor known when planning) into `out`; absent leaves it empty.
Status ReadParam(const TensorInfo* info, const HostTensor* value, const char* name,
                 std::optional<std::vector<int64_t>>* out) {
  if (!value) {
    if (info && info->present) return BadModel(name, " must be known when the graph is planned");
    return OkStatus();
  }
  WC_RETURN_IF_ERROR(CheckIndexType(value->dtype(), name));
  if (value->shape().size() != 1)
    return BadModel(name, " must be 1-D, got shape ", ShapeString(value->shape()));
  *out = ToInts(*value);
  return OkStatus();
}

// Resolves the node's slice against `data`. `infos` (planning) or `values` (reference) supply inputs
// 1..4 from opset 10 on; the other may be empty.
Result<SliceGeometry> Resolve(const SliceAttrs& a, const Shape& data, const std::vector<TensorInfo>& infos,
                              const std::vector<const HostTensor*>& values) {
  SliceParams p;
  if (!a.from_inputs) {
    p.starts = a.starts;
    p.ends = a.ends;
    p.axes = a.axes;
    return ResolveSlice(data, p);
  }
  static const char* kNames[] = {"starts", "ends", "axes", "steps"};
  std::optional<std::vector<int64_t>> v[4];
  for (size_t k = 0; k < 4; ++k) {
    const size_t i = k + 1;
    const TensorInfo* info = i < infos.size() ? &infos[i] : nullptr;
    const HostTensor* value = i < values.size() ? values[i] : info ? info->constant : nullptr;
    WC_RETURN_IF_ERROR(ReadParam(info, value, kNames[k], &v[k]));
  }
  if (!v[0] || !v[1]) return BadModel("starts and ends are required inputs");
  p.starts = std::move(*v[0]);
  p.ends = std::move(*v[1]);
  p.axes = std::move(v[2]);
  p.steps = std::move(v[3]);
  return ResolveSlice(data, p);
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype, "data"));
  WC_ASSIGN_OR_RETURN(SliceGeometry g, Resolve(ctx.Attrs<SliceAttrs>(), x.shape, ctx.inputs, {}));
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = g.out;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(SliceGeometry g, Resolve(ctx.Attrs<SliceAttrs>(), x.shape(), {}, ctx.inputs));
  CopyStrided(x, g.base, g.strides, &ctx.out(0));
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(SliceGeometry g, Resolve(ctx.Attrs<SliceAttrs>(), ctx.inputs[0].shape, ctx.inputs, {}));
  return DispatchStridedCopy(ctx, "slice", g.base, g.out, g.strides);
}

}  // namespace

std::vector<OpSchema> SliceRows() {
  OpSchema s;
  s.op_type = "Slice";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1, 2, 3, 4};
  return {s};
}

}  // namespace webconv::ops::tensor
