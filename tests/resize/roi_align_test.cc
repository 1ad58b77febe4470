// RoiAlign on WebGPU and the CPU backend against the float64 reference: avg and max, half_pixel and
// output_half_pixel, a fixed and the adaptive sampling grid, regions partly or wholly outside the image
// and smaller than a pixel; a batch index out of range fails every backend naming the node.
#include <gtest/gtest.h>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

std::vector<uint8_t> Model(const std::string& mode, const std::string& transform, int64_t sampling) {
  ModelBuilder m(16);
  m.Input("x", DType::kFloat32, {2, 3, 9, 11});
  m.Input("rois", DType::kFloat32, {5, 4});
  m.Input("idx", DType::kInt64, {5});
  m.Node("RoiAlign", {"x", "rois", "idx"}, {"y"},
         {StringAttr("mode", mode), StringAttr("coordinate_transformation_mode", transform),
          IntAttr("output_height", 3), IntAttr("output_width", 4), IntAttr("sampling_ratio", sampling),
          FloatAttr("spatial_scale", 0.5f)},
         "roi");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

HostTensor Rois() {
  // x1, y1, x2, y2 before spatial_scale 0.5: inside, partly outside, wholly outside, under a pixel, large.
  const float v[5][4] = {{2, 3, 14, 12}, {-6, -4, 8, 6}, {30, 25, 40, 35}, {5, 5, 5.6f, 5.4f}, {0, 0, 22, 18}};
  HostTensor t(DType::kFloat32, {5, 4});
  for (int r = 0; r < 5; ++r)
    for (int k = 0; k < 4; ++k) t.SetDouble(r * 4 + k, v[r][k]);
  return t;
}

HostTensor Indices(std::vector<int64_t> v) {
  HostTensor t(DType::kInt64, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.SetInt(static_cast<int64_t>(i), v[i]);
  return t;
}

TEST(RoiAlign, EveryModeMatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261219);
  std::cout << "RoiAlign seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  for (const char* mode : {"avg", "max"})
    for (const char* transform : {"half_pixel", "output_half_pixel"})
      for (int64_t sampling : {0, 2}) {
        SCOPED_TRACE(::testing::Message() << mode << " " << transform << " sampling_ratio " << sampling);
        const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, {2, 3, 9, 11}, rng)},
                                                         {"rois", Rois()},
                                                         {"idx", Indices({0, 1, 1, 0, 1})}};
        EXPECT_TRUE(MatchesReference(Model(mode, transform, sampling), feeds, runtime::Tolerance{1e-5, 1e-4}));
      }
}

TEST(RoiAlign, BatchIndexOutOfRangeFailsOnEveryBackendNamingTheNode) {
  std::mt19937_64 rng(8);
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, {2, 3, 9, 11}, rng)},
                                                   {"rois", Rois()},
                                                   {"idx", Indices({0, 1, 2, 0, 1})}};
  EXPECT_TRUE(FailsAlikeOnEveryBackend(Model("avg", "half_pixel", 2), feeds, {"batch_indices[2] is 2", "'roi'"}));
}

}  // namespace
}  // namespace webconv::testing
