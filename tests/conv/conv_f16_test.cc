// Differential tests of the implicit GEMM's optional f16 arithmetic (ConvMath, WEBCONV_CONV_F16), against
// the float64 reference with an error bound derived from f16's precision rather than a fixed tolerance.
//
// With u = 2^-11 (f16's unit roundoff), each output's error is bounded by the sum of |x| |w| over its taps,
// A, times: 2u for rounding the input and the weight to f16 (kF16Tiles, whose FMAs are f32), plus TK u for
// the f16 additions inside one K slice of TK products (kF16Math); f32's share (the slices' sums, the bias)
// is covered by one more u. A comes from the float64 reference run on |x|, |w| and a zero bias. The bound
// is per element, so a wrong kernel (a lost tap, a tap read twice) fails it even where outputs are large.
//
// SwiftShader has no shader-f16, so on CI machines only the refusal is checked; the bounds run where the
// device has the feature (the H100: `ctest -R ConvF16` with the carried build).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "conv_case.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

constexpr double kF16Unit = 1.0 / 2048;  // 2^-11
constexpr uint32_t kMaxSlice = 16;       // the deepest K slice of any tile

const ConvShapeCase kCases[] = {
    {2, 5, 130, 1, {9, 11}, {3, 3}, {1, 2}, {2, 1}, {1, 0, 2, 1}},
    {1, 6, 18, 2, {3, 5, 7}, {3, 1, 2}, {1, 1, 1}, {2, 1, 1}, {2, 0, 1, 2, 0, 0}},
    {1, 64, 40, 1, {6, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},  // 576 deep, Relu fused
};

HostTensor Abs(const HostTensor& t) {
  HostTensor out(t.dtype(), t.shape());
  for (int64_t i = 0; i < t.num_elements(); ++i) out.SetDouble(i, std::fabs(t.GetDouble(i)));
  return out;
}

struct MathGuard {
  explicit MathGuard(ops::ConvMath m) : m_(m) { ops::ForceConvMathForTesting(&m_); }
  ~MathGuard() { ops::ForceConvMathForTesting(nullptr); }
  ops::ConvMath m_;
};

// Runs case `c` with arithmetic `math` on WebGPU and checks every output against the float64 reference
// within the bound above; also that the error is not f32-sized everywhere (the f16 path really ran).
void CheckF16Case(const ConvShapeCase& c, ops::ConvMath math, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const HostTensor w = RandomTensor(DType::kFloat32, ConvCaseWeightShape(c), rng);
  const HostTensor b = RandomTensor(DType::kFloat32, {c.cout}, rng);
  const HostTensor x = RandomTensor(DType::kFloat32, ConvCaseInputShape(c), rng);
  const auto model = ConvCaseModel(c, w, b);
  ConvShapeCase plain = c;
  plain.relu = false;  // |x| (*) |w| >= 0, so a Relu would not change it; keep the bound model a bare Conv
  const auto abs_model = ConvCaseModel(plain, Abs(w), HostTensor(DType::kFloat32, {c.cout}));

  auto want = RunOn(runtime::Backend::kCpu, model, {{"x", x}});
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto sums = RunOn(runtime::Backend::kCpu, abs_model, {{"x", Abs(x)}});
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  MathGuard guard(math);
  auto got = RunOn(runtime::Backend::kWebGpu, model, {{"x", x}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();

  const double gamma = (math == ops::ConvMath::kF16Math ? 3.0 + kMaxSlice : 3.0) * kF16Unit;
  const HostTensor& y = got->at("y");
  const HostTensor& r = want->at("y");
  const HostTensor& a = sums->at("y");
  ASSERT_EQ(y.num_elements(), r.num_elements());
  double worst = 0, worst_ratio = 0;
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    const double err = std::fabs(y.GetDouble(i) - r.GetDouble(i));
    const double bound = gamma * a.GetDouble(i) + 1e-6;
    worst = std::max(worst, err);
    worst_ratio = std::max(worst_ratio, err / bound);
    ASSERT_LE(err, bound) << "output " << i << ": got " << y.GetDouble(i) << ", float64 " << r.GetDouble(i)
                          << ", sum |x||w| " << a.GetDouble(i);
  }
  std::cout << ops::ConvMathName(math) << " C=" << c.cin << " M=" << c.cout << ": max abs err " << worst
            << ", " << worst_ratio << " of the bound\n";
  EXPECT_GT(worst, 1e-5) << "errors of f32 size only: the f16 kernel did not run";
}

TEST(ConvF16, EachFormWithinItsF16Bound) {
  auto device = SharedDevice();
  ASSERT_TRUE(device);
  if (!device->info().has_shader_f16)
    GTEST_SKIP() << "'" << device->info().name << "' has no shader-f16 (SwiftShader lacks it); run on a GPU";
  const uint64_t seed = BaseSeed(20261125);
  std::cout << "ConvF16 seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  for (const ops::ConvMath math : {ops::ConvMath::kF16Tiles, ops::ConvMath::kF16Math}) {
    for (const ConvShapeCase& c : kCases) {
      SCOPED_TRACE(::testing::Message() << ops::ConvMathName(math) << " C=" << c.cin << ", seed " << seed + k);
      CheckF16Case(c, math, seed + k++);
    }
    // Split-K with f16 slices: the GEMM's partial sums, then the f32 sum kernel.
    ops::ForceConvSplitsForTesting(3);
    SCOPED_TRACE(::testing::Message() << ops::ConvMathName(math) << " split 3, seed " << seed + k);
    CheckF16Case(kCases[2], math, seed + k++);
    ops::ForceConvSplitsForTesting(0);
  }
}

TEST(ConvF16, RefusedClearlyWithoutShaderF16) {
  auto device = SharedDevice();
  ASSERT_TRUE(device);
  if (device->info().has_shader_f16) GTEST_SKIP() << "'" << device->info().name << "' has shader-f16";
  std::mt19937_64 rng(1);
  Shape xs;
  const auto model = ConvCaseModel(kCases[0], rng, &xs);
  MathGuard guard(ops::ConvMath::kF16Math);
  auto got = RunOn(runtime::Backend::kWebGpu, model, {{"x", RandomTensor(DType::kFloat32, xs, rng)}});
  ASSERT_FALSE(got.ok());
  const std::string message = got.status().ToString();
  EXPECT_NE(message.find("shader-f16"), std::string::npos) << message;
  EXPECT_NE(message.find("Conv 'conv'"), std::string::npos) << message;
}

TEST(ConvF16, KnobValues) {
  // No test forces a form here: WEBCONV_CONV_F16 is read.
  ASSERT_EQ(setenv("WEBCONV_CONV_F16", "math", 1), 0);
  auto m = ops::ChooseConvMath(true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value(), ops::ConvMath::kF16Math);
  ASSERT_EQ(setenv("WEBCONV_CONV_F16", "tiles", 1), 0);
  EXPECT_EQ(ops::ChooseConvMath(true).value(), ops::ConvMath::kF16Tiles);
  ASSERT_EQ(setenv("WEBCONV_CONV_F16", "off", 1), 0);
  EXPECT_EQ(ops::ChooseConvMath(false).value(), ops::ConvMath::kF32);
  ASSERT_EQ(setenv("WEBCONV_CONV_F16", "half", 1), 0);
  auto bad = ops::ChooseConvMath(true);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("WEBCONV_CONV_F16=half"), std::string::npos) << bad.status().ToString();
  ASSERT_EQ(setenv("WEBCONV_CONV_F16", "tiles", 1), 0);
  auto refused = ops::ChooseConvMath(false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("shader-f16"), std::string::npos);
  ASSERT_EQ(unsetenv("WEBCONV_CONV_F16"), 0);
}

}  // namespace
}  // namespace webconv::testing
