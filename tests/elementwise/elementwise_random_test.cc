// Elementwise differential tests: seeded random unary, binary, variadic and Where problems with
// broadcasting (numpy and the opset < 7 broadcast/axis form), every GPU-held dtype the op accepts,
// and NaN/Inf/signed-zero sprinkled into float inputs, run on WebGPU and on the float64 reference.
// CI draws a fixed sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws thousands.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

enum class Arity { kUnary, kBinary, kWhere, kVariadic };

using AttrFn = std::vector<Attr> (*)(std::mt19937_64& rng, DType t);

double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

struct OpSpec {
  const char* op;
  Arity arity;
  std::vector<DType> types;
  double lo = -4, hi = 4;  // input values
  runtime::Tolerance tol{0, 0};
  int since = 1;
  AttrFn attrs = nullptr;
  bool to_bool = false;              // bool output (comparisons, IsNaN, ...)
  bool legacy = false;               // a binary op that had the opset < 7 broadcast/axis form
  bool ties = false;                 // round float inputs to halves so that equality occurs
  DType second = DType::kUndefined;  // input 1's type when it differs (Pow's exponent)
};

constexpr DType F32 = DType::kFloat32, I32 = DType::kInt32, I64 = DType::kInt64, I8 = DType::kInt8,
                U8 = DType::kUInt8, U16 = DType::kUInt16, U32 = DType::kUInt32, B = DType::kBool;

// Tolerances: exact where the kernel rounds once like the reference; otherwise the documented error
// of the WGSL function (wgsl_math.h) with margin.
const runtime::Tolerance kExact{0, 0}, kUlps{0, 1e-6}, kAccurate{1e-7, 2e-6}, kTrig{2e-7, 2e-6},
    kExp{0, 6e-6}, kPow{1e-7, 2e-5}, kSum{1e-6, 1e-6};

std::vector<Attr> AlphaSmall(std::mt19937_64& r, DType) {
  return {FloatAttr("alpha", float(Uniform(r, 0, 0.5)))};
}
std::vector<Attr> AlphaPos(std::mt19937_64& r, DType) {
  return {FloatAttr("alpha", float(Uniform(r, 0.25, 2)))};
}
std::vector<Attr> AlphaAny(std::mt19937_64& r, DType) {
  return {FloatAttr("alpha", float(Uniform(r, -1, 1)))};
}
std::vector<Attr> SeluAttrs(std::mt19937_64& r, DType) {
  return {FloatAttr("alpha", float(Uniform(r, 1, 2))), FloatAttr("gamma", float(Uniform(r, 0.5, 1.5)))};
}
std::vector<Attr> HardSigmoidAttrs(std::mt19937_64& r, DType) {
  return {FloatAttr("alpha", float(Uniform(r, 0.05, 0.5))), FloatAttr("beta", float(Uniform(r, 0, 1)))};
}
std::vector<Attr> ShrinkAttrs(std::mt19937_64& r, DType t) {
  const double bias = IsFloat(t) ? Uniform(r, -1, 1) : std::floor(Uniform(r, -3, 3));
  return {FloatAttr("lambd", float(Uniform(r, -0.5, 2.5))), FloatAttr("bias", float(bias))};
}
std::vector<Attr> IsInfAttrs(std::mt19937_64& r, DType) {
  return {IntAttr("detect_negative", int64_t(r() % 2)), IntAttr("detect_positive", int64_t(r() % 2))};
}
std::vector<Attr> ClipAttrs(std::mt19937_64& r, DType) {
  return {FloatAttr("min", float(Uniform(r, -3, 1))), FloatAttr("max", float(Uniform(r, -1, 3)))};
}
std::vector<Attr> ShiftAttrs(std::mt19937_64& r, DType) {
  return {StringAttr("direction", r() % 2 ? "LEFT" : "RIGHT")};
}
std::vector<Attr> ModAttrs(std::mt19937_64& r, DType t) {
  return {IntAttr("fmod", IsFloat(t) ? 1 : int64_t(r() % 2))};
}

const std::vector<OpSpec>& Specs() {
  static const std::vector<OpSpec> specs = {
      {"Abs", Arity::kUnary, {F32, I32, I8, U8, I64}},
      {"Neg", Arity::kUnary, {F32, I32, I8, I64}},
      {"Sqrt", Arity::kUnary, {F32}, 0, 100, kUlps},
      {"Exp", Arity::kUnary, {F32}, -20, 20, kExp},
      {"Log", Arity::kUnary, {F32}, 0, 50, kAccurate},
      {"Erf", Arity::kUnary, {F32, I32}, -4.5, 4.5, kAccurate, 9},
      {"Floor", Arity::kUnary, {F32}},
      {"Ceil", Arity::kUnary, {F32}},
      {"Round", Arity::kUnary, {F32}, -4, 4, kExact, 11, nullptr, false, false, true},
      {"Reciprocal", Arity::kUnary, {F32}, -4, 4, kUlps},
      {"Sign", Arity::kUnary, {F32, I32, U8, I64}, -4, 4, kExact, 9, nullptr, false, false, true},
      {"Sin", Arity::kUnary, {F32}, -40, 40, kTrig, 7},
      {"Cos", Arity::kUnary, {F32}, -40, 40, kTrig, 7},
      {"Tan", Arity::kUnary, {F32}, -1.4, 1.4, {1e-7, 4e-6}, 7},
      {"Asin", Arity::kUnary, {F32}, -1, 1, kAccurate, 7},
      {"Acos", Arity::kUnary, {F32}, -1, 1, kAccurate, 7},
      {"Atan", Arity::kUnary, {F32}, -8, 8, kAccurate, 7},
      {"Sinh", Arity::kUnary, {F32}, -30, 30, kExp, 9},
      {"Cosh", Arity::kUnary, {F32}, -30, 30, kExp, 9},
      {"Asinh", Arity::kUnary, {F32}, -50, 50, kAccurate, 9},
      {"Acosh", Arity::kUnary, {F32}, 1, 50, kAccurate, 9},
      {"Atanh", Arity::kUnary, {F32}, -1, 1, kAccurate, 9},
      {"Not", Arity::kUnary, {B}, 0, 2},
      {"IsNaN", Arity::kUnary, {F32}, -4, 4, kExact, 9, nullptr, true},
      {"IsInf", Arity::kUnary, {F32}, -4, 4, kExact, 10, IsInfAttrs, true},
      {"Relu", Arity::kUnary, {F32, I32}},
      {"Sigmoid", Arity::kUnary, {F32}, -20, 20, kExp},
      {"Tanh", Arity::kUnary, {F32}, -6, 6, kAccurate},
      {"LeakyRelu", Arity::kUnary, {F32}, -4, 4, kUlps, 1, AlphaSmall},
      {"Clip", Arity::kUnary, {F32}, -4, 4, kExact, 6, ClipAttrs},
      {"Elu", Arity::kUnary, {F32}, -6, 3, kAccurate, 1, AlphaPos},
      {"Selu", Arity::kUnary, {F32}, -6, 3, kAccurate, 6, SeluAttrs},
      {"Celu", Arity::kUnary, {F32}, -6, 3, kAccurate, 12, AlphaPos},
      {"HardSigmoid", Arity::kUnary, {F32}, -6, 6, kAccurate, 6, HardSigmoidAttrs},
      {"HardSwish", Arity::kUnary, {F32}, -6, 6, kAccurate, 14},
      {"Softplus", Arity::kUnary, {F32}, -30, 30, kAccurate},
      {"Softsign", Arity::kUnary, {F32}, -6, 6, kUlps},
      {"ThresholdedRelu", Arity::kUnary, {F32}, -3, 3, kExact, 10, AlphaAny},
      {"Shrink", Arity::kUnary, {F32, I32, U8, I8}, -4, 4, kExact, 9, ShrinkAttrs},
      {"Add", Arity::kBinary, {F32, I32, I64, U8}, -10, 10, kExact, 1, nullptr, false, true},
      {"Sub", Arity::kBinary, {F32, I32, U8}, -10, 10, kExact, 1, nullptr, false, true},
      {"Mul", Arity::kBinary, {F32, I32, I8}, -10, 10, kExact, 1, nullptr, false, true},
      {"Div", Arity::kBinary, {F32, I32, U16}, -10, 10, kUlps, 1, nullptr, false, true},
      {"Mod", Arity::kBinary, {F32, I32, I8, U32}, -10, 10, kExact, 10, ModAttrs},
      {"BitShift", Arity::kBinary, {U8, U16, U32}, 0, 40, kExact, 11, ShiftAttrs},
      {"Pow", Arity::kBinary, {F32}, 0.1, 4, kPow, 1, nullptr, false, true},
      {"Pow", Arity::kBinary, {F32}, -3, 3, kPow, 12, nullptr, false, false, true, I32},
      {"Pow", Arity::kBinary, {F32}, -3, 3, kPow, 12, nullptr, false, false, true, U8},
      {"Pow", Arity::kBinary, {I32}, -4, 6, kExact, 12, nullptr, false, false, false, I32},
      {"Pow", Arity::kBinary, {I32}, -4, 6, kExact, 12, nullptr, false, false, true, F32},
      {"Equal", Arity::kBinary, {F32, I32, B}, -2, 2, kExact, 11, nullptr, true, false, true},
      {"Less", Arity::kBinary, {F32, I32, U8}, -2, 2, kExact, 9, nullptr, true, false, true},
      {"Greater", Arity::kBinary, {F32, I32, I64}, -2, 2, kExact, 9, nullptr, true, false, true},
      {"Greater", Arity::kBinary, {F32}, -2, 2, kExact, 1, nullptr, true, true, true},
      {"LessOrEqual", Arity::kBinary, {F32, I8}, -2, 2, kExact, 12, nullptr, true, false, true},
      {"GreaterOrEqual", Arity::kBinary, {F32, U16}, -2, 2, kExact, 12, nullptr, true, false, true},
      {"And", Arity::kBinary, {B}, 0, 2, kExact, 1, nullptr, true, true},
      {"Or", Arity::kBinary, {B}, 0, 2, kExact, 1, nullptr, true, true},
      {"Xor", Arity::kBinary, {B}, 0, 2, kExact, 1, nullptr, true, true},
      {"PRelu", Arity::kBinary, {F32, I32}, -4, 4, kExact},
      {"Max", Arity::kVariadic, {F32, I32, U8}, -4, 4, kExact, 1, nullptr, false, false, true},
      {"Min", Arity::kVariadic, {F32, I64, I8}, -4, 4, kExact, 1, nullptr, false, false, true},
      {"Sum", Arity::kVariadic, {F32}, -4, 4, kSum},
      {"Mean", Arity::kVariadic, {F32}, -4, 4, kSum},
      {"Where", Arity::kWhere, {F32, I32, U8, B, I64}, -4, 4, kExact, 9},
  };
  return specs;
}

struct Case {
  const OpSpec* spec = nullptr;
  int opset = 17;
  DType type = F32;
  std::vector<Shape> inputs;
  std::vector<Attr> attrs;
  bool specials = false;

  std::string Describe() const {
    std::ostringstream os;
    os << spec->op << "-" << opset << " " << DTypeName(type);
    if (spec->second != DType::kUndefined) os << "/" << DTypeName(spec->second);
    for (const Shape& s : inputs) os << " " << ShapeString(s);
    for (const Attr& a : attrs) {
      os << " " << a.name << "=";
      if (a.kind == Attr::kString)
        os << a.s;
      else
        os << (a.kind == Attr::kFloat ? a.f : double(a.i));
    }
    if (specials) os << " +NaN/Inf/0";
    os << " tol(atol " << spec->tol.atol << ", rtol " << spec->tol.rtol << ")";
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

Shape RandomShape(std::mt19937_64& rng, int max_rank) {
  Shape s(static_cast<size_t>(rng() % static_cast<uint64_t>(max_rank + 1)));
  for (int64_t& d : s) d = Pick(rng, {1, 2, 3, 5, 7});
  return s;
}

// A shape that broadcasts to `out`: a suffix of it with some dims set to 1.
Shape BroadcastingTo(const Shape& out, std::mt19937_64& rng) {
  const size_t drop = rng() % (out.size() + 1);
  Shape s(out.begin() + static_cast<std::ptrdiff_t>(drop), out.end());
  for (int64_t& d : s)
    if (rng() % 3 == 0) d = 1;
  return s;
}

Case Draw(std::mt19937_64& rng) {
  Case c;
  const auto& specs = Specs();
  c.spec = &specs[rng() % specs.size()];
  const OpSpec& s = *c.spec;
  c.type = s.types[rng() % s.types.size()];
  c.opset = s.since + static_cast<int>(rng() % static_cast<uint64_t>(18 - s.since));
  if (s.attrs) c.attrs = s.attrs(rng, c.type);
  const Shape out = RandomShape(rng, 4);
  switch (s.arity) {
    case Arity::kUnary:
      c.inputs = {out};
      break;
    case Arity::kBinary:
      if (std::string(s.op) == "PRelu") {
        c.opset = static_cast<int>(Pick(rng, {6, 7, 9, 16}));
        c.inputs = {out, BroadcastingTo(out, rng)};
        if (c.type != F32) c.opset = std::max(c.opset, 9);
        if (c.opset < 7 && out.size() >= 2) c.inputs[1] = rng() % 2 ? Shape{out[1]} : Shape{1};
      } else if (s.legacy && c.opset < 7) {
        // broadcast=1 places B at `axis` of A (or at the end); broadcast=0 needs equal shapes.
        const size_t len = rng() % (out.size() + 1), axis = rng() % (out.size() - len + 1);
        Shape b(out.begin() + static_cast<std::ptrdiff_t>(axis),
                out.begin() + static_cast<std::ptrdiff_t>(axis + len));
        const bool bcast = rng() % 4 != 0;
        c.attrs.push_back(IntAttr("broadcast", bcast ? 1 : 0));
        if (bcast && (axis + len != out.size() || rng() % 2))
          c.attrs.push_back(IntAttr("axis", int64_t(axis)));
        c.inputs = {out, bcast ? b : out};
      } else {
        c.inputs = {BroadcastingTo(out, rng), BroadcastingTo(out, rng)};
        if (rng() % 2) c.inputs[rng() % 2] = out;
      }
      break;
    case Arity::kWhere:
      c.inputs = {BroadcastingTo(out, rng), BroadcastingTo(out, rng), BroadcastingTo(out, rng)};
      break;
    case Arity::kVariadic: {
      // Up to 9 inputs: more than one kernel pass once the 8 storage bindings are used up.
      const size_t n = 1 + rng() % 9;
      c.opset = static_cast<int>(Pick(rng, {6, 8, 13}));
      if (c.type != F32) c.opset = std::max(c.opset, 12);
      for (size_t k = 0; k < n; ++k) c.inputs.push_back(c.opset < 8 ? out : BroadcastingTo(out, rng));
      c.inputs[rng() % n] = out;
      break;
    }
  }
  c.specials = IsFloat(c.type) && rng() % 4 == 0;
  return c;
}

std::vector<uint8_t> BuildModel(const Case& c, const std::vector<DType>& types) {
  ModelBuilder m(c.opset);
  std::vector<std::string> names;
  for (size_t k = 0; k < c.inputs.size(); ++k) {
    names.push_back("in" + std::to_string(k));
    m.Input(names.back(), types[k], c.inputs[k]);
  }
  m.Node(c.spec->op, names, {"y"}, c.attrs, "node");
  m.Output("y", c.spec->to_bool ? B : c.type);
  return m.Serialize();
}

std::vector<DType> InputTypes(const Case& c) {
  std::vector<DType> t(c.inputs.size(), c.type);
  if (c.spec->arity == Arity::kWhere) t[0] = B;
  if (c.spec->second != DType::kUndefined) t[1] = c.spec->second;
  return t;
}

HostTensor Input(const Case& c, size_t k, DType t, std::mt19937_64& rng) {
  const Shape& shape = c.inputs[k];
  if (t == B || (c.spec->arity == Arity::kWhere && k == 0)) return RandomTensor(B, shape, rng, 0, 2);
  double lo = c.spec->lo, hi = c.spec->hi;
  const bool exponent = std::string(c.spec->op) == "Pow" && k == 1;
  if (exponent) {
    lo = IsFloat(c.type) ? -5 : 0;
    hi = IsFloat(c.type) ? 6 : 8;
  }
  if (!IsFloat(t) && !IsSigned(t)) lo = std::max(lo, 0.0);
  HostTensor x = RandomTensor(t, shape, rng, lo, hi);
  if (!IsFloat(t)) return x;
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    // An integer base needs an integral exponent to stay exact: a fractional one goes through float
    // pow and truncates, where f32 and float64 may land on either side of an integer.
    if (exponent && !IsFloat(c.type)) x.SetDouble(i, std::floor(x.GetDouble(i)));
    if (c.spec->ties && !exponent) x.SetDouble(i, std::round(x.GetDouble(i) * 2) / 2);
    if (c.specials && rng() % 8 == 0) {
      const double v[] = {std::numeric_limits<double>::quiet_NaN(), INFINITY, -INFINITY, 0.0, -0.0};
      x.SetDouble(i, v[rng() % 5]);
    }
  }
  return x;
}

TEST(ElementwiseRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261126);
  const int count = SweepCount(200, 4000);
  std::cout << "ElementwiseRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const Case c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    const std::vector<DType> types = InputTypes(c);
    std::map<std::string, HostTensor> feeds;
    for (size_t k = 0; k < c.inputs.size(); ++k) feeds["in" + std::to_string(k)] = Input(c, k, types[k], rng);
    EXPECT_TRUE(MatchesReference(BuildModel(c, types), feeds, c.spec->tol));
  }
}

}  // namespace
}  // namespace webconv::testing
