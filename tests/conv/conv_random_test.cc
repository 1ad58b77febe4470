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

}  // namespace
}  // namespace webconv::testing
