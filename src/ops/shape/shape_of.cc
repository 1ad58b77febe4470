// Shape: the input's dims as an int64 vector, optionally a slice of them (start/end from opset 15).
// It reads only the input's shape, so it is always evaluated when planning and never runs a kernel.
#include "ops/shape/shape_family.h"
#include "ops/shape/view_geometry.h"

namespace webconv::ops {
namespace {

struct ShapeAttrs {
  int64_t start = 0;
  std::optional<int64_t> end;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<ShapeAttrs>();
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  if (ctx.opset >= 15) {
    WC_RETURN_IF_ERROR(ctx.attrs.Int("start", 0, &a->start));
    if (ctx.attrs.Has("end")) {
      int64_t end = 0;
      WC_RETURN_IF_ERROR(ctx.attrs.Int("end", 0, &end));
      a->end = end;
    }
  }
  *out = a;
  return OkStatus();
}

void Range(const ShapeAttrs& a, const Shape& in, int64_t* begin, int64_t* stop) {
  ShapeSliceRange(static_cast<int64_t>(in.size()), a.start, a.end, begin, stop);
}

Status Infer(InferContext& ctx) {
  int64_t begin, stop;
  Range(ctx.Attrs<ShapeAttrs>(), ctx.inputs[0].shape, &begin, &stop);
  ctx.outputs[0].dtype = DType::kInt64;
  ctx.outputs[0].shape = {stop - begin};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const Shape& in = ctx.inputs[0]->shape();
  int64_t begin, stop;
  Range(ctx.Attrs<ShapeAttrs>(), in, &begin, &stop);
  for (int64_t i = begin; i < stop; ++i) ctx.out(0).SetInt(i - begin, in[i]);
  return OkStatus();
}

}  // namespace

OpSchema ShapeOfRow() {
  OpSchema s;
  s.op_type = "Shape";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.shape_only = true;
  s.notes = "folded when planning (reads only the input's shape)";
  return s;
}

}  // namespace webconv::ops
