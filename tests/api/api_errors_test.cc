// Errors through the public API come back as Status values whose text is what the `webconv` CLI prints
// for the same mistake (after "error: " and, when not already there, the model's path), with the CLI's
// exit code as the StatusCode.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "api_test.h"

namespace webconv::api_test {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string stderr_text;
};

// Runs `webconv ARGS` and collects its stderr (stdout is discarded).
CliResult RunCli(const std::string& args) {
  CliResult r;
  const std::string cmd = std::string(WEBCONV_CLI) + " " + args + " 2>&1 >/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) r.stderr_text.append(buf, n);
  const int status = pclose(p);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

// The CLI fails with the same code, and its one-line message carries the Status text.
void ExpectCliSays(const Status& s, const std::string& cli_args) {
  ASSERT_FALSE(s.ok());
  const CliResult cli = RunCli(cli_args);
  EXPECT_EQ(cli.exit_code, s.exit_code()) << cli.stderr_text;
  EXPECT_NE(cli.stderr_text.find("error: "), std::string::npos) << cli.stderr_text;
  EXPECT_NE(cli.stderr_text.find(s.ToString()), std::string::npos)
      << "api: " << s.ToString() << "\ncli: " << cli.stderr_text;
}

// Per-process names: several build folders may run these tests at once.
std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + std::to_string(getpid()) + "_" + name;
}

std::string TempNpy(const std::string& name, const Tensor& t) {
  const std::string path = TempPath(name);
  EXPECT_TRUE(write_npy(path, t).ok());
  return path;
}

const Options kCpu{.backend = Backend::kCpu};

TEST(ApiErrors, MissingModelFile) {
  const std::string path = TempPath("no_such_model.onnx");
  auto s = Session::load(path, kCpu);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code, StatusCode::kUsage) << s.status().ToString();
  EXPECT_NE(s.status().ToString().find(path), std::string::npos) << s.status().ToString();
  ExpectCliSays(s.status(), "run " + path + " --backend cpu");
}

TEST(ApiErrors, UnknownInputName) {
  auto s = Session::load(SmallMlp(), kCpu);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto x = Tensor::zeros(DType::kFloat32, {2, 64});
  ASSERT_TRUE(x.ok());
  auto out = s->run({{"features", *x}, {"nope", *x}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code, StatusCode::kUsage);
  EXPECT_EQ(out.status().ToString(), "'nope' is not an input of the model");
  ExpectCliSays(out.status(), "run " + SmallMlp() + " --backend cpu --output-dir " + TempPath("api_err_out") +
                                  " --input nope=" + TempNpy("api_nope.npy", *x));
}

TEST(ApiErrors, WrongDtype) {
  auto s = Session::load(SmallMlp(), kCpu);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto x = Tensor::zeros(DType::kFloat64, {2, 64});
  ASSERT_TRUE(x.ok());
  auto out = s->run({{"features", *x}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code, StatusCode::kUsage);
  EXPECT_NE(out.status().ToString().find("float64"), std::string::npos) << out.status().ToString();
  ExpectCliSays(out.status(), "run " + SmallMlp() + " --backend cpu --output-dir " + TempPath("api_err_out") +
                                  " --input features=" + TempNpy("api_f64.npy", *x));
}

TEST(ApiErrors, WrongShape) {
  auto s = Session::load(SmallMlp(), kCpu);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto x = Tensor::zeros(DType::kFloat32, {2, 63});
  ASSERT_TRUE(x.ok());
  auto out = s->run({{"features", *x}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code, StatusCode::kUsage);
  EXPECT_NE(out.status().ToString().find("[2,63]"), std::string::npos) << out.status().ToString();
  ExpectCliSays(out.status(), "run " + SmallMlp() + " --backend cpu --output-dir " + TempPath("api_err_out") +
                                  " --input features=" + TempNpy("api_shape.npy", *x));
}

TEST(ApiErrors, MissingAndEmptyInputs) {
  auto s = Session::load(SmallMlp(), kCpu);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto none = s->run({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().ToString(), "input 'features' was not given");
  auto empty = s->run({{"features", Tensor()}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().ToString(), "input 'features' is an empty Tensor");
}

TEST(ApiErrors, BadModelBytes) {
  const std::vector<uint8_t> junk = {0x08, 0x07, 0x12, 0xff, 0xff};  // a length past the end
  auto s = Session::load(junk, kCpu);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code, StatusCode::kBadModel) << s.status().ToString();
  EXPECT_FALSE(s.status().message.empty());
}

}  // namespace
}  // namespace webconv::api_test
