// DFT and STFT on every backend against the float64 reference, random inputs (the seed is printed): real
// and complex inputs, dft_length cutting and zero-padding, onesided, inverse, other axes; STFT with and
// without a window, complex signals two-sided; lengths that are not powers of two.
#include <gtest/gtest.h>

#include <cstdio>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

std::vector<uint8_t> DftModel(const Shape& x, int64_t axis, bool inverse, bool onesided, int64_t dft_length) {
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, x);
  std::vector<std::string> inputs = {"x"};
  if (dft_length > 0) {
    HostTensor n(DType::kInt64, {});
    n.SetInt(0, dft_length);
    m.Initializer("n", n);
    inputs.push_back("n");
  }
  m.Node("DFT", inputs, {"y"},
         {IntAttr("axis", axis), IntAttr("inverse", inverse ? 1 : 0), IntAttr("onesided", onesided ? 1 : 0)}, "dft");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(Dft, RandomTransformsMatchTheReference) {
  const uint64_t seed = BaseSeed(17);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  struct Case {
    Shape x;
    int64_t axis;
    bool inverse, onesided;
    int64_t n;
  };
  const std::vector<Case> cases = {
      {{2, 12, 1}, 1, false, false, 0}, {{2, 12, 2}, 1, true, false, 0},  {{1, 3, 10, 2}, 2, false, false, 0},
      {{2, 9, 1}, 1, false, true, 0},   {{2, 9, 1}, 1, false, false, 16}, {{2, 20, 2}, 1, false, false, 7},
      {{3, 5, 4, 1}, -2, false, true, 0}};
  for (const Case& c : cases) {
    EXPECT_TRUE(MatchesReference(DftModel(c.x, c.axis, c.inverse, c.onesided, c.n),
                                 {{"x", RandomTensor(DType::kFloat32, c.x, rng)}}, runtime::Tolerance{1e-4, 1e-4}))
        << ShapeString(c.x) << " axis " << c.axis << " inverse " << c.inverse << " onesided " << c.onesided
        << " n " << c.n;
  }
}

TEST(Dft, StftFramesMatchTheReference) {
  const uint64_t seed = BaseSeed(18);
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (const auto& [complex_signal, windowed] : {std::pair{false, true}, {false, false}, {true, true}}) {
    ModelBuilder m(17);
    const Shape signal = {2, 50, complex_signal ? 2 : 1};
    m.Input("signal", DType::kFloat32, signal);
    HostTensor step(DType::kInt64, {}), length(DType::kInt64, {});
    step.SetInt(0, 6);
    length.SetInt(0, 12);
    m.Initializer("step", step);
    std::vector<std::string> inputs = {"signal", "step"};
    if (windowed) {
      m.Initializer("window", RandomTensor(DType::kFloat32, {12}, rng, 0.0, 1.0));
      inputs.push_back("window");
    } else {
      m.Initializer("length", length);
      inputs.push_back("");
      inputs.push_back("length");
    }
    m.Node("STFT", inputs, {"y"}, {IntAttr("onesided", complex_signal ? 0 : 1)}, "stft");
    m.Output("y", DType::kFloat32);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"signal", RandomTensor(DType::kFloat32, signal, rng)}},
                                 runtime::Tolerance{1e-4, 1e-4}))
        << "complex " << complex_signal << " windowed " << windowed;
  }
}

TEST(Dft, BadAxisIsRefusedNamingTheNode) {
  HostTensor x(DType::kFloat32, {2, 4, 1});
  EXPECT_TRUE(FailsAlikeOnEveryBackend(DftModel({2, 4, 1}, 2, false, false, 0), {{"x", x}},
                                       {"DFT 'dft'", "axis 2 is out of range"}));
}

}  // namespace
}  // namespace webconv::testing
