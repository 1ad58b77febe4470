// Trigonometric and hyperbolic UnaryDef rows: Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh,
// Atanh. The WGSL forms avoid the cancellations of the textbook formulas: expm1 for sinh near 0, log1p
// of an exactly formed argument for the inverse hyperbolics, and log(x) + ln 2 where x^2 would overflow.
#include <cmath>

#include "ops/elementwise/unary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using P = UnaryParams;

constexpr UnaryDef kSin = {
    .op = "Sin",
    .since = 7,
    .ref = [](double x, const P&) { return std::sin(x); },
    .wgsl_f32 = "return sin_cos_acc(x).x;",
    .math = kMathSinCos,
};

constexpr UnaryDef kCos = {
    .op = "Cos",
    .since = 7,
    .ref = [](double x, const P&) { return std::cos(x); },
    .wgsl_f32 = "return sin_cos_acc(x).y;",
    .math = kMathSinCos,
};

constexpr UnaryDef kTan = {
    .op = "Tan",
    .since = 7,
    .ref = [](double x, const P&) { return std::tan(x); },
    .wgsl_f32 = "let sc = sin_cos_acc(x);\n  return sc.x / sc.y;",
    .math = kMathSinCos,
};

constexpr UnaryDef kAsin = {
    .op = "Asin",
    .since = 7,
    .ref = [](double x, const P&) { return std::asin(x); },
    .wgsl_f32 = "return asin_acc(x);",
    .math = kMathAsin,
};

constexpr UnaryDef kAcos = {
    .op = "Acos",
    .since = 7,
    .ref = [](double x, const P&) { return std::acos(x); },
    .wgsl_f32 = "return acos_acc(x);",
    .math = kMathAsin,
};

constexpr UnaryDef kAtan = {
    .op = "Atan",
    .since = 7,
    .ref = [](double x, const P&) { return std::atan(x); },
    .wgsl_f32 = "return atan_acc(x);",
    .math = kMathAtan,
};

// exp(|x| - ln 2) beyond 88, where exp(|x|) overflows but sinh and cosh are still finite.
constexpr UnaryDef kSinh = {
    .op = "Sinh",
    .since = 9,
    .ref = [](double x, const P&) { return std::sinh(x); },
    .wgsl_f32 =
        "let a = abs(x);\n  var r = exp(a - 0.693147181);\n"
        "  if (a < 20.0) {\n    let e = expm1_acc(a);\n    r = 0.5 * (e + e / (e + 1.0));\n  }"
        " else if (a < 88.0) {\n    r = 0.5 * exp(a);\n  }\n  return select(r, -r, x < 0.0);",
    .math = kMathExpm1,
};

constexpr UnaryDef kCosh = {
    .op = "Cosh",
    .since = 9,
    .ref = [](double x, const P&) { return std::cosh(x); },
    .wgsl_f32 =
        "let a = abs(x);\n  if (a >= 88.0) { return exp(a - 0.693147181); }\n"
        "  let e = exp(a);\n  return 0.5 * (e + 1.0 / e);",
};

// asinh|x| = log1p(|x| + x^2 / (1 + sqrt(1 + x^2))).
constexpr UnaryDef kAsinh = {
    .op = "Asinh",
    .since = 9,
    .ref = [](double x, const P&) { return std::asinh(x); },
    .wgsl_f32 =
        "let a = abs(x);\n  var r = log_acc(a) + 0.693147181;\n"
        "  if (a < 1e4) { r = log1p_acc(a + a * a / (1.0 + sqrt(1.0 + a * a))); }\n"
        "  return select(r, -r, x < 0.0);",
    .math = kMathLog1p,
};

// acosh x = log1p(t + sqrt(2t + t^2)) with t = x - 1, exact near 1.
constexpr UnaryDef kAcosh = {
    .op = "Acosh",
    .since = 9,
    .ref = [](double x, const P&) { return std::acosh(x); },
    .wgsl_f32 =
        "if (x < 1.0) { return nan_f32(); }\n  if (x >= 1e4) { return log_acc(x) + 0.693147181; }\n"
        "  let t = x - 1.0;\n  return log1p_acc(t + sqrt(2.0 * t + t * t));",
    .math = kMathLog1p,
};

// atanh|x| = log1p(2|x| / (1 - |x|)) / 2, with 1 - |x| exact near 1.
constexpr UnaryDef kAtanh = {
    .op = "Atanh",
    .since = 9,
    .ref = [](double x, const P&) { return std::atanh(x); },
    .wgsl_f32 =
        "let a = abs(x);\n  if (a > 1.0) { return nan_f32(); }\n"
        "  var r = inf_f32();\n  if (a < 1.0) { r = 0.5 * log1p_acc(2.0 * a / (1.0 - a)); }\n"
        "  return select(r, -r, x < 0.0);",
    .math = kMathLog1p,
};

}  // namespace

std::vector<OpSchema> UnaryTrigRows() {
  return {UnaryRowOf<kSin>(),   UnaryRowOf<kCos>(),   UnaryRowOf<kTan>(),  UnaryRowOf<kAsin>(),
          UnaryRowOf<kAcos>(),  UnaryRowOf<kAtan>(),  UnaryRowOf<kSinh>(), UnaryRowOf<kCosh>(),
          UnaryRowOf<kAsinh>(), UnaryRowOf<kAcosh>(), UnaryRowOf<kAtanh>()};
}

}  // namespace webconv::ops
