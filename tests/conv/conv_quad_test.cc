// The software adapter's quad Conv kernel (ops/conv/conv_quad_wgsl.cc): when it is chosen, and every form of
// its reduction loop (unrolled innermost axis, counted outer axes, no unrolled axis, too many taps to
// unroll) against the float64 reference. The other Conv suites run on it too wherever the test device is
// SwiftShader; their `*.workgroup_gemm` ctest entries run them again on the workgroup-memory GEMM.
#include <gtest/gtest.h>

#include "conv_case.h"
#include "gpu/device.h"
#include "ops/conv/conv.h"
#include "ops/kernel_tuning.h"

namespace webconv::testing {
namespace {

ops::ConvProblem Problem() {
  ops::ConvProblem p;
  p.batch = 1;
  p.in_channels = 8;
  p.out_channels = 24;
  for (ops::AxisGeometry& g : p.axis3) g.in = g.out = 1;
  p.axis3[2].in = 40;
  p.axis3[2].kernel = 3;
  p.axis3[2].out = 38;
  p.axes = {p.axis3[2]};
  return p;
}

ops::GpuContext Context(bool software, uint32_t subgroup_size, const ops::KernelTuning* tuning) {
  ops::GpuContext ctx;
  ctx.software_adapter = software;
  ctx.subgroups = subgroup_size > 0;
  ctx.fixed_subgroup_size = subgroup_size;
  ctx.tuning = tuning;
  ctx.inputs.resize(2);
  return ctx;
}

// Which kernel ConvGpu dispatches for a plain Conv in `ctx`.
std::string KernelName(ops::GpuContext ctx) {
  const Status s = ops::ConvGpu(Problem(), ctx);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ctx.dispatches.empty() ? "" : ctx.dispatches[0].kernel->name;
}

TEST(ConvQuad, ChosenOnSoftwareAdaptersWithFourLaneSubgroups) {
  EXPECT_EQ(KernelName(Context(true, 4, nullptr)).rfind("conv3d_f32_quad_", 0), 0u);
  // Subgroups of another or a varying size, none at all, or a hardware GPU: the workgroup-memory GEMM.
  for (const ops::GpuContext& ctx : {Context(true, 8, nullptr), Context(true, 0, nullptr), Context(false, 4, nullptr)})
    EXPECT_EQ(KernelName(ctx).rfind("conv3d_f32_igemm_", 0), 0u);
  ops::KernelTuning off;
  off.quad_gemm = false;
  EXPECT_EQ(KernelName(Context(true, 4, &off)).rfind("conv3d_f32_igemm_", 0), 0u);
  // Forced: also on a hardware GPU with four-lane subgroups; an error where the subgroups are not four lanes.
  ops::KernelTuning on;
  on.quad_gemm = true;
  EXPECT_EQ(KernelName(Context(false, 4, &on)).rfind("conv3d_f32_quad_", 0), 0u);
  ops::GpuContext wide = Context(false, 32, &on);
  const Status s = ops::ConvGpu(Problem(), wide);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.ToString().find("subgroups of exactly 4 lanes"), std::string::npos) << s.ToString();
  // A forced tile, split-K or f16 tiles are the workgroup-memory kernel's options, and name it.
  ops::KernelTuning tile = on;
  tile.conv_tile = ops::ConvTiling{32, 32, 16, 4, 4};
  EXPECT_EQ(KernelName(Context(true, 4, &tile)), "conv3d_f32_igemm_t32x32k16_r4x4_u");
  ops::KernelTuning f16;
  f16.conv_math = ops::ConvMath::kF16Tiles;
  EXPECT_EQ(KernelName(Context(true, 4, &f16)).rfind("conv3d_f32_igemm_", 0), 0u);
}

// Each shape of the reduction loop, with tails in rows and columns (neither a multiple of 16).
TEST(ConvQuad, EveryLoopFormMatchesFloat64Reference) {
  const gpu::AdapterInfo& info = SharedDevice()->info();
  if (!info.has_subgroups || info.fixed_subgroup_size != 4)
    GTEST_SKIP() << "the test device (" << info.name << ") has no four-lane subgroups, which the quad kernel needs";
  ScopedTuning tuning;
  tuning.kernels().quad_gemm = true;
  const uint64_t seed = BaseSeed(20261208);
  std::cout << "ConvQuad seed " << seed << " (WEBCONV_SEED)\n";
  const ConvShapeCase cases[] = {
      // 1x3x3, pads on H and W: W unrolled, H counted, a Relu epilogue; 20 channels (a column tail).
      {2, 5, 20, 1, {3, 7, 9}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1, 0, 1, 1}, true},
      // 3x1x1 strided and dilated along D with uneven pads: D unrolled, nothing counted.
      {1, 6, 17, 1, {9, 4, 5}, {3, 1, 1}, {2, 1, 1}, {2, 1, 1}, {2, 0, 0, 1, 0, 0}, false},
      // 1-D, 11 taps (more than are unrolled): one tap per iteration, counted along W.
      {1, 3, 18, 1, {40}, {11}, {1}, {2}, {5, 4}, false},
      // 1x1x1 strided, grouped: no window axis at all.
      {2, 12, 34, 2, {3, 5, 6}, {1, 1, 1}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, true},
      // 3x3x3, dilated along H, strided: W unrolled, D and H counted (two carries).
      {1, 4, 21, 1, {5, 9, 8}, {3, 3, 3}, {1, 2, 2}, {1, 2, 1}, {1, 2, 0, 1, 1, 1}, false},
      // 2-D 5x5 with stride 2.
      {1, 7, 19, 1, {11, 13}, {5, 5}, {2, 2}, {1, 1}, {2, 2, 1, 2}, true},
  };
  uint64_t k = 0;
  for (const ConvShapeCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << "case " << k << ", seed " << seed + k);
    CheckConvCase(c, seed + k++);
  }
}

}  // namespace
}  // namespace webconv::testing
