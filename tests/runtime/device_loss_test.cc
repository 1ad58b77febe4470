// A lost GPU device (driver reset, GPU removed) fails the session that used it with a device Status,
// never a crash, and a session created afterwards gets a fresh device and runs correctly.
#include <gtest/gtest.h>

#include "runtime/session.h"

namespace webconv::runtime {
namespace {

const std::string kModel = std::string(WEBCONV_SOURCE_DIR) + "/models/small_mlp.onnx";

std::map<std::string, HostTensor> Feeds() {
  HostTensor t(DType::kFloat32, {2, 64});
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, 0.01 * static_cast<double>(i % 97) - 0.4);
  return {{"features", std::move(t)}};
}

TEST(DeviceLoss, SessionFailsCleanlyAndANewSessionRuns) {
  SessionOptions o;
  o.backend = Backend::kWebGpu;
  auto first = Session::Load(kModel, o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto before = (*first)->Run(Feeds());
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  Status forced = (*first)->device()->ForceLossForTesting();
  if (!forced.ok()) GTEST_SKIP() << "the WebGPU library cannot simulate a loss: " << forced.ToString();
  auto lost = (*first)->Run(Feeds());
  ASSERT_FALSE(lost.ok()) << "a run on a lost device must fail";
  EXPECT_EQ(lost.status().code, StatusCode::kDevice) << lost.status().ToString();
  EXPECT_NE(lost.status().ToString().find("lost"), std::string::npos) << lost.status().ToString();
  // The failed session keeps failing the same way rather than crashing.
  EXPECT_FALSE((*first)->Run(Feeds()).ok());

  auto second = Session::Load(kModel, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto after = (*second)->Run(Feeds());
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const HostTensor& a = before->at("probabilities");
  const HostTensor& b = after->at("probabilities");
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.num_elements(); ++i) EXPECT_EQ(a.GetDouble(i), b.GetDouble(i)) << "element " << i;
}

}  // namespace
}  // namespace webconv::runtime
