// FLOP counts of bound graphs: each op's FlopsFn, asked with the node's bound shapes and constants.
#include "runtime/node_flops.h"
#include "runtime/session.h"

namespace webconv::runtime {

double NodeFlops(const ir::BoundGraph& bound, size_t node) {
  const ir::Node& n = bound.graph->nodes[node];
  if (bound.folded[node] || !n.schema->flops) return 0;
  ops::InferContext ctx;
  ctx.attrs = n.attrs;
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
  return n.schema->flops(ctx);
}

double CountFlops(const ir::BoundGraph& bound) {
  double total = 0;
  for (size_t i = 0; i < bound.graph->nodes.size(); ++i) total += NodeFlops(bound, i);
  return total;
}

}  // namespace webconv::runtime
