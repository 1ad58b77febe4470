// `webconv inspect --ops`: the table of supported ops, printed from the op registry (ops/registry.h)
// so that the documentation (docs/ops.md) cannot drift from what the code accepts.
#pragma once

#include <iosfwd>

namespace webconv::cli {

// Plain text for a terminal, or Markdown (the whole of docs/ops.md) when `markdown`.
void PrintOpsTable(std::ostream& os, bool markdown);

}  // namespace webconv::cli
