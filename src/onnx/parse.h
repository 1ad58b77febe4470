// Message parsers for onnx.proto, internal to the loader.
//
// Each parser merges into `out` the way protobuf does when a message arrives in several pieces: scalars
// take the last value, repeated fields append, and a singular sub-message seen twice is merged. Fields
// with an unknown number or an unexpected wire type are skipped, and enum fields holding a value outside
// their enum are skipped too (protobuf files them as unknown fields), so that the result matches the
// official parser.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "common/status.h"
#include "onnx/loader.h"
#include "onnx/model.h"
#include "onnx/wire.h"

namespace webconv::onnx::internal {

// Nesting state shared by one parse. Depth is checked before recursing, so a deeply nested file fails
// cleanly instead of exhausting the stack. Only graphs and types recurse; every other message is a leaf
// or sits at a fixed depth under one of them.
struct ParseContext {
  // `input_bytes`: the size of what is parsed, which sets the memory budget.
  ParseContext(const LoaderLimits& l, size_t input_bytes);

  LoaderLimits limits;
  int graph_depth = 0;  // graphs currently open (the main graph counts as 1)
  int type_depth = 0;   // TypeProtos currently open
  int64_t nodes = 0;    // nodes counted so far, all graphs and functions (LoaderLimits::max_nodes)
  int64_t graphs = 0;   // graphs parsed so far (LoaderLimits::max_graphs)
  size_t input_bytes = 0;
  int64_t budget = 0;   // bytes the parsed messages may take (LoaderLimits::memory_budget_factor)
  int64_t charged = 0;  // bytes charged against it so far
  // Protobuf's own default recursion limit; bounds TypeProto chains (sequence of sequence of ...).
  static constexpr int kMaxTypeDepth = 100;
};

// The message a count or budget check is about, for its error: "GraphProto 'main'", or "GraphProto at
// byte offset 12" when the message has no name.
struct Site {
  std::string_view message;
  std::string_view name;
  size_t offset = 0;
  std::string ToString() const;
};

// What a std::make_shared allocation takes beyond its object, about: the control block and the heap's
// own header. Charged with every sub-message held by pointer, as a chain of small ones is mostly that.
inline constexpr size_t kSharedBlockBytes = 32;

// Charges `count` entries of `each` bytes to the memory budget, or fails naming the budget.
Status Charge(ParseContext* ctx, const Site& site, std::string_view what, size_t count, size_t each);

// An error for a repeated field of `site` that would hold `total` entries, more than `limit`.
Status TooMany(const Site& site, std::string_view what, size_t total, int64_t limit);

// Readies repeated field `v` for `count` more entries (from wire::CountFields) before any is built: fails
// when the field would hold more than `limit`, or when the entries' size, `each` bytes apiece, passes
// the memory budget; otherwise reserves room for them. A message seen twice merges into the same vector,
// so the room grows geometrically and merging many small pieces stays linear.
template <typename T>
Status Expect(ParseContext* ctx, const Site& site, std::string_view what, size_t count, int64_t limit,
              std::vector<T>* v, size_t each = sizeof(T)) {
  if (count == 0) return OkStatus();
  const size_t total = v->size() + count;
  if (total > static_cast<uint64_t>(limit)) return TooMany(site, what, total, limit);
  WC_RETURN_IF_ERROR(Charge(ctx, site, what, count, each));
  if (total > v->capacity()) v->reserve(std::max(total, 2 * v->capacity()));
  return OkStatus();
}

// Opens one nesting level on `counter` for the life of the guard; status() is an error when that passes
// `limit`.
class DepthGuard {
 public:
  DepthGuard(int* counter, int limit, const wire::Span& span, std::string_view what);
  ~DepthGuard() { --*counter_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  const Status& status() const { return status_; }

 private:
  int* counter_;
  Status status_;
};

// A name field (node, value, op type, domain, attribute): an error when it is longer than
// LoaderLimits::max_name_bytes.
Status CheckName(const wire::Reader& r, const wire::Field& f, const ParseContext& ctx, std::string_view what);

// Counts the `count` nodes of one GraphProto or FunctionProto: an error past LoaderLimits::max_nodes for
// the whole model.
Status CountNodes(ParseContext* ctx, const Site& site, size_t count);

// The checks ONNX Runtime makes of a ModelProto before looking at its graph: an IR version it knows,
// and at least one opset_import entry.
Status CheckModelVersions(const ModelProto& m);

Status ParseModel(const wire::Span& s, ParseContext* ctx, ModelProto* out);
Status ParseGraph(const wire::Span& s, ParseContext* ctx, GraphProto* out);
Status ParseNode(const wire::Span& s, ParseContext* ctx, NodeProto* out);
Status ParseAttribute(const wire::Span& s, ParseContext* ctx, AttributeProto* out);
Status ParseValueInfo(const wire::Span& s, ParseContext* ctx, ValueInfoProto* out);
Status ParseType(const wire::Span& s, ParseContext* ctx, TypeProto* out);
Status ParseTensor(const wire::Span& s, ParseContext* ctx, TensorProto* out);
Status ParseSparseTensor(const wire::Span& s, ParseContext* ctx, SparseTensorProto* out);
Status ParseStringStringEntry(const wire::Span& s, ParseContext* ctx, StringStringEntry* out);

}  // namespace webconv::onnx::internal
