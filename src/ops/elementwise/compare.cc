// Comparison and logical BinaryDef rows with bool output: Equal, Less, Greater, LessOrEqual,
// GreaterOrEqual, And, Or, Xor. Integers compare exactly (uint64 as unsigned); any comparison with
// NaN is false.
#include "ops/elementwise/binary.h"
#include "ops/elementwise/elementwise.h"

namespace webconv::ops {
namespace {

using gpu::ScalarType;

template <bool (*Pred)(int order)>
void CompareRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
                const BinaryAttrs&) {
  c.SetInt(ic, Pred(CompareElements(a, ia, b, ib)) ? 1 : 0);
}

bool IsEqual(int o) {
  return o == 0;
}
bool IsLess(int o) {
  return o == -1;
}
bool IsGreater(int o) {
  return o == 1;
}
bool IsLessOrEqual(int o) {
  return o == -1 || o == 0;
}
bool IsGreaterOrEqual(int o) {
  return o == 1 || o == 0;
}

template <bool (*Logic)(bool, bool)>
void LogicRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
              const BinaryAttrs&) {
  c.SetInt(ic, Logic(a.GetInt(ia) != 0, b.GetInt(ib) != 0) ? 1 : 0);
}

bool AndL(bool x, bool y) {
  return x && y;
}
bool OrL(bool x, bool y) {
  return x || y;
}
bool XorL(bool x, bool y) {
  return x != y;
}

Result<DType> OrderedTypes(DType a, DType b, const BinaryAttrs& attrs) {
  if (a == DType::kBool) return BadModel("input type bool is not supported");
  return SameTypeToBool(a, b, attrs);
}

Result<DType> BoolTypes(DType a, DType b, const BinaryAttrs&) {
  if (a != DType::kBool || b != DType::kBool)
    return BadModel("inputs must be bool, got ", DTypeName(a), " and ", DTypeName(b));
  return DType::kBool;
}

template <const char* kCond>
std::string CondWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs&) {
  return WgslOpHeader(ta, tb, tc) + "{ return select(0u, 1u, " + kCond + "); }\n";
}

constexpr char kEq[] = "a == b", kLt[] = "a < b", kGt[] = "a > b", kLe[] = "a <= b", kGe[] = "a >= b",
               kAnd[] = "a != 0u && b != 0u", kOr[] = "a != 0u || b != 0u", kXor[] = "(a != 0u) != (b != 0u)";

constexpr BinaryDef kEqual = {.op = "Equal",
                              .types = SameTypeToBool,
                              .ref = CompareRef<IsEqual>,
                              .wgsl = CondWgsl<kEq>,
                              .notes = "A and B of one type (numeric or bool); bool output"};
constexpr BinaryDef kLess = {.op = "Less",
                             .types = OrderedTypes,
                             .ref = CompareRef<IsLess>,
                             .wgsl = CondWgsl<kLt>,
                             .notes = "A and B of one numeric type (no bool); bool output"};
constexpr BinaryDef kGreater = {.op = "Greater",
                                .types = OrderedTypes,
                                .ref = CompareRef<IsGreater>,
                                .wgsl = CondWgsl<kGt>,
                                .notes = "A and B of one numeric type (no bool); bool output"};
constexpr BinaryDef kLessOrEqual = {.op = "LessOrEqual",
                                    .since = 12,
                                    .types = OrderedTypes,
                                    .ref = CompareRef<IsLessOrEqual>,
                                    .wgsl = CondWgsl<kLe>,
                                    .notes = "A and B of one numeric type (no bool); bool output"};
constexpr BinaryDef kGreaterOrEqual = {.op = "GreaterOrEqual",
                                       .since = 12,
                                       .types = OrderedTypes,
                                       .ref = CompareRef<IsGreaterOrEqual>,
                                       .wgsl = CondWgsl<kGe>,
                                       .notes = "A and B of one numeric type (no bool); bool output"};
constexpr BinaryDef kAndDef = {.op = "And",
                               .types = BoolTypes,
                               .ref = LogicRef<AndL>,
                               .wgsl = CondWgsl<kAnd>,
                               .notes = "bool inputs only"};
constexpr BinaryDef kOrDef = {
    .op = "Or", .types = BoolTypes, .ref = LogicRef<OrL>, .wgsl = CondWgsl<kOr>, .notes = "bool inputs only"};
constexpr BinaryDef kXorDef = {.op = "Xor",
                               .types = BoolTypes,
                               .ref = LogicRef<XorL>,
                               .wgsl = CondWgsl<kXor>,
                               .notes = "bool inputs only"};

}  // namespace

std::vector<OpSchema> CompareRows() {
  return {BinaryRowOf<kEqual>(),       BinaryRowOf<kLess>(),           BinaryRowOf<kGreater>(),
          BinaryRowOf<kLessOrEqual>(), BinaryRowOf<kGreaterOrEqual>(), BinaryRowOf<kAndDef>(),
          BinaryRowOf<kOrDef>(),       BinaryRowOf<kXorDef>()};
}

}  // namespace webconv::ops
