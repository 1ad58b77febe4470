#include "conv_case.h"

#include <gtest/gtest.h>

namespace webconv::testing {

Shape ConvCaseInputShape(const ConvShapeCase& c) {
  Shape xs = {c.batch, c.cin};
  xs.insert(xs.end(), c.in.begin(), c.in.end());
  return xs;
}

Shape ConvCaseWeightShape(const ConvShapeCase& c) {
  Shape ws = {c.cout, c.cin / c.group};
  ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
  return ws;
}

std::vector<uint8_t> ConvCaseModel(const ConvShapeCase& c, HostTensor w, HostTensor b) {
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, ConvCaseInputShape(c));
  m.Initializer("w", std::move(w));
  m.Initializer("b", std::move(b));
  m.Node("Conv", {"x", "w", "b"}, {c.relu ? "c" : "y"},
         {IntAttr("group", c.group), IntsAttr("strides", c.stride), IntsAttr("dilations", c.dilation),
          IntsAttr("pads", c.pads)},
         "conv");
  if (c.relu) m.Node("Relu", {"c"}, {"y"}, {}, "relu");
  m.Output("y", DType::kFloat32);
  return m.Serialize();
}

std::vector<uint8_t> ConvCaseModel(const ConvShapeCase& c, std::mt19937_64& rng, Shape* xs) {
  *xs = ConvCaseInputShape(c);
  HostTensor w = RandomTensor(DType::kFloat32, ConvCaseWeightShape(c), rng);
  HostTensor b = RandomTensor(DType::kFloat32, {c.cout}, rng);
  return ConvCaseModel(c, std::move(w), std::move(b));
}

void CheckConvCase(const ConvShapeCase& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Shape xs;
  const auto model = ConvCaseModel(c, rng, &xs);
  const std::map<std::string, HostTensor> feeds = {{"x", RandomTensor(DType::kFloat32, xs, rng)}};
  EXPECT_TRUE(MatchesReference(model, feeds, runtime::Tolerance{1e-5, 1e-4}));
}

}  // namespace webconv::testing
