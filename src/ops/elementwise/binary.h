// Table-driven elementwise binary ops with broadcasting. Each op is one BinaryDef: its type rule, its
// per-element reference (float64, or exact for integers), and its WGSL function per word types. The
// machinery in binary.cc does parsing (with the opset < 7 `broadcast`/`axis` form), shape inference,
// the reference loop and the kernel.
#pragma once

#include <string>
#include <vector>

#include "gpu/kernel.h"
#include "ops/op_schema.h"

namespace webconv::ops {

struct BinaryDef;

struct BinaryAttrs {
  const BinaryDef* def = nullptr;
  int opset = 0;
  bool legacy = false;  // opset < 7: broadcasting only when broadcast=1, aligned at `axis`
  int64_t broadcast = 0, axis = -1;
  bool has_axis = false;
  int64_t fmod = 0;         // Mod
  bool shift_left = false;  // BitShift's direction
};

// Arithmetic the fast CPU backend runs on float32 directly (binary_cpu.cc). For +, -, *, / of two floats
// the float result equals the reference's double result rounded once, so both backends agree exactly.
enum class BinaryF32 { kNone, kAdd, kSub, kMul, kDiv };

struct BinaryDef {
  const char* op = "";
  int since = 1;  // first opset defining the op
  // Checks the input types; returns the output type.
  Result<DType> (*types)(DType a, DType b, const BinaryAttrs& attrs) = nullptr;
  // c[ic] = op(a[ia], b[ib]).
  void (*ref)(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
              const BinaryAttrs& attrs) = nullptr;
  // WGSL defining `fn op(a: A, b: B) -> C` (and any helpers) for these word types.
  std::string (*wgsl)(gpu::ScalarType a, gpu::ScalarType b, gpu::ScalarType c,
                      const BinaryAttrs& attrs) = nullptr;
  uint32_t math = 0;  // WgslMath functions the f32 forms call
  // B's shape as broadcasting sees it (PRelu's rules); nullptr: numpy broadcasting, or the legacy
  // broadcast/axis form before opset 7.
  Result<Shape> (*effective_b)(const BinaryAttrs& attrs, const Shape& a, const Shape& b) = nullptr;
  const char* notes = "";  // the registry row's notes: type rules `types` enforces, and other limits
  BinaryF32 f32 = BinaryF32::kNone;  // kNone: the CPU backend runs `ref`
};

Status ParseBinary(const BinaryDef& d, const ParseContext& ctx, OpAttrs* out);
// The fast CPU backend's loop for float32 A, B and C with broadcasting (B already as broadcasting sees
// it); false when `op` is kNone or a type is not float32 (the caller then runs the reference).
bool BinaryCpu(BinaryF32 op, const HostTensor& a, const HostTensor& b, const Shape& b_shape, HostTensor* c);
OpSchema BinaryRow(const BinaryDef& d, ParseFn parse);
template <const BinaryDef& D>
OpSchema BinaryRowOf() {
  return BinaryRow(D, [](const ParseContext& ctx, OpAttrs* out) { return ParseBinary(D, ctx, out); });
}

// Type rules shared by several rows.
Result<DType> SameNumericType(DType a, DType b, const BinaryAttrs&);  // output: the input type
Result<DType> SameTypeToBool(DType a, DType b, const BinaryAttrs&);   // comparisons
bool IsUnsignedInt(DType t);                                          // unsigned integer types and bool
// "fn op(a: A, b: B) -> C " for these word types, to be followed by the body in braces.
std::string WgslOpHeader(gpu::ScalarType a, gpu::ScalarType b, gpu::ScalarType c);

// Rows of the binary files, gathered by BinaryOps().
std::vector<OpSchema> ArithRows();  // binary_arith.cc: Add, Sub, Mul, Div, Mod
std::vector<OpSchema> PowRows();    // pow.cc
std::vector<OpSchema>
CompareRows();  // compare.cc: Equal, Less, Greater, LessOrEqual, GreaterOrEqual, And, Or, Xor
std::vector<OpSchema> PReluRows();  // prelu.cc

}  // namespace webconv::ops
