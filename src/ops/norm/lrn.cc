// LRN, local response normalization across channels (opsets 1 and 13; AlexNet- and GoogLeNet-era models):
//   y[n, c, ...] = x[n, c, ...] / (bias + alpha / size * sum of x[n, c', ...]^2)^beta
// over c' from max(0, c - floor((size - 1) / 2)) to min(C - 1, c + ceil((size - 1) / 2)).
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/norm/row_norm.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

struct LrnAttrs {
  double alpha = 1e-4, beta = 0.75, bias = 1.0;
  int64_t size = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<LrnAttrs>();
  float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
  WC_RETURN_IF_ERROR(ctx.attrs.Float("alpha", 1e-4f, &alpha));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("beta", 0.75f, &beta));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("bias", 1.0f, &bias));
  if (!ctx.attrs.Has("size")) return BadModel("attribute 'size' is required");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("size", 0, &a->size));
  if (a->size < 1 || a->size > (int64_t{1} << 20)) return BadModel("size is ", a->size, ": it must be in [1, 2^20]");
  a->alpha = alpha;
  a->beta = beta;
  a->bias = bias;
  *out = a;
  return OkStatus();
}

struct LrnShape {
  int64_t batch = 0, channels = 0, inner = 0;  // X is [batch, channels, inner...]
  int64_t before = 0, after = 0;                // the window: c - before .. c + after
};

Result<LrnShape> Resolve(const LrnAttrs& a, const TensorInfo& x) {
  if (!IsFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ": a float type is needed");
  if (x.shape.size() < 2) return BadModel("X has shape ", ShapeString(x.shape), ": it must be [N, C, ...]");
  LrnShape s;
  s.batch = x.shape[0];
  s.channels = x.shape[1];
  s.inner = NumElements(Shape(x.shape.begin() + 2, x.shape.end()));
  s.before = (a.size - 1) / 2;
  s.after = a.size - 1 - s.before;
  return s;
}

Status Infer(InferContext& ctx) {
  WC_RETURN_IF_ERROR(Resolve(ctx.Attrs<LrnAttrs>(), ctx.inputs[0]).status());
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = ctx.inputs[0].shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<LrnAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(const LrnShape s, Resolve(a, ctx.input_infos()[0]));
  HostTensor& y = ctx.out(0);
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t c = 0; c < s.channels; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - s.before), hi = std::min(s.channels - 1, c + s.after);
      for (int64_t k = 0; k < s.inner; ++k) {
        double sum = 0;
        for (int64_t j = lo; j <= hi; ++j) {
          const double v = x.GetDouble((n * s.channels + j) * s.inner + k);
          sum += v * v;
        }
        const int64_t i = (n * s.channels + c) * s.inner + k;
        y.SetDouble(i, x.GetDouble(i) / std::pow(a.bias + a.alpha / static_cast<double>(a.size) * sum, a.beta));
      }
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<LrnAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  if (!IsGpuFloat(x.dtype)) return BadModel("X has type ", DTypeName(x.dtype), ", which WebGPU does not hold");
  WC_ASSIGN_OR_RETURN(const LrnShape s, Resolve(a, x));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(x.shape, "X"));
  const uint64_t n = static_cast<uint64_t>(NumElements(x.shape));
  if (n == 0) return OkStatus();
  gpu::KernelBuilder b("lrn");
  b.Input("X", gpu::ScalarType::kF32).Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("channels", static_cast<uint32_t>(s.channels));
  u.AddU32("inner", static_cast<uint32_t>(s.inner));
  u.AddU32("before", static_cast<uint32_t>(std::min<int64_t>(s.before, s.channels)));
  u.AddU32("after", static_cast<uint32_t>(std::min<int64_t>(s.after, s.channels)));
  u.AddF32("scale", static_cast<float>(a.alpha / static_cast<double>(a.size)));
  u.AddF32("bias", static_cast<float>(a.bias));
  u.AddF32("beta", static_cast<float>(a.beta));
  // pow_acc: WGSL's pow has no useful error bound (wgsl_math.h).
  b.Body(WgslMathFunctions(kMathPow) +
         ElementwiseMain("let k = i % u.inner;\n"
                         "  let c = (i / u.inner) % u.channels;\n"
                         "  let plane = i - (c * u.inner + k);  // element (n, 0, 0...)\n"
                         "  let lo = select(0u, c - u.before, c >= u.before);\n"
                         "  let hi = min(u.channels - 1u, c + u.after);\n"
                         "  var sum = 0.0;\n"
                         "  for (var j = lo; j <= hi; j++) {\n"
                         "    let v = X[plane + j * u.inner + k];\n"
                         "    sum = fma(v, v, sum);\n"
                         "  }\n"
                         "  Y[i] = X[i] / pow_acc(u.bias + u.scale * sum, u.beta);"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> LrnRows() {
  OpSchema s;
  s.op_type = "LRN";
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "across channels (input 1's axis); size in [1, 2^20]";
  return {s};
}

}  // namespace webconv::ops
