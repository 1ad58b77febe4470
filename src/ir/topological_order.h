// One topological sort for the graph passes: the model graph after loading (graph.cc) and the fusion
// graph after its rewrites (rewrite_fusion.cc) both order their nodes with it.
#pragma once

#include <vector>

namespace webconv::ir {

struct TopologicalOrder {
  std::vector<int> order;  // the kept nodes, each after every node that produces one of its inputs
  int stuck = -1;          // when some kept node could not be placed (a cycle): the lowest such node
};

// Kahn's algorithm over nodes 0..n-1 (n = producers.size()). producers[i] lists the nodes whose outputs
// node i reads (repeats allowed, each counted once per listing); nodes with kept[i] false are left out
// and must not be listed as producers of kept ones. Where the order is free, lower indices come first,
// so a graph already in order keeps it.
TopologicalOrder StableTopologicalOrder(const std::vector<std::vector<int>>& producers,
                                        const std::vector<bool>& kept);

}  // namespace webconv::ir
