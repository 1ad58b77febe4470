// float64 on WebGPU: tensors held as float32 words (ops/op_schema.h: WGSL has no 64-bit float). A float64
// model gives float64 outputs that agree with the float64 reference within float32's precision, and a
// finite float64 value beyond float32's range is an error naming the tensor, never an infinity.
#include <gtest/gtest.h>

#include <cstdio>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

TEST(Float64, ConvNetworkComputedInFloat32MatchesReference) {
  const uint64_t seed = BaseSeed(64);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  ModelBuilder m(13);
  m.Input("x", DType::kFloat64, {1, 3, 10, 9});
  m.Initializer("w", RandomTensor(DType::kFloat64, {6, 3, 3, 3}, rng, -0.5, 0.5));
  m.Initializer("b", RandomTensor(DType::kFloat64, {6}, rng, -0.5, 0.5));
  m.Node("Conv", {"x", "w", "b"}, {"c"}, {IntsAttr("pads", {1, 1, 1, 1})}, "conv");
  m.Node("Relu", {"c"}, {"r"}, {}, "relu");
  m.Node("ReduceLogSumExp", {"r"}, {"lse"}, {IntsAttr("axes", {1})}, "lse");
  m.Node("CumSum", {"lse", "axis"}, {"y"}, {}, "cumsum");
  HostTensor axis(DType::kInt64, {});
  axis.SetInt(0, 2);
  m.Initializer("axis", axis);
  m.Node("Cast", {"y"}, {"y32"}, {IntAttr("to", 1)}, "to_float32");
  m.Output("y", DType::kFloat64);
  m.Output("y32", DType::kFloat32);
  // float32 arithmetic against the float64 reference: float32's rounding, summed over a 27-tap window and
  // a 9-long running sum.
  EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat64, {1, 3, 10, 9}, rng)}},
                               runtime::Tolerance{1e-5, 1e-5}));
  auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), {{"x", RandomTensor(DType::kFloat64, {1, 3, 10, 9}, rng)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("y").dtype(), DType::kFloat64) << "the output keeps the model's type";
}

TEST(Float64, ValueBeyondFloat32RangeIsAnErrorOnWebGpu) {
  ModelBuilder m(13);
  m.Input("x", DType::kFloat64, {4});
  m.Node("Neg", {"x"}, {"y"}, {}, "neg");
  m.Output("y", DType::kFloat64);
  HostTensor x(DType::kFloat64, {4});
  for (int i = 0; i < 4; ++i) x.SetDouble(i, i == 2 ? 1e300 : 1.5);
  auto out = RunOn(runtime::Backend::kWebGpu, m.Serialize(), {{"x", x}});
  ASSERT_FALSE(out.ok()) << "1e300 would become infinity in float32";
  EXPECT_NE(out.status().ToString().find("tensor 'x' holds float64 value 1e+300 at index 2, outside the float32 range"),
            std::string::npos)
      << out.status().ToString();
  auto ref = RunOn(runtime::Backend::kReference, m.Serialize(), {{"x", x}});
  ASSERT_TRUE(ref.ok()) << "the reference computes in float64: " << ref.status().ToString();
  EXPECT_EQ(ref->at("y").GetDouble(2), -1e300);
}

}  // namespace
}  // namespace webconv::testing
