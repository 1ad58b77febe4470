// Graph rewrites, in the order a session runs them: the rewrites that need no shapes run once on the
// built graph (RunShapeFreeRewrites, after BuildGraph); the Conv fusions need concrete shapes (a residual
// Add fuses only when both operands have the same shape) and constant values (BatchNorm statistics), so
// they run on each bound graph (FuseAroundConv below).
#pragma once

#include "ir/graph.h"

namespace webconv::ir {

// The rewrites that need no shapes, in order, on a graph fresh from BuildGraph: today the one below.
// The session and `webconv inspect` both call it, so what inspect lists is what runs.
void RunShapeFreeRewrites(Graph* graph);

// Constant-zero Pad feeding ops that can absorb it (Conv, AveragePool with count_include_pad, ...).
void FoldZeroPads(Graph* graph);

// Replaces bound->graph with a rewritten copy, in this order:
//   1. BatchNormalization folded into the weights and bias of the Conv before it, also through a
//      Concat on axis 1 of Convs (split per channel slice), rewrite_batch_norm.cc;
//   2. activations and same-shape residual Adds after a Conv become ConvFusion steps,
//      rewrite_epilogue.cc;
//   3. a Concat on axis 1 of Convs has each Conv write into its channel slice (the Concat runs no
//      kernel on WebGPU), and activations and Adds after it move into every branch, rewrite_concat.cc;
//   4. an AveragePool of non-overlapping windows after such a Conv or Concat becomes the Conv's pooled
//      store, rewrite_pool.cc;
//   5. sibling Convs (same input, same window, constant weights) run as one Conv whose readers, all
//      Convs, read its channel slices, rewrite_siblings.cc;
//   6. Convs placed side by side into one Concat that differ only in dilations, pads and input
//      channels run as one grouped Conv with per-group windows, rewrite_branches.cc.
// A rewrite never removes a tensor that is a graph output or that another node reads. Each change is
// listed in the new graph's `rewrites`. `options` turns steps 5 and 6 off.
Status FuseAroundConv(BoundGraph* bound, const FusionOptions& options = {});

}  // namespace webconv::ir
