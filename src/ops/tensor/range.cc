// Range (opset 11): output[i] = start + i * delta for i < max(ceil((limit - start) / delta), 0).
// The length decides the output shape, so start, limit and delta must be known when planning; with the
// default folding the node is then evaluated by the reference, and the kernel runs only when folding is
// off or the output is too large to fold.
//
// The length is exact for integer types (unsigned magnitudes: no overflow on any int64 inputs). For
// floating types it is ceil of (limit - start) / delta evaluated in double on the inputs' exact values,
// so float32 inputs lose nothing in the subtraction (ONNX Runtime subtracts in float32 first).
#include <cmath>
#include <cstdint>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

Status Parse(const ParseContext& ctx, OpAttrs*) {
  return CheckInputCount(ctx, 3, 3);
}

bool IsRangeType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kInt16 || t == DType::kInt32 ||
         t == DType::kInt64;
}

struct Params {
  DType type = DType::kUndefined;
  double start = 0, delta = 0;     // floating types
  int64_t istart = 0, idelta = 0;  // integer types
  int64_t count = 0;
};

Result<Params> Resolve(const HostTensor* v[3]) {
  static const char* kNames[] = {"start", "limit", "delta"};
  Params p;
  p.type = v[0]->dtype();
  if (!IsRangeType(p.type))
    return BadModel("type ", DTypeName(p.type), " is not one of float, double, int16, int32, int64");
  for (int k = 0; k < 3; ++k) {
    if (v[k]->dtype() != p.type)
      return BadModel(kNames[k], " has type ", DTypeName(v[k]->dtype()), ", start has ", DTypeName(p.type));
    if (v[k]->num_elements() != 1)  // a scalar; exporters sometimes write shape [1]
      return BadModel(kNames[k], " must be a scalar, got shape ", ShapeString(v[k]->shape()));
  }
  if (IsFloat(p.type)) {
    const double start = v[0]->GetDouble(0), limit = v[1]->GetDouble(0), delta = v[2]->GetDouble(0);
    if (!std::isfinite(start) || !std::isfinite(limit) || !std::isfinite(delta))
      return BadModel("start ", start, ", limit ", limit, " and delta ", delta, " must be finite");
    if (delta == 0) return BadModel("delta is 0, so the range never reaches limit ", limit);
    const double q = std::ceil((limit - start) / delta);
    if (!(q <= static_cast<double>(kMaxElements)))
      return BadModel("the range from ", start, " to ", limit, " by ", delta, " has more than 2^40 elements");
    p.start = start;
    p.delta = delta;
    p.count = q > 0 ? static_cast<int64_t>(q) : 0;
    return p;
  }
  const int64_t start = v[0]->GetInt(0), limit = v[1]->GetInt(0), delta = v[2]->GetInt(0);
  if (delta == 0) return BadModel("delta is 0, so the range never reaches limit ", limit);
  // Magnitudes in uint64: |limit - start| < 2^64 always, so the wrapped subtraction is exact.
  uint64_t count = 0;
  if ((limit > start && delta > 0) || (limit < start && delta < 0)) {
    const uint64_t span = limit > start ? static_cast<uint64_t>(limit) - static_cast<uint64_t>(start)
                                        : static_cast<uint64_t>(start) - static_cast<uint64_t>(limit);
    const uint64_t step = delta < 0 ? 0 - static_cast<uint64_t>(delta) : static_cast<uint64_t>(delta);
    count = span / step + (span % step != 0);
  }
  if (count > static_cast<uint64_t>(kMaxElements))
    return BadModel("the range from ", start, " to ", limit, " by ", delta, " has more than 2^40 elements");
  p.istart = start;
  p.idelta = delta;
  p.count = static_cast<int64_t>(count);
  return p;
}

Result<Params> ResolveInfos(const std::vector<TensorInfo>& in) {
  const HostTensor* v[3];
  for (int k = 0; k < 3; ++k) {
    v[k] = in[k].constant;
    if (!v[k]) return BadModel("input ", k, " must be known when the graph is planned");
  }
  return Resolve(v);
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(Params p, ResolveInfos(ctx.inputs));
  ctx.outputs[0].dtype = p.type;
  ctx.outputs[0].shape = {p.count};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor* v[3] = {ctx.inputs[0], ctx.inputs[1], ctx.inputs[2]};
  WC_ASSIGN_OR_RETURN(Params p, Resolve(v));
  HostTensor& y = ctx.out(0);
  for (int64_t i = 0; i < p.count; ++i) {
    if (IsFloat(p.type)) {
      y.SetDouble(i, p.start + static_cast<double>(i) * p.delta);
    } else {
      // Every value lies between start and limit, so the wrapped unsigned sum is the exact one.
      const uint64_t s = static_cast<uint64_t>(p.istart), d = static_cast<uint64_t>(p.idelta);
      y.SetInt(i, static_cast<int64_t>(s + static_cast<uint64_t>(i) * d));
    }
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(Params p, ResolveInfos(ctx.inputs));
  WC_RETURN_IF_ERROR(CheckGpuElements({p.count}, "output"));
  if (p.count == 0) return OkStatus();
  const gpu::ScalarType t = GpuType(p.type);
  gpu::KernelBuilder b(std::string("range_") + gpu::WgslType(t));
  b.Output("Y", t);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(p.count));
  if (t == gpu::ScalarType::kF32) {
    u.AddF32("start", static_cast<float>(p.start));
    u.AddF32("delta", static_cast<float>(p.delta));
    // One rounding, as the reference: f32(i) is exact below 2^24, and fma rounds the exact product-sum.
    b.Body(ElementwiseMain("Y[i] = fma(f32(i), u.delta, u.start);"));
  } else {
    // Wrapped unsigned arithmetic gives the exact last value: it lies between start and limit.
    const int64_t last =
        static_cast<int64_t>(static_cast<uint64_t>(p.istart) +
                             static_cast<uint64_t>(p.count - 1) * static_cast<uint64_t>(p.idelta));
    for (int64_t v : {p.istart, p.idelta, last})
      if (v < INT32_MIN || v > INT32_MAX)
        return BadModel("range value ", v, " is outside the 32-bit range the WebGPU backend stores");
    u.AddI32("start", static_cast<int32_t>(p.istart));
    u.AddI32("delta", static_cast<int32_t>(p.idelta));
    b.Body(ElementwiseMain("Y[i] = u.start + i32(i) * u.delta;"));
  }
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.count), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> RangeRows() {
  OpSchema s;
  s.op_type = "Range";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {0, 1, 2};
  return {s};
}

}  // namespace webconv::ops::tensor
