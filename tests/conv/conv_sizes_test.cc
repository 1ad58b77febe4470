// Conv sizes baked into the WGSL or passed in uniforms (ops/conv/conv_sizes.h): the choice, the
// pipeline sharing it exists for, and results against the float64 reference either way.
#include <gtest/gtest.h>

#include <cstring>

#include "conv_case.h"
#include "ops/conv/conv_sizes.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"
#include "onnx/loader.h"

namespace webconv::testing {
namespace {

// Two Convs with one window (3x3, pads 1, bias) but different channel counts, one after the other.
std::vector<uint8_t> TwoConvModel(std::mt19937_64& rng) {
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, {2, 8, 9, 11});
  m.Initializer("w1", RandomTensor(DType::kFloat32, {16, 8, 3, 3}, rng));
  m.Initializer("b1", RandomTensor(DType::kFloat32, {16}, rng));
  m.Initializer("w2", RandomTensor(DType::kFloat32, {24, 16, 3, 3}, rng));
  m.Initializer("b2", RandomTensor(DType::kFloat32, {24}, rng));
  const std::vector<Attr> window = {IntsAttr("pads", {1, 1, 1, 1})};
  m.Node("Conv", {"x", "w1", "b1"}, {"h"}, window, "conv_a");
  m.Node("Conv", {"h", "w2", "b2"}, {"y"}, window, "conv_b");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

// Pipelines compiled for the model's dispatches, on a device of its own (so nothing compiled earlier in
// the process is reused) without the persistent cache.
size_t PipelinesOf(const std::vector<uint8_t>& bytes, const std::map<std::string, HostTensor>& feeds) {
  auto model = onnx::LoadModelBytes(bytes);
  EXPECT_TRUE(model.ok());
  runtime::SessionOptions o;
  o.device.pipeline_cache = false;
  ApplyTestTuning(&o);
  auto s = runtime::Session::FromModel(*model, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  runtime::RunStats st;
  EXPECT_TRUE((*s)->Run(feeds, &st).ok());
  EXPECT_TRUE(st.planned);
  return st.plan.pipelines_compiled;
}

// The reason uniform sizes exist: layers that differ only in sizes generate the same WGSL and share one
// compiled pipeline; baked, each has its own. Both compute the reference's result.
TEST(ConvSizes, LayersDifferingInSizesShareOnePipeline) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261207);
  std::cout << "ConvSizes seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const auto model = TwoConvModel(rng);
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, {2, 8, 9, 11}, rng)}};
  const ops::ConvTiling tile{32, 32, 16, 4, 4};  // one tile for both layers, whatever the adapter
  tuning.kernels().conv_tile = tile;
  for (const ops::ConvSizes mode : {ops::ConvSizes::kUniform, ops::ConvSizes::kBaked}) {
    const bool uniform = mode == ops::ConvSizes::kUniform;
    SCOPED_TRACE(uniform ? "uniform sizes" : "baked sizes");
    tuning.kernels().conv_sizes = mode;
    EXPECT_EQ(PipelinesOf(model, feeds), uniform ? 1u : 2u);
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

ops::ConvProblem Problem(int64_t channels, int64_t pixels) {
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = p.out_channels = channels;
  for (ops::AxisGeometry& g : p.axis3) g.in = g.out = 1;
  p.axis3[2].in = p.axis3[2].out = pixels;
  return p;
}

// Uniform sizes always on a software adapter, on a hardware GPU only under kLightConvFlops; never for
// ConvTranspose phases. KernelTuning::conv_sizes overrides the rule.
TEST(ConvSizes, Choice) {
  const ops::ConvProblem light = Problem(64, 64);      // 2 x 64 x 64 x 64 = 0.5 MFLOP
  const ops::ConvProblem heavy = Problem(256, 4096);   // 537 MFLOP
  EXPECT_EQ(ops::ChooseConvSizes(light, false), ops::ConvSizes::kUniform);
  EXPECT_EQ(ops::ChooseConvSizes(heavy, false), ops::ConvSizes::kBaked);
  EXPECT_EQ(ops::ChooseConvSizes(heavy, true), ops::ConvSizes::kUniform);
  ops::ConvProblem phase = light;
  phase.phase.active = true;
  EXPECT_EQ(ops::ChooseConvSizes(phase, true), ops::ConvSizes::kBaked);
  ops::KernelTuning tuning;
  tuning.conv_sizes = ops::ConvSizes::kBaked;
  EXPECT_EQ(ops::ChooseConvSizes(light, true, &tuning), ops::ConvSizes::kBaked);
  EXPECT_EQ(ops::ChooseConvSizes(phase, true, &tuning), ops::ConvSizes::kBaked);
  tuning.conv_sizes = ops::ConvSizes::kUniform;
  EXPECT_EQ(ops::ChooseConvSizes(heavy, false, &tuning), ops::ConvSizes::kUniform);
  EXPECT_EQ(ops::ChooseConvSizes(phase, true, &tuning), ops::ConvSizes::kBaked);  // phases always bake
  // Light layers on a hardware GPU pick among the small 4x4-block tiles, so that they share pipelines.
  for (const ops::ConvProblem& p : {light, Problem(32, 16), Problem(96, 256)}) {
    const ops::ConvTiling t = ops::ChooseConvTiling(p, false, 1u << 16).value();
    EXPECT_TRUE(t.rm == 4 && t.rn == 4 && t.tk == 16 && t.tm <= 64 && t.tn <= 32) << t.Name();
  }
}

// The tables a kernel declares: constants when baked; when uniform, private copies set at the start of
// main from the uniform fields of the same names, and nothing at all of the values in the WGSL.
TEST(ConvSizes, TableDeclaresConstantsOrUniformCopies) {
  ops::ConvSizeTable baked(ops::ConvSizes::kBaked), uniform(ops::ConvSizes::kUniform);
  for (ops::ConvSizeTable* t : {&baked, &uniform}) {
    t->Add("ROWS", 1234);
    t->Add("COUT", 56);
  }
  EXPECT_EQ(baked.Declarations(), "const ROWS = 1234u;\nconst COUT = 56u;\n");
  EXPECT_EQ(baked.LoadAtEntry(), "");
  EXPECT_EQ(baked.UniformValue("ROWS"), "ROWS");
  EXPECT_EQ(uniform.Declarations(), "var<private> ROWS: u32;\nvar<private> COUT: u32;\n");
  EXPECT_EQ(uniform.LoadAtEntry(), "  ROWS = u.ROWS;\n  COUT = u.COUT;\n");
  EXPECT_EQ(uniform.UniformValue("ROWS"), "u.ROWS");
  gpu::UniformBlock none, some;
  baked.AddUniforms(none);
  uniform.AddUniforms(some);
  EXPECT_TRUE(none.empty());
  const std::vector<uint8_t> bytes = some.Pack();
  ASSERT_GE(bytes.size(), 8u);
  uint32_t v[2];
  std::memcpy(v, bytes.data(), 8);
  EXPECT_EQ(v[0], 1234u);
  EXPECT_EQ(v[1], 56u);
}

}  // namespace
}  // namespace webconv::testing
