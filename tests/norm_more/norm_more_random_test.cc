// InstanceNormalization and LayerNormalization differential tests: seeded random problems (ranks 1-5,
// every axis, negative axes, broadcast Scale/B, absent B, the optional Mean/InvStdDev outputs, awkward
// extents, opset 1 and 6 InstanceNormalization) on WebGPU against the float64 reference; long rows that
// take the chunked statistics path, with a large offset that a one-pass variance would cancel; and
// the errors malformed nodes must give.
#include <gtest/gtest.h>

#include <sstream>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

struct NormCase {
  bool layer = true;
  int opset = 17;
  Shape x, scale, bias;  // bias empty and !has_bias: no B input
  bool has_bias = true;
  int64_t axis = -1;
  float epsilon = 1e-5f;
  bool mean_out = false, invstd_out = false;
  std::string Describe() const {
    std::ostringstream os;
    os << (layer ? "LayerNormalization-" : "InstanceNormalization-") << opset << " x=" << ShapeString(x)
       << " scale=" << ShapeString(scale) << " bias=" << (has_bias ? ShapeString(bias) : "none")
       << " axis=" << axis << " epsilon=" << epsilon << " Mean=" << mean_out << " InvStdDev=" << invstd_out;
    return os.str();
  }
};

template <typename T>
T Pick(std::mt19937_64& rng, std::initializer_list<T> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}

// A shape broadcastable to `dims`: a suffix of it with some extents replaced by 1, maybe with leading 1s.
Shape BroadcastParam(const Shape& dims, std::mt19937_64& rng) {
  const int mode = static_cast<int>(rng() % 4);
  if (mode == 0 || dims.empty()) return dims;
  Shape s(dims.begin() + static_cast<std::ptrdiff_t>(rng() % dims.size()), dims.end());
  if (mode == 2)
    for (auto& d : s) d = rng() % 2 ? d : 1;
  if (mode == 3) s.insert(s.begin(), 1);
  return s;
}

NormCase Draw(std::mt19937_64& rng) {
  NormCase c;
  c.layer = rng() % 3 != 0;
  c.epsilon = Pick(rng, {1e-5f, 1e-3f, 0.1f});
  if (c.layer) {
    const int rank = Pick(rng, {1, 2, 3, 3, 4, 5});
    for (int k = 0; k < rank; ++k) c.x.push_back(Pick<int64_t>(rng, {1, 2, 3, 5, 7, 16}));
    c.axis = static_cast<int64_t>(rng() % (2 * rank)) - rank;
    const Shape dims(c.x.begin() + (c.axis < 0 ? c.axis + rank : c.axis), c.x.end());
    c.scale = BroadcastParam(dims, rng);
    c.has_bias = rng() % 3 != 0;
    if (c.has_bias) c.bias = BroadcastParam(dims, rng);
    c.mean_out = rng() % 2;
    c.invstd_out = rng() % 2;
  } else {
    c.opset = Pick(rng, {1, 6, 6});
    const int rank = Pick(rng, {3, 4, 4, 5});
    c.x = {Pick<int64_t>(rng, {1, 2, 3}), Pick<int64_t>(rng, {1, 3, 5, 6, 7})};
    for (int k = 2; k < rank; ++k) c.x.push_back(Pick<int64_t>(rng, {1, 2, 3, 5, rank > 3 ? 7 : 33}));
    c.scale = c.bias = {c.x[1]};
  }
  return c;
}

std::vector<uint8_t> BuildModel(const NormCase& c, std::mt19937_64& rng, double offset = 0) {
  ModelBuilder m(c.opset);
  m.Input("x", DType::kFloat32, c.x);
  m.Initializer("scale", RandomTensor(DType::kFloat32, c.scale, rng, -2, 2));
  std::vector<std::string> inputs = {"x", "scale"};
  if (c.has_bias) {
    m.Initializer("bias", RandomTensor(DType::kFloat32, c.bias, rng, offset - 1, offset + 1));
    inputs.push_back("bias");
  }
  std::vector<std::string> outputs = {"y"};
  std::vector<Attr> attrs = {FloatAttr("epsilon", c.epsilon)};
  if (c.layer) {
    attrs.push_back(IntAttr("axis", c.axis));
    if (c.mean_out || c.invstd_out) outputs.push_back(c.mean_out ? "mean" : "");
    if (c.invstd_out) outputs.push_back("invstd");
  } else if (c.opset == 1) {
    attrs.push_back(IntsAttr("consumed_inputs", {0, 0, 0}));
  }
  m.Node(c.layer ? "LayerNormalization" : "InstanceNormalization", inputs, outputs, attrs, "norm");
  for (const auto& o : outputs)
    if (!o.empty()) m.Output(o, DType::kFloat32);
  return m.Serialize();
}

// f32 statistics of rows of values in [-1, 1]; invstd reaches 1 / sqrt(epsilon) on constant rows, where
// x - mean is exactly 0 in both.
constexpr runtime::Tolerance kTolerance{2e-5, 1e-4};

TEST(NormRandom, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261201);
  const int count = SweepCount(80, 2000);
  std::cout << "NormRandom seed " << seed << ", " << count << " problems\n";
  for (int i = 0; i < count; ++i) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(i));
    const NormCase c = Draw(rng);
    SCOPED_TRACE(::testing::Message() << "seed " << seed + i << ": " << c.Describe() << " (atol "
                                      << kTolerance.atol << ", rtol " << kTolerance.rtol << ")");
    const auto model = BuildModel(c, rng);
    EXPECT_TRUE(MatchesReference(model, {{"x", RandomTensor(DType::kFloat32, c.x, rng)}}, kTolerance));
  }
}

// Few long rows are cut into chunks whose (mean, M2) pairs are merged; values around 1000 with a spread
// of 1 lose everything to cancellation in a one-pass E[x^2] - E[x]^2. The f32 mean itself is only good to
// half an ulp of 1000 (3e-5), times invstd (about 1.7) and |scale| (up to 2): hence atol 3e-4.
TEST(NormLongRows, ChunkedStatisticsMatch) {
  std::mt19937_64 rng(11);
  NormCase layer;
  layer.x = {3, 40000};
  layer.scale = layer.bias = {40000};
  layer.mean_out = layer.invstd_out = true;
  NormCase instance;
  instance.layer = false;
  instance.opset = 6;
  instance.x = {1, 2, 150, 200};
  instance.scale = instance.bias = {2};
  for (const NormCase& c : {layer, instance}) {
    SCOPED_TRACE(c.Describe());
    const auto model = BuildModel(c, rng);
    // A ramp across each row makes the chunks' means differ, so merging them must add their spread.
    HostTensor x = RandomTensor(DType::kFloat32, c.x, rng, 999, 1001);
    const int64_t len = c.layer ? c.x.back() : c.x[2] * c.x[3];  // the row length of both shapes above
    for (int64_t i = 0; i < x.num_elements(); ++i)
      x.SetDouble(i, x.GetDouble(i) + 3.0 * static_cast<double>(i % len) / static_cast<double>(len));
    EXPECT_TRUE(MatchesReference(model, {{"x", x}}, runtime::Tolerance{3e-4, 1e-3}));
  }
}

Status RunError(const NormCase& c) {
  std::mt19937_64 rng(1);
  auto loaded = onnx::LoadModelBytes(BuildModel(c, rng));
  if (!loaded.ok()) return loaded.status();
  runtime::SessionOptions o;
  o.backend = runtime::Backend::kReference;
  auto s = runtime::Session::FromModel(*loaded, o);
  if (!s.ok()) return s.status();
  auto got = (*s)->Run({{"x", HostTensor(DType::kFloat32, c.x)}});
  return got.ok() ? OkStatus() : got.status();
}

void ExpectError(const NormCase& c, const std::string& fragment) {
  const Status s = RunError(c);
  EXPECT_FALSE(s.ok()) << c.Describe();
  EXPECT_NE(s.ToString().find(fragment), std::string::npos) << s.ToString();
}

TEST(NormErrors, MalformedNodesAreRejected) {
  NormCase c;
  c.x = {2, 3, 4};
  c.scale = c.bias = {3};
  ExpectError(c, "Scale has shape [3], which does not broadcast to the normalized shape [4]");
  c.axis = 3;
  ExpectError(c, "axis 3 is out of range for rank 3");
  c.axis = -2;
  c.scale = {3, 4};
  c.bias = {2, 4};
  ExpectError(c, "B has shape [2,4], which does not broadcast to the normalized shape [3,4]");
  NormCase in;
  in.layer = false;
  in.opset = 6;
  in.x = {2, 3, 4};
  in.scale = {3};
  in.bias = {4};
  ExpectError(in, "input 2 (B) has shape [4], expected [3]");
  in.x = {2, 3};
  in.bias = {3};
  ExpectError(in, "it must be [N, C, D1, ...] (rank >= 3)");
}

}  // namespace
}  // namespace webconv::testing
