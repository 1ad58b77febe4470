// Integer products that requantize to 8 bits (QLinearConv, QLinearMatMul) share these: the int32 wrap of
// an exact sum, and the requantization y = saturate(round_half_to_even(float(acc) * M) + zero_point)
// with M = (a_scale * b_scale) / y_scale in float32, on the CPU and in WGSL (the WGSL needs
// WgslMathFunctions(kMathDivide): divide() forms the CPU's M exactly, and is_nan() comes with it).
#pragma once

#include <cstdint>
#include <string>

#include "common/dtype.h"

namespace webconv::ops {

inline bool IsByteType(DType t) { return t == DType::kUInt8 || t == DType::kInt8; }

// The int32 an exact integer sum leaves when int32 arithmetic wraps.
int32_t WrapInt32(int64_t exact);

// The float32 multiplier M for one output element's scales.
float RequantizeMultiplier(float a_scale, float b_scale, float y_scale);

// The stored value for sum `acc` (already wrapped, bias included) in `out` (uint8 or int8). A NaN product
// gives the zero point.
double Requantize(int32_t acc, float multiplier, int64_t zero_point, DType out);

// WGSL statements that store Y[i] from `acc` (an i32 in scope): `a_scale` and `b_scale` are WGSL
// expressions for this element's scales, YS[0] and YZ[0] the output's scale and zero point.
std::string RequantizeWgsl(DType out, const std::string& a_scale, const std::string& b_scale);

// The whole WGSL body of an integer product's elementwise kernel (ConvInteger, MatMulInteger, and with
// `qlinear` QLinearConv, QLinearMatMul): `sum` leaves the element's exact i32 sum in `acc` (bias included),
// then Y[i] takes it as int32, or requantized as in RequantizeWgsl (with the math that needs).
std::string IntegerProductWgsl(const std::string& sum, bool qlinear, DType out, const std::string& a_scale,
                               const std::string& b_scale);

}  // namespace webconv::ops
