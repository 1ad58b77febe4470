// float16 on WebGPU: tensors held as float32 words (ops/op_schema.h). Cast to float16 must round exactly
// as the reference does (nearest even, overflow to infinity, float16's subnormals), and a float16 model
// must give float16 outputs that agree with the float64 reference within float16's precision.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

float FromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

HostTensor Floats(const std::vector<float>& v) {
  HostTensor t(DType::kFloat32, {static_cast<int64_t>(v.size())});
  std::memcpy(t.mutable_data(), v.data(), v.size() * 4);
  return t;
}

// Values where rounding to float16 is easy to get wrong: ties between two float16 values (even and odd
// below), the largest float16 and the overflow bound 65520 around it, float16's subnormal range and its
// underflow bound 2^-25, zeros, infinities and NaN; then random bit patterns over every exponent.
std::vector<float> RoundingCases(std::mt19937_64& rng) {
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 65504.0f, 65519.0f, 65519.996f, 65520.0f, -65520.0f,
                          65536.0f, 1e10f, std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                          std::ldexp(1.0f, -14), std::ldexp(1.0f, -24), std::ldexp(1.0f, -25),
                          std::ldexp(1.5f, -25), std::ldexp(1.0f, -26), std::ldexp(3.0f, -25),
                          std::ldexp(1.0f, -126), std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25)};
  // Exactly halfway between neighbouring float16 values, at several exponents: 1 + (2k+1) * 2^-11.
  for (int e : {-14, -3, 0, 7, 15})
    for (int k : {0, 1, 2, 511, 1022})
      for (float s : {1.0f, -1.0f}) v.push_back(s * std::ldexp(1.0f + (2 * k + 1) * std::ldexp(1.0f, -11), e));
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 2000; ++i) {
    const uint32_t b = bits(rng);
    if ((b & 0x7f800000u) == 0x7f800000u) continue;  // NaNs and infinities are listed above
    v.push_back(FromBits(b));
  }
  // Magnitudes inside float16's range, where most values of real models are.
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (int i = 0; i < 2000; ++i) v.push_back(unit(rng) * std::ldexp(1.0f, static_cast<int>(i % 40) - 25));
  return v;
}

TEST(Float16, CastToFloat16RoundsAsTheReference) {
  const uint64_t seed = BaseSeed(16);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const std::vector<float> xs = RoundingCases(rng);
  const Shape shape = {static_cast<int64_t>(xs.size())};
  {
    SCOPED_TRACE("float32 -> float16, read as float16");
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, shape);
    m.Node("Cast", {"x"}, {"y"}, {IntAttr("to", static_cast<int64_t>(DType::kFloat16))});
    m.Output("y", DType::kFloat16);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", Floats(xs)}}, {0, 0}));
  }
  {
    // Rounded inside the GPU (the result stays in a float32 word and is read back as float32): what
    // the next op of a model sees.
    SCOPED_TRACE("float32 -> float16 -> float32");
    ModelBuilder m(13);
    m.Input("x", DType::kFloat32, shape);
    m.Node("Cast", {"x"}, {"h"}, {IntAttr("to", static_cast<int64_t>(DType::kFloat16))});
    m.Node("Cast", {"h"}, {"y"}, {IntAttr("to", static_cast<int64_t>(DType::kFloat32))});
    m.Output("y", DType::kFloat32);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", Floats(xs)}}, {0, 0}));
  }
  {
    SCOPED_TRACE("int32 -> float16 -> float32");
    ModelBuilder m(13);
    m.Input("x", DType::kInt32, {512});
    m.Node("Cast", {"x"}, {"h"}, {IntAttr("to", static_cast<int64_t>(DType::kFloat16))});
    m.Node("Cast", {"h"}, {"y"}, {IntAttr("to", static_cast<int64_t>(DType::kFloat32))});
    m.Output("y", DType::kFloat32);
    HostTensor x = RandomIntegers(DType::kInt32, {512}, rng, -200000, 200000);
    for (int64_t i = 0; i < 16; ++i) x.SetInt(i, 65504 + i * 2 - 16);  // around the overflow bound
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, {0, 0}));
  }
}

// A small float16 network (Conv + bias, Relu, MaxPool, a 1x1 Conv, Add, global average, Softmax) with
// float16 weights, input and output. WebGPU computes in float32 and rounds the outputs once; the reference
// rounds every op's result to float16, each rounding at most half a float16 ulp. Relative: 4e-3, eight
// half-ulps (2^-11 each) for the six ops that round in a row. Absolute: where Add cancels, the result can
// be near zero while its inputs' roundings were made at their own magnitude, below 8 here (ulp 2^-8 <= 4e-3).
// (Measured over seeds 17-20: worst 3.9e-3 absolute at 4.25, and 1.95e-3 absolute near zero.)
TEST(Float16, ConvNetworkMatchesReference) {
  const uint64_t seed = BaseSeed(17);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  ModelBuilder m(13);
  m.Input("x", DType::kFloat16, {1, 3, 12, 12});
  m.Initializer("w1", RandomTensor(DType::kFloat16, {8, 3, 3, 3}, rng, -0.5, 0.5));
  m.Initializer("b1", RandomTensor(DType::kFloat16, {8}, rng, -0.5, 0.5));
  m.Initializer("w2", RandomTensor(DType::kFloat16, {8, 8, 1, 1}, rng, -0.5, 0.5));
  m.Node("Conv", {"x", "w1", "b1"}, {"c1"}, {IntsAttr("pads", {1, 1, 1, 1})});
  m.Node("Relu", {"c1"}, {"r1"});
  m.Node("MaxPool", {"r1"}, {"p1"}, {IntsAttr("kernel_shape", {2, 2}), IntsAttr("strides", {2, 2})});
  m.Node("Conv", {"p1", "w2"}, {"c2"});
  m.Node("Add", {"c2", "p1"}, {"s"});
  m.Node("GlobalAveragePool", {"s"}, {"g"});
  m.Node("Flatten", {"g"}, {"f"});
  m.Node("Softmax", {"f"}, {"y"});
  m.Output("y", DType::kFloat16);
  m.Output("s", DType::kFloat16);
  EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat16, {1, 3, 12, 12}, rng)}},
                               {4e-3, 4e-3}));
}


// One node per case, float16 in and out, on WebGPU and the CPU backend against the reference. Both the
// reference (in float64) and WebGPU (in float32) round the node's result to float16 once, so they agree
// within one float16 ulp: 2^-10 relative at most (the ONNX tests' 1e-3), and 1e-4 absolute where a sum
// cancels to near zero.
struct OneNode {
  std::string op;
  std::vector<Shape> inputs;  // all float16
  std::vector<Attr> attrs = {};
  double lo = -2, hi = 2;  // the inputs' range
  int opset = 17;
};

TEST(Float16, EveryFamilyRunsOnWebGpu) {
  const uint64_t seed = BaseSeed(18);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  const Shape x = {2, 3, 6, 6};
  const std::vector<OneNode> cases = {
      {"Relu", {x}}, {"Sigmoid", {x}}, {"Tanh", {x}}, {"Exp", {x}}, {"Abs", {x}}, {"Neg", {x}},
      {"Sqrt", {x}, {}, 0.01, 4}, {"Log", {x}, {}, 0.01, 4}, {"Erf", {x}}, {"HardSwish", {x}},
      {"LeakyRelu", {x}, {FloatAttr("alpha", 0.1f)}}, {"Elu", {x}}, {"Softplus", {x}}, {"Floor", {x}},
      {"Add", {x, x}}, {"Sub", {x, {3, 1, 1}}}, {"Mul", {x, {6}}}, {"Div", {x, x}, {}, 0.5, 2},
      {"Max", {x, x}}, {"Min", {x, x}}, {"Pow", {x, x}, {}, 0.5, 2},
      {"Conv", {x, {4, 3, 3, 3}, {4}}, {IntsAttr("pads", {1, 1, 1, 1})}},
      {"Conv", {x, {3, 1, 3, 3}}, {IntAttr("group", 3), IntsAttr("strides", {2, 2})}},
      {"ConvTranspose", {x, {3, 2, 2, 2}}, {IntsAttr("strides", {2, 2})}},
      {"MaxPool", {x}, {IntsAttr("kernel_shape", {3, 3}), IntsAttr("pads", {1, 1, 1, 1})}},
      {"AveragePool", {x}, {IntsAttr("kernel_shape", {2, 2}), IntsAttr("strides", {2, 2})}},
      {"GlobalAveragePool", {x}},
      {"MatMul", {{2, 5, 7}, {7, 4}}}, {"Gemm", {{5, 7}, {7, 4}, {4}}},
      {"Softmax", {x}, {IntAttr("axis", 1)}}, {"ReduceMean", {x}, {IntsAttr("axes", {2, 3})}, -2, 2, 13},
      {"ReduceSum", {x, }, {}, -2, 2, 11}, {"ReduceMax", {x}, {IntsAttr("axes", {1})}, -2, 2, 13},
      {"BatchNormalization", {x, {3}, {3}, {3}, {3}}, {}, 0.1, 2},
      {"InstanceNormalization", {x, {3}, {3}}},
      {"Transpose", {x}, {IntsAttr("perm", {0, 2, 3, 1})}}, {"Concat", {x, x}, {IntAttr("axis", 1)}},
      {"Clip", {x}, {FloatAttr("min", -0.5f), FloatAttr("max", 0.5f)}, -2, 2, 6},
  };
  for (const OneNode& c : cases) {
    SCOPED_TRACE(c.op);
    ModelBuilder m(c.opset);
    std::map<std::string, HostTensor> feeds;
    std::vector<std::string> names;
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      const std::string name = "in" + std::to_string(i);
      m.Input(name, DType::kFloat16, c.inputs[i]);
      names.push_back(name);
      feeds[name] = RandomTensor(DType::kFloat16, c.inputs[i], rng, c.lo, c.hi);
    }
    m.Node(c.op, names, {"y"}, c.attrs);
    m.Output("y", DType::kFloat16);
    EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, {1e-4, 1e-3}));
  }
}

}  // namespace
}  // namespace webconv::testing
