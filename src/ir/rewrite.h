// Graph rewrites applied once after the graph is built.
#pragma once

#include "ir/graph.h"

namespace webconv::ir {

// Constant-zero Pad feeding ops that can absorb it (Conv, AveragePool with count_include_pad, ...).
void FoldZeroPads(Graph* graph);

}  // namespace webconv::ir
