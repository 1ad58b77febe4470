// ApplyTuningEnvironment: each WEBCONV_* tuning variable sets its session option, unset or empty ones
// leave the options as they were, and a malformed value is a usage error naming the variable and value.
// The variables only reach a session through this call (the CLI and the public C++ API make it).
#include "runtime/tuning_env.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace webconv::runtime {
namespace {

const char* const kVariables[] = {"WEBCONV_NO_FUSION",       "WEBCONV_NO_SIBLING_MERGE", "WEBCONV_NO_BRANCH_MERGE",
                                  "WEBCONV_CONV_TILE",       "WEBCONV_CONV_SPLITS",      "WEBCONV_CONV_F16",
                                  "WEBCONV_CONV_SIZES",      "WEBCONV_CONV_STRIP_ROWS",  "WEBCONV_CONV_STRIP_DEPTHS",
                                  "WEBCONV_CONV_SUBGROUPS"};

// Clears every tuning variable for the test's lifetime and after it.
class TuningEnv : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* v : kVariables) ::unsetenv(v);
  }
};

TEST_F(TuningEnv, UnsetLeavesTheDefaults) {
  SessionOptions o;
  ASSERT_TRUE(ApplyTuningEnvironment(&o).ok());
  EXPECT_TRUE(o.fuse);
  EXPECT_TRUE(o.fusion.sibling_merge);
  EXPECT_TRUE(o.fusion.branch_merge);
  const ops::KernelTuning& t = o.kernel_tuning;
  EXPECT_FALSE(t.conv_tile.has_value());
  EXPECT_EQ(t.conv_splits, 0u);
  EXPECT_EQ(t.conv_math, ops::ConvMath::kF32);
  EXPECT_FALSE(t.conv_sizes.has_value());
  EXPECT_EQ(t.strip_rows, 0);
  EXPECT_EQ(t.strip_depths, 0);
  EXPECT_FALSE(t.subgroup_taps);
  // Empty counts as unset; a caller's own settings stay when the environment says nothing.
  ::setenv("WEBCONV_CONV_SPLITS", "", 1);
  o.kernel_tuning.conv_splits = 7;
  o.fuse = false;
  ASSERT_TRUE(ApplyTuningEnvironment(&o).ok());
  EXPECT_EQ(o.kernel_tuning.conv_splits, 7u);
  EXPECT_FALSE(o.fuse);
}

TEST_F(TuningEnv, EachVariableSetsItsOption) {
  ::setenv("WEBCONV_NO_FUSION", "1", 1);
  ::setenv("WEBCONV_NO_SIBLING_MERGE", "1", 1);
  ::setenv("WEBCONV_NO_BRANCH_MERGE", "1", 1);
  ::setenv("WEBCONV_CONV_TILE", "t32x64k16_r4x8", 1);
  ::setenv("WEBCONV_CONV_SPLITS", "3", 1);
  ::setenv("WEBCONV_CONV_F16", "tiles", 1);
  ::setenv("WEBCONV_CONV_SIZES", "uniform", 1);
  ::setenv("WEBCONV_CONV_STRIP_ROWS", "4", 1);
  ::setenv("WEBCONV_CONV_STRIP_DEPTHS", "2", 1);
  ::setenv("WEBCONV_CONV_SUBGROUPS", "1", 1);
  SessionOptions o;
  ASSERT_TRUE(ApplyTuningEnvironment(&o).ok());
  EXPECT_FALSE(o.fuse);
  EXPECT_FALSE(o.fusion.sibling_merge);
  EXPECT_FALSE(o.fusion.branch_merge);
  const ops::KernelTuning& t = o.kernel_tuning;
  ASSERT_TRUE(t.conv_tile.has_value());
  EXPECT_EQ(t.conv_tile->Name(), "t32x64k16_r4x8");
  EXPECT_EQ(t.conv_splits, 3u);
  EXPECT_EQ(t.conv_math, ops::ConvMath::kF16Tiles);
  EXPECT_EQ(t.conv_sizes, ops::ConvSizes::kUniform);
  EXPECT_EQ(t.strip_rows, 4);
  EXPECT_EQ(t.strip_depths, 2);
  EXPECT_TRUE(t.subgroup_taps);
  // The "off" spellings.
  ::setenv("WEBCONV_NO_FUSION", "0", 1);
  ::setenv("WEBCONV_CONV_F16", "off", 1);
  ::setenv("WEBCONV_CONV_SIZES", "baked", 1);
  ::setenv("WEBCONV_CONV_SUBGROUPS", "0", 1);
  SessionOptions p;
  ASSERT_TRUE(ApplyTuningEnvironment(&p).ok());
  EXPECT_TRUE(p.fuse);
  EXPECT_EQ(p.kernel_tuning.conv_math, ops::ConvMath::kF32);
  EXPECT_EQ(p.kernel_tuning.conv_sizes, ops::ConvSizes::kBaked);
  EXPECT_FALSE(p.kernel_tuning.subgroup_taps);
}

TEST_F(TuningEnv, MalformedValuesNameTheVariable) {
  const std::vector<std::pair<const char*, const char*>> bad = {
      {"WEBCONV_CONV_TILE", "t64x64"},           {"WEBCONV_CONV_TILE", "t32x64k16_r6x8"},
      {"WEBCONV_CONV_SPLITS", "x2"},             {"WEBCONV_CONV_SPLITS", "0"},
      {"WEBCONV_CONV_SPLITS", "5000"},           {"WEBCONV_CONV_F16", "half"},
      {"WEBCONV_CONV_SIZES", "sometimes"},       {"WEBCONV_CONV_STRIP_ROWS", "-1"},
      {"WEBCONV_CONV_STRIP_DEPTHS", "two"},      {"WEBCONV_CONV_SUBGROUPS", "yes"},
  };
  for (const auto& [name, value] : bad) {
    Clear();
    ::setenv(name, value, 1);
    SessionOptions o;
    const Status st = ApplyTuningEnvironment(&o);
    ASSERT_FALSE(st.ok()) << name << "=" << value;
    EXPECT_EQ(st.code, StatusCode::kUsage) << st.ToString();
    EXPECT_NE(st.message.find(std::string(name) + "=" + value + ": "), std::string::npos) << st.ToString();
  }
}

}  // namespace
}  // namespace webconv::runtime
