// Size (opsets 1-21, one meaning throughout): the input's element count as an int64 scalar. Like Shape
// it reads only the input's shape, so it is always evaluated when planning and never runs a kernel.
#include "ops/shape/shape_family.h"

namespace webconv::ops {
namespace {

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  *out = nullptr;
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  // The count must fit the output type; shapes are already bounded by kMaxElements, so this only
  // reports an input whose shape was never validated.
  WC_RETURN_IF_ERROR(CheckedNumElements(ctx.inputs[0].shape).status());
  ctx.outputs[0].dtype = DType::kInt64;
  ctx.outputs[0].shape = {};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  ctx.out(0).SetInt(0, ctx.inputs[0]->num_elements());
  return OkStatus();
}

}  // namespace

OpSchema SizeRow() {
  OpSchema s;
  s.op_type = "Size";
  s.max_opset = 21;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.shape_only = true;
  s.notes = "folded when planning (reads only the input's shape)";
  return s;
}

}  // namespace webconv::ops
