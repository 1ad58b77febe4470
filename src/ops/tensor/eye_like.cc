// EyeLike (opset 9): a matrix of the input's shape (rank 2) with ones on diagonal k (attribute, 0 the main
// diagonal, positive above it) and zeros elsewhere, of the type attribute dtype or else the input's. Only the
// input's shape is read, so with the default folding the node becomes a constant when the graph is planned;
// the kernel runs when folding is off or the matrix is too large to fold.
#include <algorithm>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct EyeLikeAttrs {
  DType dtype = DType::kUndefined;  // kUndefined: the input's
  int64_t k = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<EyeLikeAttrs>();
  int64_t dtype = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("dtype", 0, &dtype));
  if (dtype != 0 && !DTypeFromInt(dtype, &a->dtype))
    return BadModel("attribute dtype is ", dtype, ", not a TensorProto data type");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("k", 0, &a->k));
  *out = a;
  return OkStatus();
}

Result<DType> OutputType(const EyeLikeAttrs& a, DType input, const Shape& shape) {
  if (shape.size() != 2) return BadModel("the input has rank ", shape.size(), ": EyeLike needs a matrix (rank 2)");
  const DType t = a.dtype == DType::kUndefined ? input : a.dtype;
  if (!IsSupportedDType(t) || (!IsFloat(t) && !IsInteger(t) && t != DType::kBool))
    return BadModel("output type ", DTypeName(t), " is not supported");
  return t;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(DType t, OutputType(ctx.Attrs<EyeLikeAttrs>(), x.dtype, x.shape));
  ctx.outputs[0].dtype = t;
  ctx.outputs[0].shape = x.shape;
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<EyeLikeAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(DType t, OutputType(a, x.dtype(), x.shape()));
  HostTensor& y = ctx.out(0);
  const int64_t cols = x.shape()[1];
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    const bool one = i % cols - i / cols == a.k;
    if (IsFloat(t)) y.SetDouble(i, one ? 1.0 : 0.0);
    else y.SetInt(i, one ? 1 : 0);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<EyeLikeAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(DType t, OutputType(a, x.dtype, x.shape));
  WC_RETURN_IF_ERROR(CheckGpuElements(x.shape, "output"));
  const int64_t n = NumElements(x.shape);
  if (n == 0) return OkStatus();
  const int64_t rows = x.shape[0], cols = x.shape[1];
  // A diagonal outside the matrix sets nothing: clamp k into i32 past either side.
  const int64_t kc = std::max<int64_t>(-(rows + 1), std::min<int64_t>(a.k, cols + 1));
  const gpu::ScalarType st = GpuType(t);
  const std::string T = gpu::WgslType(st);
  gpu::KernelBuilder b("eyelike_" + T);
  b.Output("Y", st);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("cols", static_cast<uint32_t>(cols));
  u.AddI32("k", static_cast<int32_t>(kc));
  b.Body(ElementwiseMain("let d = i32(i % u.cols) - i32(i / u.cols);\n  Y[i] = select(" + T + "(0), " + T +
                         "(1), d == u.k);"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> EyeLikeRows() {
  OpSchema s;
  s.op_type = "EyeLike";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.shape_only = true;
  s.notes = "numeric and bool outputs; folded to a constant when planned (reads only the input's shape)";
  return {s};
}

}  // namespace webconv::ops::tensor
