// GridSample on WebGPU and the CPU backend against the float64 reference: every mode, padding mode and
// align_corners setting, with grid points spread beyond [-1, 1] so that every padding rule is exercised.
#include <gtest/gtest.h>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

TEST(GridSample, EveryModeAndPaddingMatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261217);
  std::cout << "GridSample seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape x_shape = {2, 3, 5, 7}, grid_shape = {2, 4, 6, 2};
  for (const char* mode : {"bilinear", "nearest", "bicubic"})
    for (const char* padding : {"zeros", "border", "reflection"})
      for (int align : {0, 1}) {
        SCOPED_TRACE(::testing::Message() << mode << " " << padding << " align_corners " << align);
        ModelBuilder m(16);
        m.Input("x", DType::kFloat32, x_shape);
        m.Input("grid", DType::kFloat32, grid_shape);
        m.Node("GridSample", {"x", "grid"}, {"y"},
               {StringAttr("mode", mode), StringAttr("padding_mode", padding), IntAttr("align_corners", align)},
               "sample");
        m.Output("y", DType::kFloat32);
        const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, x_shape, rng)},
                                                         {"grid", RandomTensor(DType::kFloat32, grid_shape, rng, -1.6, 1.6)}};
        // A sample is a weighted sum of up to 16 inputs in float32 against float64.
        EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{1e-5, 1e-4}));
      }
}

}  // namespace
}  // namespace webconv::testing
