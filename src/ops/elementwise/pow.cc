// Pow: a float or signed integer base, and from opset 12 an exponent of any numeric type.
// Float bases follow C pow (a negative base needs an integral exponent, whose parity gives the sign).
// Integer bases with an integral exponent are exact, by squaring with wraparound; a negative exponent
// gives 1 for base 1, +-1 for base -1 and 0 otherwise (0 for base 0 too: ONNX leaves it undefined). A
// fractional exponent on an integer base goes through float pow and truncates.
#include <cmath>

#include "ops/elementwise/binary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using gpu::ScalarType;

int64_t IntPow(int64_t x, uint64_t n, bool negative) {
  if (negative) return x == 1 ? 1 : x == -1 ? ((n & 1) ? -1 : 1) : 0;
  uint64_t r = 1, b = static_cast<uint64_t>(x);
  for (; n; n >>= 1) {
    if (n & 1) r *= b;
    b *= b;
  }
  return static_cast<int64_t>(r);
}

double ExponentAsDouble(const HostTensor& b, int64_t i) {
  return b.dtype() == DType::kUInt64 ? static_cast<double>(static_cast<uint64_t>(b.GetInt(i)))
                                     : b.GetDouble(i);
}

void PowRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
            const BinaryAttrs&) {
  if (IsFloat(a.dtype())) return c.SetDouble(ic, std::pow(a.GetDouble(ia), ExponentAsDouble(b, ib)));
  const int64_t x = a.GetInt(ia);
  if (!IsFloat(b.dtype())) {
    const int64_t n = b.GetInt(ib);
    if (b.dtype() == DType::kUInt64 || n >= 0)
      return c.SetInt(ic, IntPow(x, static_cast<uint64_t>(n), false));
    return c.SetInt(ic, IntPow(x, uint64_t{0} - static_cast<uint64_t>(n), true));
  }
  const double y = b.GetDouble(ib);
  if (y == std::trunc(y) && std::fabs(y) < 9223372036854775808.0) {
    const auto n = static_cast<int64_t>(y);
    return c.SetInt(
        ic, IntPow(x, n < 0 ? uint64_t{0} - static_cast<uint64_t>(n) : static_cast<uint64_t>(n), n < 0));
  }
  c.SetDouble(ic, std::pow(static_cast<double>(x), y));  // NaN stores as 0
}

Result<DType> PowTypes(DType a, DType b, const BinaryAttrs&) {
  if (!IsFloat(a) && !(IsInteger(a) && IsSigned(a)))
    return BadModel("base type ", DTypeName(a), " is not supported");
  if (!IsFloat(b) && !IsInteger(b)) return BadModel("exponent type ", DTypeName(b), " is not supported");
  return a;
}

// |x|^n by squaring for an i32 base; `neg` says the exponent is -n.
constexpr char kIntPow[] = R"(fn ipow(x: i32, n: u32, neg: bool) -> i32 {
  if (neg) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(1, -1, (n & 1u) != 0u); }
    return 0;
  }
  var r = 1;
  var b = x;
  var e = n;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { r = r * b; }
    b = b * b;
    e = e >> 1u;
  }
  return r;
}
)";

std::string PowWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs&) {
  const std::string head = WgslOpHeader(ta, tb, tc);
  if (ta == ScalarType::kF32) {
    if (tb == ScalarType::kF32) return head + "{ return pow_acc(a, b); }\n";
    // Parity from the integer itself: f32(b) loses the low bit beyond 2^24.
    const std::string odd = tb == ScalarType::kI32 ? "(b & 1) != 0" : "(b & 1u) != 0u";
    return head + "{\n  let m = pow_acc(abs(a), f32(b));\n  return select(m, -m, " + odd +
           " && (bitcast<u32>(a) & 0x80000000u) != 0u);\n}\n";
  }
  if (tb == ScalarType::kI32)
    return kIntPow + head + "{ return ipow(a, select(u32(b), 0u - u32(b), b < 0), b < 0); }\n";
  if (tb == ScalarType::kU32) return kIntPow + head + "{ return ipow(a, b, false); }\n";
  // Float exponent on an integer base: exact when integral, else float pow truncated (saturating).
  return kIntPow + head +
         "{\n"
         "  if (b == trunc(b) && abs(b) < 2147483648.0) {\n"
         "    let n = i32(b);\n    return ipow(a, select(u32(n), 0u - u32(n), n < 0), n < 0);\n  }\n"
         "  let f = pow_acc(f32(a), b);\n"
         "  if (is_nan(f)) { return 0; }\n"
         "  return i32(clamp(f, -2147483648.0, 2147483520.0));\n}\n";
}

constexpr BinaryDef kPow = {.op = "Pow",
                            .types = PowTypes,
                            .ref = PowRef,
                            .wgsl = PowWgsl,
                            .math = kMathPow,
                            .notes = "base float or signed integer; exponent float or any integer"};

}  // namespace

std::vector<OpSchema> PowRows() {
  return {BinaryRowOf<kPow>()};
}

}  // namespace webconv::ops
