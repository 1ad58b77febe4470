// Reduce-family semantics with known answers on both backends (noop_with_empty_axes, NaN propagation,
// select_last_index ties, stable LogSumExp/Softmax on huge values, opset < 13 Softmax rows, empty
// reductions), and the attribute checks that must refuse a model.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "differential.h"
#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/session.h"

namespace webconv::testing {
namespace {

using runtime::Backend;

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Node {
  std::string op;
  int opset = 17;
  std::vector<Attr> attrs;
  DType out = DType::kFloat32;
};

std::vector<uint8_t> Model(const Node& n, const HostTensor& x) {
  ModelBuilder m(n.opset);
  m.Input("x", x.dtype(), x.shape());
  m.Node(n.op, {"x"}, {"y"}, n.attrs, "node");
  m.Output("y", n.out);
  return m.Serialize();
}

Result<HostTensor> RunNode(const Node& n, const HostTensor& x, Backend backend) {
  WC_ASSIGN_OR_RETURN(auto loaded, onnx::LoadModelBytes(Model(n, x)));
  runtime::SessionOptions o;
  o.backend = backend;
  if (backend == Backend::kWebGpu) o.shared_device = SharedDevice();
  WC_ASSIGN_OR_RETURN(auto session, runtime::Session::FromModel(loaded, o));
  WC_ASSIGN_OR_RETURN(auto out, session->Run({{"x", x}}));
  return out.at("y");
}

HostTensor Values(const Shape& shape, std::vector<double> v, DType t = DType::kFloat32) {
  HostTensor x(t, shape);
  for (size_t i = 0; i < v.size(); ++i) x.SetDouble(static_cast<int64_t>(i), v[i]);
  return x;
}

void ExpectValues(const HostTensor& y, const Shape& shape, const std::vector<double>& want, double tol = 0) {
  ASSERT_EQ(ShapeString(y.shape()), ShapeString(shape));
  for (size_t i = 0; i < want.size(); ++i) {
    const double got = y.GetDouble(static_cast<int64_t>(i));
    if (std::isnan(want[i]))
      EXPECT_TRUE(std::isnan(got)) << i << ": " << got;
    else if (std::isinf(want[i]))
      EXPECT_EQ(got, want[i]) << i;
    else
      EXPECT_NEAR(got, want[i], tol) << i;
  }
}

class ReduceSemantics : public ::testing::TestWithParam<Backend> {};

TEST_P(ReduceSemantics, ReduceSumNoopWithEmptyAxesIsIdentity) {
  const HostTensor x = Values({2, 2}, {1, 2, 3, 4});
  auto y =
      RunNode({"ReduceSum", 13, {IntAttr("noop_with_empty_axes", 1), IntAttr("keepdims", 0)}}, x, GetParam());
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectValues(*y, {2, 2}, {1, 2, 3, 4});
  auto all = RunNode({"ReduceSum", 13, {IntAttr("keepdims", 0)}}, x, GetParam());
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ExpectValues(*all, {}, {10});
}

TEST_P(ReduceSemantics, NaNPropagatesThroughMaxAndMin) {
  const HostTensor x = Values({2, 3}, {1, kNaN, 3, 4, 5, 6});
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    auto y = RunNode({op, 13, {IntsAttr("axes", {1}), IntAttr("keepdims", 0)}}, x, GetParam());
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    ExpectValues(*y, {2}, {kNaN, std::string(op) == "ReduceMax" ? 6.0 : 4.0});
  }
}

TEST_P(ReduceSemantics, ArgMaxTiesAndSelectLastIndex) {
  const HostTensor x = Values({2, 4}, {1, 3, 3, 0, 2, 2, 2, 2});
  for (int64_t last : {0, 1}) {
    auto y = RunNode({"ArgMax", 12, {IntAttr("axis", -1), IntAttr("select_last_index", last)}, DType::kInt64},
                     x, GetParam());
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    ExpectValues(*y, {2, 1}, last ? std::vector<double>{2, 3} : std::vector<double>{1, 0});
  }
  auto mn =
      RunNode({"ArgMin", 11, {IntAttr("axis", 0), IntAttr("keepdims", 0)}, DType::kInt64}, x, GetParam());
  ASSERT_TRUE(mn.ok()) << mn.status().ToString();
  ExpectValues(*mn, {4}, {0, 1, 1, 0});
}

TEST_P(ReduceSemantics, LogSumExpAndSoftmaxAreStable) {
  const HostTensor x = Values({2, 3}, {1000, 1000, 1000, -kInf, -kInf, -kInf});
  auto lse = RunNode({"ReduceLogSumExp", 13, {IntsAttr("axes", {1}), IntAttr("keepdims", 0)}}, x, GetParam());
  ASSERT_TRUE(lse.ok()) << lse.status().ToString();
  ExpectValues(*lse, {2}, {1000 + std::log(3.0), -kInf}, 1e-3);
  const HostTensor big = Values({1, 3}, {1000, 999, 998});
  auto sm = RunNode({"Softmax", 13, {}}, big, GetParam());
  ASSERT_TRUE(sm.ok()) << sm.status().ToString();
  const double s = 1 + std::exp(-1.0) + std::exp(-2.0);
  ExpectValues(*sm, {1, 3}, {1 / s, std::exp(-1.0) / s, std::exp(-2.0) / s}, 1e-6);
  auto ls = RunNode({"LogSoftmax", 13, {}}, big, GetParam());
  ASSERT_TRUE(ls.ok()) << ls.status().ToString();
  ExpectValues(*ls, {1, 3}, {-std::log(s), -1 - std::log(s), -2 - std::log(s)}, 1e-5);
}

// Before opset 13 the input is a matrix split at `axis`: each row of 2 x 3 elements sums to 1.
TEST_P(ReduceSemantics, SoftmaxBefore13NormalizesFlattenedRows) {
  HostTensor x(DType::kFloat32, {2, 2, 3});
  for (int64_t i = 0; i < 12; ++i) x.SetDouble(i, 0.0);
  auto old = RunNode({"Softmax", 11, {}}, x, GetParam());
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ExpectValues(*old, {2, 2, 3}, std::vector<double>(12, 1.0 / 6), 1e-7);
  auto now = RunNode({"Softmax", 13, {IntAttr("axis", 1)}}, x, GetParam());
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  ExpectValues(*now, {2, 2, 3}, std::vector<double>(12, 0.5), 1e-7);
}

TEST_P(ReduceSemantics, IntegerReductionsAreExact) {
  const HostTensor x = Values({2, 3}, {-7, 5, 4, 100000, 3, -2}, DType::kInt32);
  const struct {
    const char* op;
    std::vector<double> want;
  } cases[] = {{"ReduceSum", {2, 100001}}, {"ReduceMean", {0, 33333}},      {"ReduceMax", {5, 100000}},
               {"ReduceMin", {-7, -2}},    {"ReduceProd", {-140, -600000}}, {"ReduceL1", {16, 100005}}};
  for (const auto& c : cases) {
    auto y =
        RunNode({c.op, 11, {IntsAttr("axes", {-1}), IntAttr("keepdims", 0)}, DType::kInt32}, x, GetParam());
    ASSERT_TRUE(y.ok()) << c.op << ": " << y.status().ToString();
    SCOPED_TRACE(c.op);
    ExpectValues(*y, {2}, c.want);
  }
}

TEST_P(ReduceSemantics, EmptyReductions) {
  const HostTensor x(DType::kFloat32, {2, 0});
  const struct {
    const char* op;
    double want;
  } cases[] = {{"ReduceSum", 0},     {"ReduceProd", 1},          {"ReduceMax", -kInf},   {"ReduceMin", kInf},
               {"ReduceMean", kNaN}, {"ReduceLogSumExp", -kInf}, {"ReduceLogSum", -kInf}};
  for (const auto& c : cases) {
    auto y = RunNode({c.op, 11, {IntsAttr("axes", {1}), IntAttr("keepdims", 0)}}, x, GetParam());
    ASSERT_TRUE(y.ok()) << c.op << ": " << y.status().ToString();
    SCOPED_TRACE(c.op);
    ExpectValues(*y, {2}, {c.want, c.want});
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReduceSemantics, ::testing::Values(Backend::kReference, Backend::kWebGpu),
                         [](const auto& info) { return info.param == Backend::kReference ? "ref" : "webgpu"; });

// Models the loader must refuse, each with a message naming the problem.
TEST(ReduceRefusals, BadAttributes) {
  const HostTensor x(DType::kFloat32, {2, 3});
  const struct {
    Node node;
    const char* says;
  } cases[] = {
      {{"ReduceMean", 13, {IntsAttr("axes", {1, -1})}}, "twice"},
      {{"ReduceMean", 13, {IntsAttr("axes", {2})}}, "out of range"},
      {{"ReduceMean", 13, {IntAttr("noop_with_empty_axes", 1)}}, "arrives in opset 18"},
      {{"ReduceSum", 13, {IntsAttr("axes", {0})}}, "input 1"},
      {{"ReduceSum", 11, {IntAttr("keepdims", 2)}}, "keepdims must be 0 or 1"},
      {{"ArgMax", 11, {IntAttr("select_last_index", 1)}, DType::kInt64}, "arrives in opset 12"},
      {{"ArgMin", 13, {IntAttr("axis", -3)}, DType::kInt64}, "out of range"},
      {{"Softmax", 13, {IntAttr("axis", 2)}}, "out of range"},
  };
  for (const auto& c : cases) {
    auto y = RunNode(c.node, x, Backend::kReference);
    ASSERT_FALSE(y.ok()) << c.node.op;
    EXPECT_NE(y.status().ToString().find(c.says), std::string::npos) << y.status().ToString();
  }
  HostTensor ints(DType::kInt8, {2, 3});
  auto y = RunNode({"ReduceSum", 13, {}, DType::kInt8}, ints, Backend::kReference);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().ToString().find("int8"), std::string::npos) << y.status().ToString();
  HostTensor empty_axis(DType::kFloat32, {2, 0});
  auto arg = RunNode({"ArgMax", 13, {IntAttr("axis", 1)}, DType::kInt64}, empty_axis, Backend::kReference);
  ASSERT_FALSE(arg.ok());
  EXPECT_NE(arg.status().ToString().find("empty"), std::string::npos) << arg.status().ToString();
}

}  // namespace
}  // namespace webconv::testing
