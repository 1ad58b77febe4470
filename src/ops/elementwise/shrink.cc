// Shrink: y = x + bias where x < -lambd, x - bias where x > lambd, else 0, for every numeric type.
// Integers compare exactly against the float thresholds (as integer thresholds with "always"/"never"
// modes where a threshold lies outside the word's range) and add the bias with wraparound; a fractional
// bias on integers is rejected rather than rounded one way or another.
#include <cmath>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/unary.h"

namespace webconv::ops {
namespace {

struct ShrinkAttrs {
  double lambd = 0.5, bias = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<ShrinkAttrs>();
  float lambd = 0.5f, bias = 0.0f;
  WC_RETURN_IF_ERROR(ctx.attrs.Float("lambd", lambd, &lambd));
  WC_RETURN_IF_ERROR(ctx.attrs.Float("bias", bias, &bias));
  a->lambd = lambd;
  a->bias = bias;
  *out = a;
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<ShrinkAttrs>();
  const DType t = ctx.inputs[0].dtype;
  if (!IsFloat(t) && !IsInteger(t)) return BadModel("input type ", DTypeName(t), " is not supported");
  if (IsInteger(t) && a.bias != std::trunc(a.bias))
    return BadModel("bias ", a.bias, " is not an integer but the input type is ", DTypeName(t));
  ctx.outputs[0] = {true, t, ctx.inputs[0].shape, nullptr};
  return OkStatus();
}

// Where an integer x satisfies x < -lambd and x > lambd: x < lo and x > hi for the integer thresholds
// lo = ceil(-lambd), hi = floor(lambd), with a mode for "every x" (1) or "no x" (2) where a threshold
// lies outside [lowest, end), end being one past the type's highest value (exact as a double).
struct IntThresholds {
  double lo = 0, hi = 0;
  uint32_t lo_mode = 0, hi_mode = 0;
};

IntThresholds Thresholds(double lambd, double lowest, double end) {
  IntThresholds r;
  if (std::isnan(lambd)) {
    r.lo_mode = r.hi_mode = 2;
    return r;
  }
  r.lo = std::ceil(-lambd);
  r.hi = std::floor(lambd);
  r.lo_mode = r.lo >= end ? 1 : r.lo <= lowest ? 2 : 0;
  r.hi_mode = r.hi < lowest ? 1 : r.hi >= end - 1 ? 2 : 0;
  return r;
}

bool Holds(uint32_t mode, bool cmp) {
  return mode == 1 || (mode == 0 && cmp);
}

int64_t SaturatedBias(double bias) {
  if (bias >= 9223372036854775807.0) return INT64_MAX;
  if (bias <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(bias);
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<ShrinkAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  const DType t = x.dtype();
  const int64_t n = x.num_elements();
  if (IsFloat(t)) {
    for (int64_t i = 0; i < n; ++i) {
      const double v = x.GetDouble(i);
      y.SetDouble(i, v < -a.lambd ? v + a.bias : v > a.lambd ? v - a.bias : 0.0);
    }
    return OkStatus();
  }
  const bool u64 = t == DType::kUInt64;
  const double end = u64                  ? 18446744073709551616.0
                     : t == DType::kInt64 ? 9223372036854775808.0
                                          : static_cast<double>(TypeHighest(t)) + 1;
  const IntThresholds th = Thresholds(a.lambd, u64 ? 0.0 : static_cast<double>(TypeLowest(t)), end);
  const auto bias = static_cast<uint64_t>(SaturatedBias(a.bias));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = x.GetInt(i);
    // In-range thresholds are exact integers, so comparing in the integer domain is exact.
    const bool below =
        u64 ? static_cast<uint64_t>(v) < static_cast<uint64_t>(th.lo) : v < static_cast<int64_t>(th.lo);
    const bool above =
        u64 ? static_cast<uint64_t>(v) > static_cast<uint64_t>(th.hi) : v > static_cast<int64_t>(th.hi);
    const auto w = static_cast<uint64_t>(v);
    if (Holds(th.lo_mode, below))
      y.SetInt(i, static_cast<int64_t>(w + bias));
    else if (Holds(th.hi_mode, above))
      y.SetInt(i, static_cast<int64_t>(w - bias));
    else
      y.SetInt(i, 0);
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<ShrinkAttrs>();
  const gpu::ScalarType st = GpuType(ctx.inputs[0].dtype);
  gpu::KernelBuilder b(KernelName("unary", "shrink", {st}));
  b.Input("X", st).Output("Y", st);
  const uint64_t n = static_cast<uint64_t>(NumElements(ctx.outputs[0].shape));
  gpu::UniformBlock& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  if (st == gpu::ScalarType::kF32) {
    AddScalarUniform(u, "lo", st, -a.lambd);
    AddScalarUniform(u, "hi", st, a.lambd);
    u.AddU32("lo_mode", 0);
    u.AddU32("hi_mode", 0);
    AddScalarUniform(u, "bias", st, a.bias);
  } else {
    // Stored values lie in the word's range; the bias wraps modulo 2^32 like the reference's addition.
    const bool is_signed = st == gpu::ScalarType::kI32;
    const IntThresholds th =
        Thresholds(a.lambd, is_signed ? -2147483648.0 : 0.0, is_signed ? 2147483648.0 : 4294967296.0);
    AddScalarUniform(u, "lo", st, th.lo);
    AddScalarUniform(u, "hi", st, th.hi);
    u.AddU32("lo_mode", th.lo_mode);
    u.AddU32("hi_mode", th.hi_mode);
    const auto bits = static_cast<uint32_t>(static_cast<uint64_t>(SaturatedBias(a.bias)));
    if (is_signed)
      u.AddI32("bias", static_cast<int32_t>(bits));
    else
      u.AddU32("bias", bits);
  }
  const std::string T = gpu::WgslType(st);
  b.Body(NarrowWgsl(ctx.inputs[0].dtype) + "alias T = " + T +
         ";\n"
         "fn shrink(x: T) -> T {\n"
         "  if (u.lo_mode == 1u || (u.lo_mode == 0u && x < u.lo)) { return x + u.bias; }\n"
         "  if (u.hi_mode == 1u || (u.hi_mode == 0u && x > u.hi)) { return x - u.bias; }\n"
         "  return T(0);\n}\n" +
         ElementwiseMain("Y[i] = narrow(shrink(X[i]));"));
  uint32_t groups[3];
  gpu::LinearGrid(n, kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> ShrinkRows() {
  OpSchema s;
  s.op_type = "Shrink";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  return {s};
}

}  // namespace webconv::ops
