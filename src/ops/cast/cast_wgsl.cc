#include "ops/cast/cast_wgsl.h"

#include "ops/op_schema.h"

namespace webconv::ops {
namespace {

// A bit test rather than x != x, which compilers may fold away under no-NaN assumptions.
constexpr char kIsNan[] =
    "fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }\n";

// WGSL lets an inexact integer → f32 conversion round either way; the reference rounds to nearest even,
// so large integers are rounded here by hand: keep the top 24 bits, round on the dropped ones.
constexpr char kIntToF32[] = R"(fn u32_to_f32(m: u32) -> f32 {
  if (m < 0x1000000u) { return f32(m); }
  let shift = 8u - countLeadingZeros(m);
  var kept = m >> shift;
  let rest = m & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (kept & 1u) == 1u)) { kept = kept + 1u; }
  return ldexp(f32(kept), i32(shift));
}
fn i32_to_f32(x: i32) -> f32 {
  let r = u32_to_f32(select(bitcast<u32>(x), 0u - bitcast<u32>(x), x < 0));
  return select(r, -r, x < 0);
}
)";

// float16 values live in f32 words: a Cast to float16 rounds to the nearest float16 (ties to even), with
// overflow to infinity and float16's subnormals, as the reference's FloatToHalf does. On the bit pattern:
// dropping 13 mantissa bits with a round-to-even carry also carries into the exponent correctly; below
// float16's smallest normal (2^-14) values are multiples of 2^-24, where round() (ties to even) works.
constexpr char kRoundToF16[] = R"(fn round_to_f16(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  let sign = bits & 0x80000000u;
  let a = bits & 0x7fffffffu;
  if (a >= 0x7f800000u) { return x; }
  if (a >= 0x477ff000u) { return bitcast<f32>(sign | 0x7f800000u); }
  if (a < 0x38800000u) { return bitcast<f32>(sign | bitcast<u32>(round(bitcast<f32>(a) * 16777216.0) * 5.9604644775390625e-8)); }
  return bitcast<f32>(sign | ((a + 0xfffu + ((a >> 13u) & 1u)) & 0xffffe000u));
}
)";

struct IntRange {
  const char* hi_plus_one;  // f32 literal: the first truncated value that overflows
  const char* hi;
  const char* lo_f32;  // f32 literal of the lowest value ("0.0" for unsigned)
  const char* lo;
};

IntRange RangeOf(DType t) {
  switch (t) {
    case DType::kInt8:
      return {"128.0", "127", "-128.0", "-128"};
    case DType::kInt16:
      return {"32768.0", "32767", "-32768.0", "-32768"};
    case DType::kUInt8:
      return {"256.0", "255u", "0.0", "0u"};
    case DType::kUInt16:
      return {"65536.0", "65535u", "0.0", "0u"};
    case DType::kUInt32:
      return {"4294967296.0", "4294967295u", "0.0", "0u"};
    // int32, and int64 as far as its 32-bit words reach.
    default:
      return {"2147483648.0", "2147483647", "-2147483648.0", "i32(-2147483648)"};
  }
}

std::string FromFloat(DType from, DType to) {
  if (to == DType::kFloat32 || to == DType::kFloat64 || (to == DType::kFloat16 && from == DType::kFloat16)) return "return x;";
  if (to == DType::kFloat16) return "return round_to_f16(x);";
  if (to == DType::kBool) return "return select(0u, 1u, (bitcast<u32>(x) & 0x7fffffffu) != 0u);";
  const IntRange r = RangeOf(to);
  const std::string zero = GpuType(to) == gpu::ScalarType::kU32 ? "0u" : "0";
  const std::string cvt = GpuType(to) == gpu::ScalarType::kU32 ? "u32" : "i32";
  return std::string("if (is_nan(x)) { return ") + zero +
         "; }\n  let t = trunc(x);\n  if (t >= " + r.hi_plus_one + ") { return " + r.hi + "; }\n  if (t < " +
         r.lo_f32 + ") { return " + r.lo + "; }\n  return " + cvt + "(t);";
}

std::string FromInt(DType from, DType to) {
  switch (to) {
    case DType::kFloat32:
    case DType::kFloat64:
      return GpuType(from) == gpu::ScalarType::kU32 ? "return u32_to_f32(x);" : "return i32_to_f32(x);";
    case DType::kFloat16:  // through float32; every 32-bit integer is exact or rounds once more below
      return GpuType(from) == gpu::ScalarType::kU32 ? "return round_to_f16(u32_to_f32(x));"
                                                    : "return round_to_f16(i32_to_f32(x));";
    case DType::kBool:
      return "return select(0u, 1u, x != 0);";
    // Sign-extend from the target's width: the low bits are kept, as in a two's-complement conversion.
    case DType::kInt8:
      return "return (bitcast<i32>(x) << 24u) >> 24u;";
    case DType::kInt16:
      return "return (bitcast<i32>(x) << 16u) >> 16u;";
    case DType::kUInt8:
      return "return bitcast<u32>(x) & 0xffu;";
    case DType::kUInt16:
      return "return bitcast<u32>(x) & 0xffffu;";
    case DType::kUInt32:
      return "return bitcast<u32>(x);";
    default:
      return "return bitcast<i32>(x);";  // int32, int64
  }
}

}  // namespace

std::string CastFunctionWgsl(DType from, DType to) {
  const std::string S = gpu::WgslType(GpuType(from)), D = gpu::WgslType(GpuType(to));
  const bool from_float = IsGpuFloat(from), to_float = IsGpuFloat(to);
  std::string helpers;
  if (from_float && !to_float && to != DType::kBool) helpers = kIsNan;
  if (!from_float && to_float) helpers = kIntToF32;
  if (to == DType::kFloat16 && from != DType::kFloat16) helpers += kRoundToF16;
  return helpers + "fn convert(x: " + S + ") -> " + D + " {\n  " +
         (from_float ? FromFloat(from, to) : FromInt(from, to)) + "\n}\n";
}

}  // namespace webconv::ops
