// Activations and residual Adds after a Conv become steps of its epilogue (ConvFusion): the Conv
// applies them in registers before its one store, and the intermediate tensors never exist. Which ops
// are activations is each op's say (OpSchema::as_pointwise; a fusable UnaryDef): nothing here names one. A chain
// is followed as far as it goes (Conv -> Add -> Relu, the ResNet block's tail, becomes one kernel).
#include "ir/rewrite_fusion.h"

namespace webconv::ir {

bool AsActivationStep(const FusionGraph& f, int i, ops::ConvFusion::Step* step) {
  const Node& n = f.node(i);
  if (!f.Runs(i) || !n.schema || !n.schema->as_pointwise) return false;
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  // The op's parameters must be known now: inputs beyond the data are constants (or absent).
  std::vector<const HostTensor*> inputs = {nullptr};
  for (size_t k = 1; k < n.inputs.size(); ++k) {
    const int id = n.inputs[k];
    if (id >= 0 && !f.value(id).constant) return false;
    inputs.push_back(id >= 0 ? f.value(id).constant.get() : nullptr);
  }
  step->kind = ops::ConvFusion::Step::kPointwise;
  return n.schema->as_pointwise(n.attrs, f.value(n.inputs[0]).dtype, inputs, &step->fn);
}

int SameShapeAddend(const FusionGraph& f, int i, int id) {
  if (!f.Is(i, "Add")) return -1;
  const Node& n = f.node(i);
  if (n.inputs.size() != 2 || n.outputs.size() != 1 || n.outputs[0] < 0) return -1;
  if (n.inputs[0] == n.inputs[1]) return -1;
  const int other = n.inputs[0] == id ? n.inputs[1] : n.inputs[1] == id ? n.inputs[0] : -1;
  if (other < 0) return -1;
  const Value &a = f.value(id), &b = f.value(other), &y = f.value(n.outputs[0]);
  if (b.dtype != a.dtype || b.shape != a.shape || y.shape != a.shape || y.dtype != a.dtype) return -1;
  return other;
}

void FuseEpilogues(FusionGraph& f) {
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i) {
    if (!f.IsConv(i)) continue;
    for (;;) {
      const int out = f.node(i).outputs[0];
      const int reader = f.SoleReader(out);
      if (reader < 0) break;
      ops::ConvFusion::Step step;
      if (AsActivationStep(f, reader, &step)) {
        f.MutableConvAttrs(i).fusion.steps.push_back(step);
        f.Note(StrCat(f.node(reader).op_type, " '", f.node(reader).name, "' fused into Conv '",
                      f.node(i).name, "' (epilogue)"));
        f.Absorb(i, reader);
        continue;
      }
      const int addend = SameShapeAddend(f, reader, out);
      // A placed Conv reads addends at its slice of the Concat's shape; this one has Y's own shape.
      if (addend < 0 || f.conv_attrs(i).fusion.channel_total > 0) break;
      step.kind = ops::ConvFusion::Step::kAdd;
      step.input = f.AddConvInput(i, addend);
      f.MutableConvAttrs(i).fusion.steps.push_back(step);
      f.Note(StrCat("Add '", f.node(reader).name, "' fused into Conv '", f.node(i).name,
                    "' (residual epilogue, addend '", f.value(addend).name, "')"));
      f.Absorb(i, reader);
    }
  }
}

}  // namespace webconv::ir
