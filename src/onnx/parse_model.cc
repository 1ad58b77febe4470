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

// Checks and reserves a function's repeated fields before any entry is built (see Expect).
Status ExpectFunctionEntries(const Span& s, ParseContext* ctx, FunctionProto* out) {
  const wire::FieldCounts n = wire::CountFields(s, 1);
  const Site site{"FunctionProto", n.name, s.offset};
  const LoaderLimits& lim = ctx->limits;
  WC_RETURN_IF_ERROR(CountNodes(ctx, site, n[7]));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "nodes", n[7], lim.max_nodes, &out->node));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "inputs", n[4], lim.max_list_entries, &out->input));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "outputs", n[5], lim.max_list_entries, &out->output));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "attributes", n[6], lim.max_attributes, &out->attribute));
  return Expect(ctx, site, "opset_import entries", n[9], lim.max_list_entries, &out->opset_import);
}

Status ParseFunction(const Span& s, ParseContext* ctx, FunctionProto* out) {
  WC_RETURN_IF_ERROR(ExpectFunctionEntries(s, ctx, out));
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
  const wire::FieldCounts n = wire::CountFields(s, 0);
  const Site site{"ModelProto", "", s.offset};
  const int64_t limit = ctx->limits.max_list_entries;
  WC_RETURN_IF_ERROR(Expect(ctx, site, "opset_import entries", n[8], limit, &out->opset_import));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "metadata_props entries", n[14], limit, &out->metadata_props));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "functions", n[25], limit, &out->functions));
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

Status CheckModelVersions(const ModelProto& m) {
  // IR version 0 is no version: onnx.proto reserves it (_START_VERSION), and protobuf reads a missing
  // field as 0. ONNX Runtime refuses a model without one ("Missing model IR version").
  if (m.ir_version == 0) return BadModel("the model does not state its IR version (ModelProto.ir_version)");
  if (m.ir_version < 0) return BadModel("the model's IR version ", m.ir_version, " is not valid");
  if (m.ir_version > kMaxIrVersion) {
    return BadModel("unsupported model IR version ", m.ir_version, ": the newest this loader supports is ",
                    kMaxIrVersion);
  }
  // IR versions 1 and 2 had no opset_import, but no tool has written them since 2017 and ONNX Runtime
  // refuses any model without one, as here.
  if (m.opset_import.empty()) {
    return BadModel(
        "the model imports no operator set: ModelProto.opset_import is empty, and every model "
        "must name the version of the ONNX operator set it uses");
  }
  return OkStatus();
}

}  // namespace webconv::onnx::internal
