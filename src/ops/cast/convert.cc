#include "ops/cast/convert.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>

namespace webconv::ops {

bool DTypeFromOnnxName(std::string_view name, DType* out) {
  // Indexed by TensorProto.DataType number.
  static constexpr const char* kNames[] = {
      "UNDEFINED", "FLOAT",   "UINT8",  "INT8",   "UINT16", "INT16",     "INT32",      "INT64",   "STRING",
      "BOOL",      "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  for (int t = 1; t < static_cast<int>(std::size(kNames)); ++t) {
    const std::string_view want = kNames[t];
    if (want.size() != name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k)
      same = std::toupper(static_cast<unsigned char>(name[k])) == want[k];
    if (same) return DTypeFromInt(t, out);
  }
  return false;
}

float RoundToOddFloat(double v) {
  float f = static_cast<float>(v);
  if (std::isnan(v) || static_cast<double>(f) == v) return f;
  // Truncate toward zero (this also turns an overflow to infinity back into FLT_MAX), then mark inexact.
  if (std::fabs(static_cast<double>(f)) > std::fabs(v)) f = std::nextafter(f, 0.0f);
  // memcpy rather than std::bit_cast: the WebAssembly toolchain's libc++ does not have bit_cast yet.
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  bits |= 1u;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float RoundToOddFloat(bool negative, uint64_t magnitude) {
  float f;
  if (magnitude < (uint64_t{1} << 24)) {
    f = static_cast<float>(magnitude);  // exact
  } else {
    // Keep the top 24 bits; any dropped bit makes the kept value odd.
    const int shift = 64 - std::countl_zero(magnitude) - 24;
    uint64_t kept = magnitude >> shift;
    if (magnitude & ((uint64_t{1} << shift) - 1)) kept |= 1;
    f = std::ldexp(static_cast<float>(kept), shift);
  }
  return negative ? -f : f;
}

namespace {

// One source element, held exactly: int64 covers every integer type but uint64.
struct Element {
  enum Kind { kSigned, kUnsigned, kFloat } kind = kSigned;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
};

Element Read(const HostTensor& t, int64_t k) {
  Element e;
  if (t.dtype() == DType::kUInt64) {
    e.kind = Element::kUnsigned;
    std::memcpy(&e.u, t.data() + k * 8, 8);
  } else if (IsFloat(t.dtype())) {
    e.kind = Element::kFloat;
    e.f = t.GetDouble(k);
  } else {
    e.i = t.GetInt(k);
  }
  return e;
}

bool Nonzero(const Element& e) {
  switch (e.kind) {
    case Element::kSigned:
      return e.i != 0;
    case Element::kUnsigned:
      return e.u != 0;
    case Element::kFloat:
      return e.f != 0;  // true for NaN
  }
  return false;
}

void Limits(DType t, int64_t* lo, int64_t* hi) {
  switch (t) {
    case DType::kInt8:
      *lo = INT8_MIN, *hi = INT8_MAX;
      return;
    case DType::kUInt8:
      *lo = 0, *hi = UINT8_MAX;
      return;
    case DType::kInt16:
      *lo = INT16_MIN, *hi = INT16_MAX;
      return;
    case DType::kUInt16:
      *lo = 0, *hi = UINT16_MAX;
      return;
    case DType::kInt32:
      *lo = INT32_MIN, *hi = INT32_MAX;
      return;
    case DType::kUInt32:
      *lo = 0, *hi = UINT32_MAX;
      return;
    default:
      *lo = INT64_MIN, *hi = INT64_MAX;
      return;
  }
}

// Truncation toward zero, saturated to [lo, hi], NaN to 0. hi + 1 is a power of two, exact in double
// even where hi itself (2^63 - 1) is not, so `t >= hi + 1` is the exact overflow test.
int64_t SaturatingTrunc(double f, int64_t lo, int64_t hi) {
  if (std::isnan(f)) return 0;
  const double t = std::trunc(f);
  if (t >= static_cast<double>(hi) + 1.0) return hi;
  if (t < static_cast<double>(lo)) return lo;
  return static_cast<int64_t>(t);
}

uint64_t ToUInt64(const Element& e) {
  switch (e.kind) {
    case Element::kSigned:
      return static_cast<uint64_t>(e.i);
    case Element::kUnsigned:
      return e.u;
    case Element::kFloat: {
      if (std::isnan(e.f)) return 0;
      const double t = std::trunc(e.f);
      if (t >= 18446744073709551616.0) return UINT64_MAX;
      return t < 0 ? 0 : static_cast<uint64_t>(t);
    }
  }
  return 0;
}

// Integer targets narrower than 64 bits: SetInt keeps the low bits (C++20 conversions are modular).
int64_t ToNarrowInt(const Element& e, DType to) {
  if (e.kind == Element::kSigned) return e.i;
  if (e.kind == Element::kUnsigned) return static_cast<int64_t>(e.u);
  int64_t lo, hi;
  Limits(to, &lo, &hi);
  return SaturatingTrunc(e.f, lo, hi);
}

float RoundToOdd(const Element& e) {
  switch (e.kind) {
    case Element::kSigned:
      return RoundToOddFloat(e.i < 0, e.i < 0 ? 0 - static_cast<uint64_t>(e.i) : static_cast<uint64_t>(e.i));
    case Element::kUnsigned:
      return RoundToOddFloat(false, e.u);
    case Element::kFloat:
      return RoundToOddFloat(e.f);
  }
  return 0;
}

}  // namespace

void CastElements(const HostTensor& in, HostTensor* out) {
  const DType to = out->dtype();
  const int64_t n = in.num_elements();
  for (int64_t k = 0; k < n; ++k) {
    const Element e = Read(in, k);
    switch (to) {
      case DType::kBool:
        out->SetInt(k, Nonzero(e));
        break;
      case DType::kUInt64: {
        const uint64_t v = ToUInt64(e);
        std::memcpy(out->mutable_data() + k * 8, &v, 8);
        break;
      }
      case DType::kFloat32: {
        // One rounding, straight from the exact value (int64 through double would round twice).
        const float v = e.kind == Element::kSigned     ? static_cast<float>(e.i)
                        : e.kind == Element::kUnsigned ? static_cast<float>(e.u)
                                                       : static_cast<float>(e.f);
        out->SetDouble(k, v);
        break;
      }
      case DType::kFloat64: {
        const double v = e.kind == Element::kSigned     ? static_cast<double>(e.i)
                         : e.kind == Element::kUnsigned ? static_cast<double>(e.u)
                                                        : e.f;
        out->SetDouble(k, v);
        break;
      }
      case DType::kFloat16:
      case DType::kBFloat16:
        out->SetDouble(k, RoundToOdd(e));
        break;  // exact in float; rounded once more
      default:
        out->SetInt(k, ToNarrowInt(e, to));
        break;
    }
  }
}

}  // namespace webconv::ops
