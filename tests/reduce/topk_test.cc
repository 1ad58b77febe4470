// TopK on WebGPU and the CPU backend against the float64 reference: float32, int32 and int64; rows with
// many equal values (ties go to the lower index) and a NaN; every axis; largest and smallest; k from 0 to
// the whole extent; K as opset 1's attribute, a constant, and a graph input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

HostTensor Int64Vector(int64_t v) {
  HostTensor t(DType::kInt64, {1});
  t.SetInt(0, v);
  return t;
}

TEST(TopK, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261212);
  std::cout << "TopK seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {3, 9, 4};
  for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
    // Values in [-3, 3] rounded for the integer types: many ties.
    HostTensor x = RandomTensor(t, shape, rng, -3, 3);
    if (t == DType::kFloat32) {
      for (int64_t i = 0; i < x.num_elements(); i += 2) x.SetDouble(i, std::round(x.GetDouble(i)));  // ties
      x.SetDouble(10, std::nan(""));
    }
    for (int64_t axis : {0, 1, -1}) {
      const int64_t extent = shape[static_cast<size_t>(axis < 0 ? axis + 3 : axis)];
      for (int64_t k : {int64_t{0}, int64_t{1}, extent / 2, extent}) {
        for (int largest : {0, 1}) {
          for (int form : {0, 1, 2}) {  // 0: opset 1 attribute, 1: constant input, 2: graph input
            SCOPED_TRACE(::testing::Message() << DTypeName(t) << " axis " << axis << " k " << k
                                              << (largest ? " largest" : " smallest") << " form " << form);
            ModelBuilder m(form == 0 ? 1 : 11);
            m.Input("x", t, shape);
            std::vector<std::string> inputs = {"x"};
            std::vector<Attr> attrs = {IntAttr("axis", axis)};
            std::map<std::string, HostTensor> feeds = {{"x", x}};
            if (form == 0) {
              attrs.push_back(IntAttr("k", k));
            } else {
              attrs.push_back(IntAttr("largest", largest));
              if (form == 1) m.Initializer("k", Int64Vector(k));
              else m.Input("k", DType::kInt64, {1}), feeds["k"] = Int64Vector(k);
              inputs.push_back("k");
            }
            if (form == 0 && !largest) continue;  // opset 1 has no `largest`
            m.Node("TopK", inputs, {"values", "indices"}, attrs, "topk");
            m.Output("values", t);
            m.Output("indices", DType::kInt64);
            EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{0, 0}));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace webconv::testing
