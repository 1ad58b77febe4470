// ConvInteger and QLinearConv on WebGPU and the CPU backend against the reference, exactly: seeded random
// problems of rank 1 to 3 with groups, pads, strides and dilations; uint8 and int8; zero points absent,
// per tensor and per output channel; QLinearConv with and without its int32 bias, with a per-channel
// w_scale.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

TEST(ConvInteger, RandomProblemsMatchTheReferenceExactly) {
  const uint64_t seed = BaseSeed(20261215);
  std::cout << "ConvInteger seed " << seed << " (WEBCONV_SEED)\n";
  for (int i = 0; i < 24; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const bool qlinear = i % 2 == 1;
    const int rank = 1 + i % 3;
    const int64_t group = i % 4 == 3 ? 2 : 1, cg = 1 + static_cast<int64_t>(rng() % 3), mg = 1 + static_cast<int64_t>(rng() % 4);
    const DType xt = (i / 2) % 2 ? DType::kInt8 : DType::kUInt8, wt = (i / 4) % 2 ? DType::kInt8 : DType::kUInt8;
    const int zero_points = i % 3;  // 0: none, 1: per tensor, 2: w's per output channel
    Shape xs = {1 + static_cast<int64_t>(rng() % 2), cg * group}, ws = {mg * group, cg};
    std::vector<int64_t> kernel, strides, dilations, pads(static_cast<size_t>(2 * rank));
    for (int d = 0; d < rank; ++d) {
      const int64_t k = 1 + static_cast<int64_t>(rng() % 3);
      xs.push_back(k + 2 + static_cast<int64_t>(rng() % 4));
      ws.push_back(k);
      kernel.push_back(k);
      strides.push_back(1 + static_cast<int64_t>(rng() % 2));
      dilations.push_back(1 + static_cast<int64_t>(rng() % 2));
      pads[static_cast<size_t>(d)] = static_cast<int64_t>(rng() % 2);
      pads[static_cast<size_t>(d + rank)] = static_cast<int64_t>(rng() % 2);
    }
    std::ostringstream what;
    what << (qlinear ? "QLinearConv" : "ConvInteger") << " x " << DTypeName(xt) << ShapeString(xs) << " w "
         << DTypeName(wt) << ShapeString(ws) << " group " << group << " zero points " << zero_points;
    SCOPED_TRACE(what.str());
    const int64_t m = mg * group;
    auto lo = [](DType t) { return t == DType::kInt8 ? -128 : 0; };
    auto hi = [](DType t) { return t == DType::kInt8 ? 127 : 255; };
    ModelBuilder b(13);
    b.Input("x", xt, xs);
    b.Initializer("w", RandomIntegers(wt, ws, rng, lo(wt), hi(wt)));
    const Shape w_param = zero_points == 2 ? Shape{m} : Shape{};
    b.Initializer("xz", RandomIntegers(xt, {}, rng, lo(xt) / 2, hi(xt) / 2));
    b.Initializer("wz", RandomIntegers(wt, w_param, rng, lo(wt) / 2, hi(wt) / 2));
    std::vector<std::string> inputs;
    if (!qlinear) {
      inputs = {"x", "w"};
      if (zero_points) inputs.insert(inputs.end(), {"xz", "wz"});
    } else {
      // Scales that put the requantized values across the output range, so saturation happens too.
      b.Initializer("xs", RandomTensor(DType::kFloat32, {}, rng, 0.002, 0.01));
      b.Initializer("ws", RandomTensor(DType::kFloat32, w_param, rng, 0.002, 0.01));
      b.Initializer("ys", RandomTensor(DType::kFloat32, {}, rng, 0.05, 0.2));
      b.Initializer("yz", RandomIntegers(DType::kUInt8, {}, rng, 60, 200));
      b.Initializer("bias", RandomIntegers(DType::kInt32, {m}, rng, -3000, 3000));
      inputs = {"x", "xs", "xz", "w", "ws", "wz", "ys", "yz"};
      if (i % 4 == 1) inputs.push_back("bias");
    }
    const std::vector<Attr> attrs = {IntAttr("group", group), IntsAttr("kernel_shape", kernel), IntsAttr("strides", strides),
                                     IntsAttr("dilations", dilations), IntsAttr("pads", pads)};
    b.Node(qlinear ? "QLinearConv" : "ConvInteger", inputs, {"y"}, attrs, "conv");
    b.Output("y", qlinear ? DType::kUInt8 : DType::kInt32);
    EXPECT_TRUE(MatchesReference(b.Serialize(), {{"x", RandomIntegers(xt, xs, rng, lo(xt), hi(xt))}}, runtime::Tolerance{0, 0}));
  }
}

}  // namespace
}  // namespace webconv::testing
