// Indices known only at run time (Gather, GatherElements, GatherND, ScatterND, ScatterElements): an
// out-of-range one fails the WebGPU run with the float64 reference's message, naming the node; in-range
// indices give the reference's answer, also in the next run of the same session after a failed one.
#include <gtest/gtest.h>

#include <random>

#include "model_builder.h"
#include "onnx/loader.h"
#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

using testing::IntAttr;

struct Case {
  const char* op;
  Shape data, indices, updates;  // updates empty: a gather
  int64_t axis = 0;              // for Gather, GatherElements, ScatterElements
  int64_t index_bound = 0;       // valid indices lie in [-bound, bound)
};

std::unique_ptr<Session> Load(const Case& c, Backend backend) {
  testing::ModelBuilder b(13);
  HostTensor data(DType::kFloat32, c.data);
  for (int64_t i = 0; i < data.num_elements(); ++i) data.SetDouble(i, static_cast<double>(i) + 0.5);
  b.Initializer("data", data);
  b.Input("idx", DType::kInt64, c.indices);
  std::vector<std::string> inputs = {"data", "idx"};
  if (!c.updates.empty()) {
    HostTensor upd(DType::kFloat32, c.updates);
    for (int64_t i = 0; i < upd.num_elements(); ++i) upd.SetDouble(i, -1.0 - static_cast<double>(i));
    b.Initializer("upd", upd);
    inputs.push_back("upd");
  }
  std::vector<testing::Attr> attrs;
  const std::string op = c.op;
  if (op == "Gather" || op == "GatherElements" || op == "ScatterElements") attrs.push_back(IntAttr("axis", c.axis));
  b.Node(c.op, inputs, {"y"}, attrs, "the_node");
  b.Output("y", DType::kFloat32);
  auto model = onnx::LoadModelBytes(b.Serialize());
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  SessionOptions o;
  o.backend = backend;
  auto s = Session::FromModel(*model, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

const Case kCases[] = {
    {"Gather", {3, 4}, {2, 3}, {}, 0, 3},
    {"Gather", {3, 4}, {5}, {}, 1, 4},
    {"GatherElements", {3, 4}, {3, 2}, {}, 1, 4},
    {"GatherND", {3, 4}, {2, 2}, {}, 0, 3},  // entry 1 of each tuple indexes axis 1 (size 4)
    {"ScatterND", {3, 4}, {2, 1}, {2, 4}, 0, 3},
    {"ScatterElements", {3, 4}, {2, 4}, {2, 4}, 0, 3},
};

// Random indices in [-bound, bound + 4): some out of range. The seed is printed.
HostTensor Indices(const Shape& shape, int64_t bound, uint32_t seed, bool in_range) {
  std::mt19937 rng(seed);
  HostTensor t(DType::kInt64, shape);
  const int64_t hi = in_range ? bound : bound + 4;
  for (int64_t i = 0; i < t.num_elements(); ++i)
    t.SetInt(i, std::uniform_int_distribution<int64_t>(-bound, hi - 1)(rng));
  return t;
}

// GatherND's tuples index two axes of different sizes, ScatterND's must be distinct rows for a defined result:
// in-range indices for them are built by hand.
HostTensor InRange(const Case& c, uint32_t seed) {
  const std::string op = c.op;
  if (op == "GatherND") {
    HostTensor t(DType::kInt64, c.indices);
    std::mt19937 rng(seed);
    for (int64_t i = 0; i < t.num_elements(); ++i)
      t.SetInt(i, std::uniform_int_distribution<int64_t>(0, c.data[static_cast<size_t>(i % 2)] - 1)(rng));
    return t;
  }
  if (op == "ScatterND" || op == "ScatterElements") {  // distinct targets: one update per element
    HostTensor t(DType::kInt64, c.indices);
    for (int64_t i = 0; i < t.num_elements(); ++i) t.SetInt(i, op == "ScatterND" ? 2 - i : i / c.indices.back() - 3);
    return t;
  }
  return Indices(c.indices, c.index_bound, seed, true);
}

TEST(IndexBounds, OutOfRangeFailsLikeTheReferenceAndTheNextRunIsRight) {
  const uint32_t seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  for (const Case& c : kCases) {
    SCOPED_TRACE(::testing::Message() << c.op << " seed " << seed);
    auto gpu = Load(c, Backend::kWebGpu);
    auto ref = Load(c, Backend::kReference);
    ASSERT_TRUE(gpu && ref);
    // Out of range: the same error, code and text, on both backends.
    HostTensor bad = Indices(c.indices, c.index_bound, seed, false);
    bad.SetInt(bad.num_elements() - 1, c.index_bound + 2);  // at least one, at the last position
    auto want_error = ref->Run({{"idx", bad}});
    auto got_error = gpu->Run({{"idx", bad}});
    ASSERT_FALSE(want_error.ok());
    ASSERT_FALSE(got_error.ok()) << "the WebGPU run accepted an out-of-range index";
    EXPECT_EQ(got_error.status().code, StatusCode::kBadModel);
    EXPECT_EQ(got_error.status().ToString(), want_error.status().ToString());
    EXPECT_NE(got_error.status().ToString().find("'the_node'"), std::string::npos);
    // In range (negative ones too): the reference's answer, in the same session.
    const HostTensor good = InRange(c, seed);
    auto want = ref->Run({{"idx", good}});
    auto got = gpu->Run({{"idx", good}});
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    const auto cmp = Compare(got->at("y"), want->at("y"), Tolerance{0, 0});
    EXPECT_TRUE(cmp.ok) << cmp.message;
  }
}

// Indices computed on the GPU are not known to the host: the message says so and still names the node,
// the position and the axis.
TEST(IndexBounds, ComputedIndicesAreCheckedToo) {
  testing::ModelBuilder b(13);
  HostTensor data(DType::kFloat32, {3});
  HostTensor five(DType::kInt64, {});
  five.SetInt(0, 5);
  b.Initializer("data", data);
  b.Initializer("five", five);
  b.Input("idx", DType::kInt64, {4});
  b.Node("Add", {"idx", "five"}, {"k"}, {}, "shift");
  b.Node("Gather", {"data", "k"}, {"y"}, {}, "pick");
  b.Output("y", DType::kFloat32);
  auto model = onnx::LoadModelBytes(b.Serialize());
  ASSERT_TRUE(model.ok());
  SessionOptions o;
  o.backend = Backend::kWebGpu;
  auto s = Session::FromModel(*model, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  HostTensor idx(DType::kInt64, {4});
  for (int64_t i = 0; i < 4; ++i) idx.SetInt(i, i < 2 ? -6 : -4);  // -1, -1, 1, 1 after the shift
  auto fine = (*s)->Run({{"idx", idx}});
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  idx.SetInt(2, 0);  // 5: out of range at position 2
  auto bad = (*s)->Run({{"idx", idx}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(),
            "Gather 'pick': an index computed on the GPU (flat position 2 of the indices) is out of range for "
            "data axis 0 of size 3");
}

}  // namespace
}  // namespace webconv::runtime
