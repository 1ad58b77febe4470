// Limits checked before allocating from a file's numbers: tensor rank and element counts, .npy
// headers, the loader's node/graph/attribute/name limits, and the graph errors (cycle, duplicate
// output, undefined input) that must end in a message naming the node.
#include "common/limits.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/npy.h"
#include "ir/graph.h"
#include "model_builder.h"
#include "onnx/loader.h"

namespace webconv {
namespace {

using testing::ModelBuilder;
using testing::ProtoWriter;

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(ElementLimits, RankAndOverflowAreRefusedBeforeAllocation) {
  EXPECT_TRUE(CheckedNumElements(Shape(kMaxRank, 1)).ok());
  auto rank = CheckedNumElements(Shape(kMaxRank + 1, 1));
  ASSERT_FALSE(rank.ok());
  EXPECT_TRUE(Contains(rank.status().message, "rank 65")) << rank.status().message;
  // 2^21 * 2^21 = 2^42: past kMaxElements; 2^32 * 2^32 would wrap int64 if multiplied naively.
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 21, int64_t{1} << 21}).ok());
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 32, int64_t{1} << 32}).ok());
  EXPECT_FALSE(CheckedNumElements({3, -1}).ok());
  auto zero = CheckedNumElements({int64_t{1} << 50, 0});
  EXPECT_FALSE(zero.ok()) << "a dim past the limit fails even when another dim is 0";
  EXPECT_EQ(CheckedNumElements({kMaxElements}).value(), kMaxElements);
  EXPECT_EQ(CheckedNumElements({0, 7}).value(), 0);
}

std::string Npy(const std::string& dict, const std::string& payload = "") {
  std::string s("\x93NUMPY\x01\x00", 8);
  s += static_cast<char>(dict.size() & 0xff);
  s += static_cast<char>(dict.size() >> 8);
  return s + dict + payload;
}

Result<HostTensor> Parse(const std::string& bytes) {
  return ParseNpy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(NpyLimits, RoundTripsThroughItsOwnHeader) {
  const float v[3] = {1.5f, -2.f, 4.f};
  const std::string file =
      NpyHeader(DType::kFloat32, {3}) + std::string(reinterpret_cast<const char*>(v), 12);
  EXPECT_EQ(NpyHeader(DType::kFloat32, {3}).size() % 64, 0u);
  auto t = Parse(file);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), Shape{3});
  EXPECT_EQ(t->as<float>()[2], 4.f);
  auto scalar = Parse(Npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", std::string(8, '\1')));
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(scalar->shape(), Shape{});
}

TEST(NpyLimits, HostileHeadersFailWithoutAllocating) {
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  struct Case {
    std::string bytes, expect;
  } cases[] = {
      {"\x93NUMPX", "not a .npy file"},
      {std::string("\x93NUMPY\x07\x00\x10\x00", 10), "version 7"},
      {Npy(ok_dict).substr(0, 30), "out of range"},     // header length past the end of the file
      {Npy(ok_dict, std::string(4, '\0')), "needs 8"},  // data shorter than the shape needs
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"), "2^40"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999999,), }"), "15 digits"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"), "non-negative"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2; 3), }"), "not a tuple"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, }"), "lacks its ')'"},  // an unclosed tuple
      {Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"), "little-endian"},
      {Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"), "not supported"},
      {Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }"), "Fortran"},
      {Npy("{'descr': '<f4', }"), "lacks"},
      // Headers NumPy itself refuses: webconv refuses them too rather than read them its own way.
      {Npy("{'descr': '<f4', 'fortran_order': 'yes', 'shape': (2,), }"), "must be True or False"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (1,), }"), "'shape' twice"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), "), "not closed"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}"), "has the key 'extra'"},
      {Npy("{'descr': '<f4', 'fortran_order': False 'shape': (2,)}"), "not closed"},
      {Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk"), "text after its dict"},
      {Npy("['descr', '<f4']"), "not a dict"},
  };
  for (const Case& c : cases) {
    auto t = Parse(c.bytes);
    ASSERT_FALSE(t.ok()) << c.expect;
    EXPECT_EQ(t.status().code, StatusCode::kUsage);
    EXPECT_TRUE(Contains(t.status().message, c.expect)) << t.status().message << " / want " << c.expect;
  }
  std::string rank = "(";
  for (size_t i = 0; i <= kMaxRank; ++i) rank += "1,";
  auto deep = Parse(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': " + rank + "), }", "1234"));
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(Contains(deep.status().message, "more than 64 dimensions")) << deep.status().message;
}

// NumPy ignores bytes after the array data; webconv reads the array the same way and says so.
TEST(NpyLimits, TrailingBytesAreIgnoredWithAWarning) {
  const float v[2] = {1.5f, -2.f};
  const std::string data(reinterpret_cast<const char*>(v), 8);
  std::string warning;
  const std::string file = NpyHeader(DType::kFloat32, {2}) + data + "tail";
  auto t = ParseNpy(reinterpret_cast<const uint8_t*>(file.data()), file.size(), &warning);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->as<float>()[1], -2.f);
  EXPECT_EQ(warning, "4 bytes after the array data are ignored");
  warning.clear();
  const std::string exact = NpyHeader(DType::kFloat32, {2}) + data;
  ASSERT_TRUE(ParseNpy(reinterpret_cast<const uint8_t*>(exact.data()), exact.size(), &warning).ok());
  EXPECT_EQ(warning, "");
  // Double-quoted strings and no trailing comma are Python dict literals too, as NumPy reads them.
  auto quoted = Parse(Npy("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", data));
  EXPECT_TRUE(quoted.ok()) << quoted.status().ToString();
}

// A model of `nodes` Relu nodes in a chain.
std::vector<uint8_t> Chain(int nodes, const std::string& name_suffix = "") {
  ModelBuilder b(13);
  b.Input("x", DType::kFloat32, {2});
  std::string prev = "x";
  for (int i = 0; i < nodes; ++i) {
    const std::string out = i + 1 == nodes ? "y" : "v" + std::to_string(i) + name_suffix;
    b.Node("Relu", {prev}, {out});
    prev = out;
  }
  b.Output("y", DType::kFloat32);
  return b.Serialize();
}

TEST(LoaderLimits, NodeCount) {
  onnx::LoaderLimits limits;
  limits.max_nodes = 3;
  EXPECT_TRUE(onnx::LoadModelBytes(Chain(3), limits).ok());
  auto r = onnx::LoadModelBytes(Chain(4), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code, StatusCode::kBadModel);
  EXPECT_TRUE(Contains(r.status().message, "more than 3 nodes")) << r.status().message;
}

// The graph built from a model shares the loader's memory budget: a file of many tiny nodes that the
// parse fits fails before the graph's nodes are built, with the count and the bytes.
TEST(LoaderLimits, GraphMemorySharesTheLoadersBudget) {
  onnx::LoaderLimits limits;
  limits.memory_budget_factor = 0;
  limits.min_memory_budget = 400 << 10;  // the parse of 2000 nodes fits; their graph does not
  auto model = onnx::LoadModelBytes(Chain(2000), limits);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto graph = ir::BuildGraph(*model);
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code, StatusCode::kBadModel);
  EXPECT_TRUE(Contains(graph.status().message, "the graph's 2000 nodes would take about")) << graph.status().message;
  limits.min_memory_budget = 4 << 20;
  auto roomy = onnx::LoadModelBytes(Chain(2000), limits);
  ASSERT_TRUE(roomy.ok());
  EXPECT_TRUE(ir::BuildGraph(*roomy).ok());
}

TEST(LoaderLimits, NameLength) {
  onnx::LoaderLimits limits;
  limits.max_name_bytes = 16;
  EXPECT_TRUE(onnx::LoadModelBytes(Chain(2), limits).ok());
  auto r = onnx::LoadModelBytes(Chain(2, std::string(20, 'n')), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message, "longer than the limit of 16")) << r.status().message;
}

TEST(LoaderLimits, AttributeListLength) {
  onnx::LoaderLimits limits;
  limits.max_attribute_values = 4;
  auto with_perm = [](std::vector<int64_t> perm) {
    ModelBuilder b(13);
    b.Input("x", DType::kFloat32, {1, 1, 1, 1, 1});
    b.Node("Transpose", {"x"}, {"y"}, {testing::IntsAttr("perm", std::move(perm))}, "t");
    b.Output("y", DType::kFloat32);
    return b.Serialize();
  };
  EXPECT_TRUE(onnx::LoadModelBytes(with_perm({3, 2, 1, 0}), limits).ok());
  auto r = onnx::LoadModelBytes(with_perm({4, 3, 2, 1, 0}), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message, "AttributeProto.ints")) << r.status().message;
  EXPECT_TRUE(Contains(r.status().message, "more than 4 values")) << r.status().message;
}

// A graph attribute nested `depth` levels deep (If-style then_branch), each level a GraphProto.
std::vector<uint8_t> NestedGraphs(int count) {
  ProtoWriter graph;  // the innermost graph: empty
  for (int i = 0; i < count; ++i) {
    ProtoWriter attr, node, outer;
    attr.Bytes(1, "then_branch");
    attr.Varint(20, 5);  // GRAPH
    attr.Message(6, graph);
    node.Bytes(4, "If");
    node.Message(5, attr);
    outer.Message(1, node);
    graph = outer;
  }
  ProtoWriter model, opset;
  model.Varint(1, 8);
  opset.Varint(2, 13);  // every model names its operator set
  model.Message(8, opset);
  model.Message(7, graph);
  const std::string& s = model.data();
  return std::vector<uint8_t>(s.begin(), s.end());
}

TEST(LoaderLimits, GraphCountAndDepth) {
  onnx::LoaderLimits limits;
  limits.max_graphs = 4;
  EXPECT_TRUE(onnx::LoadModelBytes(NestedGraphs(3), limits).ok());  // 4 graphs with the main one
  auto r = onnx::LoadModelBytes(NestedGraphs(4), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message, "more than 4 graphs")) << r.status().message;
  auto deep = onnx::LoadModelBytes(NestedGraphs(40));  // default depth limit 32
  ASSERT_FALSE(deep.ok());
  EXPECT_TRUE(Contains(deep.status().message, "nested deeper than 32")) << deep.status().message;
}

Result<std::shared_ptr<ir::Graph>> Build(const std::vector<uint8_t>& bytes) {
  auto m = onnx::LoadModelBytes(bytes);
  if (!m.ok()) return m.status();
  return ir::BuildGraph(m.value());
}

TEST(GraphErrors, CycleDuplicateOutputAndUndefinedInputNameTheNode) {
  {
    ModelBuilder b(13);
    b.Input("x", DType::kFloat32, {2});
    b.Node("Relu", {"b"}, {"a"}, {}, "cyc_a");
    b.Node("Relu", {"a"}, {"b"}, {}, "cyc_b");
    b.Node("Add", {"x", "a"}, {"y"}, {}, "use");
    b.Output("y", DType::kFloat32);
    auto g = Build(b.Serialize());
    ASSERT_FALSE(g.ok());
    EXPECT_TRUE(Contains(g.status().ToString(), "cycle")) << g.status().ToString();
    EXPECT_EQ(g.status().op, "Relu");
  }
  {
    ModelBuilder b(13);
    b.Input("x", DType::kFloat32, {2});
    b.Node("Relu", {"x"}, {"y"}, {}, "first");
    b.Node("Neg", {"x"}, {"y"}, {}, "second");
    b.Output("y", DType::kFloat32);
    auto g = Build(b.Serialize());
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().ToString(), "Neg 'second': output 'y' is defined more than once");
  }
  {
    ModelBuilder b(13);
    b.Input("x", DType::kFloat32, {2});
    b.Node("Add", {"x", "nowhere"}, {"y"}, {}, "dangling");
    b.Output("y", DType::kFloat32);
    auto g = Build(b.Serialize());
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().node, "dangling");
    EXPECT_TRUE(Contains(g.status().message, "'nowhere' is not defined")) << g.status().message;
  }
}

TEST(GraphErrors, DeclaredRankAboveTheLimit) {
  ModelBuilder b(13);
  b.Input("x", DType::kFloat32, Shape(kMaxRank + 1, 1));
  b.Node("Relu", {"x"}, {"y"});
  b.Output("y", DType::kFloat32);
  auto g = Build(b.Serialize());
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(Contains(g.status().message, "rank 65")) << g.status().message;
}

}  // namespace
}  // namespace webconv
