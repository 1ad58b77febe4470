// HannWindow, HammingWindow and BlackmanWindow (opset 17): a 1-D window of `size` values (input 0, an
// int32 or int64 scalar known when the graph is planned), w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N)
// with N = size (periodic=1, the default) or size - 1 (periodic=0), in output_datatype (default float32):
//   Hann a0 = a1 = 0.5; Hamming a0 = 25/46, a1 = 21/46; Blackman a0 = 0.42, a1 = 0.5, a2 = 0.08.
// A symmetric window of one value (N = 0) is [1], as numpy's and PyTorch's windows are; ONNX's formula
// divides by zero there.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct WindowAttrs {
  double a0 = 0.5, a1 = 0.5, a2 = 0;
  const char* name = "hann";
  DType dtype = DType::kFloat32;
  bool periodic = true;
};

Status Parse(const ParseContext& ctx, OpAttrs* out, const WindowAttrs& kind) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<WindowAttrs>(kind);
  int64_t dtype = 1, periodic = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("output_datatype", 1, &dtype));
  if (!DTypeFromInt(dtype, &a->dtype) || !(IsFloat(a->dtype) || IsInteger(a->dtype)) || !IsSupportedDType(a->dtype))
    return BadModel("attribute output_datatype is ", dtype, ": a float or integer type is needed");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("periodic", 1, &periodic));
  if (periodic != 0 && periodic != 1) return BadModel("attribute periodic must be 0 or 1, got ", periodic);
  a->periodic = periodic == 1;
  *out = a;
  return OkStatus();
}

Status ParseHann(const ParseContext& ctx, OpAttrs* out) { return Parse(ctx, out, {0.5, 0.5, 0, "hann"}); }
Status ParseHamming(const ParseContext& ctx, OpAttrs* out) {
  return Parse(ctx, out, {25.0 / 46.0, 21.0 / 46.0, 0, "hamming"});
}
Status ParseBlackman(const ParseContext& ctx, OpAttrs* out) {
  return Parse(ctx, out, {0.42, 0.5, 0.08, "blackman"});
}

Result<int64_t> Size(const TensorInfo& in) {
  if (in.dtype != DType::kInt64 && in.dtype != DType::kInt32)
    return BadModel("size has type ", DTypeName(in.dtype), ": int64 or int32 is needed");
  if (NumElements(in.shape) != 1) return BadModel("size must be a scalar, got shape ", ShapeString(in.shape));
  if (!in.constant) return BadModel("input 0 (size) must be known when the graph is planned");
  const int64_t size = in.constant->GetInt(0);
  if (size < 0) return BadModel("size is ", size, ": it must be >= 0");
  return size;
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<WindowAttrs>();
  WC_ASSIGN_OR_RETURN(int64_t size, Size(ctx.inputs[0]));
  ctx.outputs[0].dtype = a.dtype;
  ctx.outputs[0].shape = {size};
  return OkStatus();
}

// The angle step 2 pi / N; 0 marks a one-value symmetric window (N = 0), which is [1].
double Step(const WindowAttrs& a, int64_t size) {
  const int64_t n = a.periodic ? size : size - 1;
  return n > 0 ? 2.0 * M_PI / static_cast<double>(n) : 0.0;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<WindowAttrs>();
  WC_ASSIGN_OR_RETURN(int64_t size, Size(ctx.input_infos()[0]));
  HostTensor& y = ctx.out(0);
  const double step = Step(a, size);
  for (int64_t n = 0; n < size; ++n) {
    const double t = step * static_cast<double>(n);
    const double v = step == 0 ? 1.0 : a.a0 - a.a1 * std::cos(t) + a.a2 * std::cos(2 * t);
    y.SetDouble(n, v);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<WindowAttrs>();
  WC_ASSIGN_OR_RETURN(int64_t size, Size(ctx.inputs[0]));
  if (!IsGpuFloat(a.dtype))
    return BadModel("the WebGPU kernel writes float32 or float16 windows, not ", DTypeName(a.dtype));
  WC_RETURN_IF_ERROR(CheckGpuElements({size}, "output"));
  if (size == 0) return OkStatus();
  gpu::KernelBuilder b(std::string(a.name) + "_window");
  b.Output("Y", gpu::ScalarType::kF32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(size));
  u.AddF32("step", static_cast<float>(Step(a, size)));
  u.AddF32("a0", static_cast<float>(a.a0));
  u.AddF32("a1", static_cast<float>(a.a1));
  u.AddF32("a2", static_cast<float>(a.a2));
  // WGSL's cos is bounded only by 2^-11 absolute (SwiftShader's was 1e-4 off): sin_cos_acc instead.
  b.Body(WgslMathFunctions(kMathSinCos) +
         ElementwiseMain("let t = u.step * f32(i);\n"
                         "  let w = u.a0 - u.a1 * sin_cos_acc(t).y + u.a2 * sin_cos_acc(2.0 * t).y;\n"
                         "  Y[i] = select(w, 1.0, u.step == 0.0);"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(size), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::Out(0)}, groups);
  return OkStatus();
}

OpSchema Row(const char* op, ParseFn parse) {
  OpSchema s;
  s.op_type = op;
  s.min_opset = 17;
  s.parse = parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {0};
  s.notes = "size known when planned; float32 and float16 on WebGPU, every float and integer type on the CPU";
  return s;
}

}  // namespace

std::vector<OpSchema> WindowRows() {
  return {Row("HannWindow", ParseHann), Row("HammingWindow", ParseHamming), Row("BlackmanWindow", ParseBlackman)};
}

}  // namespace webconv::ops::tensor
