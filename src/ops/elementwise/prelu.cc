// PRelu: y = x < 0 ? slope * x : x, the slope broadcast to X (unidirectionally: the output has X's
// shape). Before opset 7 the slope was "of size 1, or one per channel": a 1-D slope of X's channel count
// applies along axis 1 (what pytorch's exports of that era carry); other slopes take the numpy rule.
#include "ops/elementwise/binary.h"
#include "ops/elementwise/elementwise.h"

namespace webconv::ops {
namespace {

using gpu::ScalarType;

Result<Shape> SlopeShape(const BinaryAttrs& a, const Shape& x, const Shape& s) {
  if (a.opset < 7) {
    if (NumElements(s) == 1) return Shape(x.size(), 1);
    if (s.size() == 1 && x.size() >= 2 && s[0] == x[1]) {
      Shape e(x.size(), 1);
      e[1] = s[0];
      return e;
    }
  }
  WC_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(x, s));
  if (out != x) return BadModel("slope ", ShapeString(s), " does not broadcast to X ", ShapeString(x));
  return s;
}

Result<DType> PReluTypes(DType a, DType b, const BinaryAttrs& attrs) {
  if (a == DType::kBool) return BadModel("input type bool is not supported");
  return SameNumericType(a, b, attrs);
}

void PReluRef(const HostTensor& a, int64_t ia, const HostTensor& b, int64_t ib, HostTensor& c, int64_t ic,
              const BinaryAttrs&) {
  const DType t = a.dtype();
  if (IsFloat(t)) {
    const double x = a.GetDouble(ia);
    c.SetDouble(ic, x < 0 ? b.GetDouble(ib) * x : x);
  } else if (IsUnsignedInt(t)) {
    c.SetInt(ic, a.GetInt(ia));
  } else {
    const int64_t x = a.GetInt(ia);
    const uint64_t product = static_cast<uint64_t>(b.GetInt(ib)) * static_cast<uint64_t>(x);
    c.SetInt(ic, x < 0 ? static_cast<int64_t>(product) : x);
  }
}

std::string PReluWgsl(ScalarType ta, ScalarType tb, ScalarType tc, const BinaryAttrs&) {
  const std::string head = WgslOpHeader(ta, tb, tc);
  if (ta == ScalarType::kF32) return head + "{ return select(a, a * b, a < 0.0); }\n";
  if (ta == ScalarType::kI32) return head + "{ return select(a, a * b, a < 0); }\n";
  return head + "{ return a; }\n";
}

constexpr BinaryDef kPRelu = {.op = "PRelu",
                              .types = PReluTypes,
                              .ref = PReluRef,
                              .wgsl = PReluWgsl,
                              .effective_b = SlopeShape,
                              .notes = "X and slope of one numeric type (no bool)"};

}  // namespace

std::vector<OpSchema> PReluRows() {
  return {BinaryRowOf<kPRelu>()};
}

}  // namespace webconv::ops
