#include "ops/cast/requantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {

int32_t WrapInt32(int64_t exact) {
  const uint32_t low = static_cast<uint32_t>(static_cast<uint64_t>(exact));
  int32_t v = 0;
  std::memcpy(&v, &low, 4);
  return v;
}

float RequantizeMultiplier(float a_scale, float b_scale, float y_scale) {
  const float ab = a_scale * b_scale;
  return ab / y_scale;
}

double Requantize(int32_t acc, float multiplier, int64_t zero_point, DType out) {
  const double lo = out == DType::kInt8 ? -128 : 0, hi = out == DType::kInt8 ? 127 : 255;
  const float r = static_cast<float>(acc) * multiplier;
  const double zp = static_cast<double>(zero_point);
  return std::isnan(r) ? zp : std::min(hi, std::max(lo, std::nearbyint(static_cast<double>(r)) + zp));
}

std::string RequantizeWgsl(DType out, const std::string& a_scale, const std::string& b_scale) {
  const bool is_signed = out == DType::kInt8;
  return "  let mult = divide(" + a_scale + " * " + b_scale + ", YS[0]);\n"
         "  let r = f32(acc) * mult;\n"
         "  let zp = f32(YZ[0]);\n"
         "  let v = select(clamp(round(r) + zp, " + std::string(is_signed ? "-128.0, 127.0" : "0.0, 255.0") +
         "), zp, is_nan(r));\n"
         "  Y[i] = " + std::string(is_signed ? "i32" : "u32") + "(v);";
}

std::string IntegerProductWgsl(const std::string& sum, bool qlinear, DType out, const std::string& a_scale,
                               const std::string& b_scale) {
  if (!qlinear) return ElementwiseMain(sum + "  Y[i] = acc;");
  return WgslMathFunctions(kMathDivide) + ElementwiseMain(sum + RequantizeWgsl(out, a_scale, b_scale));
}

}  // namespace webconv::ops
