// Parsers for ModelProto, OperatorSetIdProto and FunctionProto. Field numbers: onnx.proto (ONNX 1.12).
#include "onnx/parse.h"

namespace webconv::onnx::internal {

using wire::Field;
using wire::Reader;
using wire::Span;
using wire::WireType;

namespace {

Status ParseOperatorSetId(const Span& s, OperatorSetId* out) {
  Reader r(s, "OperatorSetIdProto");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kLen))
      out->domain = f.str();
    else if (f.Is(2, WireType::kVarint))
      out->version = static_cast<int64_t>(f.value);
  }
  return r.status();
}

Status ParseFunction(const Span& s, ParseContext* ctx, FunctionProto* out) {
  Reader r(s, "FunctionProto");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    switch (f.number) {
      case 1:
        out->name = f.str();
        break;
      case 4:
        out->input.push_back(f.str());
        break;
      case 5:
        out->output.push_back(f.str());
        break;
      case 6:
        out->attribute.push_back(f.str());
        break;
      case 7: {
        WC_RETURN_IF_ERROR(CountNode(ctx, f));
        const Status st = ParseNode(f.bytes, ctx, &out->node.emplace_back());
        if (!st.ok()) return st.Prefixed(StrCat("node #", out->node.size() - 1, ": "));
        break;
      }
      case 8:
        out->doc_string = f.str();
        break;
      case 9:
        WC_RETURN_IF_ERROR(ParseOperatorSetId(f.bytes, &out->opset_import.emplace_back()));
        break;
      case 10:
        out->domain = f.str();
        break;
      default:
        break;  // 2 and 3 are reserved (since_version, status)
    }
  }
  return r.status();
}

// TrainingInfoProto is not used for inference, but the official parser rejects a malformed one, so it is
// parsed (into values that are dropped) to fail the same way.
Status CheckTrainingInfo(const Span& s, ParseContext* ctx) {
  Reader r(s, "TrainingInfoProto");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    if (f.number == 1 || f.number == 2) {  // initialization, algorithm
      GraphProto g;
      WC_RETURN_IF_ERROR(ParseGraph(f.bytes, ctx, &g));
    } else if (f.number == 3 || f.number == 4) {  // initialization_binding, update_binding
      StringStringEntry e;
      WC_RETURN_IF_ERROR(ParseStringStringEntry(f.bytes, ctx, &e));
    }
  }
  return r.status();
}

}  // namespace

Status ParseModel(const Span& s, ParseContext* ctx, ModelProto* out) {
  Reader r(s, "ModelProto");
  Field f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        if (f.wire == WireType::kVarint) out->ir_version = static_cast<int64_t>(f.value);
        break;
      case 5:
        if (f.wire == WireType::kVarint) out->model_version = static_cast<int64_t>(f.value);
        break;
      default:
        if (f.wire != WireType::kLen) break;
        switch (f.number) {
          case 8:
            WC_RETURN_IF_ERROR(ParseOperatorSetId(f.bytes, &out->opset_import.emplace_back()));
            break;
          case 2:
            out->producer_name = f.str();
            break;
          case 3:
            out->producer_version = f.str();
            break;
          case 4:
            out->domain = f.str();
            break;
          case 6:
            out->doc_string = f.str();
            break;
          case 7: {
            out->has_graph = true;
            const Status st = ParseGraph(f.bytes, ctx, &out->graph);
            if (!st.ok()) return st.Prefixed("graph: ");
            break;
          }
          case 14:
            WC_RETURN_IF_ERROR(ParseStringStringEntry(f.bytes, ctx, &out->metadata_props.emplace_back()));
            break;
          case 25: {
            const Status st = ParseFunction(f.bytes, ctx, &out->functions.emplace_back());
            if (!st.ok()) return st.Prefixed(StrCat("function #", out->functions.size() - 1, ": "));
            break;
          }
          case 20: {
            const Status st = CheckTrainingInfo(f.bytes, ctx);
            if (!st.ok()) return st.Prefixed("training_info: ");
            break;
          }
          default:
            break;
        }
    }
  }
  return r.status();
}

}  // namespace webconv::onnx::internal
