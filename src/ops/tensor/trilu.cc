// Trilu (opset 14): keeps the upper (upper=1, the default) or lower triangle of the last two axes of every
// matrix, from diagonal k on (input 1, an optional int64 scalar: 0 is the main diagonal, positive above it),
// and zeroes the rest. Element (r, c) is kept when c - r >= k (upper) or c - r <= k (lower). k must be known
// when the graph is planned (a constant, or a graph input bound at run time).
#include <algorithm>
#include <cstring>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct TriluAttrs {
  bool upper = true;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 2));
  auto a = std::make_shared<TriluAttrs>();
  int64_t upper = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("upper", 1, &upper));
  if (upper != 0 && upper != 1) return BadModel("attribute upper must be 0 or 1, got ", upper);
  a->upper = upper == 1;
  *out = a;
  return OkStatus();
}

// The diagonal offset: input 1 when given, else 0.
Result<int64_t> Diagonal(size_t inputs, const HostTensor* k) {
  if (inputs < 2) return int64_t{0};
  if (!k) return BadModel("input 1 (k) must be known when the graph is planned");
  if (k->dtype() != DType::kInt64) return BadModel("k has type ", DTypeName(k->dtype()), ", expected int64");
  if (k->num_elements() != 1) return BadModel("k must be a scalar, got shape ", ShapeString(k->shape()));
  return k->GetInt(0);
}

Status CheckShape(const Shape& s) {
  if (s.size() < 2) return BadModel("the input has rank ", s.size(), ": Trilu needs at least 2 axes (a matrix)");
  return OkStatus();
}

const HostTensor* KInput(const std::vector<TensorInfo>& in) {
  return in.size() > 1 && in[1].present ? in[1].constant : nullptr;
}

size_t PresentInputs(const std::vector<TensorInfo>& in) {
  return in.size() > 1 && in[1].present ? 2 : 1;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  WC_RETURN_IF_ERROR(CheckMovableType(x.dtype));
  WC_RETURN_IF_ERROR(CheckShape(x.shape));
  WC_RETURN_IF_ERROR(Diagonal(PresentInputs(ctx.inputs), KInput(ctx.inputs)).status());
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = x.shape;
  return OkStatus();
}

bool Kept(bool upper, int64_t r, int64_t c, int64_t k) {
  return upper ? c - r >= k : c - r <= k;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<TriluAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const bool has_k = ctx.inputs.size() > 1 && ctx.inputs[1];
  WC_ASSIGN_OR_RETURN(int64_t k, Diagonal(has_k ? 2 : 1, has_k ? ctx.inputs[1] : nullptr));
  WC_RETURN_IF_ERROR(CheckShape(x.shape()));
  HostTensor& y = ctx.out(0);
  const Shape& s = x.shape();
  const int64_t rows = s[s.size() - 2], cols = s[s.size() - 1];
  const int64_t n = x.num_elements();
  const size_t bytes = DTypeSize(x.dtype());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % cols, r = (i / cols) % rows;
    if (Kept(a.upper, r, c, k)) CopyElement(x, i, y, i);
    else std::memset(y.mutable_data() + i * bytes, 0, bytes);  // zero bits: 0 in every numeric type
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<TriluAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(int64_t k, Diagonal(PresentInputs(ctx.inputs), KInput(ctx.inputs)));
  WC_RETURN_IF_ERROR(CheckShape(x.shape));
  WC_RETURN_IF_ERROR(CheckGpuElements(x.shape, "input"));
  const int64_t n = NumElements(x.shape);
  if (n == 0) return OkStatus();
  const int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape[x.shape.size() - 1];
  // Beyond the matrix's own extents every k keeps all or nothing: clamp it into i32.
  const int64_t kc = std::max<int64_t>(-(rows + 1), std::min<int64_t>(k, cols + 1));
  // 4-byte words whatever the type (tensor_common.h): zero bits are 0 in f32, i32 and u32.
  gpu::KernelBuilder b(std::string("trilu_b32_") + (a.upper ? "upper" : "lower"));
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rows", static_cast<uint32_t>(rows));
  u.AddU32("cols", static_cast<uint32_t>(cols));
  u.AddI32("k", static_cast<int32_t>(kc));
  const std::string keep = a.upper ? "d >= u.k" : "d <= u.k";
  b.Body(ElementwiseMain("let c = i32(i % u.cols);\n  let r = i32((i / u.cols) % u.rows);\n  let d = c - r;\n"
                         "  Y[i] = select(0u, X[i], " + keep + ");"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> TriluRows() {
  OpSchema s;
  s.op_type = "Trilu";
  s.min_opset = 14;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1};
  s.notes = "every numeric type (4-byte words on WebGPU)";
  return {s};
}

}  // namespace webconv::ops::tensor
