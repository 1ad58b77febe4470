// The polynomial coefficients were fitted for this file (least squares at Chebyshev nodes against
// float64 erf/sin/cos/expm1/atanh), then checked by simulating the f32 evaluation order used here.
#include "ops/elementwise/wgsl_math.h"

#include <cstring>

namespace webconv::ops {
namespace {

// NaN and Inf come from runtime bit patterns: a constant expression that evaluates to a non-finite
// value is a shader-creation error in WGSL.
constexpr char kHelpers[] =
    R"(fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn nan_f32() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_f32() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
)";

// ln x = e ln2 + ln m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172.
// m - 1 is exact, so there is no cancellation near x = 1. ln2 is split so that e * ln2_hi is exact.
constexpr char kLog[] = R"(fn log_series(s: f32) -> f32 {
  let z = s * s;
  let s2 = s + s;
  return s2 + s2 * z * (0.333333343 + z * (0.200000614 + z * (0.142753899 + z * 0.11665684)));
}
fn log_acc(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  if (is_inf(x)) { return x; }
  let fe = frexp(x);
  var m = fe.fract;
  var e = f32(fe.exp);
  if (m < 0.707106781) { m = m * 2.0; e = e - 1.0; }
  let f = m - 1.0;
  return e * 0.693145752 + (log_series(f / (2.0 + f)) + e * 1.42860677e-06);
}
)";

// Near 0, s = u / (2 + u) comes straight from u, so 1 + u is never rounded. (Kahan's ln(w) u / (w - 1)
// trick is not used: it relies on w - 1 being evaluated as written, which a shader compiler may fold.)
constexpr char kLog1p[] = R"(fn log1p_acc(u: f32) -> f32 {
  if (u > -0.292893219 && u < 0.414213562) { return log_series(u / (2.0 + u)); }
  return log_acc(1.0 + u);
}
)";

constexpr char kExpm1[] = R"(fn expm1_acc(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x + x * x * (0.5 + x * (0.166666672 + x * (0.0416666679 + x * (0.00833318196 +
           x * (0.00138886727 + x * (0.000199621863 + x * 2.49397417e-05))))));
  }
  return exp(x) - 1.0;
}
)";

// tanh|x| = e / (e + 2) with e = expm1(2|x|): relative accuracy near 0, and no inf/inf for large |x|
// (tanh(10) is 1 in f32).
constexpr char kTanh[] = R"(fn tanh_acc(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let e = expm1_acc(2.0 * min(abs(x), 10.0));
  let t = e / (e + 2.0);
  return select(t, -t, x < 0.0);
}
)";

// Cody-Waite reduction by pi/2 = c1 + c2 + c3 where c1 and c2 have 11 significant bits; k is split into
// a multiple of 2048 and a remainder below it so that every k * c1 and k * c2 product is exact. The
// reduced argument keeps ~1e-7 absolute accuracy for |x| < 1e6 (checked by simulating the f32 steps).
constexpr char kSinCos[] = R"(fn sin_cos_acc(x: f32) -> vec2<f32> {
  if (is_nan(x) || is_inf(x)) { return vec2<f32>(nan_f32(), nan_f32()); }
  let k = round(x * 0.636619747);
  let kh = trunc(k * 0.00048828125) * 2048.0;
  let kl = k - kh;
  var r = x - kh * 1.5703125;
  r = r - kl * 1.5703125;
  r = r - kh * 0.000483751297;
  r = r - kl * 0.000483751297;
  r = r - k * 7.54979013e-08;
  let z = r * r;
  let s = r + r * z * (-0.166666672 + z * (0.00833333191 + z * (-0.000198399663 + z * 2.72346847e-06)));
  let c = 1.0 - 0.5 * z + z * z * (0.0416666679 + z * (-0.00138888881 + z * (2.48004999e-05 +
          z * -2.72882346e-07)));
  let q = i32(k - 4.0 * floor(k * 0.25));
  if (q == 0) { return vec2<f32>(s, c); }
  if (q == 1) { return vec2<f32>(c, -s); }
  if (q == 2) { return vec2<f32>(-s, -c); }
  return vec2<f32>(-c, s);
}
)";

// erf x = x P(x^2) on [0, 1]; polynomials in (x - 1.75) on [1, 2.5] and in (x - 3.25) on [2.5, 4];
// erf rounds to 1 in f32 beyond 3.9.
constexpr char kErf[] = R"(fn erf_acc(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var r = 1.0;
  if (a <= 1.0) {
    let z = a * a;
    r = a * (1.12837911 + z * (-0.37612626 + z * (0.112835824 + z * (-0.0268536918 + z * (0.00518809911 +
        z * (-0.000800818903 + z * 7.84725926e-05))))));
  } else if (a < 2.5) {
    let t = a - 1.75;
    r = 0.986671686 + t * (0.0527749769 + t * (-0.092356123 + t * (0.0901579037 + t * (-0.048104696 +
        t * (0.00661847135 + t * (0.00898207072 + t * (-0.00603674585 + t * (0.000663912972 +
        t * (0.000862275192 + t * -0.000335376564)))))))));
  } else if (a < 4.0) {
    let t = a - 3.25;
    r = 0.999995708 + t * (2.91138749e-05 + t * (-9.48689631e-05 + t * (0.000197616668 + t * (-0.00028652756 +
        t * (0.000301964668 + t * (-0.000263535621 + t * (0.000199273578 + t * -8.24522576e-05)))))));
  }
  r = min(r, 1.0);
  return select(r, -r, x < 0.0);
}
)";

// C99 pow: pow(x, 0) = pow(1, y) = 1 even for NaN; a finite negative base needs an integer exponent;
// an odd integer exponent keeps the base's sign (also for -0 and -inf); |x|^y is exp(y ln|x|) with the
// accurate log.
constexpr char kPow[] = R"(fn pow_acc(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let ax = abs(x);
  if (is_inf(y)) {
    if (ax == 1.0) { return 1.0; }
    return select(0.0, inf_f32(), (ax > 1.0) == (y > 0.0));
  }
  let integral = y == trunc(y);
  if (x < 0.0 && !integral && !is_inf(x)) { return nan_f32(); }
  var m: f32;
  if (ax == 0.0) {
    m = select(0.0, inf_f32(), y < 0.0);
  } else if (is_inf(ax)) {
    m = select(0.0, inf_f32(), y > 0.0);
  } else {
    m = exp(y * log_acc(ax));
  }
  let odd = integral && fract(y * 0.5) != 0.0;
  return select(m, -m, odd && (bitcast<u32>(x) & 0x80000000u) != 0u);
}
)";

// Subtracts |b| 2^k for k from the highest that fits down to 0: with d <= r < 2d every step is exact.
constexpr char kFmod[] = R"(fn fmod_acc(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || b == 0.0) { return nan_f32(); }
  let ab = abs(b);
  var r = abs(a);
  if (r < ab) { return a; }
  var d = ldexp(ab, frexp(r).exp - frexp(ab).exp);
  if (d > r) { d = d * 0.5; }
  loop {
    if (r >= d) { r = r - d; }
    if (d <= ab) { break; }
    d = d * 0.5;
  }
  return select(r, -r, a < 0.0);
}
)";

// asin x = x + x^3 P(x^2) on |x| <= 1/2; beyond, asin x = pi/2 - 2 asin(sqrt((1 - x) / 2)), where
// 1 - x is exact. acos reuses both forms so that results near 0 (x near 1) keep their relative accuracy.
constexpr char kAsin[] = R"(fn asin_poly(x: f32) -> f32 {
  let z = x * x;
  return x + x * z * (0.166666731 + z * (0.0749880895 + z * (0.0450107008 + z * (0.0264942776 +
         z * 0.0382064506))));
}
fn asin_acc(x: f32) -> f32 {
  let a = abs(x);
  if (is_nan(x) || a > 1.0) { return nan_f32(); }
  var r = asin_poly(a);
  if (a > 0.5) { r = 1.57079637 - 2.0 * asin_poly(sqrt((1.0 - a) * 0.5)); }
  return select(r, -r, x < 0.0);
}
fn acos_acc(x: f32) -> f32 {
  let a = abs(x);
  if (is_nan(x) || a > 1.0) { return nan_f32(); }
  if (a <= 0.5) { return 1.57079637 - asin_poly(x); }
  let h = 2.0 * asin_poly(sqrt((1.0 - a) * 0.5));
  return select(h, 3.14159274 - h, x < 0.0);
}
)";

// atan x = x + x^3 Q(x^2) on |x| <= tan(pi/8), after atan x = pi/4 + atan((x-1)/(x+1)) up to
// tan(3pi/8) and pi/2 - atan(1/x) beyond.
constexpr char kAtan[] = R"(fn atan_poly(x: f32) -> f32 {
  let z = x * x;
  return x + x * z * (-0.333333313 + z * (0.199995339 + z * (-0.142636538 + z * (0.107400291 +
         z * -0.0643860102))));
}
fn atan_acc(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var r = atan_poly(a);
  if (a > 2.41421356) {
    r = 1.57079637 - atan_poly(1.0 / a);
  } else if (a > 0.414213562) {
    r = 0.785398163 + atan_poly((a - 1.0) / (a + 1.0));
  }
  return select(r, -r, x < 0.0);
}
)";

// Binary long division of the 24-bit mantissas: 24 quotient bits by shift and subtract, then the
// remainder against half the divisor decides the rounding (ties to even). WGSL's own division takes
// zeros, infinities, NaNs, subnormals and quotients outside the normal range.
constexpr char kDivide[] = R"(fn divide(a: f32, b: f32) -> f32 {
  let ba = bitcast<u32>(a);
  let bb = bitcast<u32>(b);
  let ea = i32((ba >> 23u) & 0xffu);
  let eb = i32((bb >> 23u) & 0xffu);
  if (ea == 0 || ea == 255 || eb == 0 || eb == 255) { return a / b; }
  var ma = (ba & 0x7fffffu) | 0x800000u;
  let mb = (bb & 0x7fffffu) | 0x800000u;
  var e = ea - eb + 127;
  if (ma < mb) {
    ma = ma << 1u;
    e = e - 1;
  }
  var q = 0u;
  var r = ma;
  for (var i = 0u; i < 24u; i = i + 1u) {
    q = q << 1u;
    if (r >= mb) {
      r = r - mb;
      q = q | 1u;
    }
    r = r << 1u;
  }
  if (r > mb || (r == mb && (q & 1u) == 1u)) { q = q + 1u; }
  if (q == 0x1000000u) {
    q = q >> 1u;
    e = e + 1;
  }
  if (e <= 0 || e >= 255) { return a / b; }
  return bitcast<f32>(((ba ^ bb) & 0x80000000u) | (u32(e) << 23u) | (q & 0x7fffffu));
}
)";

}  // namespace

std::string WgslMathFunctions(uint32_t needs) {
  if (needs & (kMathPow | kMathLog1p)) needs |= kMathLog;
  if (needs & kMathTanh) needs |= kMathExpm1;
  std::string s = kHelpers;
  if (needs & kMathLog) s += kLog;
  if (needs & kMathLog1p) s += kLog1p;
  if (needs & kMathExpm1) s += kExpm1;
  if (needs & kMathTanh) s += kTanh;
  if (needs & kMathSinCos) s += kSinCos;
  if (needs & kMathErf) s += kErf;
  if (needs & kMathPow) s += kPow;
  if (needs & kMathFmod) s += kFmod;
  if (needs & kMathAsin) s += kAsin;
  if (needs & kMathAtan) s += kAtan;
  if (needs & kMathDivide) s += kDivide;
  return s;
}

std::string WgslF32Literal(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return "bitcast<f32>(" + std::to_string(bits) + "u)";
}

}  // namespace webconv::ops
