// The checks that keep a parse's memory proportional to its input: entry counts and the memory budget.
#include <algorithm>

#include "onnx/parse.h"

namespace webconv::onnx::internal {

ParseContext::ParseContext(const LoaderLimits& l, size_t bytes) : limits(l), input_bytes(bytes) {
  // Saturates rather than overflows for absurd factors; inputs are at most 2^40 bytes (max_message_bytes).
  const int64_t size = static_cast<int64_t>(std::min<uint64_t>(bytes, uint64_t{1} << 40));
  const int64_t factor = std::clamp<int64_t>(limits.memory_budget_factor, 0, int64_t{1} << 20);
  budget = std::max(limits.min_memory_budget, size * factor);
}

std::string Site::ToString() const {
  if (name.empty()) return StrCat(message, " at byte offset ", offset);
  // A name is only checked against max_name_bytes where it is parsed, which may come after the count.
  constexpr size_t kShown = 64;
  if (name.size() <= kShown) return StrCat(message, " '", name, "'");
  return StrCat(message, " '", name.substr(0, kShown), "...'");
}

Status TooMany(const Site& site, std::string_view what, size_t total, int64_t limit) {
  return BadModel(site.ToString(), ": ", total, " ", what, ", more than the limit of ", limit);
}

Status Charge(ParseContext* ctx, const Site& site, std::string_view what, size_t count, size_t each) {
  // count is below the input's size (< 2^40) and each below a kilobyte: the 64-bit product cannot
  // overflow (size_t may be 32 bits, in WebAssembly).
  const int64_t bytes = static_cast<int64_t>(uint64_t{count} * uint64_t{each});
  if (bytes <= ctx->budget - ctx->charged) {
    ctx->charged += bytes;
    return OkStatus();
  }
  return BadModel(site.ToString(), ": ", count, " ", what, " would take ", bytes,
                  " bytes of memory, past the loader's budget of ", ctx->budget, " bytes for this input (",
                  ctx->limits.memory_budget_factor, " x its ", ctx->input_bytes, " bytes, at least ",
                  ctx->limits.min_memory_budget, "), of which ", ctx->charged, " are taken");
}

Status CountNodes(ParseContext* ctx, const Site& site, size_t count) {
  ctx->nodes += static_cast<int64_t>(count);
  if (ctx->nodes <= ctx->limits.max_nodes) return OkStatus();
  return BadModel(site.ToString(), ": ", count, " nodes bring the model's total to ", ctx->nodes,
                  ", more than ", ctx->limits.max_nodes, " nodes, the limit");
}

}  // namespace webconv::onnx::internal
