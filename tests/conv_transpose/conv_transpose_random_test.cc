// ConvTranspose differential tests: seeded random problems of rank 1-3 run on WebGPU and on the
// float64 reference. CI draws a fixed sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws
// hundreds. Problems mix explicit asymmetric pads, VALID, SAME_UPPER/LOWER, output_shape (also beyond
// the full result, and in its [N, C, ...] spelling), output_padding, groups, strides and dilations.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::testing {
namespace {

struct Case {
  int rank = 2;
  int64_t batch = 1, cin = 3, cout = 4, group = 1;
  std::vector<int64_t> in, kernel, stride, dilation, pads, output_padding, output_shape;
  std::string auto_pad = "NOTSET";
  bool bias = true, give_kernel_shape = false;
  std::string Describe() const {
    std::ostringstream os;
    auto list = [&](const char* n, const std::vector<int64_t>& v) {
      os << " " << n << "=[";
      for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
      os << "]";
    };
    os << "rank " << rank << " N=" << batch << " C=" << cin << " M=" << cout << " group=" << group
       << " auto_pad=" << auto_pad << " bias=" << bias;
    list("in", in);
    list("kernel", kernel);
    list("stride", stride);
    list("dilation", dilation);
    list("pads", pads);
    list("output_padding", output_padding);
    list("output_shape", output_shape);
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

// Draws a legal problem with a small output; awkward channel counts and sizes on purpose.
Case Draw(std::mt19937_64& rng) {
  Case c;
  c.rank = static_cast<int>(1 + rng() % 3);
  c.batch = Pick(rng, {1, 1, 2, 3});
  c.group = Pick(rng, {1, 1, 1, 2, 3});
  const bool depthwise = rng() % 5 == 0;
  const int64_t cin_g = depthwise ? 1 : Pick(rng, {1, 2, 3, 5, 7});
  const int64_t cout_g = depthwise ? 1 : Pick(rng, {1, 2, 3, 5, 7, 9, 17});
  if (depthwise) c.group = Pick(rng, {3, 5, 6});
  c.cin = cin_g * c.group;
  c.cout = cout_g * c.group;
  // output_shape modes: spatial only, or with the leading [N, M].
  const char* modes[] = {"NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "shape", "shape_nc"};
  const std::string mode = modes[rng() % 7];
  c.auto_pad = mode.rfind("shape", 0) == 0 ? (rng() % 3 ? "NOTSET" : "SAME_LOWER") : mode;
  c.bias = rng() % 3 != 0;
  c.give_kernel_shape = rng() % 2;
  const int64_t max_in = c.rank == 3 ? 4 : c.rank == 2 ? 6 : 11;
  const bool with_output_padding = rng() % 3 == 0;
  std::vector<int64_t> full;
  for (int i = 0; i < c.rank; ++i) {
    c.in.push_back(1 + static_cast<int64_t>(rng() % max_in));
    c.kernel.push_back(c.rank == 3 ? Pick(rng, {1, 2, 3}) : Pick(rng, {1, 2, 3, 3, 4, 5}));
    c.stride.push_back(Pick(rng, {1, 1, 2, 3}));
    c.dilation.push_back(Pick(rng, {1, 1, 2, 3}));
    // output_padding must stay below the stride or the dilation.
    const int64_t op_limit = std::max(c.stride[i], c.dilation[i]);
    c.output_padding.push_back(with_output_padding ? static_cast<int64_t>(rng() % op_limit) : 0);
    full.push_back(c.stride[i] * (c.in[i] - 1) + c.output_padding[i] + (c.kernel[i] - 1) * c.dilation[i] + 1);
  }
  if (!with_output_padding) c.output_padding.clear();
  if (c.auto_pad == "NOTSET" && mode == "NOTSET") {
    for (int i = 0; i < 2 * c.rank; ++i) c.pads.push_back(Pick(rng, {0, 0, 1, 2, 3}));
    for (int i = 0; i < c.rank; ++i) {
      // Keep at least one output: shrink the pads until the full result survives them.
      while (full[i] - c.pads[i] - c.pads[i + c.rank] < 1) {
        if (c.pads[i] > 0)
          --c.pads[i];
        else
          --c.pads[i + c.rank];
      }
    }
  }
  if (mode.rfind("shape", 0) == 0) {
    if (mode == "shape_nc") c.output_shape = {c.batch, c.cout};
    // Sizes below, at and beyond the full result (the last adds zeros at the end).
    for (int i = 0; i < c.rank; ++i)
      c.output_shape.push_back(std::max<int64_t>(1, full[i] + Pick(rng, {-3, -1, 0, 1, 2})));
  }
  return c;
}

std::vector<uint8_t> BuildModel(const Case& c, std::mt19937_64& rng, int64_t opset) {
  ModelBuilder m(opset);
  Shape xs = {c.batch, c.cin};
  xs.insert(xs.end(), c.in.begin(), c.in.end());
  m.Input("x", DType::kFloat32, xs);
  Shape ws = {c.cin, c.cout / c.group};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  m.Initializer("w", RandomTensor(DType::kFloat32, ws, rng));
  std::vector<std::string> inputs = {"x", "w"};
  if (c.bias) {
    m.Initializer("b", RandomTensor(DType::kFloat32, {c.cout}, rng));
    inputs.push_back("b");
  }
  std::vector<Attr> attrs = {IntAttr("group", c.group), IntsAttr("strides", c.stride),
                             IntsAttr("dilations", c.dilation)};
  if (!c.pads.empty()) attrs.push_back(IntsAttr("pads", c.pads));
  if (c.auto_pad != "NOTSET") attrs.push_back(StringAttr("auto_pad", c.auto_pad));
  if (!c.output_padding.empty()) attrs.push_back(IntsAttr("output_padding", c.output_padding));
  if (!c.output_shape.empty()) attrs.push_back(IntsAttr("output_shape", c.output_shape));
  if (c.give_kernel_shape) attrs.push_back(IntsAttr("kernel_shape", c.kernel));
  m.Node("ConvTranspose", inputs, {"y"}, attrs, "convt");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(ConvTransposeRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261125);
  const int count = SweepCount(60, 600);
  std::cout << "ConvTransposeRandom seed " << seed << ", " << count
            << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const Case c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    Shape xs = {c.batch, c.cin};
    xs.insert(xs.end(), c.in.begin(), c.in.end());
    // Opset 1 and 11 define the same attributes; alternate to exercise both registrations.
    const auto model = BuildModel(c, rng, i % 4 == 0 ? 9 : 17);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
    // f32 accumulation of up to a few hundred products of values in [-1, 1] against float64.
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

// Hand-picked corners the random draw reaches rarely.
TEST(ConvTransposeRandom, Corners) {
  struct Corner {
    const char* what;
    Case c;
  };
  auto make = [](int rank, std::vector<int64_t> in, std::vector<int64_t> k, std::vector<int64_t> s,
                 std::vector<int64_t> d) {
    Case c;
    c.rank = rank;
    c.batch = 2;
    c.cin = 3;
    c.cout = 5;
    c.in = std::move(in);
    c.kernel = std::move(k);
    c.stride = std::move(s);
    c.dilation = std::move(d);
    return c;
  };
  std::vector<Corner> corners;
  // A stride larger than the dilated kernel: whole phases receive no tap (bias only).
  corners.push_back({"stride beyond kernel", make(2, {3, 4}, {2, 1}, {4, 3}, {1, 1})});
  // Stride and dilation sharing a factor: only every other phase has taps.
  corners.push_back({"gcd(stride, dilation) > 1", make(1, {5}, {4}, {4}, {2})});
  corners.push_back({"3-D, stride 2 and dilation 3", make(3, {3, 2, 3}, {3, 2, 2}, {2, 1, 2}, {3, 2, 1})});
  Case big_group = make(2, {4, 3}, {3, 3}, {2, 2}, {1, 1});
  big_group.group = 3;
  big_group.cin = 6;
  big_group.cout = 66;  // 22 per group: more than one column tile
  corners.push_back({"groups with two column tiles", big_group});
  Case one = make(1, {1}, {1}, {3}, {1});
  one.batch = 1;
  corners.push_back({"output size 1", one});
  Case same = make(2, {3, 5}, {1, 2}, {3, 2}, {1, 1});
  same.auto_pad = "SAME_UPPER";
  corners.push_back({"SAME with a kernel shorter than the stride", same});
  Case beyond = make(2, {3, 3}, {3, 3}, {3, 2}, {1, 1});
  beyond.output_shape = {2, 5, 12, 9};
  corners.push_back({"output_shape beyond the full result", beyond});
  Case pads = make(3, {2, 3, 2}, {3, 2, 3}, {2, 3, 1}, {1, 1, 2});
  pads.pads = {2, 0, 1, 0, 3, 2};
  pads.output_padding = {1, 2, 1};
  corners.push_back({"3-D asymmetric pads with output_padding", pads});
  // Kernel = stride: every phase has the same geometry, so all eight share one dispatch (phase slots
  // times groups in workgroup z), here with two groups of 17 output channels.
  Case unet = make(3, {3, 2, 3}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1});
  unet.group = 2;
  unet.cin = 4;
  unet.cout = 34;
  corners.push_back({"kernel equal to the stride, groups", unet});
  std::mt19937_64 rng(7);
  for (const Corner& k : corners) {
    SCOPED_TRACE(::testing::Message() << k.what << ": " << k.c.Describe());
    Shape xs = {k.c.batch, k.c.cin};
    xs.insert(xs.end(), k.c.in.begin(), k.c.in.end());
    const auto model = BuildModel(k.c, rng, 17);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

// Split-K on phase Convs: the partial sums and the sum kernel's store go through the phase's placement
// too. Forced to 3 ranges (phases of one geometry each get split; several slots of one dispatch never
// are): a 40-channel stride-2 problem whose four phases are 40-160 deep (3-10 K slices), then the first
// random problems.
TEST(ConvTransposeRandom, SplitKMatchesFloat64Reference) {
  ScopedTuning tuning;
  const uint64_t seed = BaseSeed(20261125);
  std::cout << "ConvTransposeRandom split-K seed " << seed << " (WEBCONV_SEED)\n";
  tuning.kernels().conv_splits = 3;
  {
    Case deep;
    deep.cin = 40;
    deep.cout = 6;
    deep.in = {5, 6};
    deep.kernel = {3, 3};
    deep.stride = {2, 2};
    deep.dilation = {1, 1};
    deep.pads = {1, 0, 0, 1};
    std::mt19937_64 rng(seed);
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ": " << deep.Describe());
    const auto model = BuildModel(deep, rng, 17);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, {1, 40, 5, 6}, rng)}};
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
  for (int i = 0; i < 8; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const Case c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    Shape xs = {c.batch, c.cin};
    xs.insert(xs.end(), c.in.begin(), c.in.end());
    const auto model = BuildModel(c, rng, 17);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

// Every stride phase is a slot or a dispatch, so a hostile stride cannot make thousands of them: strides
// of 300 x 300 (90000 phases) are refused with the numbers, naming the node, instead of generating them.
TEST(ConvTransposeRandom, TooManyPhasesAreRefused) {
  Case c;
  c.rank = 2;
  c.cin = 1;
  c.cout = 1;
  c.in = {2, 2};
  c.kernel = {1, 1};
  c.stride = {300, 300};
  c.dilation = {1, 1};
  std::mt19937_64 rng(3);
  const auto model = BuildModel(c, rng, 17);
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, {1, 1, 2, 2}, rng)}};
  auto r = RunOn(runtime::Backend::kWebGpu, model, feeds);
  ASSERT_FALSE(r.ok());
  const std::string m = r.status().ToString();
  EXPECT_NE(m.find("convt"), std::string::npos) << m;
  EXPECT_NE(m.find("ConvTranspose strides 1x300x300 give 90000 stride phases; at most 4096"), std::string::npos)
      << m;
  // The CPU backend has no such limit and computes it.
  EXPECT_TRUE(RunOn(runtime::Backend::kReference, model, feeds).ok());
}

}  // namespace
}  // namespace webconv::testing
