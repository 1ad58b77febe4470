// MatMul and Gemm as quads (ops/quad_gemm.h, matmul/wgsl.cc QuadKernelWgsl): the kernels that run, and
// their results against the float64 reference on shapes with tails in rows, columns and depth, batch
// broadcast, transposes and Gemm's C. (matmul.cases.webgpu runs the generated cases on them as well where
// the test device is SwiftShader; matmul.cases.webgpu_workgroup_gemm on the workgroup-memory kernel.)
#include <gtest/gtest.h>

#include "differential.h"
#include "gpu/device.h"
#include "model_builder.h"
#include "onnx/loader.h"

namespace webconv::testing {
namespace {

std::vector<uint8_t> Model(std::mt19937_64& rng) {
  ModelBuilder m(13);
  m.Input("a", DType::kFloat32, {2, 1, 37, 45});
  m.Input("b", DType::kFloat32, {3, 45, 29});
  m.Node("MatMul", {"a", "b"}, {"p"}, {}, "product");
  m.Input("x", DType::kFloat32, {50, 19});  // Gemm: transA, transB, alpha, beta and a broadcast C
  m.Initializer("w", RandomTensor(DType::kFloat32, {7, 50}, rng));
  m.Initializer("c", RandomTensor(DType::kFloat32, {7}, rng));
  m.Node("Gemm", {"x", "w", "c"}, {"g"},
         {IntAttr("transA", 1), IntAttr("transB", 1), FloatAttr("alpha", 0.5f), FloatAttr("beta", -2.0f)}, "gemm");
  m.Output("p", DType::kFloat32);
  m.Output("g", DType::kFloat32);
  return m.Serialize();
}

TEST(MatMulQuad, ProductsRunAsQuadsAndMatchFloat64Reference) {
  const gpu::AdapterInfo& info = SharedDevice()->info();
  if (!info.has_subgroups || info.fixed_subgroup_size != 4 || !info.has_timestamps)
    GTEST_SKIP() << "the test device (" << info.name << ") lacks four-lane subgroups or timestamps";
  ScopedTuning tuning;
  tuning.kernels().quad_gemm = true;
  const uint64_t seed = BaseSeed(20261208);
  std::cout << "MatMulQuad seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const auto bytes = Model(rng);
  const std::map<std::string, HostTensor> feeds = {{"a", RandomTensor(DType::kFloat32, {2, 1, 37, 45}, rng)},
                                                   {"b", RandomTensor(DType::kFloat32, {3, 45, 29}, rng)},
                                                   {"x", RandomTensor(DType::kFloat32, {50, 19}, rng)}};
  EXPECT_TRUE(MatchesReference(bytes, feeds, runtime::Tolerance{1e-5, 1e-4}));

  // The kernels that ran, by name.
  auto model = onnx::LoadModelBytes(bytes);
  ASSERT_TRUE(model.ok());
  runtime::SessionOptions o;
  ApplyTestTuning(&o);
  o.shared_device = SharedDevice();
  o.profile = true;
  auto s = runtime::Session::FromModel(*model, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  runtime::RunStats st;
  st.timestamps = true;
  ASSERT_TRUE((*s)->Run(feeds, &st).ok());
  std::vector<std::string> kernels;
  for (const gpu::DispatchTiming& d : st.dispatches) kernels.push_back(d.kernel);
  ASSERT_EQ(kernels.size(), 2u);
  EXPECT_EQ(kernels[0].rfind("matmul_f32_quad", 0), 0u) << kernels[0];
  EXPECT_EQ(kernels[1].rfind("gemm_f32_quad", 0), 0u) << kernels[1];
}

}  // namespace
}  // namespace webconv::testing
