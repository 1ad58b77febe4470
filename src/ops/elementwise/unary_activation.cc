// Activation functions as UnaryDef rows: Relu, Sigmoid, Tanh, LeakyRelu, Clip, Elu, Selu, Celu,
// HardSigmoid, HardSwish, Softplus, Softsign, ThresholdedRelu. exp(x) - 1 goes through expm1 on both
// sides: near 0 the subtraction would leave few correct bits.
#include <algorithm>
#include <cmath>

#include "ops/elementwise/activation_loops.h"
#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/unary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using P = UnaryParams;

// double -> integer without undefined behaviour outside the target range.
int64_t SaturateInt(double v) {
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(v);
}
uint64_t SaturateUint(double v) {
  if (v >= 18446744073709551615.0) return UINT64_MAX;
  return v <= 0 ? 0 : static_cast<uint64_t>(v);
}

// Clip's bounds: the type's range unless opset < 11 attributes or the min/max inputs give them.
UnaryParams ClipBounds(const UnaryAttrs& a, DType t, const HostTensor* lo, const HostTensor* hi) {
  UnaryParams p;
  const bool is_int = !IsFloat(t);
  p.p[0] = is_int ? static_cast<double>(TypeLowest(t)) : -INFINITY;
  p.p[1] = is_int ? static_cast<double>(TypeHighest(t)) : INFINITY;
  if (t == DType::kUInt64) p.p[1] = 18446744073709551615.0;
  for (int k = 0; k < 2; ++k)
    if (a.present[k]) p.p[k] = a.params.p[k];
  if (lo) p.p[0] = lo->GetDouble(0);
  if (hi) p.p[1] = hi->GetDouble(0);
  return p;
}

// The fused-step hooks of the activations Conv kernels fuse most (UnaryDef::step_wgsl): WGSL inlined in the
// epilogue. Their CPU loops (apply_f32) are in activation_loops_cpu.cc.
std::string ReluStep(const float*) { return "y = max(y, 0.0);"; }
// An infinite bound is no bound (and has no WGSL literal); min(max()) as Clip's kernel.
std::string ClipStep(const float* p) {
  std::string e = "y";
  if (!(std::isinf(p[0]) && p[0] < 0)) e = "max(" + e + ", " + WgslF32Literal(p[0]) + ")";
  if (!(std::isinf(p[1]) && p[1] > 0)) e = "min(" + e + ", " + WgslF32Literal(p[1]) + ")";
  return "y = " + e + ";";
}
std::string LeakyReluStep(const float* p) { return "y = select(" + WgslF32Literal(p[0]) + " * y, y, y >= 0.0);"; }
std::string SigmoidStep(const float*) { return "y = 1.0 / (1.0 + exp(-y));"; }
std::string TanhStep(const float*) { return "y = tanh_acc(y);"; }
std::string HardSigmoidStep(const float* p) {
  return "y = max(0.0, min(1.0, " + WgslF32Literal(p[0]) + " * y + " + WgslF32Literal(p[1]) + "));";
}
std::string HardSwishStep(const float*) { return "y = y * max(0.0, min(1.0, y / 6.0 + 0.5));"; }

Status CheckCelu(const UnaryParams& p) {
  if (p.p[0] == 0) return BadModel("Celu alpha must not be 0 (it divides x)");
  return OkStatus();
}

constexpr UnaryDef kRelu = {
    .op = "Relu",
    .types = UnaryTypes::kNumeric,  // ONNX lists signed integers from opset 14; unsigned is the identity
    .ref = [](double x, const P&) { return x > 0 ? x : 0.0; },
    .ref_int = [](int64_t x, const P&) { return std::max<int64_t>(x, 0); },
    .ref_uint = [](uint64_t x, const P&) { return x; },
    .wgsl_f32 = "return max(x, 0.0);",
    .wgsl_i32 = "return max(x, 0);",
    .wgsl_u32 = "return x;",
    .fusable = true,
    .step_wgsl = ReluStep,
    .apply_f32 = ReluLoopF32,
};

constexpr UnaryDef kSigmoid = {
    .op = "Sigmoid",
    .ref = [](double x, const P&) { return 1.0 / (1.0 + std::exp(-x)); },
    // exp(-x) overflows to inf for x < -88 and the quotient correctly becomes 0.
    .wgsl_f32 = "return 1.0 / (1.0 + exp(-x));",
    .fusable = true,
    .step_wgsl = SigmoidStep,
};

constexpr UnaryDef kTanh = {
    .op = "Tanh",
    .ref = [](double x, const P&) { return std::tanh(x); },
    .wgsl_f32 = "return tanh_acc(x);",
    .math = kMathTanh,
    .fusable = true,
    .step_wgsl = TanhStep,
};

constexpr UnaryDef kLeakyRelu = {
    .op = "LeakyRelu",
    .ref = [](double x, const P& p) { return x >= 0 ? x : p.p[0] * x; },
    .wgsl_f32 = "return select(u.p0 * x, x, x >= 0.0);",
    .params = {{"alpha", 0.01}},
    .fusable = true,
    .tag = "lrelu",
    .step_wgsl = LeakyReluStep,
    .apply_f32 = LeakyReluLoopF32,
};

// min(max()) rather than clamp(): ONNX gives `max` when min > max, where clamp() is unspecified.
constexpr UnaryDef kClip = {
    .op = "Clip",
    .types = UnaryTypes::kNumeric,
    .ref = [](double x, const P& p) { return std::min(std::max(x, p.p[0]), p.p[1]); },
    .ref_int = [](int64_t x,
                  const P& p) { return std::min(std::max(x, SaturateInt(p.p[0])), SaturateInt(p.p[1])); },
    .ref_uint = [](uint64_t x,
                   const P& p) { return std::min(std::max(x, SaturateUint(p.p[0])), SaturateUint(p.p[1])); },
    .wgsl_f32 = "return min(max(x, u.p0), u.p1);",
    .wgsl_i32 = "return min(max(x, u.p0), u.p1);",
    .wgsl_u32 = "return min(max(x, u.p0), u.p1);",
    .params = {{"min", 0}, {"max", 0}},
    .max_inputs = 3,
    .inputs_since = 11,
    .resolve = ClipBounds,
    .fusable = true,
    .step_wgsl = ClipStep,
    .apply_f32 = ClipLoopF32,
};

constexpr UnaryDef kElu = {
    .op = "Elu",
    .ref = [](double x, const P& p) { return x >= 0 ? x : p.p[0] * std::expm1(x); },
    .wgsl_f32 = "return select(u.p0 * expm1_acc(x), x, x >= 0.0);",
    .math = kMathExpm1,
    .params = {{"alpha", 1.0}},
    .fusable = true,
};

constexpr UnaryDef kSelu = {
    .op = "Selu",
    .ref = [](double x, const P& p) { return x > 0 ? p.p[1] * x : p.p[1] * (p.p[0] * std::expm1(x)); },
    .wgsl_f32 = "return select(u.p1 * (u.p0 * expm1_acc(x)), u.p1 * x, x > 0.0);",
    .math = kMathExpm1,
    .params = {{"alpha", 1.67326319217681884765625, 1.6732}, {"gamma", 1.05070102214813232421875, 1.0507}},
    .fusable = true,
};

constexpr UnaryDef kCelu = {
    .op = "Celu",
    .since = 12,
    .ref = [](double x,
              const P& p) { return std::max(x, 0.0) + std::min(0.0, p.p[0] * std::expm1(x / p.p[0])); },
    .wgsl_f32 = "return max(x, 0.0) + min(0.0, u.p0 * expm1_acc(x / u.p0));",
    .math = kMathExpm1,
    .params = {{"alpha", 1.0}},
    .check = CheckCelu,
    .fusable = true,
};

constexpr UnaryDef kHardSigmoid = {
    .op = "HardSigmoid",
    .ref = [](double x, const P& p) { return std::max(0.0, std::min(1.0, p.p[0] * x + p.p[1])); },
    .wgsl_f32 = "return max(0.0, min(1.0, u.p0 * x + u.p1));",
    .params = {{"alpha", 0.2}, {"beta", 0.5}},
    .fusable = true,
    .tag = "hsigmoid",
    .step_wgsl = HardSigmoidStep,
    .apply_f32 = HardSigmoidLoopF32,
};

constexpr UnaryDef kHardSwish = {
    .op = "HardSwish",
    .since = 14,
    .ref = [](double x, const P&) { return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5)); },
    .wgsl_f32 = "return x * max(0.0, min(1.0, x / 6.0 + 0.5));",
    .fusable = true,
    .tag = "hswish",
    .step_wgsl = HardSwishStep,
    .apply_f32 = HardSwishLoopF32,
};

// max(x, 0) + log(1 + exp(-|x|)) never overflows, and log1p keeps the tail for very negative x.
constexpr UnaryDef kSoftplus = {
    .op = "Softplus",
    .ref = [](double x, const P&) { return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x))); },
    .wgsl_f32 = "return max(x, 0.0) + log1p_acc(exp(-abs(x)));",
    .math = kMathLog1p,
    .fusable = true,
};

constexpr UnaryDef kSoftsign = {
    .op = "Softsign",
    .ref = [](double x, const P&) { return x / (1.0 + std::fabs(x)); },
    .wgsl_f32 = "return x / (1.0 + abs(x));",
    .fusable = true,
};

constexpr UnaryDef kThresholdedRelu = {
    .op = "ThresholdedRelu",
    .since = 10,
    .ref = [](double x, const P& p) { return x > p.p[0] ? x : 0.0; },
    .wgsl_f32 = "return select(0.0, x, x > u.p0);",
    .params = {{"alpha", 1.0}},
    .fusable = true,
};

}  // namespace

std::vector<OpSchema> UnaryActivationRows() {
  return {UnaryRowOf<kRelu>(),           UnaryRowOf<kSigmoid>(),  UnaryRowOf<kTanh>(),
          UnaryRowOf<kLeakyRelu>(),      UnaryRowOf<kClip>(),     UnaryRowOf<kElu>(),
          UnaryRowOf<kSelu>(),           UnaryRowOf<kCelu>(),     UnaryRowOf<kHardSigmoid>(),
          UnaryRowOf<kHardSwish>(),      UnaryRowOf<kSoftplus>(), UnaryRowOf<kSoftsign>(),
          UnaryRowOf<kThresholdedRelu>()};
}

}  // namespace webconv::ops
