// Ops whose output is the input's bytes under another shape: Reshape, Flatten, Identity, Squeeze and
// Unsqueeze. No kernel runs for them (output_aliases_input0): the backends hand the input's buffer on.
// The reference still copies, so constant folding and direct callers get an independent tensor.
#include <cstring>

#include "ops/shape/shape_family.h"
#include "ops/shape/view_geometry.h"

namespace webconv::ops {
namespace {

struct ViewAttrs {
  // Reshape before opset 5 carries its shape, Squeeze/Unsqueeze before 13 their axes, as attributes.
  bool has_list = false;
  std::vector<int64_t> list;
  bool allowzero = false;  // Reshape >= 14
  int64_t axis = 1;        // Flatten
};

Status ParseReshape(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<ViewAttrs>();
  if (ctx.opset < 5) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
    WC_RETURN_IF_ERROR(ctx.attrs.RequiredInts("shape", &a->list));
    a->has_list = true;
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  }
  if (ctx.opset >= 14) {
    int64_t allowzero = 0;
    WC_RETURN_IF_ERROR(ctx.attrs.Int("allowzero", 0, &allowzero));
    if (allowzero != 0 && allowzero != 1) return BadModel("allowzero must be 0 or 1, got ", allowzero);
    a->allowzero = allowzero == 1;
  }
  *out = a;
  return OkStatus();
}

Status InferReshape(InferContext& ctx) {
  const auto& a = ctx.Attrs<ViewAttrs>();
  std::vector<int64_t> spec = a.list;
  if (!a.has_list) {
    WC_ASSIGN_OR_RETURN(spec, PlanningInts(ctx.inputs[1], "shape (input 1)", 1));
  }
  WC_ASSIGN_OR_RETURN(ctx.outputs[0].shape, ReshapeShape(ctx.inputs[0].shape, spec, a.allowzero));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  return OkStatus();
}

Status ParseFlatten(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<ViewAttrs>();
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 1, &a->axis));
  *out = a;
  return OkStatus();
}

Status InferFlatten(InferContext& ctx) {
  const Shape& in = ctx.inputs[0].shape;
  const int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = ctx.Attrs<ViewAttrs>().axis;
  // Negative axes arrived in opset 11; the range includes `rank` itself (everything in the outer dim).
  const int64_t lo = ctx.opset >= 11 ? -rank : 0;
  if (axis < lo || axis > rank)
    return BadModel("axis ", axis, " is out of range [", lo, ", ", rank, "] for a rank-", rank, " input");
  if (axis < 0) axis += rank;
  ctx.outputs[0].shape = FlattenShape(in, axis);
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  return OkStatus();
}

Status ParseIdentity(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  *out = std::make_shared<ViewAttrs>();
  return OkStatus();
}

Status InferIdentity(InferContext& ctx) {
  ctx.outputs[0] = ctx.inputs[0];
  ctx.outputs[0].constant = nullptr;
  return OkStatus();
}

// Squeeze and Unsqueeze: axes as an attribute before opset 13, as input 1 from 13 on.
template <bool kUnsqueeze>
Status ParseAxesOp(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<ViewAttrs>();
  if (ctx.opset < 13) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
    if (kUnsqueeze && !ctx.attrs.Has("axes")) return BadModel("attribute 'axes' is required");
    WC_RETURN_IF_ERROR(ctx.attrs.Ints("axes", &a->list));
    a->has_list = ctx.attrs.Has("axes");
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, kUnsqueeze ? 2 : 1, 2));
  }
  *out = a;
  return OkStatus();
}

// The axes of this node, or nullopt when Squeeze is given none (it then removes every size-1 dim). An
// empty list is not "none": following ONNX's own shape inference it squeezes nothing.
Result<std::optional<std::vector<int64_t>>> Axes(const InferContext& ctx) {
  const auto& a = ctx.Attrs<ViewAttrs>();
  if (ctx.opset < 13) {
    if (!a.has_list) return std::optional<std::vector<int64_t>>();
    return std::optional<std::vector<int64_t>>(a.list);
  }
  if (!ctx.has_input(1)) return std::optional<std::vector<int64_t>>();
  WC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, PlanningInts(ctx.inputs[1], "axes (input 1)", 1));
  return std::optional<std::vector<int64_t>>(std::move(axes));
}

Status InferSqueeze(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(const auto axes, Axes(ctx));
  WC_ASSIGN_OR_RETURN(ctx.outputs[0].shape, SqueezeShape(ctx.inputs[0].shape, axes));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  return OkStatus();
}

Status InferUnsqueeze(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(const auto axes, Axes(ctx));
  if (!axes) return BadModel("axes are required");
  WC_ASSIGN_OR_RETURN(ctx.outputs[0].shape, UnsqueezeShape(ctx.inputs[0].shape, *axes));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  return OkStatus();
}

Status CopyReference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  if (x.byte_size() != y.byte_size())
    return BadModel("internal: output of ", y.byte_size(), " bytes for an input of ", x.byte_size());
  if (x.byte_size()) std::memcpy(y.mutable_data(), x.data(), x.byte_size());
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse, InferFn infer, std::vector<int> host_inputs, const char* notes) {
  OpSchema s;
  s.notes = notes;
  s.op_type = op;
  s.parse = parse;
  s.infer = infer;
  s.reference = CopyReference;
  s.host_inputs = std::move(host_inputs);
  s.output_aliases_input0 = true;
  return s;
}

}  // namespace

std::vector<OpSchema> ViewOps() {
  static constexpr char kAlias[] = "no kernel (aliases its input)";
  return {Row("Reshape", ParseReshape, InferReshape, {1},
              "no kernel (aliases its input); 0 copies the input dim unless allowzero (opset 14)"),
          Row("Flatten", ParseFlatten, InferFlatten, {}, kAlias),
          Row("Identity", ParseIdentity, InferIdentity, {}, "no kernel (aliases its input); tensors only"),
          Row("Squeeze", ParseAxesOp<false>, InferSqueeze, {1},
              "no kernel (aliases its input); no axes: every size-1 dim goes; an empty list: none"),
          Row("Unsqueeze", ParseAxesOp<true>, InferUnsqueeze, {1}, kAlias)};
}

}  // namespace webconv::ops
