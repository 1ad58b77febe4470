// Activations and residual Adds after a Conv become steps of its epilogue (ConvFusion): the Conv
// applies them in registers before its one store, and the intermediate tensors never exist. A chain
// is followed as far as it goes (Conv -> Add -> Relu, the ResNet block's tail, becomes one kernel).
#include <cmath>
#include <cstring>

#include "ir/rewrite_fusion.h"
#include "ops/elementwise/unary.h"

namespace webconv::ir {

bool AsActivationStep(const FusionGraph& f, int i, ops::ConvFusion::Step* step) {
  using Step = ops::ConvFusion::Step;
  static const struct {
    const char* op;
    Step::Kind kind;
  } kActivations[] = {{"Relu", Step::kRelu},
                      {"Clip", Step::kClip},
                      {"LeakyRelu", Step::kLeakyRelu},
                      {"Sigmoid", Step::kSigmoid},
                      {"HardSigmoid", Step::kHardSigmoid},
                      {"HardSwish", Step::kHardSwish},
                      {"Tanh", Step::kTanh}};
  const Node& n = f.node(i);
  if (n.inputs.empty() || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  if (f.value(n.inputs[0]).dtype != DType::kFloat32) return false;
  for (const auto& a : kActivations) {
    if (!f.Is(i, a.op)) continue;
    // Every one of these is a table-driven unary op: its parsed attributes are UnaryAttrs.
    const auto& attrs = n.attrs.As<ops::UnaryAttrs>();
    ops::UnaryParams p = attrs.params;
    if (attrs.def && attrs.def->resolve) {
      // Clip's bounds: attributes before opset 11, optional constant inputs after.
      const HostTensor* bound[2] = {nullptr, nullptr};
      for (int k = 0; k < 2; ++k) {
        const int id = k + 1 < static_cast<int>(n.inputs.size()) ? n.inputs[k + 1] : -1;
        if (id < 0) continue;
        if (!f.value(id).constant || f.value(id).constant->num_elements() != 1) return false;
        bound[k] = f.value(id).constant.get();
      }
      p = attrs.def->resolve(attrs, DType::kFloat32, bound[0], bound[1]);
    } else if (n.inputs.size() != 1) {
      return false;
    }
    step->kind = a.kind;
    step->alpha = static_cast<float>(p.p[0]);
    step->beta = static_cast<float>(p.p[1]);
    // Parameters must survive as f32 exactly (they are f32 attributes or f32 tensors in the model).
    if (std::isnan(p.p[0]) || std::isnan(p.p[1]) || static_cast<double>(step->alpha) != p.p[0] ||
        static_cast<double>(step->beta) != p.p[1])
      return false;
    return true;
  }
  return false;
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
