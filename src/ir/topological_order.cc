#include "ir/topological_order.h"

#include <cstddef>
#include <set>

namespace webconv::ir {

TopologicalOrder StableTopologicalOrder(const std::vector<std::vector<int>>& producers,
                                        const std::vector<bool>& kept) {
  const std::size_t n = producers.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> users(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!kept[i]) continue;
    for (int p : producers[i]) {
      ++pending[i];
      users[static_cast<std::size_t>(p)].push_back(static_cast<int>(i));
    }
  }
  std::set<int> ready;  // ordered: the lowest ready index goes next
  for (std::size_t i = 0; i < n; ++i)
    if (kept[i] && pending[i] == 0) ready.insert(static_cast<int>(i));
  TopologicalOrder t;
  while (!ready.empty()) {
    const int i = *ready.begin();
    ready.erase(ready.begin());
    t.order.push_back(i);
    for (int u : users[static_cast<std::size_t>(i)])
      if (--pending[static_cast<std::size_t>(u)] == 0) ready.insert(u);
  }
  for (std::size_t i = 0; i < n && t.stuck < 0; ++i)
    if (kept[i] && pending[i] > 0) t.stuck = static_cast<int>(i);
  return t;
}

}  // namespace webconv::ir
