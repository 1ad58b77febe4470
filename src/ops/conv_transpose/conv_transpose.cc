// ConvTranspose (opsets 1-17; the attribute set is the same in both versions): 1-D, 2-D and 3-D with
// output_padding, output_shape, explicit or automatic pads, groups, dilations and an optional bias.
#include "ops/conv_transpose/conv_transpose.h"

#include "ops/families.h"

namespace webconv::ops {

Shape ConvTransposeProblem::output_shape() const {
  Shape s = {batch, out_channels};
  for (const AxisGeometry& g : axes) s.push_back(g.out);
  return s;
}

Result<ConvTransposeProblem> ResolveConvTranspose(const ConvTransposeAttrs& a, const TensorInfo& x,
                                                  const TensorInfo& w, const TensorInfo* b) {
  const size_t rank = x.shape.size();
  if (rank < 3 || rank > 5)
    return BadModel("input X has rank ", rank,
                    "; ConvTranspose needs [N, C, spatial...] with 1 to 3 spatial axes");
  if (w.shape.size() != rank)
    return BadModel("weight W has rank ", w.shape.size(), " but input X has rank ", rank);
  ConvTransposeProblem p;
  p.batch = x.shape[0];
  p.in_channels = x.shape[1];
  p.group = a.group;
  if (p.group < 1) return BadModel("group ", p.group, " must be at least 1");
  if (w.shape[0] != p.in_channels)
    return BadModel("weight W has ", w.shape[0], " input channels (dim 0) but input X has ", p.in_channels);
  if (p.in_channels % p.group != 0)
    return BadModel("input channels ", p.in_channels, " are not divisible by group ", p.group);
  if (w.shape[1] > (int64_t{1} << 31) / p.group)
    return BadModel("output channels ", w.shape[1], " x group ", p.group, " exceed 2^31");
  p.out_channels = w.shape[1] * p.group;
  const Shape spatial_in(x.shape.begin() + 2, x.shape.end());
  for (size_t i = 0; i < spatial_in.size(); ++i)
    // Bounded so that stride * (in - 1) + kernel extent stays far from int64 overflow.
    if (spatial_in[i] < 1 || spatial_in[i] > (int64_t{1} << 31))
      return BadModel("input spatial axis ", i, " has size ", spatial_in[i], ", expected 1..2^31");
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  if (!a.window.kernel_shape.empty() && a.window.kernel_shape != kernel)
    return BadModel("kernel_shape ", ShapeString(a.window.kernel_shape), " disagrees with the weight's ",
                    ShapeString(kernel));
  WC_ASSIGN_OR_RETURN(p.axes, ResolveTransposeAxes(a, spatial_in, kernel));
  if (a.output_shape.size() == rank && (a.output_shape[0] != p.batch || a.output_shape[1] != p.out_channels))
    return BadModel("output_shape ", ShapeString(a.output_shape), " does not start with the batch ", p.batch,
                    " and the output channels ", p.out_channels);
  const size_t lead = 3 - p.axes.size();
  for (size_t i = 0; i < 3; ++i) {
    AxisGeometry unit;
    unit.in = unit.out = 1;
    p.axis3[i] = i < lead ? unit : p.axes[i - lead];
  }
  WC_RETURN_IF_ERROR(CheckedNumElements(p.output_shape()).status().Prefixed("output Y: "));
  if (b && b->present) {
    if (b->shape != Shape{p.out_channels})
      return BadModel("bias B has shape ", ShapeString(b->shape), ", expected [", p.out_channels, "]");
    if (b->dtype != x.dtype)
      return BadModel("bias type ", DTypeName(b->dtype), " differs from input type ", DTypeName(x.dtype));
    p.has_bias = true;
  }
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64 && x.dtype != DType::kFloat16)
    return BadModel("input type ", DTypeName(x.dtype), " is not supported (float16, float, double)");
  if (w.dtype != x.dtype)
    return BadModel("weight type ", DTypeName(w.dtype), " differs from input type ", DTypeName(x.dtype));
  return p;
}

namespace {

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  auto a = std::make_shared<ConvTransposeAttrs>();
  WC_RETURN_IF_ERROR(ParseWindowAttrs(ctx.attrs, false, &a->window));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("group", 1, &a->group));
  if (a->group < 1) return BadModel("group ", a->group, " must be at least 1");
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("output_padding", &a->output_padding));
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("output_shape", &a->output_shape));
  for (int64_t v : a->output_padding)
    if (v < 0) return BadModel("output_padding has value ", v, ", expected >= 0");
  for (int64_t v : a->output_shape)
    if (v < 1) return BadModel("output_shape has value ", v, ", expected >= 1");
  *out = a;
  return OkStatus();
}

const TensorInfo* Bias(const std::vector<TensorInfo>& in) {
  return in.size() > 2 && in[2].present ? &in[2] : nullptr;
}

Result<ConvTransposeProblem> Resolve(const OpAttrs& attrs, const std::vector<TensorInfo>& in) {
  return ResolveConvTranspose(attrs.As<ConvTransposeAttrs>(), in[0], in[1], Bias(in));
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvTransposeProblem p, Resolve(ctx.attrs, ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = p.output_shape();
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  WC_ASSIGN_OR_RETURN(ConvTransposeProblem p, Resolve(ctx.attrs, in));
  return ConvTransposeReference(p, *ctx.inputs[0], *ctx.inputs[1], p.has_bias ? ctx.inputs[2] : nullptr,
                                &ctx.out(0));
}

Status Cpu(RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  WC_ASSIGN_OR_RETURN(ConvTransposeProblem p, Resolve(ctx.attrs, in));
  if (!ConvTransposeCpuHandles(p, ctx.inputs)) return Reference(ctx);
  return ConvTransposeCpu(p, ctx.inputs, &ctx.out(0));
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvTransposeProblem p, Resolve(ctx.attrs, ctx.inputs));
  return ConvTransposeGpu(p, ctx);
}

// Every input element meets every tap of its group's weights once: 2 * N * C * in * (M / group) * K.
double Flops(const InferContext& ctx) {
  auto p = Resolve(ctx.attrs, ctx.inputs);
  if (!p.ok()) return 0;
  return 2.0 * static_cast<double>(p->batch * p->in_channels) * static_cast<double>(p->in_spatial()) *
         static_cast<double>(p->out_per_group() * p->kernel_volume());
}

}  // namespace

std::vector<OpSchema> ConvTransposeOps() {
  OpSchema ct;
  ct.op_type = "ConvTranspose";
  ct.parse = Parse;
  ct.infer = Infer;
  ct.reference = Reference;
  ct.cpu = Cpu;
  ct.gpu = Gpu;
  ct.gpu_has_quick = true;
  ct.flops = Flops;
  ct.notes =
      "float16/float32/float64, W and B of the input's type; 1-D/2-D/3-D; output_padding, output_shape, "
      "explicit/VALID/SAME pads, groups, dilations; "
      "gather-form implicit GEMM per stride phase on WebGPU";
  return {ct};
}

}  // namespace webconv::ops
