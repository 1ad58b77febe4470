// Arithmetic BinaryDef rows: Add, Sub, Mul, Div, Mod, BitShift. Floats compute in double; integers wrap in 64
// bits (the store then wraps to the type's width), which is what the GPU's 32-bit words give for every
// type it holds. Integer division and remainder by zero give the dividend (WGSL's rule, so the reference
// and the kernel agree on inputs ONNX leaves undefined), and x / -1 wraps.
#include <cmath>

#include "ops/elementwise/binary.h"
#include "ops/elementwise/wgsl_math.h"

namespace webconv::ops {
namespace {

using gpu::ScalarType;

uint64_t U(int64_t v) {
  return static_cast<uint64_t>(v);
}
int64_t S(uint64_t v) {
  return static_cast<int64_t>(v);
}

template <double (*F)(double, double), uint64_t (*W)(uint64_t, uint64_t)>
void WrappingRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
                 const BinaryAttrs&) {
  if (IsFloat(c.dtype()))
    c.SetDouble(ic, F(a.GetDouble(ia), b.GetDouble(ib)));
  else
    c.SetInt(ic, S(W(U(a.GetInt(ia)), U(b.GetInt(ib)))));
}

double AddF(double a, double b) {
  return a + b;
}
double SubF(double a, double b) {
  return a - b;
}
double MulF(double a, double b) {
  return a * b;
}
uint64_t AddW(uint64_t a, uint64_t b) {
  return a + b;
}
uint64_t SubW(uint64_t a, uint64_t b) {
  return a - b;
}
uint64_t MulW(uint64_t a, uint64_t b) {
  return a * b;
}

void DivRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
            const BinaryAttrs&) {
  const DType t = c.dtype();
  if (IsFloat(t)) {
    c.SetDouble(ic, a.GetDouble(ia) / b.GetDouble(ib));
  } else if (IsUnsignedInt(t)) {
    const uint64_t x = U(a.GetInt(ia)), y = U(b.GetInt(ib));
    c.SetInt(ic, S(y == 0 ? x : x / y));
  } else {
    const int64_t x = a.GetInt(ia), y = b.GetInt(ib);
    c.SetInt(ic, y == 0 ? x : y == -1 ? S(0 - U(x)) : x / y);
  }
}

// fmod=1: the remainder takes the dividend's sign (C fmod); fmod=0 (integers only): the divisor's.
void ModRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
            const BinaryAttrs& attrs) {
  const DType t = c.dtype();
  if (IsFloat(t)) {
    c.SetDouble(ic, std::fmod(a.GetDouble(ia), b.GetDouble(ib)));
  } else if (IsUnsignedInt(t)) {
    const uint64_t x = U(a.GetInt(ia)), y = U(b.GetInt(ib));
    c.SetInt(ic, S(y == 0 ? x : x % y));
  } else {
    const int64_t x = a.GetInt(ia), y = b.GetInt(ib);
    if (y == 0) return c.SetInt(ic, x);
    if (y == -1) return c.SetInt(ic, 0);
    int64_t r = x % y;
    if (!attrs.fmod && r != 0 && (r < 0) != (y < 0)) r += y;
    c.SetInt(ic, r);
  }
}

std::string Expr(ScalarType ta, ScalarType tb, ScalarType tc, const char* expr) {
  return WgslOpHeader(ta, tb, tc) + "{ return " + expr + "; }\n";
}

std::string DivWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs&) {
  if (ta == ScalarType::kF32) return Expr(ta, tb, tc, "a / b");
  if (ta == ScalarType::kU32) return Expr(ta, tb, tc, "select(a / b, a, b == 0u)");
  return WgslOpHeader(ta, tb, tc) +
         "{\n  if (b == 0) { return a; }\n  if (b == -1) { return -a; }\n  return a / b;\n}\n";
}

std::string ModWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs& attrs) {
  if (ta == ScalarType::kF32) return Expr(ta, tb, tc, "fmod_acc(a, b)");
  if (ta == ScalarType::kU32) return Expr(ta, tb, tc, "select(a % b, a, b == 0u)");
  std::string s = WgslOpHeader(ta, tb, tc) +
                  "{\n  if (b == 0) { return a; }\n  if (b == -1) { return 0; }\n  var r = a % b;\n";
  if (!attrs.fmod) s += "  if (r != 0 && (r < 0) != (b < 0)) { r = r + b; }\n";
  return s + "  return r;\n}\n";
}

Result<DType> ModTypes(DType a, DType b, const BinaryAttrs& attrs) {
  WC_ASSIGN_OR_RETURN(DType t, SameNumericType(a, b, attrs));
  if (IsFloat(t) && !attrs.fmod)
    return BadModel("fmod must be 1 for floating-point inputs (", DTypeName(t), ")");
  return t;
}

// Shifting by the type's width or more gives 0 (WGSL would take the amount modulo 32).
void ShiftRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
              const BinaryAttrs& attrs) {
  const uint64_t x = U(a.GetInt(ia)), s = U(b.GetInt(ib));
  c.SetInt(ic, s >= 64 ? 0 : S(attrs.shift_left ? x << s : x >> s));
}

std::string ShiftWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs& attrs) {
  return Expr(ta, tb, tc, attrs.shift_left ? "select(a << b, 0u, b >= 32u)" : "select(a >> b, 0u, b >= 32u)");
}

Result<DType> ShiftTypes(DType a, DType b, const BinaryAttrs& attrs) {
  if (!IsInteger(a) || IsSigned(a))
    return BadModel("input type ", DTypeName(a), " is not supported (unsigned only)");
  return SameNumericType(a, b, attrs);
}

constexpr BinaryDef kAdd = {
    .op = "Add",
    .types = SameNumericType,
    .ref = WrappingRef<AddF, AddW>,
    .wgsl = [](ScalarType a, ScalarType b, ScalarType c,
               const BinaryAttrs&) { return Expr(a, b, c, "a + b"); },
    .notes = "A and B of one numeric type (no bool); integers wrap",
    .f32 = BinaryF32::kAdd,
};

constexpr BinaryDef kSub = {
    .op = "Sub",
    .types = SameNumericType,
    .ref = WrappingRef<SubF, SubW>,
    .wgsl = [](ScalarType a, ScalarType b, ScalarType c,
               const BinaryAttrs&) { return Expr(a, b, c, "a - b"); },
    .notes = "A and B of one numeric type (no bool); integers wrap",
    .f32 = BinaryF32::kSub,
};

constexpr BinaryDef kMul = {
    .op = "Mul",
    .types = SameNumericType,
    .ref = WrappingRef<MulF, MulW>,
    .wgsl = [](ScalarType a, ScalarType b, ScalarType c,
               const BinaryAttrs&) { return Expr(a, b, c, "a * b"); },
    .notes = "A and B of one numeric type (no bool); integers wrap",
    .f32 = BinaryF32::kMul,
};

constexpr BinaryDef kDiv = {.op = "Div",
                            .types = SameNumericType,
                            .ref = DivRef,
                            .wgsl = DivWgsl,
                            .notes = "A and B of one numeric type (no bool)",
                            .f32 = BinaryF32::kDiv};

constexpr BinaryDef kMod = {
    .op = "Mod",
    .since = 10,
    .types = ModTypes,
    .ref = ModRef,
    .wgsl = ModWgsl,
    .math = kMathFmod,
    .notes = "A and B of one numeric type (no bool); floating-point inputs need fmod=1"};

constexpr BinaryDef kBitShift = {
    .op = "BitShift",
    .since = 11,
    .types = ShiftTypes,
    .ref = ShiftRef,
    .wgsl = ShiftWgsl,
    .notes = "unsigned integer types only; a shift by the type's width or more gives 0"};

}  // namespace

std::vector<OpSchema> ArithRows() {
  return {BinaryRowOf<kAdd>(), BinaryRowOf<kSub>(), BinaryRowOf<kMul>(),
          BinaryRowOf<kDiv>(), BinaryRowOf<kMod>(), BinaryRowOf<kBitShift>()};
}

}  // namespace webconv::ops
