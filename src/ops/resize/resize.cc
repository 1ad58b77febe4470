// Resize (opsets 10-17) and Upsample (opsets 1-9): registry rows. Scales, sizes and roi are host
// inputs: they fix the output shape and the coordinate map, so they must be known when planning.
#include "ops/resize/resize.h"

#include "ops/families.h"

namespace webconv::ops {
namespace {

template <bool kUpsample>
Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_ASSIGN_OR_RETURN(ResizeAttrs a, ParseResizeAttrs(ctx, kUpsample));
  *out = std::make_shared<ResizeAttrs>(std::move(a));
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(ResizeProblem p, ResolveResize(ctx.Attrs<ResizeAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = p.dtype;
  ctx.outputs[0].shape = p.out_shape();
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  WC_ASSIGN_OR_RETURN(ResizeProblem p, ResolveResize(ctx.Attrs<ResizeAttrs>(), in));
  return ResizeReference(p, *ctx.inputs[0], &ctx.out(0));
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(ResizeProblem p, ResolveResize(ctx.Attrs<ResizeAttrs>(), ctx.inputs));
  return ResizeGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  auto p = ResolveResize(ctx.Attrs<ResizeAttrs>(), ctx.inputs);
  if (!p.ok() || p->mode == ResizeMode::kNearest) return 0;
  // A multiply and an add per tap of every interpolated axis combination.
  double taps = 1;
  for (const ResizeAxis& ax : p->axes)
    if (!ax.direct) taps *= p->taps_per_axis();
  return 2.0 * taps * static_cast<double>(NumElements(p->out_shape()));
}

OpSchema Row(const char* op, int min_opset, int max_opset, bool upsample, std::vector<int> host_inputs,
             const char* notes) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = min_opset;
  s.max_opset = max_opset;
  s.parse = upsample ? Parse<true> : Parse<false>;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.flops = Flops;
  s.host_inputs = std::move(host_inputs);
  s.notes = notes;
  return s;
}

}  // namespace

std::vector<OpSchema> ResizeOps() {
  std::vector<OpSchema> rows = {
      Row("Upsample", 1, 9, true, {1},
          "nearest or linear over any axes; scales >= 1; asymmetric coordinates"),
      Row("Resize", 10, 10, false, {1}, "nearest or linear over any axes; asymmetric coordinates"),
      Row("Resize", 11, 17, false, {1, 2, 3},
          "nearest (4 rounding modes), linear and cubic over any axes; every coordinate mode; integers "
          "interpolate with round-half-even and saturation"),
  };
  for (OpSchema& s : GridSampleRows()) rows.push_back(std::move(s));
  for (OpSchema& s : RoiAlignRows()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
