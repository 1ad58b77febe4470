// With env WEBCONV_DAWN_LIB naming a file that does not exist, a webgpu session fails with a device
// Status that names the path it tried and both ways to set it; the cpu backend is unaffected. Its own
// executable: the WebGPU library is loaded (or not) once per process.
#include <gtest/gtest.h>

#include <cstdlib>

#include "webconv/webconv.h"

namespace webconv {
namespace {

TEST(ApiDawnMissing, ClearErrorNamingPathAndSettings) {
  const std::string missing = "/nonexistent/webconv-test/libwebgpu_missing.so";
  ASSERT_EQ(setenv("WEBCONV_DAWN_LIB", missing.c_str(), 1), 0);
  const DawnBuild d = dawn_build();
  EXPECT_TRUE(d.from_env);
  EXPECT_EQ(d.path, missing);

  const std::string model = std::string(WEBCONV_SOURCE_DIR) + "/models/small_mlp.onnx";
  auto s = Session::load(model);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code, StatusCode::kDevice);
  const std::string text = s.status().ToString();
  EXPECT_NE(text.find("cannot load the WebGPU library '" + missing + "'"), std::string::npos) << text;
  EXPECT_NE(text.find("the environment variable WEBCONV_DAWN_LIB at run time, or the CMake variable "
                      "WEBCONV_DAWN_LIB at configure time"),
            std::string::npos)
      << text;

  auto cpu = Session::load(model, {.backend = Backend::kCpu});
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  auto x = Tensor::zeros(DType::kFloat32, {1, 64});
  ASSERT_TRUE(x.ok());
  EXPECT_TRUE(cpu->run({{"features", *x}}).ok());
}

}  // namespace
}  // namespace webconv
