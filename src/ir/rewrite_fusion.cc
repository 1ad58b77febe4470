// The Conv fusions' entry point and shared machinery (see rewrite.h and rewrite_fusion.h). They run
// after binding because their conditions are about concrete shapes and constant values; the result is
// a rewritten copy of the graph, so the model's own graph stays as loaded.
#include "ir/rewrite_fusion.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "ir/rewrite.h"
#include "ir/topological_order.h"

namespace webconv::ir {

FusionGraph::FusionGraph(BoundGraph* bound)
    : bound_(bound), graph_(std::make_shared<Graph>(*bound->graph)), removed_(graph_->nodes.size(), false) {}

bool FusionGraph::Is(int i, const char* op_type) const {
  const Node& n = node(i);
  return Runs(i) && n.schema && n.domain.empty() && n.op_type == op_type;
}

ops::AttrReader FusionGraph::Attributes(int i) const {
  return ops::AttrReader(&graph_->model->proto.graph.node[node(i).proto_index].attribute,
                         graph_->model->keep_alive);
}

int FusionGraph::SoleReader(int id) const {
  const Value& v = value(id);
  if (v.is_graph_output || v.consumers.size() != 1) return -1;
  const int reader = v.consumers[0];
  return Runs(reader) ? reader : -1;
}

bool FusionGraph::IsConv(int i) const {
  if (!Is(i, "Conv")) return false;
  const Node& n = node(i);
  return n.outputs.size() == 1 && n.outputs[0] >= 0 && value(n.inputs[0]).dtype == DType::kFloat32 &&
         value(n.outputs[0]).dtype == DType::kFloat32;
}

int FusionGraph::ConvProducing(int id) const {
  const int p = value(id).producer;
  return p >= 0 && IsConv(p) ? p : -1;
}

const ops::ConvAttrs& FusionGraph::conv_attrs(int i) const {
  return node(i).attrs.As<ops::ConvAttrs>();
}

ops::ConvAttrs& FusionGraph::MutableConvAttrs(int i) {
  auto& own = own_attrs_[i];
  if (!own) {
    own = std::make_shared<ops::ConvAttrs>(conv_attrs(i));
    graph_->nodes[i].attrs = own;
  }
  return *own;
}

bool FusionGraph::ConvProblemOf(int conv, ops::ConvProblem* p) const {
  const Node& n = node(conv);
  auto info = [&](size_t k) {
    ops::TensorInfo t;
    if (k < n.inputs.size() && n.inputs[k] >= 0) t = {true, value(n.inputs[k]).dtype, value(n.inputs[k]).shape, nullptr};
    return t;
  };
  const ops::TensorInfo x = info(0), w = info(1), b = info(2);
  auto r = ops::ResolveConv(conv_attrs(conv), x, w, b.present ? &b : nullptr);
  if (!r.ok()) return false;
  *p = *r;
  return true;
}

bool FusionGraph::ChannelOffsets(int concat, std::vector<int64_t>* offsets) const {
  // Decided from the bound shapes, which settle the axis: with two or more inputs of non-empty
  // channels, axis-1 extents sum to the output's only when the axis is 1 (any other axis would leave
  // every input with the output's channel count). A single input is the identity on any axis.
  const Node& n = node(concat);
  if (n.outputs.size() != 1 || n.outputs[0] < 0 || n.inputs.empty()) return false;
  const Shape& out = value(n.outputs[0]).shape;
  if (out.size() < 2) return false;
  std::set<int> seen;
  int64_t sum = 0;
  offsets->clear();
  for (int id : n.inputs) {
    if (id < 0 || !seen.insert(id).second) return false;
    const Shape& s = value(id).shape;
    if (s.size() != out.size() || s[1] <= 0) return false;
    for (size_t k = 0; k < s.size(); ++k)
      if (k != 1 && s[k] != out[k]) return false;
    offsets->push_back(sum);
    sum += s[1];
  }
  return sum == out[1];
}

int FusionGraph::AddValue(const std::string& base_name, DType dtype, const Shape& shape) {
  std::string name = base_name;
  for (int k = 2; graph_->value_ids.count(name); ++k) name = base_name + "_" + std::to_string(k);
  Value v;
  v.name = name;
  v.dtype = dtype;
  v.shape = shape;
  v.has_shape = true;
  v.dim_names.assign(v.shape.size(), "");
  const int id = static_cast<int>(graph_->values.size());
  graph_->value_ids[name] = id;
  graph_->values.push_back(v);
  bound_->values.push_back(std::move(v));
  changed_ = true;
  return id;
}

int FusionGraph::AddConstant(const std::string& base_name, HostTensor t) {
  const int id = AddValue(base_name, t.dtype(), t.shape());
  auto constant = std::make_shared<const HostTensor>(std::move(t));
  for (std::vector<Value>* table : {&graph_->values, &bound_->values}) {
    (*table)[id].constant = constant;
    (*table)[id].is_initializer = true;
  }
  return id;
}

void FusionGraph::SetInput(int node, size_t k, int id) {
  std::vector<int>& in = graph_->nodes[node].inputs;
  if (in.size() <= k) in.resize(k + 1, -1);
  in[k] = id;
  changed_ = true;
  Reindex();
}

void FusionGraph::SetOutput(int node, size_t k, int id) {
  graph_->nodes[node].outputs[k] = id;
  changed_ = true;
  Reindex();
}

void FusionGraph::SetInputs(int node, std::vector<int> ids) {
  graph_->nodes[node].inputs = std::move(ids);
  changed_ = true;
  Reindex();
}

void FusionGraph::Remove(int node) {
  removed_[node] = true;
  changed_ = true;
  Reindex();
}

void FusionGraph::SetShape(int id, const Shape& shape) {
  graph_->values[id].shape = shape;
  bound_->values[id].shape = shape;
  changed_ = true;
}

int FusionGraph::AddConvInput(int node, int id) {
  std::vector<int>& in = graph_->nodes[node].inputs;
  if (in.size() < 3) in.resize(3, -1);
  in.push_back(id);
  changed_ = true;
  Reindex();
  return static_cast<int>(in.size()) - 1;
}

void FusionGraph::Absorb(int producer, int consumer) {
  graph_->nodes[producer].outputs[0] = graph_->nodes[consumer].outputs[0];
  removed_[consumer] = true;
  changed_ = true;
  Reindex();
}

// Producers and consumers of both value tables from the nodes not removed.
void FusionGraph::Reindex() {
  for (std::vector<Value>* table : {&graph_->values, &bound_->values}) {
    for (Value& v : *table) {
      v.producer = -1;
      v.consumers.clear();
    }
    for (size_t i = 0; i < graph_->nodes.size(); ++i) {
      if (removed_[i]) continue;
      for (int id : graph_->nodes[i].outputs)
        if (id >= 0) (*table)[id].producer = static_cast<int>(i);
      for (int id : graph_->nodes[i].inputs)
        if (id >= 0) (*table)[id].consumers.push_back(static_cast<int>(i));
    }
  }
}

Status FusionGraph::Finish() {
  if (!changed_) return OkStatus();
  // The kept nodes, in the previous order where it is free.
  const size_t n = graph_->nodes.size();
  std::vector<std::vector<int>> producers(n);
  std::vector<bool> kept(n);
  for (size_t i = 0; i < n; ++i) {
    kept[i] = !removed_[i];
    if (removed_[i]) continue;
    for (int id : graph_->nodes[i].inputs) {
      const int p = id >= 0 ? value(id).producer : -1;
      if (p >= 0) producers[i].push_back(p);
    }
  }
  const TopologicalOrder sorted = StableTopologicalOrder(producers, kept);
  if (sorted.stuck >= 0) return Error(StatusCode::kBadModel, "internal: Conv fusion produced a cycle");
  const std::vector<int>& order = sorted.order;
  std::vector<Node> nodes;
  std::vector<bool> folded;
  for (int i : order) {
    nodes.push_back(std::move(graph_->nodes[i]));
    folded.push_back(bound_->folded[i]);
  }
  graph_->nodes = std::move(nodes);
  bound_->folded = std::move(folded);
  removed_.assign(graph_->nodes.size(), false);
  Reindex();
  bound_->graph = graph_;
  return OkStatus();
}

std::string NodeNames(const FusionGraph& f, const std::vector<int>& nodes) {
  constexpr size_t kShown = 8;
  std::string s;
  for (size_t k = 0; k < nodes.size() && k < kShown; ++k) s += StrCat(k ? ", '" : "'", f.node(nodes[k]).name, "'");
  if (nodes.size() > kShown) s += StrCat(" and ", nodes.size() - kShown, " more");
  return s;
}

bool IsConstantF32(const FusionGraph& f, int id) {
  return id >= 0 && f.value(id).constant && f.value(id).dtype == DType::kFloat32;
}

HostTensor StackRows(const FusionGraph& f, const std::vector<int>& ids, const std::vector<int64_t>& rows,
                     Shape shape) {
  int64_t total = 0;
  for (int64_t r : rows) total += r;
  shape[0] = total;
  HostTensor t(DType::kFloat32, shape);
  const size_t row_bytes = static_cast<size_t>(NumElements(Shape(shape.begin() + 1, shape.end()))) * sizeof(float);
  size_t at = 0;
  for (size_t k = 0; k < ids.size(); ++k) {
    const size_t bytes = static_cast<size_t>(rows[k]) * row_bytes;
    if (ids[k] >= 0) std::memcpy(t.mutable_data() + at, f.value(ids[k]).constant->data(), bytes);
    at += bytes;
  }
  return t;
}

void RunShapeFreeRewrites(Graph* graph) {
  FoldZeroPads(graph);
}

Status FuseAroundConv(BoundGraph* bound, const FusionOptions& options) {
  FusionGraph f(bound);
  FoldBatchNorms(f);
  FuseEpilogues(f);
  PlaceConcats(f);
  FusePools(f);
  if (options.sibling_merge) MergeSiblingConvs(f, options.sibling_merge_limit);
  if (options.branch_merge) MergeBranchConvs(f);
  return f.Finish();
}

}  // namespace webconv::ir
