// Math functions as UnaryDef rows: Abs, Neg, Sqrt, Exp, Log, Erf, Floor, Ceil, Round, Reciprocal, Sign,
// Not, IsNaN, IsInf. Integer forms wrap like two's complement words (Abs and Neg of the
// most negative value give it back), which is what the GPU's 32-bit words do.
#include <cmath>

#include "ops/elementwise/unary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using P = UnaryParams;

int64_t WrapNeg(int64_t x) {
  return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(x));
}

constexpr UnaryDef kAbs = {
    .op = "Abs",
    .types = UnaryTypes::kNumeric,
    .ref = [](double x, const P&) { return std::fabs(x); },
    .ref_int = [](int64_t x, const P&) { return x < 0 ? WrapNeg(x) : x; },
    .ref_uint = [](uint64_t x, const P&) { return x; },
    .wgsl_f32 = "return abs(x);",
    .wgsl_i32 = "return select(x, -x, x < 0);",
    .wgsl_u32 = "return x;",
};

constexpr UnaryDef kNeg = {
    .op = "Neg",
    .types = UnaryTypes::kFloatSigned,
    .ref = [](double x, const P&) { return -x; },
    .ref_int = [](int64_t x, const P&) { return WrapNeg(x); },
    .wgsl_f32 = "return -x;",
    .wgsl_i32 = "return -x;",
};

constexpr UnaryDef kSqrt = {
    .op = "Sqrt",
    .ref = [](double x, const P&) { return std::sqrt(x); },
    .wgsl_f32 = "return select(sqrt(x), nan_f32(), x < 0.0);",
};

// WGSL's exp is within 3 + 2|x| ulp (< 2e-5 relative over the whole f32 range) and overflows to inf
// beyond 88.72 as the reference's rounding does.
constexpr UnaryDef kExp = {
    .op = "Exp",
    .ref = [](double x, const P&) { return std::exp(x); },
    .wgsl_f32 = "return exp(x);",
};

constexpr UnaryDef kLog = {
    .op = "Log",
    .ref = [](double x, const P&) { return std::log(x); },
    .wgsl_f32 = "return log_acc(x);",
    .math = kMathLog,
};

// Integer inputs: erf(x) truncates to 0 until |x| >= 6, where erf rounds to exactly 1 in float64.
constexpr UnaryDef kErf = {
    .op = "Erf",
    .since = 9,
    .types = UnaryTypes::kNumeric,
    .ref = [](double x, const P&) { return std::erf(x); },
    .wgsl_f32 = "return erf_acc(x);",
    .wgsl_i32 = "return select(0, sign(x), x >= 6 || x <= -6);",
    .wgsl_u32 = "return select(0u, 1u, x >= 6u);",
    .math = kMathErf,
};

constexpr UnaryDef kFloor = {
    .op = "Floor",
    .ref = [](double x, const P&) { return std::floor(x); },
    .wgsl_f32 = "return floor(x);",
};

constexpr UnaryDef kCeil = {
    .op = "Ceil",
    .ref = [](double x, const P&) { return std::ceil(x); },
    .wgsl_f32 = "return ceil(x);",
};

// Halves to even: nearbyint in the default rounding mode, and WGSL's round().
constexpr UnaryDef kRound = {
    .op = "Round",
    .since = 11,
    .ref = [](double x, const P&) { return std::nearbyint(x); },
    .wgsl_f32 = "return round(x);",
};

constexpr UnaryDef kReciprocal = {
    .op = "Reciprocal",
    .ref = [](double x, const P&) { return 1.0 / x; },
    .wgsl_f32 = "return 1.0 / x;",
};

constexpr UnaryDef kSign = {
    .op = "Sign",
    .since = 9,
    .types = UnaryTypes::kNumeric,
    .ref = [](double x, const P&) { return x > 0   ? 1.0
                                           : x < 0 ? -1.0
                                                   : 0.0; },
    .ref_int = [](int64_t x, const P&) { return int64_t{x > 0} - int64_t{x < 0}; },
    .ref_uint = [](uint64_t x, const P&) { return uint64_t{x != 0}; },
    .wgsl_f32 = "return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);",
    .wgsl_i32 = "return select(select(0, -1, x < 0), 1, x > 0);",
    .wgsl_u32 = "return select(0u, 1u, x != 0u);",
};

constexpr UnaryDef kNot = {
    .op = "Not",
    .types = UnaryTypes::kBool,
    .ref_uint = [](uint64_t x, const P&) { return uint64_t{x == 0}; },
    .wgsl_u32 = "return select(0u, 1u, x == 0u);",
};

constexpr UnaryDef kIsNaN = {
    .op = "IsNaN",
    .since = 9,
    .types = UnaryTypes::kFloatToBool,
    .ref = [](double x, const P&) { return std::isnan(x) ? 1.0 : 0.0; },
    .wgsl_f32 = "return select(0u, 1u, is_nan(x));",
};

// p0 = detect_negative, p1 = detect_positive.
constexpr UnaryDef kIsInf = {
    .op = "IsInf",
    .since = 10,
    .types = UnaryTypes::kFloatToBool,
    .ref = [](double x, const P& p) { return std::isinf(x) && (x > 0 ? p.p[1] : p.p[0]) != 0 ? 1.0 : 0.0; },
    .wgsl_f32 = "return select(0u, 1u, is_inf(x) && select(u.p0, u.p1, x > 0.0) != 0.0);",
    .params = {{"detect_negative", 1, NAN, true}, {"detect_positive", 1, NAN, true}},
};

}  // namespace

std::vector<OpSchema> UnaryMathRows() {
  return {UnaryRowOf<kAbs>(),   UnaryRowOf<kNeg>(),        UnaryRowOf<kSqrt>(),  UnaryRowOf<kExp>(),
          UnaryRowOf<kLog>(),   UnaryRowOf<kErf>(),        UnaryRowOf<kFloor>(), UnaryRowOf<kCeil>(),
          UnaryRowOf<kRound>(), UnaryRowOf<kReciprocal>(), UnaryRowOf<kSign>(),  UnaryRowOf<kNot>(),
          UnaryRowOf<kIsNaN>(), UnaryRowOf<kIsInf>()};
}

}  // namespace webconv::ops
