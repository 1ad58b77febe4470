// FLOPs of one node of a bound graph (its op's FlopsFn), for per-node profiles such as
// `webconv bench --per-kernel`; CountFlops (session.h) is the sum over all unfolded nodes.
#pragma once

#include <cstddef>

#include "ir/graph.h"

namespace webconv::runtime {

// 0 for a node folded when planning or an op without a FLOP count.
double NodeFlops(const ir::BoundGraph& bound, size_t node);

}  // namespace webconv::runtime
