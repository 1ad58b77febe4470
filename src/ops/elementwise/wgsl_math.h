// f32 math for WGSL kernels where the built-ins are not accurate enough to meet the float64 reference
// within the ONNX tests' tolerance (rtol 1e-3, atol 1e-7). WGSL only bounds sin/cos by an absolute 2^-11
// and log near 1 by an absolute 2^-21, which is far off in relative terms for small results, and it has
// no erf, expm1, log1p or an IEEE pow. Each function is written for its relative error (design bound;
// worst seen by tests/elementwise/elementwise_accuracy_test.cc on SwiftShader in brackets):
//   log_acc, log1p_acc:   < 3e-7 relative for finite positive inputs                    [1.8e-7]
//   expm1_acc, tanh_acc:  < 3e-7 relative for |x| < 0.5; WGSL exp's bound (3 + 2|x| ulp)  [3.4e-7]
//                         beyond (exp itself: [3.9e-6] over [-87, 88])
//   sin_cos_acc:          < 1e-7 absolute for |x| < 1e6 (Cody-Waite reduction with        [6e-8 abs]
//                         split constants); beyond, the reduction loses bits (up to ~1e-5 absolute
//                         at 2.6e7)
//   erf_acc:              < 2e-7 relative everywhere (piecewise polynomials, no exp)      [2.1e-7]
//   asin_acc, acos_acc,
//   atan_acc:             < 2e-7 relative (odd polynomials after exact reductions)        [2.3e-7]
//   pow_acc:              C pow special cases; |x|^y as exp(y * log_acc|x|): ~1e-7 |y ln x|
//                         relative plus exp's bound                         [9.2e-6 for |y ln x| < 85]
//   fmod_acc:             exact (binary long division, at most ~280 exact steps)          [exact]
//   divide:               a / b correctly rounded (ties to even) for normal operands and   [exact]
//                         quotient; WGSL's division (2.5 ulp) otherwise. Quantization needs it: one
//                         ulp moves a quotient near .5 to the other integer
//                         (SwiftShader's division by a constant was 1 ulp off)
// Subnormal inputs and results may flush to zero on a GPU (WGSL allows it); the bounds hold above that.
#pragma once

#include <cstdint>
#include <string>

namespace webconv::ops {

enum WgslMath : uint32_t {
  kMathLog = 1,
  kMathLog1p = 2,
  kMathExpm1 = 4,
  kMathTanh = 8,
  kMathSinCos = 16,
  kMathErf = 32,
  kMathPow = 64,
  kMathFmod = 128,
  kMathAsin = 256,  // asin_acc and acos_acc
  kMathAtan = 512,
  kMathDivide = 1024,  // divide(a, b)
};

// The WGSL text of the requested functions (and what they call), always with the NaN/Inf helpers
// is_nan(x), is_inf(x), nan_f32() and inf_f32(). Pass 0 for only the helpers.
std::string WgslMathFunctions(uint32_t needs);

// An f32 value as WGSL, exactly: its bit pattern (`bitcast<f32>(1065353216u)`), so no decimal round trip
// can change it. Infinities and NaN are runtime values this way, never const-expressions.
std::string WgslF32Literal(float v);

}  // namespace webconv::ops
