// Differential tests of the implicit GEMM's optional f16 tiles (ConvMath::kF16Tiles, WEBCONV_CONV_F16=tiles)
// against the float64 reference, with an error bound derived from f16's precision rather than a fixed
// tolerance.
//
// With u = 2^-11 (f16's unit roundoff), rounding an input and a weight to f16 moves their product by at most
// about 2u of |x w|, so each output's error is bounded by 3u times A, the sum of |x| |w| over its taps: 2u
// for the rounding, one more u to cover f32's own share (the FMAs, the bias). A comes from the float64
// reference run on |x|, |w| and a zero bias. The bound is per element, so a wrong kernel (a lost tap, a
// depth pair swapped with another) fails it even where outputs are large.
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

const ConvShapeCase kCases[] = {
    {2, 5, 130, 1, {9, 11}, {3, 3}, {1, 2}, {2, 1}, {1, 0, 2, 1}},          // tails in rows, columns, depth
    {1, 6, 18, 2, {3, 5, 7}, {3, 1, 2}, {1, 1, 1}, {2, 1, 1}, {2, 0, 1, 2, 0, 0}},  // 3-D, groups
    {1, 64, 40, 1, {6, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},     // 576 deep, Relu fused
};

HostTensor Abs(const HostTensor& t) {
  HostTensor out(t.dtype(), t.shape());
  for (int64_t i = 0; i < t.num_elements(); ++i) out.SetDouble(i, std::fabs(t.GetDouble(i)));
  return out;
}

// Runs case `c` with f16 tiles on WebGPU and checks every output against the float64 reference within the
// bound above; also that some error exceeds what f32 gives (1e-5 here), so the f16 path really ran.
void CheckF16Case(const ConvShapeCase& c, uint64_t seed) {
  ScopedTuning tuning;
  std::mt19937_64 rng(seed);
  const HostTensor w = RandomTensor(DType::kFloat32, ConvCaseWeightShape(c), rng);
  const HostTensor b = RandomTensor(DType::kFloat32, {c.cout}, rng);
  const HostTensor x = RandomTensor(DType::kFloat32, ConvCaseInputShape(c), rng);
  const auto model = ConvCaseModel(c, w, b);
  ConvShapeCase plain = c;
  plain.relu = false;  // Relu cannot grow an error, so the bound of the bare Conv holds after it
  const auto abs_model = ConvCaseModel(plain, Abs(w), HostTensor(DType::kFloat32, {c.cout}));

  auto want = RunOn(runtime::Backend::kReference, model, {{"x", x}});
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto sums = RunOn(runtime::Backend::kReference, abs_model, {{"x", Abs(x)}});
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  const ops::ConvMath f16 = ops::ConvMath::kF16Tiles;
  tuning.kernels().conv_math = f16;
  auto got = RunOn(runtime::Backend::kWebGpu, model, {{"x", x}});
  tuning.kernels().conv_math = ops::ConvMath::kF32;
  ASSERT_TRUE(got.ok()) << got.status().ToString();

  const HostTensor& y = got->at("y");
  const HostTensor& r = want->at("y");
  const HostTensor& a = sums->at("y");
  ASSERT_EQ(y.num_elements(), r.num_elements());
  double worst = 0, worst_share = 0;
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    const double err = std::fabs(y.GetDouble(i) - r.GetDouble(i));
    const double bound = 3 * kF16Unit * a.GetDouble(i) + 1e-6;
    worst = std::max(worst, err);
    worst_share = std::max(worst_share, err / bound);
    ASSERT_LE(err, bound) << "output " << i << ": got " << y.GetDouble(i) << ", float64 " << r.GetDouble(i)
                          << ", sum |x||w| " << a.GetDouble(i);
  }
  std::cout << "  C=" << c.cin << " M=" << c.cout << ": max abs err " << worst << ", " << worst_share
            << " of the bound\n";
  EXPECT_GT(worst, 1e-5) << "errors of f32 size only: the f16 tiles did not run";
}

TEST(ConvF16, EveryTileWithinTheF16Bound) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261125);
  std::cout << "ConvF16 seed " << seed << " (WEBCONV_SEED)\n";
  uint64_t k = 0;
  for (const ops::ConvTiling& t : ops::ConvTilingCandidates()) {
    tuning.kernels().conv_tile = t;
    SCOPED_TRACE(::testing::Message() << "tile " << t.Name() << ", seed " << seed + k);
    std::cout << "tile " << t.Name() << "\n";
    CheckF16Case(kCases[0], seed + k++);
  }
  tuning.kernels().conv_tile.reset();
  for (const ConvShapeCase& c : {kCases[1], kCases[2]}) {
    SCOPED_TRACE(::testing::Message() << "chosen tile, C=" << c.cin << ", seed " << seed + k);
    CheckF16Case(c, seed + k++);
  }
  // Split-K: the f16-tile GEMM's partial sums, then the f32 sum kernel and the fused Relu.
  tuning.kernels().conv_splits = 3;
  SCOPED_TRACE(::testing::Message() << "split 3, seed " << seed + k);
  CheckF16Case(kCases[2], seed + k++);
}

}  // namespace
}  // namespace webconv::testing
