// Message parsers for onnx.proto, internal to the loader.
//
// Each parser merges into `out` the way protobuf does when a message arrives in several pieces: scalars
// take the last value, repeated fields append, and a singular sub-message seen twice is merged. Fields
// with an unknown number or an unexpected wire type are skipped, and enum fields holding a value outside
// their enum are skipped too (protobuf files them as unknown fields), so that the result matches the
// official parser.
#pragma once

#include "common/status.h"
#include "onnx/loader.h"
#include "onnx/model.h"
#include "onnx/wire.h"

namespace webconv::onnx::internal {

// Nesting state shared by one parse. Depth is checked before recursing, so a deeply nested file fails
// cleanly instead of exhausting the stack. Only graphs and types recurse; every other message is a leaf
// or sits at a fixed depth under one of them.
struct ParseContext {
  LoaderLimits limits;
  int graph_depth = 0;  // graphs currently open (the main graph counts as 1)
  int type_depth = 0;   // TypeProtos currently open
  int64_t nodes = 0;    // nodes parsed so far, all graphs and functions (LoaderLimits::max_nodes)
  int64_t graphs = 0;   // graphs parsed so far (LoaderLimits::max_graphs)
  // Protobuf's own default recursion limit; bounds TypeProto chains (sequence of sequence of ...).
  static constexpr int kMaxTypeDepth = 100;
};

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

// Counts one more node (field `f` of a GraphProto or FunctionProto): an error past LoaderLimits::max_nodes.
Status CountNode(ParseContext* ctx, const wire::Field& f);

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
