// Parsers for GraphProto, NodeProto, AttributeProto, ValueInfoProto, TypeProto and TensorAnnotation.
// Field numbers: onnx.proto (ONNX 1.12).
#include <cstring>
#include <memory>

#include "onnx/parse.h"

namespace webconv::onnx::internal {

using wire::Field;
using wire::Reader;
using wire::Span;
using wire::WireType;

namespace {

// An attribute list that has grown past LoaderLimits::max_attribute_values.
Status CheckListLength(const Reader& r, const Field& f, const ParseContext& ctx, std::string_view what,
                       size_t size) {
  if (static_cast<int64_t>(size) <= ctx.limits.max_attribute_values) return OkStatus();
  return r.FieldError(f, what, StrCat("more than ", ctx.limits.max_attribute_values, " values"));
}

// A singular sub-message field held by pointer: created on first sight, merged into afterwards.
template <typename T>
T* Singular(std::shared_ptr<T>* p) {
  if (!*p) *p = std::make_shared<T>();
  return p->get();
}

Status ParseShape(const Span& s, std::vector<Dimension>* dims) {
  Reader r(s, "TensorShapeProto");
  Field f;
  while (r.Next(&f)) {
    if (!f.Is(1, WireType::kLen)) continue;
    Dimension& d = dims->emplace_back();
    Reader dr(f.bytes, "TensorShapeProto.Dimension");
    Field g;
    while (dr.Next(&g)) {
      // dim_value and dim_param are a oneof: the last one seen wins.
      if (g.Is(1, WireType::kVarint)) {
        d.kind = Dimension::kValue;
        d.value = static_cast<int64_t>(g.value);
        d.param = {};
      } else if (g.Is(2, WireType::kLen)) {
        d.kind = Dimension::kParam;
        d.param = g.str();
        d.value = 0;
      } else if (g.Is(3, WireType::kLen)) {
        d.denotation = g.str();
      }
    }
    WC_RETURN_IF_ERROR(dr.status());
  }
  return r.status();
}

// TypeProto.Tensor and TypeProto.SparseTensor share one layout: elem_type = 1, shape = 2.
Status ParseTensorType(const Span& s, std::string_view message, TypeProto* out) {
  Reader r(s, message);
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kVarint)) {
      out->elem_type = static_cast<int32_t>(f.value);
    } else if (f.Is(2, WireType::kLen)) {
      out->has_shape = true;
      WC_RETURN_IF_ERROR(ParseShape(f.bytes, &out->dims));
    }
  }
  return r.status();
}

// The `value` oneof of TypeProto: switching to another case clears what the previous case held, while
// the same case seen again is merged.
void SwitchKind(TypeProto* t, TypeProto::Kind kind) {
  if (t->kind == kind) return;
  t->kind = kind;
  t->elem_type = 0;
  t->has_shape = false;
  t->dims.clear();
  t->map_key_type = 0;
  t->inner.reset();
}

}  // namespace

Status ParseType(const Span& s, ParseContext* ctx, TypeProto* out) {
  DepthGuard guard(&ctx->type_depth, ParseContext::kMaxTypeDepth, s, "TypeProto");
  WC_RETURN_IF_ERROR(guard.status());
  Reader r(s, "TypeProto");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(6, WireType::kLen)) {
      out->denotation = f.str();
      continue;
    }
    if (f.wire != WireType::kLen) continue;
    switch (f.number) {
      case 1:
        SwitchKind(out, TypeProto::kTensor);
        WC_RETURN_IF_ERROR(ParseTensorType(f.bytes, "TypeProto.Tensor", out));
        break;
      case 8:
        SwitchKind(out, TypeProto::kSparseTensor);
        WC_RETURN_IF_ERROR(ParseTensorType(f.bytes, "TypeProto.SparseTensor", out));
        break;
      case 4:
      case 9: {  // Sequence and Optional: elem_type = 1
        SwitchKind(out, f.number == 4 ? TypeProto::kSequence : TypeProto::kOptional);
        Reader sr(f.bytes, f.number == 4 ? "TypeProto.Sequence" : "TypeProto.Optional");
        Field g;
        while (sr.Next(&g)) {
          if (g.Is(1, WireType::kLen)) WC_RETURN_IF_ERROR(ParseType(g.bytes, ctx, Singular(&out->inner)));
        }
        WC_RETURN_IF_ERROR(sr.status());
        break;
      }
      case 5: {  // Map: key_type = 1, value_type = 2
        SwitchKind(out, TypeProto::kMap);
        Reader mr(f.bytes, "TypeProto.Map");
        Field g;
        while (mr.Next(&g)) {
          if (g.Is(1, WireType::kVarint))
            out->map_key_type = static_cast<int32_t>(g.value);
          else if (g.Is(2, WireType::kLen))
            WC_RETURN_IF_ERROR(ParseType(g.bytes, ctx, Singular(&out->inner)));
        }
        WC_RETURN_IF_ERROR(mr.status());
        break;
      }
      case 7: {
        // Opaque (onnx-ml.proto only: domain = 1, name = 2). webconv has no use for it, but it is a case of
        // the same oneof in the ONNX-ML schema that Python's onnx package uses, so it clears the previous
        // case there; it is mirrored here (as kNone) to keep both parsers in agreement.
        SwitchKind(out, TypeProto::kNone);
        Reader opaque(f.bytes, "TypeProto.Opaque");
        Field g;
        while (opaque.Next(&g)) {
        }
        WC_RETURN_IF_ERROR(opaque.status());
        break;
      }
      default:
        break;
    }
  }
  return r.status();
}

Status ParseValueInfo(const Span& s, ParseContext* ctx, ValueInfoProto* out) {
  Reader r(s, "ValueInfoProto");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kLen)) {
      WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "name"));
      out->name = f.str();
    } else if (f.Is(2, WireType::kLen)) {
      out->has_type = true;
      WC_RETURN_IF_ERROR(ParseType(f.bytes, ctx, &out->type));
    } else if (f.Is(3, WireType::kLen)) {
      out->doc_string = f.str();
    }
  }
  return r.status();
}

Status ParseAttribute(const Span& s, ParseContext* ctx, AttributeProto* out) {
  Reader r(s, "AttributeProto");
  Field f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 2:  // f: float, fixed32 on the wire
        if (f.wire == WireType::kFixed32) {
          const auto bits = static_cast<uint32_t>(f.value);
          static_assert(sizeof(bits) == sizeof(out->f));
          std::memcpy(&out->f, &bits, sizeof(bits));
        }
        break;
      case 3:
        if (f.wire == WireType::kVarint) out->i = static_cast<int64_t>(f.value);
        break;
      case 20:
        // AttributeType is an enum: values it does not define are unknown fields to protobuf.
        if (f.wire == WireType::kVarint) {
          const auto v = static_cast<int32_t>(f.value);
          if (v >= AttributeProto::kUndefined && v <= AttributeProto::kTypeProtos) {
            out->type = static_cast<AttributeProto::Type>(v);
          }
        }
        break;
      case 7:
        WC_RETURN_IF_ERROR(wire::AppendFloats(r, f, "floats", &out->floats));
        WC_RETURN_IF_ERROR(CheckListLength(r, f, *ctx, "floats", out->floats.size()));
        break;
      case 8:
        WC_RETURN_IF_ERROR(wire::AppendVarints(r, f, "ints", &out->ints));
        WC_RETURN_IF_ERROR(CheckListLength(r, f, *ctx, "ints", out->ints.size()));
        break;
      default:
        if (f.wire != WireType::kLen) break;
        switch (f.number) {
          case 1:
            WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "name"));
            out->name = f.str();
            break;
          case 21:
            out->ref_attr_name = f.str();
            break;
          case 13:
            out->doc_string = f.str();
            break;
          case 4:
            out->s = f.str();
            break;
          case 9:
            out->strings.push_back(f.str());
            WC_RETURN_IF_ERROR(CheckListLength(r, f, *ctx, "strings", out->strings.size()));
            break;
          case 5:
            WC_RETURN_IF_ERROR(ParseTensor(f.bytes, ctx, Singular(&out->t)));
            break;
          case 6:
            WC_RETURN_IF_ERROR(ParseGraph(f.bytes, ctx, Singular(&out->g)));
            break;
          case 22:
            WC_RETURN_IF_ERROR(ParseSparseTensor(f.bytes, ctx, Singular(&out->sparse_tensor)));
            break;
          case 14:
            WC_RETURN_IF_ERROR(ParseType(f.bytes, ctx, Singular(&out->tp)));
            break;
          case 10:
            WC_RETURN_IF_ERROR(ParseTensor(f.bytes, ctx, &out->tensors.emplace_back()));
            break;
          case 11: {
            auto& g = out->graphs.emplace_back(std::make_shared<GraphProto>());
            WC_RETURN_IF_ERROR(ParseGraph(f.bytes, ctx, g.get()));
            break;
          }
          case 23:
            WC_RETURN_IF_ERROR(ParseSparseTensor(f.bytes, ctx, &out->sparse_tensors.emplace_back()));
            break;
          case 15:
            WC_RETURN_IF_ERROR(ParseType(f.bytes, ctx, &out->type_protos.emplace_back()));
            break;
          default:
            break;
        }
    }
  }
  return r.status();
}

Status ParseNode(const Span& s, ParseContext* ctx, NodeProto* out) {
  Reader r(s, "NodeProto");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    switch (f.number) {
      case 1:
        WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "input"));
        out->input.push_back(f.str());
        break;
      case 2:
        WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "output"));
        out->output.push_back(f.str());
        break;
      case 3:
        WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "name"));
        out->name = f.str();
        break;
      case 4:
        WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "op_type"));
        out->op_type = f.str();
        break;
      case 7:
        WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "domain"));
        out->domain = f.str();
        break;
      case 6:
        out->doc_string = f.str();
        break;
      case 5: {
        const Status st = ParseAttribute(f.bytes, ctx, &out->attribute.emplace_back());
        if (!st.ok()) return st.Prefixed(StrCat("attribute #", out->attribute.size() - 1, ": "));
        break;
      }
      default:
        break;
    }
  }
  return r.status();
}

namespace {

Status ParseTensorAnnotation(const Span& s, ParseContext* ctx, TensorAnnotation* out) {
  Reader r(s, "TensorAnnotation");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kLen)) {
      out->tensor_name = f.str();
    } else if (f.Is(2, WireType::kLen)) {
      WC_RETURN_IF_ERROR(
          ParseStringStringEntry(f.bytes, ctx, &out->quant_parameter_tensor_names.emplace_back()));
    }
  }
  return r.status();
}

// Runs a parser for one element of a repeated field and prefixes its error with where the element sits,
// e.g. "node #12: AttributeProto: ...".
template <typename T, typename Fn>
Status ParseElement(Fn fn, const Span& s, ParseContext* ctx, std::vector<T>* v, std::string_view what) {
  Status st = fn(s, ctx, &v->emplace_back());
  if (st.ok()) return st;
  return st.Prefixed(StrCat(what, " #", v->size() - 1, ": "));
}

}  // namespace

Status ParseGraph(const Span& s, ParseContext* ctx, GraphProto* out) {
  DepthGuard guard(&ctx->graph_depth, ctx->limits.max_graph_depth, s, "GraphProto");
  WC_RETURN_IF_ERROR(guard.status());
  if (++ctx->graphs > ctx->limits.max_graphs)
    return BadModel("GraphProto: more than ", ctx->limits.max_graphs, " graphs at byte offset ", s.offset);
  Reader r(s, "GraphProto");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    switch (f.number) {
      case 1:
        WC_RETURN_IF_ERROR(CountNode(ctx, f));
        WC_RETURN_IF_ERROR(ParseElement(ParseNode, f.bytes, ctx, &out->node, "node"));
        break;
      case 2:
        out->name = f.str();
        break;
      case 5:
        WC_RETURN_IF_ERROR(ParseElement(ParseTensor, f.bytes, ctx, &out->initializer, "initializer"));
        break;
      case 15:
        WC_RETURN_IF_ERROR(
            ParseElement(ParseSparseTensor, f.bytes, ctx, &out->sparse_initializer, "sparse_initializer"));
        break;
      case 10:
        out->doc_string = f.str();
        break;
      case 11:
        WC_RETURN_IF_ERROR(ParseElement(ParseValueInfo, f.bytes, ctx, &out->input, "input"));
        break;
      case 12:
        WC_RETURN_IF_ERROR(ParseElement(ParseValueInfo, f.bytes, ctx, &out->output, "output"));
        break;
      case 13:
        WC_RETURN_IF_ERROR(ParseElement(ParseValueInfo, f.bytes, ctx, &out->value_info, "value_info"));
        break;
      case 14:
        WC_RETURN_IF_ERROR(ParseElement(ParseTensorAnnotation, f.bytes, ctx, &out->quantization_annotation,
                                        "quantization_annotation"));
        break;
      default:
        break;
    }
  }
  return r.status();
}

}  // namespace webconv::onnx::internal
