// Concat on axis 1 whose inputs are all Conv outputs read by nothing else: each Conv stores straight
// into its channel slice of the Concat's output (ConvFusion placement), so on WebGPU the Concat runs no
// kernel and the branch outputs never exist apart (the planner gives the Concat output one buffer that
// every branch writes). Activations and same-shape Adds after such a Concat are elementwise, so they
// move into every branch's epilogue, the addend read at the branch's slice. The CPU backend still runs
// the Concat over the branches' own outputs, which is the same function.
#include "ir/rewrite_fusion.h"

namespace webconv::ir {
namespace {

// The branch Convs of a Concat that can be placed, in input order; empty when it cannot.
std::vector<int> PlaceableBranches(const FusionGraph& f, int concat, std::vector<int64_t>* offsets) {
  if (!f.ChannelOffsets(concat, offsets) || f.value(f.node(concat).outputs[0]).dtype != DType::kFloat32)
    return {};
  std::vector<int> convs;
  for (int id : f.node(concat).inputs) {
    const int c = f.ConvProducing(id);
    if (c < 0 || f.SoleReader(id) != concat) return {};
    // Addends fused earlier have the branch's own shape; a placed Conv reads addends at its slice.
    for (const auto& s : f.conv_attrs(c).fusion.steps)
      if (s.kind == ops::ConvFusion::Step::kAdd) return {};
    if (f.conv_attrs(c).fusion.channel_total > 0) return {};
    convs.push_back(c);
  }
  return convs;
}

void Place(FusionGraph& f, int concat) {
  std::vector<int64_t> offsets;
  const std::vector<int> convs = PlaceableBranches(f, concat, &offsets);
  if (convs.empty()) return;
  const int64_t total = f.value(f.node(concat).outputs[0]).shape[1];
  for (size_t k = 0; k < convs.size(); ++k) {
    ops::ConvFusion& fusion = f.MutableConvAttrs(convs[k]).fusion;
    fusion.channel_offset = offsets[k];
    fusion.channel_total = total;
  }
  f.MarkInputsInPlace(concat);
  f.Note(StrCat("Concat '", f.node(concat).name, "': Convs ", NodeNames(f, convs),
                " write into their channel slices of its output; no Concat kernel"));
  // What follows the Concat, while it is elementwise and the Concat's output has no other reader.
  for (;;) {
    const int out = f.node(concat).outputs[0];
    const int reader = f.SoleReader(out);
    if (reader < 0) return;
    ops::ConvFusion::Step step;
    if (AsActivationStep(f, reader, &step)) {
      for (int c : convs) f.MutableConvAttrs(c).fusion.steps.push_back(step);
    } else {
      const int addend = SameShapeAddend(f, reader, out);
      if (addend < 0) return;
      for (int c : convs) {
        step.kind = ops::ConvFusion::Step::kAdd;
        step.input = f.AddConvInput(c, addend);
        f.MutableConvAttrs(c).fusion.steps.push_back(step);
      }
    }
    f.Note(StrCat(f.node(reader).op_type, " '", f.node(reader).name, "' after Concat '", f.node(concat).name,
                  "' moved into Convs ", NodeNames(f, convs)));
    f.Absorb(concat, reader);
  }
}

}  // namespace

void PlaceConcats(FusionGraph& f) {
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i)
    if (f.Is(i, "Concat")) Place(f, i);
}

}  // namespace webconv::ir
