// Folds a constant-zero Pad into the Conv or pool that reads it: the consumer's own pads grow and the
// padded tensor never exists. This is the reverse of the usual workaround (materializing padding that
// a kernel could not express) and saves a full read and write of the tensor.
#include <algorithm>

#include "ir/rewrite.h"

namespace webconv::ir {
namespace {

// Rebuilds node order after removals: producers and consumers are indices into `nodes`.
void RemoveNodes(Graph* g, const std::vector<bool>& removed) {
  std::vector<Node> kept;
  std::vector<int> new_index(g->nodes.size(), -1);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    if (removed[i]) continue;
    new_index[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(g->nodes[i]));
  }
  g->nodes = std::move(kept);
  for (Value& v : g->values) {
    v.producer = v.producer >= 0 ? new_index[v.producer] : -1;
    v.consumers.clear();
  }
  for (size_t i = 0; i < g->nodes.size(); ++i)
    for (int id : g->nodes[i].inputs)
      if (id >= 0) g->values[id].consumers.push_back(static_cast<int>(i));
}

}  // namespace

void FoldZeroPads(Graph* g) {
  std::vector<bool> removed(g->nodes.size(), false);
  for (size_t i = 0; i < g->nodes.size(); ++i) {
    const Node& pad = g->nodes[i];
    if (!pad.problem.ok() || !pad.schema || !pad.schema->as_zero_pad || pad.outputs.size() != 1 || pad.outputs[0] < 0)
      continue;
    const int data = pad.inputs.empty() ? -1 : pad.inputs[0];
    const int out = pad.outputs[0];
    if (data < 0 || g->values[out].is_graph_output || g->values[out].consumers.empty()) continue;
    std::vector<const HostTensor*> consts;
    for (int id : pad.inputs) consts.push_back(id >= 0 ? g->values[id].constant.get() : nullptr);
    const Value& dv = g->values[data];
    std::vector<int64_t> begin, end;
    if (!pad.schema->as_zero_pad(pad.attrs, pad.opset, consts, dv.has_shape ? dv.shape.size() : 0, &begin, &end))
      continue;
    // Only spatial padding folds: batch and channel axes must be untouched.
    if (begin.size() < 3 || begin[0] || begin[1] || end[0] || end[1]) continue;
    const std::vector<int64_t> sb(begin.begin() + 2, begin.end()), se(end.begin() + 2, end.end());
    std::vector<std::pair<int, ops::OpAttrs>> updates;
    bool ok = true;
    for (int c : g->values[out].consumers) {
      const Node& n = g->nodes[c];
      ops::OpAttrs absorbed;
      const bool reads_only_as_data = n.inputs[0] == out && std::count(n.inputs.begin(), n.inputs.end(), out) == 1;
      if (!n.problem.ok() || !n.schema || !n.schema->absorb_zero_pad || !reads_only_as_data ||
          !n.schema->absorb_zero_pad(n.attrs, sb, se, &absorbed)) {
        ok = false;
        break;
      }
      updates.emplace_back(c, absorbed);
    }
    if (!ok) continue;
    for (auto& [c, attrs] : updates) {
      Node& n = g->nodes[c];
      n.attrs = attrs;
      n.inputs[0] = data;
      g->rewrites.push_back(StrCat(pad.op_type, " '", pad.name, "' folded into ", n.op_type, " '", n.name,
                                   "' pads; tensor '", g->values[out].name, "' is never materialized"));
    }
    removed[i] = true;
  }
  if (std::find(removed.begin(), removed.end(), true) != removed.end()) RemoveNodes(g, removed);
}

}  // namespace webconv::ir
