#include "runtime/session.h"

namespace webconv::runtime {

double CountFlops(const ir::BoundGraph& bound) {
  const ir::Graph& g = *bound.graph;
  double total = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (bound.folded[i] || !n.schema->flops) continue;
    ops::InferContext ctx;
    ctx.attrs = n.attrs.get();
    ctx.opset = n.opset;
    for (int id : n.inputs) {
      ops::TensorInfo t;
      if (id >= 0) t = {true, bound.values[id].dtype, bound.values[id].shape, bound.values[id].constant.get()};
      ctx.inputs.push_back(t);
    }
    for (int id : n.outputs) {
      ops::TensorInfo t;
      if (id >= 0) t = {true, bound.values[id].dtype, bound.values[id].shape, nullptr};
      ctx.outputs.push_back(t);
    }
    total += n.schema->flops(ctx);
  }
  return total;
}

}  // namespace webconv::runtime
