// DFT and STFT (opset 17). Complex values are a trailing axis of 2 (real, imaginary); a real input has a
// trailing axis of 1.
//   DFT: along `axis` (default 1), of length n = dft_length (input 1, known when planning) or the axis's
//   own length: the input is cut or zero-padded to n. Y[k] = sum_j x[j] e^(-2 pi i jk / n); `inverse`
//   takes e^(+...) and divides by n; `onesided` (a real input) keeps the n/2 + 1 first bins.
//   STFT: signal [batch, length, 1 or 2], frames of frame_length (the window's length, or input 3) every
//   frame_step (input 1) samples, each multiplied by the window (input 2, default ones) and transformed:
//   Y [batch, frames, bins, 2], frames = 1 + (length - frame_length) / frame_step, bins frame_length / 2 + 1
//   when onesided (default, real signals) else frame_length.
// Direct sums, O(n) per output value: the reference in double, the WebGPU kernel in float32 with each
// twiddle angle reduced exactly (j * k mod n in integers) and its cosine and sine from polynomials.
#include <cmath>
#include <utility>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr int64_t kMaxLength = int64_t{1} << 16;  // j * k stays below 2^32 in the kernel's index arithmetic

struct DftAttrs {
  int64_t axis = 1;
  bool inverse = false, onesided = false;
};

Status ParseDft(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 2));
  auto a = std::make_shared<DftAttrs>();
  int64_t inverse = 0, onesided = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 1, &a->axis));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("inverse", 0, &inverse));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("onesided", 0, &onesided));
  if (inverse != 0 && inverse != 1) return BadModel("inverse must be 0 or 1, got ", inverse);
  if (onesided != 0 && onesided != 1) return BadModel("onesided must be 0 or 1, got ", onesided);
  if (inverse && onesided) return BadModel("onesided=1 with inverse=1 is not supported");
  a->inverse = inverse == 1;
  a->onesided = onesided == 1;
  *out = a;
  return OkStatus();
}

// One transform of length n over `count` sequences: sequence s starts at element `base(s)` of the input
// (read every `stride` elements, `in_length` of them before zeros), output bins `bins`.
struct DftProblem {
  Shape out_shape;
  int64_t outer = 1, inner = 1;  // the axes before and after the transformed one (complex axis excluded)
  int64_t in_length = 0, n = 0, bins = 0;
  bool complex_in = false, inverse = false;
};

Result<int64_t> ScalarInput(const TensorInfo& t, const char* what) {
  if (!t.constant) return BadModel(what, " must be known when the graph is planned");
  if (t.constant->num_elements() != 1 || !IsInteger(t.dtype)) return BadModel(what, " must be an integer scalar");
  return t.constant->GetInt(0);
}

Result<DftProblem> ResolveDft(const DftAttrs& a, const std::vector<TensorInfo>& in) {
  const Shape& x = in[0].shape;
  if (!IsFloat(in[0].dtype)) return BadModel("input type ", DTypeName(in[0].dtype), " is not a floating-point type");
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank < 2 || (x.back() != 1 && x.back() != 2))
    return BadModel("input has shape ", ShapeString(x), "; the last axis must be 1 (real) or 2 (complex)");
  int64_t axis = a.axis < 0 ? a.axis + rank : a.axis;
  if (axis < 0 || axis >= rank - 1) return BadModel("axis ", a.axis, " is out of range for rank ", rank, " (the last axis holds the complex parts)");
  DftProblem p;
  p.complex_in = x.back() == 2;
  p.inverse = a.inverse;
  p.in_length = x[static_cast<size_t>(axis)];
  p.n = p.in_length;
  if (in.size() > 1 && in[1].present) {
    WC_ASSIGN_OR_RETURN(p.n, ScalarInput(in[1], "dft_length"));
    if (p.n < 1) return BadModel("dft_length is ", p.n, "; it must be at least 1");
  }
  if (p.n > kMaxLength) return BadModel("a transform of length ", p.n, " is more than the 65536 supported");
  if (a.onesided && p.complex_in) return BadModel("onesided=1 needs a real input (last axis 1)");
  p.bins = a.onesided ? p.n / 2 + 1 : p.n;
  for (int64_t d = 0; d < axis; ++d) p.outer *= x[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < rank - 1; ++d) p.inner *= x[static_cast<size_t>(d)];
  p.out_shape = x;
  p.out_shape[static_cast<size_t>(axis)] = p.bins;
  p.out_shape.back() = 2;
  return p;
}

Status InferDft(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(DftProblem p, ResolveDft(ctx.Attrs<DftAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

// One bin of a direct transform in double: the sum over j < terms of sample(j) e^(sign 2 pi i jk / n),
// sample(j) giving the j-th (real, imaginary) value; the angle is reduced in integers first.
template <typename Sample>
std::pair<double, double> DftBin(int64_t terms, int64_t n, int64_t k, double sign, const Sample& sample) {
  double re = 0, im = 0;
  for (int64_t j = 0; j < terms; ++j) {
    const auto [xr, xi] = sample(j);
    const double angle = sign * kTwoPi * static_cast<double>((j * k) % n) / static_cast<double>(n);
    re += xr * std::cos(angle) - xi * std::sin(angle);
    im += xr * std::sin(angle) + xi * std::cos(angle);
  }
  return {re, im};
}

// Output value (o, k, i) from input element (o, j, i) of a complex-last layout, in double.
Status ReferenceDft(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(DftProblem p, ResolveDft(ctx.Attrs<DftAttrs>(), ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  const int64_t c = p.complex_in ? 2 : 1;
  const double sign = p.inverse ? 1.0 : -1.0, scale = p.inverse ? 1.0 / static_cast<double>(p.n) : 1.0;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t k = 0; k < p.bins; ++k)
      for (int64_t i = 0; i < p.inner; ++i) {
        const auto [re, im] = DftBin(std::min(p.n, p.in_length), p.n, k, sign, [&](int64_t j) {
          const int64_t at = ((o * p.in_length + j) * p.inner + i) * c;
          return std::pair<double, double>{x.GetDouble(at), p.complex_in ? x.GetDouble(at + 1) : 0.0};
        });
        const int64_t out = ((o * p.bins + k) * p.inner + i) * 2;
        y.SetDouble(out, re * scale);
        y.SetDouble(out + 1, im * scale);
      }
  return OkStatus();
}

// (cos, sin) of 2 pi m / n for m < n, to float32's precision: WGSL's cos and sin may be off by 2^-11
// (SwiftShader's are), which the cancelling sums of a DFT magnify. The angle is reduced exactly in
// integers to a quadrant and to [0, pi/4], where short Taylor polynomials are exact to float32.
constexpr const char* kTwiddleWgsl = R"(
fn twiddle(m: u32, n: u32) -> vec2<f32> {
  let q = (4u * m) / n;
  let rem = 4u * m - q * n;
  let flip = 2u * rem > n;
  let a = 1.5707963267948966 * f32(select(rem, n - rem, flip)) / f32(n);
  let a2 = a * a;
  let s0 = a * (1.0 - a2 / 6.0 * (1.0 - a2 / 20.0 * (1.0 - a2 / 42.0 * (1.0 - a2 / 72.0))));
  let c0 = 1.0 - a2 / 2.0 * (1.0 - a2 / 12.0 * (1.0 - a2 / 30.0 * (1.0 - a2 / 56.0 * (1.0 - a2 / 90.0))));
  let c = select(c0, s0, flip);
  let s = select(s0, c0, flip);
  switch q {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}
)";

// The WebGPU sum for one output value; `frames` (STFT) reads the frame's samples of the signal, `window`
// weighs them by W.
std::string DftSumWgsl(bool complex_in, bool frames, bool window) {
  return std::string(
             "  var re = 0.0;\n  var im = 0.0;\n"
             "  for (var j = 0u; j < u.len; j = j + 1u) {\n"
             "    let at = ") + (frames ? "(b * u.signal + f * u.step + j) * u.c" : "((o * u.in_len + j) * u.inner + inner) * u.c") +
         ";\n"
         "    let t = twiddle((j * k) % u.period, u.period);\n"
         "    let w = " + (window ? "W[j]" : "1.0") + ";\n"
         "    let xr = X[at] * w;\n"
         "    let xi = " + (complex_in ? "X[at + 1u] * w" : "0.0") + ";\n"
         "    let cs = t.x;\n    let sn = u.sign * t.y;\n"
         "    re = re + xr * cs - xi * sn;\n    im = im + xr * sn + xi * cs;\n  }\n";
}

Status GpuDft(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(DftProblem p, ResolveDft(ctx.Attrs<DftAttrs>(), ctx.inputs));
  WC_RETURN_IF_ERROR(CheckGpuElements(p.out_shape, "output"));
  const int64_t values = p.outer * p.bins * p.inner;
  if (values == 0) return OkStatus();
  gpu::KernelBuilder b(std::string("dft_") + (p.complex_in ? "complex" : "real"));
  b.Input("X", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(values));
  u.AddU32("period", static_cast<uint32_t>(p.n));
  u.AddU32("len", static_cast<uint32_t>(std::min(p.n, p.in_length)));
  u.AddU32("in_len", static_cast<uint32_t>(p.in_length));
  u.AddU32("bins", static_cast<uint32_t>(p.bins));
  u.AddU32("inner", static_cast<uint32_t>(p.inner));
  u.AddU32("c", p.complex_in ? 2u : 1u);
  u.AddF32("sign", p.inverse ? 1.0f : -1.0f);
  u.AddF32("scale", p.inverse ? static_cast<float>(1.0 / static_cast<double>(p.n)) : 1.0f);
  b.Body(std::string(kTwiddleWgsl) +
         ElementwiseMain("let inner = i % u.inner;\n  let k = (i / u.inner) % u.bins;\n  let o = i / (u.inner * u.bins);\n" +
                         DftSumWgsl(p.complex_in, false, false) +
                         "  Y[2u * i] = re * u.scale;\n  Y[2u * i + 1u] = im * u.scale;"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(values), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

struct StftAttrs {
  bool onesided = true;
};

Status ParseStft(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 4));
  auto a = std::make_shared<StftAttrs>();
  int64_t onesided = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("onesided", 1, &onesided));
  if (onesided != 0 && onesided != 1) return BadModel("onesided must be 0 or 1, got ", onesided);
  a->onesided = onesided == 1;
  *out = a;
  return OkStatus();
}

struct StftProblem {
  int64_t batch = 0, length = 0, frames = 0, frame_length = 0, step = 0, bins = 0;
  bool complex_in = false, windowed = false;
};

Result<StftProblem> ResolveStft(const StftAttrs& a, const std::vector<TensorInfo>& in) {
  const Shape& s = in[0].shape;
  if (!IsFloat(in[0].dtype)) return BadModel("signal type ", DTypeName(in[0].dtype), " is not a floating-point type");
  if (s.size() != 3 || (s[2] != 1 && s[2] != 2))
    return BadModel("signal has shape ", ShapeString(s), "; STFT needs [batch, length, 1 or 2]");
  StftProblem p;
  p.batch = s[0];
  p.length = s[1];
  p.complex_in = s[2] == 2;
  WC_ASSIGN_OR_RETURN(p.step, ScalarInput(in[1], "frame_step"));
  if (p.step < 1) return BadModel("frame_step is ", p.step, "; it must be at least 1");
  const bool has_window = in.size() > 2 && in[2].present;
  const bool has_length = in.size() > 3 && in[3].present;
  if (has_window) {
    if (in[2].shape.size() != 1) return BadModel("window has shape ", ShapeString(in[2].shape), "; it must be 1-D");
    p.frame_length = in[2].shape[0];
    p.windowed = true;
  }
  if (has_length) {
    WC_ASSIGN_OR_RETURN(const int64_t fl, ScalarInput(in[3], "frame_length"));
    if (has_window && fl != p.frame_length)
      return BadModel("frame_length is ", fl, " but the window has ", p.frame_length, " values");
    p.frame_length = fl;
  }
  if (!has_window && !has_length) return BadModel("needs a window or a frame_length");
  if (p.frame_length < 1 || p.frame_length > p.length)
    return BadModel("frame_length is ", p.frame_length, "; it must be 1 to the signal's length ", p.length);
  if (p.frame_length > kMaxLength) return BadModel("frames of ", p.frame_length, " values are more than the 65536 supported");
  if (a.onesided && p.complex_in) return BadModel("onesided=1 needs a real signal (last axis 1)");
  p.frames = 1 + (p.length - p.frame_length) / p.step;
  p.bins = a.onesided ? p.frame_length / 2 + 1 : p.frame_length;
  return p;
}

Status InferStft(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(StftProblem p, ResolveStft(ctx.Attrs<StftAttrs>(), ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = {p.batch, p.frames, p.bins, 2};
  return OkStatus();
}

Status ReferenceStft(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(StftProblem p, ResolveStft(ctx.Attrs<StftAttrs>(), ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  const HostTensor* window = p.windowed ? ctx.inputs[2] : nullptr;
  HostTensor& y = ctx.out(0);
  const int64_t c = p.complex_in ? 2 : 1;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t f = 0; f < p.frames; ++f)
      for (int64_t k = 0; k < p.bins; ++k) {
        const auto [re, im] = DftBin(p.frame_length, p.frame_length, k, -1.0, [&](int64_t j) {
          const int64_t at = (b * p.length + f * p.step + j) * c;
          const double w = window ? window->GetDouble(j) : 1.0;
          return std::pair<double, double>{x.GetDouble(at) * w, p.complex_in ? x.GetDouble(at + 1) * w : 0.0};
        });
        const int64_t out = ((b * p.frames + f) * p.bins + k) * 2;
        y.SetDouble(out, re);
        y.SetDouble(out + 1, im);
      }
  return OkStatus();
}

Status GpuStft(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(StftProblem p, ResolveStft(ctx.Attrs<StftAttrs>(), ctx.inputs));
  WC_RETURN_IF_ERROR(CheckGpuElements({p.batch, p.frames, p.bins, 2}, "output"));
  const int64_t values = p.batch * p.frames * p.bins;
  if (values == 0) return OkStatus();
  gpu::KernelBuilder b(std::string("stft_") + (p.complex_in ? "complex" : "real"));
  b.Input("X", gpu::ScalarType::kF32);
  if (p.windowed) b.Input("W", gpu::ScalarType::kF32);
  b.Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(values));
  u.AddU32("period", static_cast<uint32_t>(p.frame_length));
  u.AddU32("len", static_cast<uint32_t>(p.frame_length));
  u.AddU32("signal", static_cast<uint32_t>(p.length));
  u.AddU32("step", static_cast<uint32_t>(p.step));
  u.AddU32("bins", static_cast<uint32_t>(p.bins));
  u.AddU32("frames", static_cast<uint32_t>(p.frames));
  u.AddU32("c", p.complex_in ? 2u : 1u);
  u.AddF32("sign", -1.0f);
  b.Body(std::string(kTwiddleWgsl) +
         ElementwiseMain("let k = i % u.bins;\n  let f = (i / u.bins) % u.frames;\n  let b = i / (u.bins * u.frames);\n" +
                         DftSumWgsl(p.complex_in, true, p.windowed) + "  Y[2u * i] = re;\n  Y[2u * i + 1u] = im;"));
  // Without a window the kernel has no W binding: its weight is the constant 1 (DftSumWgsl).
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(values), kElementwiseWorkgroup, groups);
  std::vector<GpuRef> bind = {GpuContext::In(0)};
  if (p.windowed) bind.push_back(GpuContext::In(2));
  bind.push_back(GpuContext::Out(0));
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> DftRows() {
  OpSchema dft;
  dft.op_type = "DFT";
  dft.min_opset = 17;
  dft.parse = ParseDft;
  dft.infer = InferDft;
  dft.reference = ReferenceDft;
  dft.gpu = GpuDft;
  dft.host_inputs = {1};
  dft.notes = "axis an attribute (opset 17); dft_length known when planning; direct sums, O(n) per value "
              "(float32 on WebGPU), n up to 65536";
  OpSchema stft;
  stft.op_type = "STFT";
  stft.min_opset = 17;
  stft.parse = ParseStft;
  stft.infer = InferStft;
  stft.reference = ReferenceStft;
  stft.gpu = GpuStft;
  stft.host_inputs = {1, 3};
  stft.notes = "frame_step and frame_length known when planning; direct sums per frame, O(frame_length) per "
               "value (float32 on WebGPU)";
  return {dft, stft};
}

}  // namespace webconv::ops::tensor
