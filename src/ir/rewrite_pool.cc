// An AveragePool directly after a Conv (or after a Concat whose branch Convs store in place) with
// non-overlapping windows (kernel = strides, no pads, floor mode) becomes the Conv's pooled store
// (ConvFusion::pool): the Conv averages each window in registers and writes only the pooled tensor,
// so the pool's dispatch and the full-resolution round trip through memory are gone. TransNetV2 has
// one after each block (1x2x2 after relu + shortcut Add, both already in the branch epilogues).
// Fires only where the WebGPU Conv can do it (ops::ConvCanPoolInStore); the CPU backend computes
// the same function (Conv, steps, then the pool in float64).
#include "ir/rewrite_fusion.h"
#include "ops/conv/conv_epilogue.h"

namespace webconv::ir {
namespace {

// The pool window (D, H, W of axis3) when node `i` is a mean of non-overlapping windows (its op says so:
// OpSchema::as_window_mean, AveragePool's) that a Conv's store can do.
bool PoolWindow(const FusionGraph& f, int i, int64_t window[3]) {
  const Node& n = f.node(i);
  if (!f.Runs(i) || !n.schema || !n.schema->as_window_mean) return false;
  if (n.inputs.size() != 1 || n.inputs[0] < 0 || n.outputs.size() != 1 || n.outputs[0] < 0) return false;
  const Value& x = f.value(n.inputs[0]);
  return n.schema->as_window_mean(n.attrs, ops::TensorInfo{true, x.dtype, x.shape, nullptr},
                                  f.value(n.outputs[0]).shape, window);
}

bool CanPool(const FusionGraph& f, int conv, const int64_t window[3]) {
  ops::ConvProblem p;
  return f.ConvProblemOf(conv, &p) && ops::ConvCanPoolInStore(p, window);
}

void SetPool(FusionGraph& f, int conv, const int64_t window[3]) {
  ops::ConvFusion& fusion = f.MutableConvAttrs(conv).fusion;
  for (int a = 0; a < 3; ++a) fusion.pool[a] = window[a];
}

}  // namespace

void FusePools(FusionGraph& f) {
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i) {
    int64_t window[3];
    // A Conv read only by the pool.
    if (f.IsConv(i) && f.conv_attrs(i).fusion.channel_total == 0 && !f.conv_attrs(i).fusion.pooled()) {
      const int reader = f.SoleReader(f.node(i).outputs[0]);
      if (reader < 0 || !PoolWindow(f, reader, window) || !CanPool(f, i, window)) continue;
      SetPool(f, i, window);
      f.Note(StrCat(f.node(reader).op_type, " '", f.node(reader).name, "' fused into Conv '", f.node(i).name,
                    "' (pooled store)"));
      f.Absorb(i, reader);
      continue;
    }
    // A Concat whose branch Convs write in place: every branch pools its own slice.
    if (!f.Is(i, "Concat") || !f.node(i).inputs_in_place) continue;
    const int reader = f.SoleReader(f.node(i).outputs[0]);
    if (reader < 0 || !PoolWindow(f, reader, window)) continue;
    bool all = true;
    for (int id : f.node(i).inputs) {
      const int c = f.ConvProducing(id);
      all = all && c >= 0 && !f.conv_attrs(c).fusion.pooled() && CanPool(f, c, window);
    }
    if (!all) continue;
    const Shape pooled = f.value(f.node(reader).outputs[0]).shape;
    for (int id : f.node(i).inputs) {
      SetPool(f, f.ConvProducing(id), window);
      Shape s = pooled;
      s[1] = f.value(id).shape[1];
      f.SetShape(id, s);
    }
    f.Note(StrCat(f.node(reader).op_type, " '", f.node(reader).name, "' after Concat '", f.node(i).name,
                  "' fused into its branch Convs (pooled stores)"));
    f.Absorb(i, reader);
  }
}

}  // namespace webconv::ir
