#include "ir/graph.h"

#include <algorithm>
#include <deque>
#include <set>

#include "common/limits.h"
#include "ir/topological_order.h"
#include "onnx/loader.h"
#include "ops/registry.h"

namespace webconv::ir {
namespace {

Status ReadType(const onnx::ValueInfoProto& vi, Value* v) {
  if (!vi.has_type) return OkStatus();  // type left to inference / binding
  const onnx::TypeProto& t = vi.type;
  if (t.kind != onnx::TypeProto::kTensor)
    return BadModel("graph value '", vi.name, "' is not a dense tensor; only tensors are supported");
  DType dt;
  if (!DTypeFromInt(t.elem_type, &dt)) return BadModel("graph value '", vi.name, "' has unknown elem_type ", t.elem_type);
  v->dtype = dt;
  if (!t.has_shape) return OkStatus();
  if (t.dims.size() > kMaxRank)
    return BadModel("graph value '", vi.name, "' has rank ", t.dims.size(), ", more than the limit of ",
                    kMaxRank);
  v->has_shape = true;
  for (const onnx::Dimension& d : t.dims) {
    if (d.kind == onnx::Dimension::kValue && d.value < 0)
      return BadModel("graph value '", vi.name, "' has negative dimension ", d.value);
    v->shape.push_back(d.kind == onnx::Dimension::kValue ? d.value : -1);
    v->dim_names.emplace_back(d.kind == onnx::Dimension::kParam ? std::string(d.param) : "");
  }
  return OkStatus();
}

Status AddNodes(const onnx::GraphProto& g, Graph* graph) {
  // Every produced name first, so inputs may refer to values defined later in an unsorted graph.
  for (size_t i = 0; i < g.node.size(); ++i) {
    const onnx::NodeProto& np = g.node[i];
    Node n;
    n.name = np.name.empty() ? "#" + std::to_string(i) : std::string(np.name);
    n.op_type = std::string(np.op_type);
    n.domain = np.domain == "ai.onnx" ? "" : std::string(np.domain);
    n.proto_index = static_cast<int>(i);
    for (std::string_view out : np.output) {
      if (out.empty()) {
        n.outputs.push_back(-1);
        continue;
      }
      const std::string name(out);
      if (graph->value_ids.count(name))
        return BadModel("output '", name, "' is defined more than once").WithNode(n.op_type, n.name);
      const int id = static_cast<int>(graph->values.size());
      Value v;
      v.name = name;
      v.producer = static_cast<int>(i);
      graph->values.push_back(std::move(v));
      graph->value_ids[name] = id;
      n.outputs.push_back(id);
    }
    graph->nodes.push_back(std::move(n));
  }
  for (size_t i = 0; i < g.node.size(); ++i) {
    Node& n = graph->nodes[i];
    for (std::string_view in : g.node[i].input) {
      if (in.empty()) {
        n.inputs.push_back(-1);
        continue;
      }
      const int id = graph->FindValue(std::string(in));
      if (id < 0) return BadModel("input '", in, "' is not defined by any node, input or initializer")
                      .WithNode(n.op_type, n.name);
      n.inputs.push_back(id);
    }
  }
  return OkStatus();
}

// Nodes keep their model order where the order is free.
Status SortTopologically(Graph* graph) {
  const size_t n = graph->nodes.size();
  std::vector<std::vector<int>> producers(n);
  for (size_t i = 0; i < n; ++i)
    for (int in : graph->nodes[i].inputs)
      if (in >= 0 && graph->values[in].producer >= 0) producers[i].push_back(graph->values[in].producer);
  const TopologicalOrder sorted_order = StableTopologicalOrder(producers, std::vector<bool>(n, true));
  if (sorted_order.stuck >= 0) {
    const Node& stuck = graph->nodes[static_cast<size_t>(sorted_order.stuck)];
    return BadModel("the graph has a cycle through this node").WithNode(stuck.op_type, stuck.name);
  }
  const std::vector<int>& order = sorted_order.order;
  std::vector<int> new_index(n);
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    new_index[order[k]] = static_cast<int>(k);
    sorted.push_back(std::move(graph->nodes[order[k]]));
  }
  graph->nodes = std::move(sorted);
  for (Value& v : graph->values)
    if (v.producer >= 0) v.producer = new_index[v.producer];
  for (size_t i = 0; i < n; ++i)
    for (int in : graph->nodes[i].inputs)
      if (in >= 0) graph->values[in].consumers.push_back(static_cast<int>(i));
  return OkStatus();
}

void ResolveSchemas(const onnx::GraphProto& g, Graph* graph) {
  for (size_t i = 0; i < graph->nodes.size(); ++i) {
    Node& n = graph->nodes[i];
    const onnx::NodeProto& np = g.node[n.proto_index];
    auto it = graph->opsets.find(n.domain);
    if (it == graph->opsets.end()) {
      n.problem = BadModel("the model imports no opset for domain '", n.domain, "'").WithNode(n.op_type, n.name);
      continue;
    }
    n.opset = static_cast<int>(it->second);
    std::string why;
    n.schema = ops::FindOp(n.domain, n.op_type, n.opset, &why);
    if (!n.schema) {
      n.problem = BadModel(why).WithNode(n.op_type, n.name);
      continue;
    }
    // Every op has at least one output; shape inference relies on it.
    if (n.outputs.empty()) {
      n.problem = BadModel("the node has no outputs").WithNode(n.op_type, n.name);
      continue;
    }
    // Trailing empty names are omitted optional inputs and do not count.
    int num_inputs = static_cast<int>(n.inputs.size());
    while (num_inputs > 0 && n.inputs[num_inputs - 1] < 0) --num_inputs;
    ops::AttrReader reader(&np.attribute, graph->model->keep_alive);
    ops::ParseContext ctx{reader, n.opset, num_inputs, static_cast<int>(n.outputs.size())};
    if (n.schema->parse) {
      Status s = n.schema->parse(ctx, &n.attrs);
      if (!s.ok()) n.problem = s.WithNode(n.op_type, n.name);
    }
  }
}

}  // namespace

std::vector<Status> Graph::Problems() const {
  std::vector<Status> out;
  for (const Node& n : nodes)
    if (!n.problem.ok()) out.push_back(n.problem);
  return out;
}

// What the graph's nodes and values will take in memory, estimated before any is built: a file of
// millions of tiny nodes must fail on the loader's budget (onnx::Model::graph_memory_budget), not
// after taking gigabytes.
Status CheckGraphMemory(const onnx::Model& model) {
  if (model.graph_memory_budget < 0) return OkStatus();
  const onnx::GraphProto& g = model.proto.graph;
  constexpr uint64_t kPerVector = 32;  // a heap block's bookkeeping
  constexpr uint64_t kPerValue = sizeof(Value) + 64;  // and its name's entry in value_ids
  uint64_t bytes = 0;
  for (const onnx::NodeProto& n : g.node)
    bytes += sizeof(Node) + 2 * kPerVector + (n.input.size() + n.output.size()) * sizeof(int) +
             n.output.size() * kPerValue;
  bytes += (g.initializer.size() + g.input.size()) * kPerValue;
  if (bytes <= static_cast<uint64_t>(model.graph_memory_budget)) return OkStatus();
  return BadModel("the graph's ", g.node.size(), " nodes would take about ", bytes,
                  " bytes of memory, past what is left of the loader's budget for this file (",
                  model.graph_memory_budget, " bytes)");
}

Result<std::shared_ptr<Graph>> BuildGraph(std::shared_ptr<const onnx::Model> model) {
  if (!model->proto.has_graph) return BadModel("the model has no graph");
  WC_RETURN_IF_ERROR(CheckGraphMemory(*model));
  const onnx::GraphProto& g = model->proto.graph;
  auto graph = std::make_shared<Graph>();
  graph->model = model;
  for (const onnx::OperatorSetId& os : model->proto.opset_import)
    graph->opsets[os.domain == "ai.onnx" ? "" : std::string(os.domain)] = os.version;
  // IR versions 1 and 2 predate opset_import; they mean opset 1 of the default domain.
  if (!graph->opsets.count("")) graph->opsets[""] = 1;

  for (const onnx::TensorProto& t : g.initializer) {
    const std::string name(t.name);
    if (name.empty()) return BadModel("an initializer has no name");
    if (graph->value_ids.count(name)) return BadModel("initializer '", name, "' is defined more than once");
    auto host = onnx::TensorToHost(t, model->keep_alive);
    if (!host.ok()) return host.status().Prefixed("initializer '" + name + "': ");
    Value v;
    v.name = name;
    v.dtype = host->dtype();
    v.shape = host->shape();
    v.has_shape = true;
    v.dim_names.assign(v.shape.size(), "");
    v.constant = std::make_shared<const HostTensor>(std::move(host).value());
    v.is_initializer = true;
    graph->value_ids[name] = static_cast<int>(graph->values.size());
    graph->values.push_back(std::move(v));
  }
  if (!g.sparse_initializer.empty()) return BadModel("sparse initializers are not supported");

  std::vector<int> overridable;
  for (const onnx::ValueInfoProto& vi : g.input) {
    const std::string name(vi.name);
    int id = graph->FindValue(name);
    if (id >= 0 && graph->values[id].is_graph_input) return BadModel("graph input '", name, "' is listed twice");
    if (id >= 0) {
      // An initializer also listed as an input (old IR versions): a constant unless the caller feeds it.
      graph->values[id].is_graph_input = true;
      overridable.push_back(id);
      continue;
    }
    Value v;
    v.name = name;
    WC_RETURN_IF_ERROR(ReadType(vi, &v));
    if (v.dtype == DType::kUndefined) return BadModel("graph input '", name, "' has no tensor type");
    v.is_graph_input = true;
    id = static_cast<int>(graph->values.size());
    graph->value_ids[name] = id;
    graph->values.push_back(std::move(v));
    graph->inputs.push_back(id);
  }
  graph->inputs.insert(graph->inputs.end(), overridable.begin(), overridable.end());

  WC_RETURN_IF_ERROR(AddNodes(g, graph.get()));
  WC_RETURN_IF_ERROR(SortTopologically(graph.get()));
  ResolveSchemas(g, graph.get());

  std::set<std::string> output_names;
  for (const onnx::ValueInfoProto& vi : g.output) {
    const std::string name(vi.name);
    const int id = graph->FindValue(name);
    if (id < 0) return BadModel("graph output '", name, "' is not produced by any node or input");
    if (!output_names.insert(name).second) return BadModel("graph output '", name, "' is listed twice");
    graph->values[id].is_graph_output = true;
    graph->outputs.push_back(id);
  }
  return graph;
}

std::vector<int> ValueDependentInputs(const Graph& graph) {
  // The values some op reads when planning (its host inputs), and, through the nodes that produce them,
  // every value they are computed from: a Range whose limit is Cast(size) needs `size` as surely as one
  // fed `size` itself. Those nodes then fold when the graph is bound. A shape-only node (Shape, Size)
  // reads no values, so the walk stops there: an image whose shape sets a Reshape is not bound by value.
  std::vector<bool> needed(graph.values.size(), false);
  std::vector<int> pending;
  auto need = [&](int id) {
    if (id >= 0 && !needed[static_cast<size_t>(id)]) {
      needed[static_cast<size_t>(id)] = true;
      pending.push_back(id);
    }
  };
  for (const Node& n : graph.nodes) {
    if (!n.schema) continue;
    for (int k : n.schema->host_inputs)
      if (k < static_cast<int>(n.inputs.size())) need(n.inputs[k]);
  }
  while (!pending.empty()) {
    const int id = pending.back();
    pending.pop_back();
    const int p = graph.values[static_cast<size_t>(id)].producer;
    if (p < 0) continue;
    const Node& n = graph.nodes[static_cast<size_t>(p)];
    if (n.schema && n.schema->shape_only) continue;
    for (int in : n.inputs) need(in);
  }
  std::vector<int> out;
  for (int id : graph.inputs)
    if (needed[static_cast<size_t>(id)]) out.push_back(id);
  return out;
}

bool IsSigmoidOutput(const Graph& graph, int v) {
  static const char* kPassThrough[] = {"Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Transpose", "Slice"};
  for (int depth = 0; depth < 16 && v >= 0 && v < static_cast<int>(graph.values.size()); ++depth) {
    const int p = graph.values[static_cast<size_t>(v)].producer;
    if (p < 0) return false;
    const Node& n = graph.nodes[static_cast<size_t>(p)];
    if (n.op_type == "Sigmoid" && (n.domain.empty() || n.domain == "ai.onnx")) return true;
    const bool pass = std::any_of(std::begin(kPassThrough), std::end(kPassThrough),
                                  [&](const char* op) { return n.op_type == op; });
    if (!pass || n.inputs.empty()) return false;
    v = n.inputs[0];
  }
  return false;
}

}  // namespace webconv::ir
