// InstanceNormalization (opsets 1 and 6; opset 1's consumed_inputs is legacy and ignored): each (n, c)
// plane of X [N, C, D1, ...] is normalized by its own mean and variance, then scaled and shifted by
// the channel's scale and B.
#include "ops/norm/row_norm.h"

namespace webconv::ops {
namespace {

struct InstanceNormAttrs {
  double epsilon = 1e-5;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 3, 3));
  if (ctx.num_outputs != 1) return BadModel("expects 1 output, got ", ctx.num_outputs);
  auto a = std::make_shared<InstanceNormAttrs>();
  float epsilon = 1e-5f;
  WC_RETURN_IF_ERROR(ctx.attrs.Float("epsilon", 1e-5f, &epsilon));
  if (!(epsilon >= 0)) return BadModel("epsilon is ", epsilon, "; it must be >= 0");
  a->epsilon = epsilon;
  *out = a;
  return OkStatus();
}

Result<RowNormProblem> Resolve(const InstanceNormAttrs& a, const std::vector<TensorInfo>& in) {
  constexpr const char* kNames[] = {"input", "scale", "B"};
  for (size_t k = 0; k < 3; ++k) {
    if (!in[k].present) return BadModel("input ", k, " (", kNames[k], ") is required");
    if (!IsFloat(in[k].dtype) || in[k].dtype != in[0].dtype)
      return BadModel("input ", k, " (", kNames[k], ") has type ", DTypeName(in[k].dtype),
                      "; InstanceNormalization takes floating-point tensors of one type");
  }
  const Shape& x = in[0].shape;
  if (x.size() < 3)
    return BadModel("input has shape ", ShapeString(x), "; it must be [N, C, D1, ...] (rank >= 3)");
  for (size_t k = 1; k < 3; ++k) {
    if (in[k].shape != Shape{x[1]})
      return BadModel("input ", k, " (", kNames[k], ") has shape ", ShapeString(in[k].shape), ", expected [",
                      x[1], "] (one value per channel of ", ShapeString(x), ")");
  }
  RowNormProblem p;
  p.epsilon = a.epsilon;
  p.per_row = true;
  p.channels = x[1];
  p.rows = x[0] * x[1];
  p.len = NumElements(Shape(x.begin() + 2, x.end()));
  return p;
}

std::vector<TensorInfo> Infos(const RefContext& ctx) {
  return ctx.input_infos();
}

Status Infer(InferContext& ctx) {
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<InstanceNormAttrs>(), ctx.inputs).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(RowNormProblem p, Resolve(ctx.Attrs<InstanceNormAttrs>(), Infos(ctx)));
  return RowNormReference(p, ctx);
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(RowNormProblem p, Resolve(ctx.Attrs<InstanceNormAttrs>(), ctx.inputs));
  return RowNormGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  // Two reduction passes and the affine normalization: about 7 operations per element.
  return 7.0 * static_cast<double>(NumElements(ctx.inputs[0].shape));
}

}  // namespace

std::vector<OpSchema> InstanceNormRows() {
  OpSchema s;
  s.op_type = "InstanceNormalization";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.flops = Flops;
  s.notes =
      "floating-point inputs of one type; per-(n, c) statistics over the spatial axes; opset 1's "
      "consumed_inputs ignored";
  return {s};
}

}  // namespace webconv::ops
