// ConvInteger (opset 10) and QLinearConv (opset 10): Conv over 8-bit integers with zero points, every
// window form the float Conv takes (1-D/2-D/3-D, pads, auto_pad, strides, dilations, groups).
//   ConvInteger:  y (int32) = sum over the window of (x - x_zero_point) * (w - w_zero_point)
//   QLinearConv:  y = saturate(round_half_to_even(float(acc + B) * M) + y_zero_point), with acc as above,
//                 B the optional int32 bias and M = x_scale * w_scale / y_scale in float32
// x_zero_point and the scales of x and y are single values; w's zero point and scale are single values or
// one per output channel. Sums are exact in int32 (wrapping as int32 does, where a sum overflows).
// QLinearConv requantizes in float32, as ONNX Runtime does (ONNX's reference multiplies in float64;
// the two differ only where float32 rounds a product across a .5 boundary).
//
// WebGPU: a direct kernel, one invocation per output element (integer sums need no tiling to be exact;
// these layers are not yet tuned for speed). M is divided with the correctly rounded divide()
// (wgsl_math.h), so every backend forms the same float32 M.

#include "ops/cast/requantize.h"
#include "ops/conv/conv.h"
#include "ops/elementwise/elementwise.h"
#include "ops/families.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct IntegerConvAttrs {
  ConvAttrs conv;
  bool qlinear = false;
};

Status Parse(const ParseContext& ctx, OpAttrs* out, bool qlinear) {
  WC_RETURN_IF_ERROR(qlinear ? CheckInputCount(ctx, 8, 9) : CheckInputCount(ctx, 2, 4));
  auto a = std::make_shared<IntegerConvAttrs>();
  a->qlinear = qlinear;
  WC_RETURN_IF_ERROR(ParseWindowAttrs(ctx.attrs, false, &a->conv.window));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("group", 1, &a->conv.group));
  if (a->conv.group < 1) return BadModel("group ", a->conv.group, " must be at least 1");
  *out = a;
  return OkStatus();
}

Status ParseConvInteger(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, false); }
Status ParseQLinearConv(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, true); }

// Where each input sits: ConvInteger (x, w, x_zp, w_zp); QLinearConv (x, x_scale, x_zp, w, w_scale,
// w_zp, y_scale, y_zp, B). -1: the op has no such input.
struct Slots {
  int x, w, x_zp, w_zp, x_scale, w_scale, y_scale, y_zp, bias;
};
constexpr Slots kConvInteger = {0, 1, 2, 3, -1, -1, -1, -1, -1};
constexpr Slots kQLinear = {0, 3, 2, 5, 1, 4, 6, 7, 8};

// One value, or (per_channel) one per output channel.
Status CheckParameter(const TensorInfo* t, const char* what, DType want, int64_t channels, bool per_channel) {
  if (!t) return OkStatus();
  if (t->dtype != want) return BadModel(what, " has type ", DTypeName(t->dtype), ", expected ", DTypeName(want));
  const int64_t n = NumElements(t->shape);
  if (t->shape.size() > 1 || !(n == 1 || (per_channel && n == channels)))
    return BadModel(what, " has shape ", ShapeString(t->shape), ": it must hold one value",
                    per_channel ? " or one per output channel ([" + std::to_string(channels) + "])" : std::string());
  return OkStatus();
}

Result<ConvProblem> Resolve(const IntegerConvAttrs& a, const std::vector<TensorInfo>& in) {
  const Slots s = a.qlinear ? kQLinear : kConvInteger;
  const TensorInfo& x = in[static_cast<size_t>(s.x)];
  const TensorInfo& w = in[static_cast<size_t>(s.w)];
  if (!IsByteType(x.dtype) || !IsByteType(w.dtype))
    return BadModel("x and w have types ", DTypeName(x.dtype), " and ", DTypeName(w.dtype), ": uint8 or int8 each");
  WC_ASSIGN_OR_RETURN(ConvProblem p, ResolveConvGeometry(a.conv, x, w, nullptr));
  const int64_t m = p.out_channels;
  WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.x_zp), "x_zero_point", x.dtype, m, false));
  WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.w_zp), "w_zero_point", w.dtype, m, true));
  if (a.qlinear) {
    for (int i : {s.x_scale, s.w_scale, s.y_scale, s.y_zp})
      if (!PresentInput(in, i)) return BadModel("input ", i, " is required");
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.x_scale), "x_scale", DType::kFloat32, m, false));
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.w_scale), "w_scale", DType::kFloat32, m, true));
    WC_RETURN_IF_ERROR(CheckParameter(PresentInput(in, s.y_scale), "y_scale", DType::kFloat32, m, false));
    const TensorInfo* y_zp = PresentInput(in, s.y_zp);
    if (!IsByteType(y_zp->dtype)) return BadModel("y_zero_point has type ", DTypeName(y_zp->dtype), ": uint8 or int8");
    WC_RETURN_IF_ERROR(CheckParameter(y_zp, "y_zero_point", y_zp->dtype, m, false));
    if (const TensorInfo* b = PresentInput(in, s.bias)) {
      if (b->dtype != DType::kInt32) return BadModel("B has type ", DTypeName(b->dtype), ", expected int32");
      if (b->shape != Shape{m}) return BadModel("B has shape ", ShapeString(b->shape), ", expected [", m, "]");
      p.has_bias = true;
    }
  }
  return p;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<IntegerConvAttrs>();
  WC_ASSIGN_OR_RETURN(ConvProblem p, Resolve(a, ctx.inputs));
  ctx.outputs[0].dtype = a.qlinear ? ctx.inputs[static_cast<size_t>(kQLinear.y_zp)].dtype : DType::kInt32;
  ctx.outputs[0].shape = p.output_shape();
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<IntegerConvAttrs>();
  WC_ASSIGN_OR_RETURN(ConvProblem p, Resolve(a, ctx.input_infos()));
  const Slots s = a.qlinear ? kQLinear : kConvInteger;
  auto in = [&](int i) -> const HostTensor* {
    return i >= 0 && static_cast<size_t>(i) < ctx.inputs.size() ? ctx.inputs[static_cast<size_t>(i)] : nullptr;
  };
  const HostTensor& x = *in(s.x);
  const HostTensor& w = *in(s.w);
  const HostTensor *x_zp = in(s.x_zp), *w_zp = in(s.w_zp), *bias = in(s.bias);
  const int64_t x_zero = x_zp ? x_zp->GetInt(0) : 0;
  const AxisGeometry* g = p.axis3;
  const int64_t cg = p.in_per_group(), mg = p.out_per_group(), kvol = p.kernel_volume();
  HostTensor& y = ctx.out(0);
  int64_t out_index = 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const int64_t group = m / mg;
      const int64_t w_zero = w_zp ? w_zp->GetInt(w_zp->num_elements() == 1 ? 0 : m) : 0;
      for (int64_t od = 0; od < g[0].out; ++od)
        for (int64_t oh = 0; oh < g[1].out; ++oh)
          for (int64_t ow = 0; ow < g[2].out; ++ow, ++out_index) {
            int64_t acc = 0;
            for (int64_t c = 0; c < cg; ++c)
              for (int64_t kd = 0; kd < g[0].kernel; ++kd)
                for (int64_t kh = 0; kh < g[1].kernel; ++kh)
                  for (int64_t kw = 0; kw < g[2].kernel; ++kw) {
                    const int64_t id = od * g[0].stride - g[0].pad_begin + kd * g[0].dilation;
                    const int64_t ih = oh * g[1].stride - g[1].pad_begin + kh * g[1].dilation;
                    const int64_t iw = ow * g[2].stride - g[2].pad_begin + kw * g[2].dilation;
                    // Padding holds the zero point: it contributes nothing, as in ONNX's reference.
                    if (id < 0 || id >= g[0].in || ih < 0 || ih >= g[1].in || iw < 0 || iw >= g[2].in) continue;
                    const int64_t xi = (((n * p.in_channels + group * cg + c) * g[0].in + id) * g[1].in + ih) * g[2].in + iw;
                    const int64_t wi = ((m * cg + c) * kvol) + (kd * g[1].kernel + kh) * g[2].kernel + kw;
                    acc += (x.GetInt(xi) - x_zero) * (w.GetInt(wi) - w_zero);
                  }
            int32_t sum = WrapInt32(acc);
            if (!a.qlinear) {
              y.SetInt(out_index, sum);
              continue;
            }
            if (bias) sum = WrapInt32(int64_t{sum} + bias->GetInt(m));
            const HostTensor& ws = *in(s.w_scale);
            const float mult = RequantizeMultiplier(static_cast<float>(in(s.x_scale)->GetDouble(0)),
                                                    static_cast<float>(ws.GetDouble(ws.num_elements() == 1 ? 0 : m)),
                                                    static_cast<float>(in(s.y_scale)->GetDouble(0)));
            y.SetDouble(out_index, Requantize(sum, mult, in(s.y_zp)->GetInt(0), y.dtype()));
          }
    }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<IntegerConvAttrs>();
  WC_ASSIGN_OR_RETURN(ConvProblem p, Resolve(a, ctx.inputs));
  const Slots s = a.qlinear ? kQLinear : kConvInteger;
  const Shape out_shape = p.output_shape();
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(out_shape, "output"));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(ctx.inputs[static_cast<size_t>(s.x)].shape, "x"));
  const int64_t total = NumElements(out_shape);
  if (total == 0) return OkStatus();
  const bool has_xzp = PresentInput(ctx.inputs, s.x_zp), has_wzp = PresentInput(ctx.inputs, s.w_zp);
  const gpu::ScalarType xt = GpuType(ctx.inputs[static_cast<size_t>(s.x)].dtype);
  const gpu::ScalarType wt = GpuType(ctx.inputs[static_cast<size_t>(s.w)].dtype);
  std::string name = std::string(a.qlinear ? "qlinear_conv" : "conv_integer") + (has_xzp ? "_xz" : "") +
                     (has_wzp ? "_wz" : "") + (p.has_bias ? "_b" : "");
  gpu::KernelBuilder b(name);
  std::vector<GpuRef> refs;
  auto input = [&](const char* n, gpu::ScalarType t, int slot) {
    b.Input(n, t);
    refs.push_back(GpuContext::In(slot));
  };
  input("X", xt, s.x);
  input("W", wt, s.w);
  if (has_xzp) input("XZ", xt, s.x_zp);
  if (has_wzp) input("WZ", wt, s.w_zp);
  if (a.qlinear) {
    input("XS", gpu::ScalarType::kF32, s.x_scale);
    input("WS", gpu::ScalarType::kF32, s.w_scale);
    input("YS", gpu::ScalarType::kF32, s.y_scale);
    input("YZ", GpuType(ctx.outputs[0].dtype), s.y_zp);
    if (p.has_bias) input("B", gpu::ScalarType::kI32, s.bias);
  }
  const gpu::ScalarType yt = a.qlinear ? GpuType(ctx.outputs[0].dtype) : gpu::ScalarType::kI32;
  b.Output("Y", yt);
  refs.push_back(GpuContext::Out(0));
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(total));
  u.AddU32("in_channels", static_cast<uint32_t>(p.in_channels));
  u.AddU32("out_channels", static_cast<uint32_t>(p.out_channels));
  u.AddU32("cg", static_cast<uint32_t>(p.in_per_group()));
  u.AddU32("mg", static_cast<uint32_t>(p.out_per_group()));
  u.AddU32("wz_per_channel", has_wzp && NumElements(ctx.inputs[static_cast<size_t>(s.w_zp)].shape) > 1 ? 1u : 0u);
  u.AddU32("ws_per_channel", a.qlinear && NumElements(ctx.inputs[static_cast<size_t>(s.w_scale)].shape) > 1 ? 1u : 0u);
  const char* axes[3] = {"d", "h", "w"};
  for (int i = 0; i < 3; ++i) {
    const AxisGeometry& g = p.axis3[i];
    const std::string x = axes[i];
    u.AddU32("in_" + x, static_cast<uint32_t>(g.in));
    u.AddU32("out_" + x, static_cast<uint32_t>(g.out));
    u.AddU32("k_" + x, static_cast<uint32_t>(g.kernel));
    u.AddI32("stride_" + x, static_cast<int32_t>(g.stride));
    u.AddI32("dil_" + x, static_cast<int32_t>(g.dilation));
    u.AddI32("pad_" + x, static_cast<int32_t>(g.pad_begin));
  }
  std::string body =
      "var rest = i;\n"
      "  let ow = rest % u.out_w; rest = rest / u.out_w;\n"
      "  let oh = rest % u.out_h; rest = rest / u.out_h;\n"
      "  let od = rest % u.out_d; rest = rest / u.out_d;\n"
      "  let m = rest % u.out_channels;\n"
      "  let n = rest / u.out_channels;\n"
      "  let first = (m / u.mg) * u.cg;\n" +
      std::string(has_xzp ? "  let xz = i32(XZ[0]);\n" : "  let xz = 0;\n") +
      std::string(has_wzp ? "  let wz = i32(WZ[select(0u, m, u.wz_per_channel == 1u)]);\n" : "  let wz = 0;\n") +
      "  var acc = 0;\n"
      "  for (var c = 0u; c < u.cg; c = c + 1u) {\n"
      "    for (var kd = 0u; kd < u.k_d; kd = kd + 1u) {\n"
      "      let id = i32(od) * u.stride_d - u.pad_d + i32(kd) * u.dil_d;\n"
      "      if (id < 0 || id >= i32(u.in_d)) { continue; }\n"
      "      for (var kh = 0u; kh < u.k_h; kh = kh + 1u) {\n"
      "        let ih = i32(oh) * u.stride_h - u.pad_h + i32(kh) * u.dil_h;\n"
      "        if (ih < 0 || ih >= i32(u.in_h)) { continue; }\n"
      "        for (var kw = 0u; kw < u.k_w; kw = kw + 1u) {\n"
      "          let iw = i32(ow) * u.stride_w - u.pad_w + i32(kw) * u.dil_w;\n"
      "          if (iw < 0 || iw >= i32(u.in_w)) { continue; }\n"
      "          let xi = (((n * u.in_channels + first + c) * u.in_d + u32(id)) * u.in_h + u32(ih)) * u.in_w + u32(iw);\n"
      "          let wi = ((m * u.cg + c) * u.k_d + kd) * u.k_h * u.k_w + kh * u.k_w + kw;\n"
      "          acc = acc + (i32(X[xi]) - xz) * (i32(W[wi]) - wz);\n"
      "        }\n      }\n    }\n  }\n";
  if (a.qlinear && p.has_bias) body += "  acc = acc + B[m];\n";
  b.Body(IntegerProductWgsl(body, a.qlinear, ctx.outputs[0].dtype, "XS[0]",
                            "WS[select(0u, m, u.ws_per_channel == 1u)]"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(total), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, refs, groups);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 10;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "uint8/int8; 1-D/2-D/3-D, pads, auto_pad, strides, dilations, groups; w's zero point (and scale) per "
            "tensor or per output channel; a direct (untuned) kernel on WebGPU";
  return s;
}

}  // namespace

std::vector<OpSchema> IntegerConvOps() {
  return {Row("ConvInteger", ParseConvInteger), Row("QLinearConv", ParseQLinearConv)};
}

}  // namespace webconv::ops
