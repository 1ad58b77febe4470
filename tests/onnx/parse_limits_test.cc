// The limits that keep a parse's memory proportional to its file (entry counts checked before the
// entries are built, and the memory budget), and the model rules checked after the parse: IR version,
// opset_import, attribute names.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "onnx/loader.h"
#include "proto_builder.h"
#include "test_util.h"

namespace webconv::onnx {
namespace {

using testing::ModelHeader;
using testing::Proto;
using namespace testing::field;  // NOLINT(build/namespaces)

// GraphProto, ModelProto and FunctionProto fields that proto_builder.h does not name.
constexpr uint32_t kGraphValueInfo = 13, kGraphSparseInitializer = 15, kModelMetadata = 14,
                   kModelFunctions = 25, kFunctionName = 1, kFunctionNode = 7, kAttrStrings = 9,
                   kAttrTensors = 10, kShapeDim = 1, kTypeTensor = 1, kTensorTypeShape = 2,
                   kValueInfoType = 2;

std::string Error(const Proto& model, const LoaderLimits& limits = {}) {
  auto m = LoadModelBytes(model.vec(), limits);
  if (m.ok()) return "ok";
  EXPECT_EQ(m.status().code, StatusCode::kBadModel);
  return m.status().message;
}

// `count` copies of field `number` holding `entry`.
Proto Repeated(uint32_t number, int count, const Proto& entry = Proto()) {
  Proto p;
  for (int i = 0; i < count; ++i) p.Message(number, entry);
  return p;
}

Proto ModelWithGraph(const Proto& graph) {
  return ModelHeader().Message(kModelGraph, graph);
}

Proto Named(std::string_view name, uint32_t name_field, const Proto& body) {
  Proto p;
  p.Bytes(name_field, name).Raw(body.str());
  return p;
}

TEST(ParseLimits, EachCountNamesTheCountAndTheLimit) {
  struct Case {
    std::string what;
    std::function<void(LoaderLimits*)> limit;  // sets the limit to 3
    Proto model;                               // holds 4 entries
    std::string expect;
  };
  auto graph = [](const Proto& body) { return ModelWithGraph(Named("main", kGraphName, body)); };
  auto node = [&](const Proto& body) {
    return graph(Proto().Message(kGraphNode, Named("n", kNodeName, body)));
  };
  auto attr = [&](const Proto& body) {
    return node(Proto().Bytes(kNodeOpType, "Op").Message(kNodeAttribute, Named("a", kAttrName, body)));
  };
  Proto shape = Proto().Message(kTensorTypeShape, Repeated(kShapeDim, 4));
  Proto typed_value = Proto().Bytes(1, "x").Message(kValueInfoType, Proto().Message(kTypeTensor, shape));
  const std::vector<Case> cases = {
      {"initializers", [](LoaderLimits* l) { l->max_initializers = 3; },
       graph(Repeated(kGraphInitializer, 4)),
       "graph: GraphProto 'main': 4 initializers, more than the limit of 3"},
      {"sparse initializers", [](LoaderLimits* l) { l->max_initializers = 3; },
       graph(Repeated(kGraphSparseInitializer, 4)),
       "GraphProto 'main': 4 sparse initializers, more than the limit of 3"},
      {"graph inputs", [](LoaderLimits* l) { l->max_graph_values = 3; }, graph(Repeated(kGraphInput, 4)),
       "GraphProto 'main': 4 inputs, more than the limit of 3"},
      {"graph outputs", [](LoaderLimits* l) { l->max_graph_values = 3; }, graph(Repeated(kGraphOutput, 4)),
       "GraphProto 'main': 4 outputs, more than the limit of 3"},
      {"value_info", [](LoaderLimits* l) { l->max_graph_values = 3; }, graph(Repeated(kGraphValueInfo, 4)),
       "GraphProto 'main': 4 value_info entries, more than the limit of 3"},
      {"attributes", [](LoaderLimits* l) { l->max_attributes = 3; }, node(Repeated(kNodeAttribute, 4)),
       "graph: node #0: NodeProto 'n': 4 attributes, more than the limit of 3"},
      {"node inputs", [](LoaderLimits* l) { l->max_list_entries = 3; }, node(Repeated(kNodeInput, 4)),
       "NodeProto 'n': 4 inputs, more than the limit of 3"},
      {"attribute strings", [](LoaderLimits* l) { l->max_attribute_values = 3; },
       attr(Repeated(kAttrStrings, 4)),
       "node #0: attribute #0: AttributeProto 'a': 4 strings, more than the limit of 3"},
      {"attribute tensors", [](LoaderLimits* l) { l->max_attribute_values = 3; },
       attr(Repeated(kAttrTensors, 4)), "AttributeProto 'a': 4 tensors, more than the limit of 3"},
      {"metadata_props", [](LoaderLimits* l) { l->max_list_entries = 3; },
       ModelHeader().Raw(Repeated(kModelMetadata, 4).str()),
       "ModelProto at byte offset 0: 4 metadata_props entries, more than the limit of 3"},
      {"opset_import", [](LoaderLimits* l) { l->max_list_entries = 3; },
       ModelHeader().Raw(Repeated(kModelOpset, 3).str()),
       "ModelProto at byte offset 0: 4 opset_import entries, more than the limit of 3"},
      {"functions", [](LoaderLimits* l) { l->max_list_entries = 3; },
       ModelHeader().Raw(Repeated(kModelFunctions, 4).str()),
       "ModelProto at byte offset 0: 4 functions, more than the limit of 3"},
      {"tensor dims", [](LoaderLimits* l) { l->max_rank = 3; },
       graph(Proto().Message(kGraphInitializer,
                             Proto().Varint(kTensorDims, 1).PackedVarints(kTensorDims, {2, 3, 4}))),
       "graph: initializer #0: TensorProto.dims (field 1) at byte offset 18: 4 dims, more than the limit of "
       "3"},
      {"shape dims", [](LoaderLimits* l) { l->max_rank = 3; },
       graph(Proto().Message(kGraphInput, typed_value)),
       "graph: input #0: TensorShapeProto at byte offset 25: 4 dims, more than the limit of 3"},
      {"external_data", [](LoaderLimits* l) { l->max_list_entries = 3; },
       graph(Proto().Message(kGraphInitializer, Named("w", kTensorName, Repeated(kTensorExternalData, 4)))),
       "graph: initializer #0: TensorProto 'w': 4 external_data entries, more than the limit of 3"},
  };
  for (const Case& c : cases) {
    LoaderLimits limits;
    c.limit(&limits);
    EXPECT_NE(Error(c.model, limits).find(c.expect), std::string::npos)
        << c.what << ": " << Error(c.model, limits) << "\nwant: " << c.expect;
    EXPECT_EQ(Error(c.model, {}).find("more than the limit"), std::string::npos) << c.what;
  }
}

TEST(ParseLimits, MergedPiecesCountTogether) {
  // Two `graph` fields merge into one graph: the second piece (at byte offset 16) brings the
  // initializers to 6.
  Proto piece = Repeated(kGraphInitializer, 3);
  Proto model = ModelHeader().Message(kModelGraph, piece).Message(kModelGraph, piece);
  LoaderLimits limits;
  limits.max_initializers = 4;
  EXPECT_EQ(Error(model, limits),
            "graph: GraphProto at byte offset 16: 6 initializers, more than the limit of 4");
  limits.max_initializers = 6;
  EXPECT_EQ(Error(model, limits), "ok");
}

TEST(ParseLimits, NodesCountAcrossGraphsAndFunctions) {
  Proto sub = Repeated(kGraphNode, 2, Proto().Bytes(kNodeOpType, "Relu"));
  Proto if_node =
      Proto()
          .Bytes(kNodeOpType, "If")
          .Message(kNodeAttribute,
                   Proto().Bytes(kAttrName, "then_branch").Varint(kAttrType, 5).Message(kAttrG, sub));
  Proto model = ModelWithGraph(Proto().Message(kGraphNode, if_node));
  model.Message(kModelFunctions, Proto().Bytes(kFunctionName, "f").Raw(Repeated(kFunctionNode, 2).str()));
  LoaderLimits limits;
  limits.max_nodes = 5;  // 1 in the main graph, 2 in the subgraph, 2 in the function
  EXPECT_EQ(Error(model, limits), "ok");
  limits.max_nodes = 4;
  EXPECT_EQ(
      Error(model, limits),
      "function #0: FunctionProto 'f': 2 nodes bring the model's total to 5, more than 4 nodes, the limit");
}

// A few hundred thousand empty entries (two bytes each in the file, a few hundred in memory) fail in the
// count, before any is built: the error gives the count of all of them.
TEST(ParseLimits, ManyEmptyEntriesFailBeforeTheyAreBuilt) {
  constexpr int kCount = 300000;
  LoaderLimits limits;
  limits.max_initializers = 1000;
  const Proto inits = ModelWithGraph(Named("main", kGraphName, Repeated(kGraphInitializer, kCount)));
  EXPECT_EQ(Error(inits, limits),
            "graph: GraphProto 'main': 300000 initializers, more than the limit of 1000");
  limits.max_attributes = 1000;
  const Proto attrs = ModelWithGraph(Proto().Message(kGraphNode, Repeated(kNodeAttribute, kCount)));
  EXPECT_EQ(Error(attrs, limits),
            "graph: node #0: NodeProto at byte offset 14: 300000 attributes, more than the limit of 1000");
  // Within the default counts, the memory budget refuses them, also before building any: 300000 empty
  // initializers take 600 kB of file but 300000 x sizeof(TensorProto) of memory.
  const std::string budget = Error(inits);
  const std::string want =
      StrCat("300000 initializers would take ", kCount * sizeof(TensorProto),
             " bytes of memory, past the loader's budget of 67108864 bytes for this input", " (32 x its ",
             inits.size(), " bytes, at least 67108864)");
  EXPECT_NE(budget.find(want), std::string::npos) << budget;
}

TEST(ParseLimits, MemoryBudgetGrowsWithTheInput) {
  LoaderLimits limits;
  limits.min_memory_budget = 0;
  // 1000 empty nodes: 2 bytes each in the file, sizeof(NodeProto) each in memory, over 32 x.
  const Proto empty_nodes = ModelWithGraph(Repeated(kGraphNode, 1000));
  const std::string error = Error(empty_nodes, limits);
  EXPECT_NE(error.find(StrCat("1000 nodes would take ", 1000 * sizeof(NodeProto), " bytes of memory")),
            std::string::npos)
      << error;
  EXPECT_NE(error.find(StrCat("budget of ", 32 * empty_nodes.size(), " bytes")), std::string::npos) << error;
  // Real nodes take far less than 32 x their bytes.
  Proto relu = Proto().Bytes(kNodeInput, "x").Bytes(kNodeOutput, "y").Bytes(kNodeOpType, "Relu");
  EXPECT_EQ(Error(ModelWithGraph(Repeated(kGraphNode, 1000, relu)), limits), "ok");
}

// Every model of the ONNX backend test data loads with no minimum budget: 32 x the file is plenty.
TEST(ParseLimits, TestDataFitsTheBudgetFactor) {
  namespace fs = std::filesystem;
  const std::string root = testing::TestDataDir();
  if (!fs::exists(root)) GTEST_SKIP() << root << " not installed";
  LoaderLimits limits;
  limits.min_memory_budget = 0;
  size_t loaded = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".onnx") continue;
    auto m = LoadModelFile(e.path().string(), limits);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    ++loaded;
  }
  EXPECT_GT(loaded, 0u);
}

TEST(ModelRules, IrVersion) {
  Proto opset = Proto().Message(kModelOpset, Proto().Varint(2, 17));
  EXPECT_EQ(Error(Proto().Varint(kModelIrVersion, 99).Raw(opset.str())),
            "unsupported model IR version 99: the newest this loader supports is 13");
  EXPECT_EQ(Error(Proto().Varint(kModelIrVersion, kMaxIrVersion).Raw(opset.str())), "ok");
  EXPECT_EQ(Error(Proto().Varint(kModelIrVersion, 3).Raw(opset.str())), "ok");
  EXPECT_EQ(Error(opset), "the model does not state its IR version (ModelProto.ir_version)");
  EXPECT_EQ(Error(Proto().Varint(kModelIrVersion, 0).Raw(opset.str())),
            "the model does not state its IR version (ModelProto.ir_version)");
  EXPECT_EQ(Error(Proto().Varint(kModelIrVersion, static_cast<uint64_t>(-1)).Raw(opset.str())),
            "the model's IR version -1 is not valid");
}

TEST(ModelRules, OpsetImport) {
  EXPECT_EQ(
      Error(Proto().Varint(kModelIrVersion, 8).Message(kModelGraph, Proto())),
      "the model imports no operator set: ModelProto.opset_import is empty, and every model must name the "
      "version of the ONNX operator set it uses");
  // A domain's opset alone is enough for the loader; the graph builder assumes the default domain's.
  EXPECT_EQ(
      Error(Proto().Varint(kModelIrVersion, 8).Message(kModelOpset, Proto().Bytes(1, "com.x").Varint(2, 1))),
      "ok");
}

TEST(ModelRules, AttributeNames) {
  auto int_attr = [](std::string_view name) {
    return Proto().Bytes(kAttrName, name).Varint(kAttrType, 2).Varint(kAttrI, 1);
  };
  auto model = [](const Proto& node) { return ModelWithGraph(Proto().Message(kGraphNode, node)); };
  Proto conv = Proto().Bytes(kNodeName, "c1").Bytes(kNodeOpType, "Conv");
  EXPECT_EQ(Error(model(Proto(conv)
                            .Message(kNodeAttribute, int_attr("group"))
                            .Message(kNodeAttribute, int_attr("strides"))
                            .Message(kNodeAttribute, int_attr("group")))),
            "graph: node #0: Conv 'c1': attribute 'group' is given more than once");
  EXPECT_EQ(Error(model(Proto()
                            .Bytes(kNodeOpType, "Relu")
                            .Message(kNodeAttribute, int_attr("a"))
                            .Message(kNodeAttribute, Proto()))),
            "graph: node #0: Relu: attribute #1 has no name");
  // One name in two nodes is fine.
  Proto a = Proto().Bytes(kNodeOpType, "Conv").Message(kNodeAttribute, int_attr("group"));
  EXPECT_EQ(Error(ModelWithGraph(Proto().Message(kGraphNode, a).Message(kGraphNode, a))), "ok");
  // Function bodies follow the same rule.
  Proto fn_node = Proto()
                      .Bytes(kNodeOpType, "Mul")
                      .Message(kNodeAttribute, int_attr("x"))
                      .Message(kNodeAttribute, int_attr("x"));
  EXPECT_EQ(Error(ModelHeader().Message(kModelFunctions,
                                        Proto().Bytes(kFunctionName, "f").Message(kFunctionNode, fn_node))),
            "function #0: node #0: Mul: attribute 'x' is given more than once");
}

TEST(ParseLimits, LongNamesAreShortenedInErrors) {
  LoaderLimits limits;
  limits.max_initializers = 1;
  const std::string name(100, 'g');
  const std::string error =
      Error(ModelWithGraph(Named(name, kGraphName, Repeated(kGraphInitializer, 2))), limits);
  EXPECT_EQ(error,
            "graph: GraphProto '" + name.substr(0, 64) + "...': 2 initializers, more than the limit of 1");
}

}  // namespace
}  // namespace webconv::onnx
