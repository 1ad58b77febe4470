// The typed graph: values with dtype and shape, nodes with parsed attribute structs, in topological
// order. Built once per model (BuildGraph); Bind() then specializes it to concrete input shapes,
// inferring every shape and folding what is constant.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "onnx/model.h"
#include "ops/op_schema.h"

namespace webconv::ir {

struct Value {
  std::string name;
  DType dtype = DType::kUndefined;
  // Declared or inferred shape. Before binding, unknown dims are -1 and `dim_names` holds symbolic names.
  Shape shape;
  bool has_shape = false;  // the rank is known
  std::vector<std::string> dim_names;
  std::shared_ptr<const HostTensor> constant;  // initializer, Constant output or folded value
  int producer = -1;                           // node index, -1 for graph inputs and initializers
  std::vector<int> consumers;                  // node indices (a node appears once per use)
  bool is_graph_input = false;   // fed by the caller (includes initializers listed as inputs)
  bool is_graph_output = false;
  bool is_initializer = false;
};

struct Node {
  std::string name;  // the node's name, or "#<index>" when the model gives none
  std::string op_type, domain;
  int opset = 0;
  std::vector<int> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int> outputs;  // value ids; -1 for an omitted optional output
  const ops::OpSchema* schema = nullptr;  // nullptr when unsupported (see `problem`)
  ops::OpAttrs attrs;
  int proto_index = -1;  // position in GraphProto.node
  Status problem;  // why this node cannot run (unsupported op, bad attributes), if so
  // Set by the Concat placement rewrite (ir/rewrite_concat.cc): every input's producer writes straight
  // into its slice of output 0, so on WebGPU this node runs no kernel and its inputs share that storage.
  bool inputs_in_place = false;
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<int> inputs;   // caller-fed values, in model order (initializers listed as inputs last)
  std::vector<int> outputs;
  std::unordered_map<std::string, int> value_ids;
  std::map<std::string, int64_t> opsets;  // domain ("" default) -> version
  std::shared_ptr<const onnx::Model> model;  // keeps initializer bytes alive
  std::vector<std::string> rewrites;         // what the rewriter changed, one line each (for inspect)

  int FindValue(const std::string& name) const {
    auto it = value_ids.find(name);
    return it == value_ids.end() ? -1 : it->second;
  }
  // Every node's problem, in order (empty when the graph can run).
  std::vector<Status> Problems() const;
};

// Builds and validates the graph structure: names, topological order (a cycle is an error), undefined
// inputs, duplicate outputs, opsets, and each node's attributes (parsed by its op's schema).
// Unsupported nodes do not fail the build: they are recorded in Node::problem so `inspect` can list
// them all; Session creation fails on the first.
Result<std::shared_ptr<Graph>> BuildGraph(std::shared_ptr<const onnx::Model> model);

// Concrete values for graph inputs at binding time.
struct InputBinding {
  DType dtype = DType::kUndefined;
  Shape shape;
  std::shared_ptr<const HostTensor> value;  // set when the input's value must be known to plan
};

// Which of the Conv fusions (ir/rewrite.h) run when binding fuses. The merges can be turned off for A/B
// timing (the CLI's WEBCONV_NO_SIBLING_MERGE / WEBCONV_NO_BRANCH_MERGE, runtime/tuning_env.h) and tests
// lower the sibling limit to reach its refusal with small shapes.
struct FusionOptions {
  bool sibling_merge = true;        // 5. sibling Convs as one (rewrite_siblings.cc)
  bool branch_merge = true;         // 6. Concat branches as one grouped Conv (rewrite_branches.cc)
  int64_t sibling_merge_limit = 0;  // bytes a merged sibling output may take; 0: rewrite_siblings.cc's rule
};

struct BindOptions {
  bool fold_constants = true;
  int64_t max_folded_elements = int64_t{1} << 24;  // larger constant results are left to the backend
  // Fuse work into Convs after binding (ir/rewrite_fusion.cc), with these fusions.
  bool fuse = true;
  FusionOptions fusion;
  // When set (inspect), binding does not stop at the first node that fails: every failure is appended
  // here and the result, unfused, is for display only (values downstream of a failure keep no shape).
  std::vector<Status>* problems = nullptr;
};

// A copy of the graph with every shape concrete: input shapes bound, outputs inferred, constant
// subgraphs (shapes, Constant nodes, ops over initializers) evaluated by the float64 reference.
// Nodes whose outputs were all folded are marked `folded`. With `fuse`, `graph` is then a rewritten
// copy (BatchNorm, activations, Adds and Concats fused into Convs) whose rewrites lists what changed.
struct BoundGraph {
  std::shared_ptr<const Graph> graph;
  std::vector<Value> values;  // graph->values with shapes/dtypes/constants filled in
  std::vector<bool> folded;   // per node
};

Result<std::shared_ptr<BoundGraph>> Bind(std::shared_ptr<const Graph> graph,
                                         const std::map<int, InputBinding>& inputs, const BindOptions& options);

// Graph inputs whose values some op reads when planning (e.g. a Reshape's shape fed as an input),
// directly or through the nodes that compute what it reads (not through Shape or Size).
std::vector<int> ValueDependentInputs(const Graph& graph);

// Whether value `v` is a Sigmoid's output, looking back through ops that only move or reshape values: a
// head that gives probabilities rather than logits (how `webconv shots` and the JS shot detector tell).
bool IsSigmoidOutput(const Graph& graph, int v);

}  // namespace webconv::ir
