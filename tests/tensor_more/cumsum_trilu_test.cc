// CumSum and Trilu on WebGPU against the float64 reference, in the types the GPU holds (Debian's ONNX
// backend cases cover CumSum only in float64, which runs on the reference alone): every exclusive/reverse
// combination along every axis, and Trilu's diagonals from below the matrix to beyond it, with k a constant
// and a graph input, batched matrices, both triangles.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {
namespace {

HostTensor Int64Scalar(int64_t v) {
  std::vector<uint8_t> bytes(8);
  std::memcpy(bytes.data(), &v, 8);
  return HostTensor::Owned(DType::kInt64, {}, std::move(bytes));
}

TEST(CumSum, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261207);
  std::cout << "CumSum seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {3, 5, 7};
  for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
    const HostTensor x = RandomTensor(t, shape, rng, -8, 8);
    for (int64_t axis : {0, 1, -1}) {
      for (int exclusive : {0, 1}) {
        for (int reverse : {0, 1}) {
          SCOPED_TRACE(::testing::Message() << DTypeName(t) << " axis " << axis << " exclusive " << exclusive
                                            << " reverse " << reverse);
          ModelBuilder m(17);
          m.Input("x", t, shape);
          m.Initializer("axis", Int64Scalar(axis));
          m.Node("CumSum", {"x", "axis"}, {"y"}, {IntAttr("exclusive", exclusive), IntAttr("reverse", reverse)},
                 "cumsum");
          m.Output("y", t);
          EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", x}}, runtime::Tolerance{1e-5, 1e-5}));
        }
      }
    }
  }
}

TEST(Trilu, MatchesFloat64Reference) {
  const uint64_t seed = BaseSeed(20261208);
  std::cout << "Trilu seed " << seed << " (WEBCONV_SEED)\n";
  std::mt19937_64 rng(seed);
  const Shape shape = {2, 4, 6};
  for (DType t : {DType::kFloat32, DType::kInt32}) {
    const HostTensor x = RandomTensor(t, shape, rng, -8, 8);
    for (int upper : {0, 1}) {
      for (int64_t k : {-9, -4, -1, 0, 2, 5, 6, 100}) {
        for (bool k_input : {false, true}) {
          SCOPED_TRACE(::testing::Message() << DTypeName(t) << (upper ? " upper" : " lower") << " k " << k
                                            << (k_input ? " (graph input)" : " (constant)"));
          ModelBuilder m(17);
          m.Input("x", t, shape);
          std::map<std::string, HostTensor> feeds = {{"x", x}};
          if (k_input) {
            m.Input("k", DType::kInt64, {});
            feeds["k"] = Int64Scalar(k);
          } else {
            m.Initializer("k", Int64Scalar(k));
          }
          m.Node("Trilu", {"x", "k"}, {"y"}, {IntAttr("upper", upper)}, "trilu");
          m.Output("y", t);
          EXPECT_TRUE(MatchesReference(m.Serialize(), feeds, runtime::Tolerance{0, 0}));
        }
      }
    }
  }
  // Without k: the main diagonal.
  ModelBuilder m(17);
  m.Input("x", DType::kFloat32, shape);
  m.Node("Trilu", {"x"}, {"y"}, {}, "trilu");
  m.Output("y", DType::kFloat32);
  EXPECT_TRUE(MatchesReference(m.Serialize(), {{"x", RandomTensor(DType::kFloat32, shape, rng)}},
                               runtime::Tolerance{0, 0}));
}

}  // namespace
}  // namespace webconv::testing
