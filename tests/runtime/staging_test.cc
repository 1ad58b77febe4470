// Inputs of several megabytes on WebGPU: copied into their staging buffers by several threads
// (gpu/native/program.cc, CopyToStaging), they must arrive whole.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "differential.h"
#include "model_builder.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

// An input of several megabytes is copied into its staging buffer by several threads (gpu/native
// program.cc, CopyToStaging): every element must arrive where it belongs, including the last part, which
// is not a whole number of cache lines, and again when the next run reuses the staging buffer.
TEST(Session, LargeInputArrivesWhole) {
  constexpr int64_t kCount = (int64_t{5} << 20) / 4 * 3 + 7;  // 15 MB and 28 bytes: several parts, odd tail
  testing::ModelBuilder m(13);
  m.Input("x", DType::kFloat32, {kCount});
  m.Node("Neg", {"x"}, {"y"}, {}, "neg");
  m.Output("y", DType::kFloat32);
  const std::vector<uint8_t> bytes = m.Serialize();
  for (uint64_t seed : {11u, 12u}) {
    std::mt19937_64 rng(seed);
    std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
    HostTensor x = testing::RandomTensor(DType::kFloat32, {kCount}, rng);
    auto out = testing::RunOn(Backend::kWebGpu, bytes, {{"x", x}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const HostTensor& y = out->at("y");
    ASSERT_EQ(y.num_elements(), kCount);
    const float* in = x.as<float>();
    const float* got = y.as<float>();
    int64_t wrong = 0;
    for (int64_t i = 0; i < kCount; ++i) wrong += got[i] != -in[i];
    EXPECT_EQ(wrong, 0) << "elements not negated copies of the input";
  }
}

}  // namespace
}  // namespace webconv::runtime
