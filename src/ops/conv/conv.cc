// Conv (opsets 1-17): every form the spec allows, for 1-D, 2-D and 3-D, on both backends.
#include "ops/conv/conv.h"

#include <cstring>

#include "ops/conv/conv_epilogue.h"
#include "ops/families.h"

namespace webconv::ops {

Shape ConvProblem::output_shape() const {
  Shape s = {batch, out_channels};
  for (const AxisGeometry& g : axes) s.push_back(g.out);
  return s;
}

namespace {

// ConvFusion::group_windows: each group's axes from its own window, which must give the node's kernel,
// strides and output size; each group's input channels must lie inside X.
Status ResolveGroupWindows(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w, ConvProblem* p) {
  if (static_cast<int64_t>(a.fusion.group_windows.size()) != p->group || a.fusion.in_channel_total != x.shape[1])
    return BadModel("per-group windows: ", a.fusion.group_windows.size(), " windows for ", p->group,
                    " groups over an X of ", x.shape[1], " channels (expected ", a.fusion.in_channel_total, ")");
  const std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  const Shape spatial(x.shape.begin() + 2, x.shape.end());
  const size_t lead = 3 - p->axes.size();
  for (size_t g = 0; g < a.fusion.group_windows.size(); ++g) {
    const ConvGroupWindow& gw = a.fusion.group_windows[g];
    WC_ASSIGN_OR_RETURN(const std::vector<AxisGeometry> axes, ResolveForward(gw.window, spatial, kernel));
    ConvProblem::GroupGeometry geometry;
    for (size_t i = 0; i < 3; ++i) geometry.axis3[i] = i < lead ? p->axis3[i] : axes[i - lead];
    for (size_t i = 0; i < axes.size(); ++i)
      if (axes[i].out != p->axes[i].out || axes[i].stride != p->axes[i].stride)
        return BadModel("group ", g, "'s window gives ", DescribeGeometry(axes), ", group 0's ",
                        DescribeGeometry(p->axes));
    geometry.x_channel_offset = gw.in_channel_offset;
    if (gw.in_channel_offset < 0 || gw.in_channel_offset + w.shape[1] > x.shape[1])
      return BadModel("group ", g, " reads channels [", gw.in_channel_offset, ", ", gw.in_channel_offset + w.shape[1],
                      ") of an X with ", x.shape[1]);
    p->group_geometry.push_back(geometry);
  }
  for (size_t i = 0; i < 3; ++i) p->axis3[i] = p->group_geometry[0].axis3[i];
  for (size_t i = 0; i < p->axes.size(); ++i) p->axes[i] = p->axis3[lead + i];
  return OkStatus();
}

}  // namespace

Result<ConvProblem> ResolveConvGeometry(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w,
                                        const TensorInfo* b) {
  const size_t rank = x.shape.size();
  if (rank < 3 || rank > 5)
    return BadModel("input X has rank ", rank, "; Conv needs [N, C, spatial...] with 1 to 3 spatial axes");
  if (w.shape.size() != rank)
    return BadModel("weight W has rank ", w.shape.size(), " but input X has rank ", rank);
  ConvProblem p;
  p.batch = x.shape[0];
  p.in_channels = x.shape[1];
  p.out_channels = w.shape[0];
  p.group = a.group;
  p.fusion = a.fusion;
  if (p.group < 1) return BadModel("group ", p.group, " must be at least 1");
  if (a.fusion.per_group()) {  // channels per group from the weight; ResolveGroupWindows checks the rest
    p.in_channels = w.shape[1] * p.group;
    p.x_channels = x.shape[1];
  } else if (a.fusion.reads_slice()) {
    // A slice of a merged sibling Conv's output: the weight says how many channels are read.
    p.in_channels = w.shape[1] * p.group;
    p.x_channels = x.shape[1];
    p.x_channel_offset = a.fusion.in_channel_offset;
    if (x.shape[1] != a.fusion.in_channel_total || p.x_channel_offset < 0 ||
        p.x_channel_offset + p.in_channels > p.x_channels)
      return BadModel("input channels [", p.x_channel_offset, ", ", p.x_channel_offset + p.in_channels,
                      ") do not fit the ", x.shape[1], " channels of X (slice of ", a.fusion.in_channel_total, ")");
  }
  if (p.in_channels != w.shape[1] * p.group)
    return BadModel("input channels ", p.in_channels, " != weight channels ", w.shape[1], " x group ", p.group);
  if (p.out_channels % p.group != 0)
    return BadModel("output channels ", p.out_channels, " are not divisible by group ", p.group);
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  if (!a.window.kernel_shape.empty() && a.window.kernel_shape != kernel)
    return BadModel("kernel_shape ", ShapeString(a.window.kernel_shape), " disagrees with the weight's ",
                    ShapeString(kernel));
  WC_ASSIGN_OR_RETURN(p.axes, ResolveForward(a.window, Shape(x.shape.begin() + 2, x.shape.end()), kernel));
  const size_t lead = 3 - p.axes.size();
  for (size_t i = 0; i < 3; ++i) {
    AxisGeometry unit;
    unit.in = unit.out = 1;
    p.axis3[i] = i < lead ? unit : p.axes[i - lead];
  }
  if (a.fusion.per_group()) WC_RETURN_IF_ERROR(ResolveGroupWindows(a, x, w, &p));
  if (b && b->present) {
    if (b->shape != Shape{p.out_channels})
      return BadModel("bias B has shape ", ShapeString(b->shape), ", expected [", p.out_channels, "]");
    p.has_bias = true;
  }
  return p;
}

Result<ConvProblem> ResolveConv(const ConvAttrs& a, const TensorInfo& x, const TensorInfo& w, const TensorInfo* b) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, ResolveConvGeometry(a, x, w, b));
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64 && x.dtype != DType::kFloat16)
    return BadModel("input type ", DTypeName(x.dtype), " is not supported");
  if (w.dtype != x.dtype) return BadModel("weight type ", DTypeName(w.dtype), " differs from input type ", DTypeName(x.dtype));
  return p;
}

namespace {

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 3));
  auto a = std::make_shared<ConvAttrs>();
  WC_RETURN_IF_ERROR(ParseWindowAttrs(ctx.attrs, false, &a->window));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("group", 1, &a->group));
  if (a->group < 1) return BadModel("group ", a->group, " must be at least 1");
  *out = a;
  return OkStatus();
}

const TensorInfo* Bias(const std::vector<TensorInfo>& in) { return in.size() > 2 && in[2].present ? &in[2] : nullptr; }

// A Conv with fused work may carry inputs beyond X, W and B: the addends of fused Adds.
Result<ConvProblem> ResolveFused(const ConvAttrs& a, const std::vector<TensorInfo>& in) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, ResolveConv(a, in[0], in[1], Bias(in)));
  WC_RETURN_IF_ERROR(CheckConvFusion(p, in));
  return p;
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, ResolveFused(ctx.Attrs<ConvAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ConvResultShape(p);
  return OkStatus();
}

Result<ConvProblem> FromRef(const RefContext& ctx) {
  const std::vector<TensorInfo> in = ctx.input_infos();
  return ResolveFused(ctx.Attrs<ConvAttrs>(), in);
}

// Bytes of one [spatial...] plane of a [N, C, spatial...] tensor.
size_t PlaneBytes(const Shape& s, DType dtype) {
  return static_cast<size_t>(NumElements(Shape(s.begin() + 2, s.end()))) * DTypeSize(dtype);
}

// X's channels [offset, offset + count) as a tensor of their own (the reference reads a slice so).
HostTensor ChannelSlice(const HostTensor& x, int64_t offset, int64_t count) {
  Shape s = x.shape();
  const int64_t total = s[1];
  s[1] = count;
  HostTensor out(x.dtype(), s);
  const size_t plane = PlaneBytes(s, x.dtype());
  const uint8_t* src = x.data();
  uint8_t* dst = out.mutable_data();
  for (int64_t n = 0; n < s[0]; ++n)
    std::memcpy(dst + n * count * plane, src + (n * total + offset) * plane, count * plane);
  return out;
}

// `count` leading entries of dimension 0 of `t` from `first` on, as a tensor of their own.
HostTensor Rows(const HostTensor& t, int64_t first, int64_t count) {
  Shape s = t.shape();
  const size_t row = static_cast<size_t>(NumElements(Shape(s.begin() + 1, s.end()))) * DTypeSize(t.dtype());
  s[0] = count;
  const uint8_t* src = t.data() + first * row;
  return HostTensor::Owned(t.dtype(), s, std::vector<uint8_t>(src, src + count * row));
}

// The plain Conv of `p` into y ([N, M, spatial...]). With per-group windows each group runs as a Conv
// of its own (its window, its input channels, its weights) into its output channels.
Status PlainReference(const ConvProblem& p, const HostTensor& x, const HostTensor& w, const HostTensor* bias,
                      HostTensor* y) {
  ConvProblem plain = p;
  plain.fusion = ConvFusion();
  plain.x_channels = 0;
  plain.x_channel_offset = 0;
  plain.group_geometry.clear();
  if (!p.fusion.per_group()) {
    if (!p.fusion.reads_slice()) return ConvReference(plain, x, w, bias, y);
    return ConvReference(plain, ChannelSlice(x, p.x_channel_offset, p.in_channels), w, bias, y);
  }
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  plain.group = 1;
  plain.in_channels = cg;
  plain.out_channels = mg;
  Shape ys = y->shape();
  ys[1] = mg;
  const size_t plane = PlaneBytes(ys, y->dtype());
  for (int64_t g = 0; g < p.group; ++g) {
    const ConvProblem::GroupGeometry& geometry = p.group_geometry[static_cast<size_t>(g)];
    for (int i = 0; i < 3; ++i) plain.axis3[i] = geometry.axis3[i];
    for (size_t i = 0; i < plain.axes.size(); ++i) plain.axes[i] = plain.axis3[3 - plain.axes.size() + i];
    const HostTensor bg = bias ? Rows(*bias, g * mg, mg) : HostTensor();
    HostTensor yg(y->dtype(), ys);
    WC_RETURN_IF_ERROR(ConvReference(plain, ChannelSlice(x, geometry.x_channel_offset, cg), Rows(w, g * mg, mg),
                                     bias ? &bg : nullptr, &yg));
    for (int64_t n = 0; n < ys[0]; ++n)
      std::memcpy(y->mutable_data() + (n * p.out_channels + g * mg) * plane, yg.data() + n * mg * plane, mg * plane);
  }
  return OkStatus();
}

// The reference runs the plain Conv into Y (its own [N, M, ...] shape: on the CPU a placed Conv's
// Concat still runs), then the fused steps over it.
Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, FromRef(ctx));
  const HostTensor* bias = p.has_bias ? ctx.inputs[2] : nullptr;
  const HostTensor& x = *ctx.inputs[0];
  if (!p.fusion.pooled()) {
    WC_RETURN_IF_ERROR(PlainReference(p, x, *ctx.inputs[1], bias, &ctx.out(0)));
    ApplyConvFusion(p, ctx.inputs, &ctx.out(0));
    return OkStatus();
  }
  // A fused AveragePool: the unpooled Conv and its steps first, then the pool.
  HostTensor full(ctx.out(0).dtype(), p.output_shape());
  WC_RETURN_IF_ERROR(PlainReference(p, x, *ctx.inputs[1], bias, &full));
  ApplyConvFusion(p, ctx.inputs, &full);
  ConvPoolReference(p, full, &ctx.out(0));
  return OkStatus();
}

// The fast CPU backend: float32 through the GEMM library; other types run the reference.
Status Cpu(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, FromRef(ctx));
  if (!ConvCpuHandles(p, ctx.inputs)) return Reference(ctx);
  return ConvCpu(p, ctx.inputs, &ctx.out(0), ctx.input_is_constant(1) ? ctx.state : nullptr, ctx.workspace);
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(ConvProblem p, ResolveFused(ctx.Attrs<ConvAttrs>(), ctx.inputs));
  // Epilogue indices run over the stored tensor (a Concat's output when placed) in 32 bits.
  if (NumElements(ConvAddendShape(p)) >= (int64_t{1} << 31))
    return BadModel("the fused Conv stores into ", ShapeString(ConvAddendShape(p)),
                    ": tensors with 2^31 or more elements are not supported by the WebGPU Conv kernel");
  return ConvGpu(p, ctx);
}

double Flops(const InferContext& ctx) {
  auto p = ResolveConv(ctx.Attrs<ConvAttrs>(), ctx.inputs[0], ctx.inputs[1], Bias(ctx.inputs));
  if (!p.ok()) return 0;
  // Fused steps are not counted: elementwise ops count as data movement (and a folded BatchNorm is gone).
  return 2.0 * static_cast<double>(p->batch * p->out_channels) * static_cast<double>(p->out_spatial()) *
         static_cast<double>(p->in_per_group() * p->kernel_volume());
}

bool AbsorbPad(const OpAttrs& attrs, const std::vector<int64_t>& begin, const std::vector<int64_t>& end, OpAttrs* out) {
  auto a = std::make_shared<ConvAttrs>(attrs.As<ConvAttrs>());
  if (!AddPadsToWindow(&a->window, begin, end)) return false;
  *out = a;
  return true;
}

}  // namespace

std::vector<OpSchema> ConvOps() {
  OpSchema conv;
  conv.op_type = "Conv";
  conv.parse = Parse;
  conv.infer = Infer;
  conv.reference = Reference;
  conv.cpu = Cpu;
  conv.gpu = Gpu;
  conv.gpu_has_quick = true;
  conv.flops = Flops;
  conv.absorb_zero_pad = AbsorbPad;
  conv.notes =
      "float16/float32/float64, W of the input's type; 1-D/2-D/3-D; explicit, VALID and SAME pads (with "
      "dilation); groups; tiled implicit GEMM on WebGPU";
  std::vector<OpSchema> rows = {conv};
  for (OpSchema& s : IntegerConvOps()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
