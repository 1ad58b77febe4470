// Conv differential tests: seeded random problems of rank 1-3 run on WebGPU and on the float64
// reference. CI draws a fixed sample; WEBCONV_FULL_SWEEP=1 (ctest label full_sweep) draws hundreds.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

struct ConvCase {
  int rank = 2;
  int64_t batch = 1, cin = 3, cout = 4, group = 1;
  std::vector<int64_t> in, kernel, stride, dilation, pads;  // pads: begin..., end...
  std::string auto_pad = "NOTSET";
  bool bias = true;
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
    return os.str();
  }
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

// Draws a problem whose output has at least one element; awkward channel counts and sizes on purpose.
ConvCase Draw(std::mt19937_64& rng) {
  ConvCase c;
  c.rank = static_cast<int>(1 + rng() % 3);
  c.batch = Pick(rng, {1, 1, 2, 3});
  c.group = Pick(rng, {1, 1, 1, 2, 3});
  const bool depthwise = rng() % 5 == 0;
  const int64_t cin_g = depthwise ? 1 : Pick(rng, {1, 2, 3, 5, 7});
  const int64_t cout_g = Pick(rng, {1, 2, 3, 5, 7, 9, 17});
  if (depthwise) c.group = Pick(rng, {3, 5, 6});
  c.cin = cin_g * c.group;
  c.cout = cout_g * c.group;
  const char* pads[] = {"NOTSET", "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"};
  c.auto_pad = pads[rng() % 5];
  c.bias = rng() % 3 != 0;
  const int64_t max_in = c.rank == 3 ? 6 : c.rank == 2 ? 9 : 17;
  for (int i = 0; i < c.rank; ++i) {
    c.in.push_back(1 + static_cast<int64_t>(rng() % max_in));
    c.kernel.push_back(Pick(rng, {1, 2, 3, 3, 4, 5}));
    c.stride.push_back(Pick(rng, {1, 1, 2, 3}));
    c.dilation.push_back(Pick(rng, {1, 1, 2, 3}));
  }
  for (int i = 0; i < 2 * c.rank; ++i) c.pads.push_back(Pick(rng, {0, 0, 1, 2, 3}));
  // Keep NOTSET/VALID problems legal: the dilated kernel must fit the padded input.
  for (int i = 0; i < c.rank; ++i) {
    const int64_t padded = c.in[i] + (c.auto_pad == "NOTSET" ? c.pads[i] + c.pads[i + c.rank] : 0);
    while ((c.kernel[i] - 1) * c.dilation[i] + 1 > padded && (c.dilation[i] > 1 || c.kernel[i] > 1)) {
      if (c.dilation[i] > 1) --c.dilation[i];
      else --c.kernel[i];
    }
  }
  return c;
}

std::vector<uint8_t> BuildModel(const ConvCase& c, std::mt19937_64& rng) {
  ModelBuilder m(17);
  Shape xs = {c.batch, c.cin};
  xs.insert(xs.end(), c.in.begin(), c.in.end());
  m.Input("x", DType::kFloat32, xs);
  Shape ws = {c.cout, c.cin / c.group};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  m.Initializer("w", RandomTensor(DType::kFloat32, ws, rng));
  std::vector<std::string> inputs = {"x", "w"};
  if (c.bias) {
    m.Initializer("b", RandomTensor(DType::kFloat32, {c.cout}, rng));
    inputs.push_back("b");
  }
  std::vector<Attr> attrs = {IntAttr("group", c.group), IntsAttr("strides", c.stride),
                             IntsAttr("dilations", c.dilation)};
  if (c.auto_pad == "NOTSET") attrs.push_back(IntsAttr("pads", c.pads));
  else attrs.push_back(StringAttr("auto_pad", c.auto_pad));
  if (rng() % 2) attrs.push_back(IntsAttr("kernel_shape", c.kernel));
  m.Node("Conv", inputs, {"y"}, attrs, "conv");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

TEST(ConvRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261124);
  const int count = SweepCount(60, 600);
  std::cout << "ConvRandom seed " << seed << ", " << count << " problems (WEBCONV_SEED / WEBCONV_FULL_SWEEP)\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const ConvCase c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    Shape xs = {c.batch, c.cin};
    xs.insert(xs.end(), c.in.begin(), c.in.end());
    const auto model = BuildModel(c, rng);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
    // f32 accumulation of up to a few hundred products of values in [-1, 1] against float64.
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

// Problems larger than the random draw's, so that the CPU backend runs them on its convolution library
// (oneDNN natively; src/ops/conv/conv_cpu.cc): a depthwise Conv above the size where the direct loop
// is kept, 3-D with asymmetric pads, 1-D dilated, grouped with SAME_LOWER and strides.
TEST(ConvRandom, LargerProblemsMatchFloat64Reference) {
  const uint64_t seed = BaseSeed(20261207);
  std::cout << "ConvRandom larger problems, seed " << seed << " (WEBCONV_SEED)\n";
  std::vector<ConvCase> cases(4);
  cases[0].rank = 2, cases[0].cin = 32, cases[0].cout = 32, cases[0].group = 32;
  cases[0].in = {40, 40}, cases[0].kernel = {3, 3}, cases[0].stride = {1, 1}, cases[0].dilation = {1, 1};
  cases[0].pads = {1, 1, 1, 1};
  cases[1].rank = 3, cases[1].cin = 16, cases[1].cout = 16, cases[1].group = 16;
  cases[1].in = {16, 16, 16}, cases[1].kernel = {3, 3, 3}, cases[1].stride = {1, 2, 1}, cases[1].dilation = {1, 1, 2};
  cases[1].pads = {0, 1, 1, 1, 0, 2};
  cases[2].rank = 1, cases[2].batch = 2, cases[2].cin = 24, cases[2].cout = 40;
  cases[2].in = {300}, cases[2].kernel = {5}, cases[2].stride = {1}, cases[2].dilation = {3}, cases[2].pads = {4, 1};
  cases[3].rank = 2, cases[3].cin = 16, cases[3].cout = 32, cases[3].group = 4, cases[3].auto_pad = "SAME_LOWER";
  cases[3].in = {21, 17}, cases[3].kernel = {3, 4}, cases[3].stride = {2, 2}, cases[3].dilation = {1, 1};
  cases[3].pads = {0, 0, 0, 0};
  for (size_t i = 0; i < cases.size(); ++i) {
    const ConvCase& c = cases[i];
    std::mt19937_64 rng(seed + i);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe());
    Shape xs = {c.batch, c.cin};
    xs.insert(xs.end(), c.in.begin(), c.in.end());
    const auto model = BuildModel(c, rng);
    const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
    EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
  }
}

}  // namespace
}  // namespace webconv::testing
