// MaxUnpool on WebGPU and the CPU backend against the float64 reference: after MaxPool's Indices in 1-D,
// 2-D and 3-D (shapes where MaxUnpool's unpooled shape is MaxPool's input, so its indices address it),
// with overlapping windows (repeated indices), pads, and an output_shape larger than the unpooled shape; indices given directly, with repeats of different values (the last one is kept); and
// an index outside the unpooled tensor, which fails every backend with one message naming the node.
#include <gtest/gtest.h>

#include <random>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

HostTensor Int64List(const std::vector<int64_t>& v) {
  HostTensor t(DType::kInt64, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.SetInt(static_cast<int64_t>(i), v[i]);
  return t;
}

struct UnpoolCase {
  Shape x;
  std::vector<int64_t> kernel, strides, pads;
  std::vector<int64_t> extra;  // added to the unpooled spatial extents by output_shape; empty: none
};

TEST(MaxUnpool, AfterMaxPoolMatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261214);
  std::cout << "MaxUnpool seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const UnpoolCase cases[] = {
      {{2, 3, 8}, {2}, {2}, {0, 0}, {}},
      {{1, 2, 7, 7}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}},           // overlapping windows
      {{1, 2, 6, 6}, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 3}},       // output_shape beyond
      {{1, 2, 4, 5, 6}, {2, 2, 3}, {2, 1, 2}, {0, 1, 0, 0, 0, 1}, {}},
  };
  for (const UnpoolCase& c : cases) {
    SCOPED_TRACE(::testing::Message() << "x " << ShapeString(c.x));
    ModelBuilder m(12);
    m.Input("x", DType::kFloat32, c.x);
    std::vector<Attr> attrs = {IntsAttr("kernel_shape", c.kernel), IntsAttr("strides", c.strides),
                               IntsAttr("pads", c.pads)};
    m.Node("MaxPool", {"x"}, {"p", "i"}, attrs, "pool");
    std::vector<std::string> inputs = {"p", "i"};
    if (!c.extra.empty()) {
      // MaxPool's output extent o gives an unpooled extent (o - 1) * stride - pads + kernel.
      std::vector<int64_t> shape = {c.x[0], c.x[1]};
      for (size_t d = 0; d < c.kernel.size(); ++d) {
        const size_t r = c.kernel.size();
        const int64_t o = (c.x[d + 2] + c.pads[d] + c.pads[d + r] - c.kernel[d]) / c.strides[d] + 1;
        shape.push_back((o - 1) * c.strides[d] - c.pads[d] - c.pads[d + r] + c.kernel[d] + c.extra[d]);
      }
      m.Initializer("shape", Int64List(shape));
      inputs.push_back("shape");
    }
    m.Node("MaxUnpool", inputs, {"y"}, attrs, "unpool");
    m.Output("y", DType::kFloat32);
    const HostTensor x = RandomTensor(DType::kFloat32, c.x, rng);
    EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{0, 0}));
  }
}

std::vector<uint8_t> DirectModel() {
  ModelBuilder m(11);
  m.Input("x", DType::kFloat32, {1, 1, 2, 3});
  m.Input("i", DType::kInt64, {1, 1, 2, 3});
  m.Node("MaxUnpool", {"x", "i"}, {"y"}, {IntsAttr("kernel_shape", {2, 2}), IntsAttr("strides", {2, 2})}, "unpool");
  m.Output("y", DType::kFloat32);
  return m.Serialize();  // unpooled: [1, 1, 4, 6], 24 elements
}

TEST(MaxUnpool, RepeatedIndicesKeepTheLastValue) {
  std::mt19937_64 rng(5);
  HostTensor i(DType::kInt64, {1, 1, 2, 3});
  const int64_t at[] = {7, 3, 7, 23, 3, 0};
  for (int k = 0; k < 6; ++k) i.SetInt(k, at[k]);
  EXPECT_TRUE(MatchesReference(DirectModel(), {{"x", RandomTensor(DType::kFloat32, {1, 1, 2, 3}, rng)}, {"i", i}},
                               runtime::Tolerance{0, 0}));
}

TEST(MaxUnpool, IndexOutsideFailsOnEveryBackendNamingTheNode) {
  std::mt19937_64 rng(6);
  HostTensor i(DType::kInt64, {1, 1, 2, 3});
  const int64_t at[] = {0, 5, 9, 24, 1, -1};
  for (int k = 0; k < 6; ++k) i.SetInt(k, at[k]);
  EXPECT_TRUE(FailsAlikeOnEveryBackend(DirectModel(), {{"x", RandomTensor(DType::kFloat32, {1, 1, 2, 3}, rng)}, {"i", i}},
                                       {"'unpool'", "index 24 (flat position 3"}));
}

}  // namespace
}  // namespace webconv::testing
