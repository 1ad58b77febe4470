// Binding: concrete input shapes in, every value's dtype and shape out, constants folded on the way.
#include "ir/graph.h"
#include "ir/rewrite.h"

namespace webconv::ir {
namespace {

Status BindInput(const Value& declared, const InputBinding& b, Value* v) {
  if (declared.dtype != DType::kUndefined && b.dtype != declared.dtype)
    return UsageError("input '", declared.name, "' has type ", DTypeName(b.dtype), " but the model declares ",
                      DTypeName(declared.dtype));
  if (declared.has_shape && !declared.is_initializer) {
    bool match = b.shape.size() == declared.shape.size();
    for (size_t k = 0; match && k < b.shape.size(); ++k)
      match = declared.shape[k] < 0 || declared.shape[k] == b.shape[k];
    if (!match)
      return UsageError("input '", declared.name, "' has shape ", ShapeString(b.shape),
                        " but the model declares ", ShapeString(declared.shape));
  }
  WC_RETURN_IF_ERROR(CheckedNumElements(b.shape).status());
  v->dtype = b.dtype;
  v->shape = b.shape;
  v->has_shape = true;
  v->constant = b.value;
  return OkStatus();
}

// Ops without a kernel of their own (Shape, Constant, ...) are evaluated when planning; so is any op
// whose inputs are all known, within a size bound.
bool MustFold(const ops::OpSchema& s) { return !s.gpu && !s.output_aliases_input0; }

// Largest output (in elements, all outputs of one node together) evaluated while binding. Ops
// without a WebGPU kernel (ConstantOfShape, Shape, ...) must be evaluated there, so a model could
// otherwise make binding allocate whatever a shape says.
constexpr int64_t kMaxEvaluatedElements = int64_t{1} << 26;

// Infers one node's outputs into `values` and evaluates it when it folds (then sets *folded).
Status BindNode(const Node& n, const BindOptions& options, std::vector<Value>& values, bool* folded) {
  if (!n.problem.ok()) return n.problem;
  const ops::OpSchema& s = *n.schema;
  ops::InferContext ctx;
  ctx.attrs = n.attrs;
  ctx.opset = n.opset;
  bool all_const = true;
  for (int id : n.inputs) {
    ops::TensorInfo info;
    if (id >= 0) {
      const Value& v = values[id];
      info.present = true;
      info.dtype = v.dtype;
      info.shape = v.shape;
      info.constant = v.constant.get();
      all_const = all_const && v.constant;
    }
    ctx.inputs.push_back(info);
  }
  for (int k : s.host_inputs) {
    if (k >= static_cast<int>(n.inputs.size()) || n.inputs[k] < 0) continue;
    if (!values[n.inputs[k]].constant)
      return BadModel("input ", k, " ('", values[n.inputs[k]].name,
                      "') must be known when the graph is planned (a constant or a graph input)")
          .WithNode(n.op_type, n.name);
  }
  ctx.outputs.resize(n.outputs.size());
  for (size_t k = 0; k < n.outputs.size(); ++k) ctx.outputs[k].present = n.outputs[k] >= 0;
  if (!s.types.empty() && !ctx.inputs.empty() && ctx.inputs[0].present) {
    bool ok = false;
    for (DType t : s.types) ok = ok || t == ctx.inputs[0].dtype;
    if (!ok)
      return BadModel("input type ", DTypeName(ctx.inputs[0].dtype), " is not supported")
          .WithNode(n.op_type, n.name);
  }
  Status st = s.infer(ctx);
  if (!st.ok()) return st.WithNode(n.op_type, n.name);
  int64_t out_elements = 0;
  for (size_t k = 0; k < n.outputs.size(); ++k) {
    if (n.outputs[k] < 0) continue;
    Value& v = values[n.outputs[k]];
    v.dtype = ctx.outputs[k].dtype;
    v.shape = ctx.outputs[k].shape;
    v.has_shape = true;
    auto count = CheckedNumElements(v.shape);
    if (!count.ok()) return count.status().Prefixed("output '" + v.name + "': ").WithNode(n.op_type, n.name);
    out_elements += count.value();
  }
  if (MustFold(s) && !all_const && !s.shape_only)
    return BadModel("has no WebGPU kernel and its inputs are not constant").WithNode(n.op_type, n.name);
  const bool fold =
      MustFold(s) || (options.fold_constants && all_const && out_elements <= options.max_folded_elements);
  if (!fold) return OkStatus();
  // Ops without a kernel are evaluated here whatever their size: bound them before allocating.
  if (out_elements > kMaxEvaluatedElements)
    return BadModel("its outputs have ", out_elements, " elements, more than the ", kMaxEvaluatedElements,
                    " that can be evaluated when planning")
        .WithNode(n.op_type, n.name);
  // Evaluate with the float64 reference. Shape-only ops get placeholders for inputs whose values
  // are unknown: they read only the shape.
  std::vector<HostTensor> placeholders(n.inputs.size());
  ops::RefContext ref;
  ref.attrs = n.attrs;
  ref.opset = n.opset;
  for (size_t k = 0; k < n.inputs.size(); ++k) {
    const int id = n.inputs[k];
    if (id < 0) {
      ref.inputs.push_back(nullptr);
    } else if (values[id].constant) {
      ref.inputs.push_back(values[id].constant.get());
    } else {
      placeholders[k] = HostTensor::View(values[id].dtype, values[id].shape, nullptr, 0, nullptr);
      ref.inputs.push_back(&placeholders[k]);
    }
  }
  std::vector<HostTensor> outs;
  for (size_t k = 0; k < n.outputs.size(); ++k)
    outs.emplace_back(n.outputs[k] >= 0 ? HostTensor(values[n.outputs[k]].dtype, values[n.outputs[k]].shape)
                                        : HostTensor());
  ref.outputs = &outs;
  st = s.reference(ref);
  if (!st.ok()) return st.WithNode(n.op_type, n.name);
  for (size_t k = 0; k < n.outputs.size(); ++k)
    if (n.outputs[k] >= 0)
      values[n.outputs[k]].constant = std::make_shared<const HostTensor>(std::move(outs[k]));
  *folded = true;
  return OkStatus();
}

}  // namespace

Result<std::shared_ptr<BoundGraph>> Bind(std::shared_ptr<const Graph> graph, const std::map<int, InputBinding>& inputs,
                                         const BindOptions& options) {
  auto bound = std::make_shared<BoundGraph>();
  bound->graph = graph;
  bound->values = graph->values;
  bound->folded.assign(graph->nodes.size(), false);
  std::vector<Value>& values = bound->values;

  for (int id : graph->inputs) {
    auto it = inputs.find(id);
    if (it == inputs.end()) {
      if (graph->values[id].is_initializer) continue;
      return UsageError("input '", graph->values[id].name, "' was not given");
    }
    WC_RETURN_IF_ERROR(BindInput(graph->values[id], it->second, &values[id]));
  }

  // With options.problems, a node that fails is recorded and binding goes on: its outputs become
  // unknown, and the nodes that read them are skipped without a report of their own.
  std::vector<bool> unknown(values.size(), false);
  for (size_t i = 0; i < graph->nodes.size(); ++i) {
    const Node& n = graph->nodes[i];
    bool upstream_failed = false;
    for (int id : n.inputs) upstream_failed = upstream_failed || (id >= 0 && unknown[id]);
    bool folded = false;
    const Status st = upstream_failed ? OkStatus() : BindNode(n, options, values, &folded);
    bound->folded[i] = folded;
    if (st.ok() && !upstream_failed) continue;
    if (!options.problems) return st;
    if (!st.ok()) options.problems->push_back(st);
    for (int id : n.outputs)
      if (id >= 0) unknown[id] = true;
  }
  if (options.problems && !options.problems->empty()) return bound;
  // Conv fusions (ir/rewrite.h) need the shapes and constants just found.
  if (options.fuse) WC_RETURN_IF_ERROR(FuseAroundConv(bound.get(), options.fusion));
  return bound;
}

}  // namespace webconv::ir
