// Parsers for GraphProto, NodeProto, AttributeProto, ValueInfoProto, TypeProto and TensorAnnotation.
// Field numbers: onnx.proto (ONNX 1.12).
#include <algorithm>
#include <cstring>
#include <memory>

#include "onnx/parse.h"

namespace webconv::onnx::internal {

using wire::Field;
using wire::Reader;
using wire::Span;
using wire::WireType;

namespace {

// An attribute list that field `f` would grow to `size` values, past LoaderLimits::max_attribute_values.
Status CheckListLength(const Reader& r, const Field& f, const ParseContext& ctx, std::string_view what,
                       size_t size) {
  if (static_cast<int64_t>(size) <= ctx.limits.max_attribute_values) return OkStatus();
  return r.FieldError(f, what, StrCat("more than ", ctx.limits.max_attribute_values, " values"));
}

// A singular sub-message field held by pointer: created (and charged to the memory budget) on first
// sight, merged into afterwards.
template <typename T>
Status Singular(ParseContext* ctx, const Site& site, std::string_view what, std::shared_ptr<T>* p) {
  if (*p) return OkStatus();
  WC_RETURN_IF_ERROR(Charge(ctx, site, what, 1, sizeof(T) + kSharedBlockBytes));
  *p = std::make_shared<T>();
  return OkStatus();
}

Status ParseShape(const Span& s, ParseContext* ctx, std::vector<Dimension>* dims) {
  const Site site{"TensorShapeProto", "", s.offset};
  WC_RETURN_IF_ERROR(Expect(ctx, site, "dims", wire::CountFields(s, 0)[1], ctx->limits.max_rank, dims));
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
Status ParseTensorType(const Span& s, ParseContext* ctx, std::string_view message, TypeProto* out) {
  Reader r(s, message);
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kVarint)) {
      out->elem_type = static_cast<int32_t>(f.value);
    } else if (f.Is(2, WireType::kLen)) {
      out->has_shape = true;
      WC_RETURN_IF_ERROR(ParseShape(f.bytes, ctx, &out->dims));
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
  const Site site{"TypeProto", "", s.offset};
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
        WC_RETURN_IF_ERROR(ParseTensorType(f.bytes, ctx, "TypeProto.Tensor", out));
        break;
      case 8:
        SwitchKind(out, TypeProto::kSparseTensor);
        WC_RETURN_IF_ERROR(ParseTensorType(f.bytes, ctx, "TypeProto.SparseTensor", out));
        break;
      case 4:
      case 9: {  // Sequence and Optional: elem_type = 1
        SwitchKind(out, f.number == 4 ? TypeProto::kSequence : TypeProto::kOptional);
        Reader sr(f.bytes, f.number == 4 ? "TypeProto.Sequence" : "TypeProto.Optional");
        Field g;
        while (sr.Next(&g)) {
          if (!g.Is(1, WireType::kLen)) continue;
          WC_RETURN_IF_ERROR(Singular(ctx, site, "element types", &out->inner));
          WC_RETURN_IF_ERROR(ParseType(g.bytes, ctx, out->inner.get()));
        }
        WC_RETURN_IF_ERROR(sr.status());
        break;
      }
      case 5: {  // Map: key_type = 1, value_type = 2
        SwitchKind(out, TypeProto::kMap);
        Reader mr(f.bytes, "TypeProto.Map");
        Field g;
        while (mr.Next(&g)) {
          if (g.Is(1, WireType::kVarint)) {
            out->map_key_type = static_cast<int32_t>(g.value);
          } else if (g.Is(2, WireType::kLen)) {
            WC_RETURN_IF_ERROR(Singular(ctx, site, "value types", &out->inner));
            WC_RETURN_IF_ERROR(ParseType(g.bytes, ctx, out->inner.get()));
          }
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
  const wire::FieldCounts n = wire::CountFields(s, 1);
  const Site site{"AttributeProto", n.name, s.offset};
  const int64_t limit = ctx->limits.max_attribute_values;
  WC_RETURN_IF_ERROR(Expect(ctx, site, "strings", n[9], limit, &out->strings));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "tensors", n[10], limit, &out->tensors));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "graphs", n[11], limit, &out->graphs,
                            sizeof(std::shared_ptr<GraphProto>) + sizeof(GraphProto) + kSharedBlockBytes));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "sparse tensors", n[23], limit, &out->sparse_tensors));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "type protos", n[15], limit, &out->type_protos));
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
        WC_RETURN_IF_ERROR(
            CheckListLength(r, f, *ctx, "floats", out->floats.size() + wire::CountValues(f, sizeof(float))));
        WC_RETURN_IF_ERROR(wire::AppendFloats(r, f, "floats", &out->floats));
        break;
      case 8:
        WC_RETURN_IF_ERROR(CheckListLength(r, f, *ctx, "ints", out->ints.size() + wire::CountValues(f, 0)));
        WC_RETURN_IF_ERROR(wire::AppendVarints(r, f, "ints", &out->ints));
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
            break;
          case 5:
            WC_RETURN_IF_ERROR(Singular(ctx, site, "tensors", &out->t));
            WC_RETURN_IF_ERROR(ParseTensor(f.bytes, ctx, out->t.get()));
            break;
          case 6:
            WC_RETURN_IF_ERROR(Singular(ctx, site, "graphs", &out->g));
            WC_RETURN_IF_ERROR(ParseGraph(f.bytes, ctx, out->g.get()));
            break;
          case 22:
            WC_RETURN_IF_ERROR(Singular(ctx, site, "sparse tensors", &out->sparse_tensor));
            WC_RETURN_IF_ERROR(ParseSparseTensor(f.bytes, ctx, out->sparse_tensor.get()));
            break;
          case 14:
            WC_RETURN_IF_ERROR(Singular(ctx, site, "type protos", &out->tp));
            WC_RETURN_IF_ERROR(ParseType(f.bytes, ctx, out->tp.get()));
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

namespace {

// "Conv 'conv1'" for errors, or the op alone for a node without a name.
std::string NodeLabel(const NodeProto& n) {
  const std::string_view op = n.op_type.empty() ? std::string_view("NodeProto") : n.op_type;
  return n.name.empty() ? std::string(op) : StrCat(op, " '", n.name, "'");
}

// Every attribute of a node needs a name, and a name may be given once: the ONNX checker, which ONNX
// Runtime runs on each node, refuses the model otherwise, and a reader of attributes by name would
// silently see only one of two values.
Status CheckAttributeNames(const NodeProto& n) {
  for (size_t i = 0; i < n.attribute.size(); ++i) {
    if (n.attribute[i].name.empty()) return BadModel(NodeLabel(n), ": attribute #", i, " has no name");
  }
  if (n.attribute.size() < 2) return OkStatus();
  std::vector<std::string_view> names;
  names.reserve(n.attribute.size());
  for (const AttributeProto& a : n.attribute) names.push_back(a.name);
  std::sort(names.begin(), names.end());
  const auto twice = std::adjacent_find(names.begin(), names.end());
  if (twice == names.end()) return OkStatus();
  return BadModel(NodeLabel(n), ": attribute '", *twice, "' is given more than once");
}

}  // namespace

Status ParseNode(const Span& s, ParseContext* ctx, NodeProto* out) {
  const wire::FieldCounts n = wire::CountFields(s, 3);
  const Site site{"NodeProto", n.name, s.offset};
  const int64_t limit = ctx->limits.max_list_entries;
  WC_RETURN_IF_ERROR(Expect(ctx, site, "inputs", n[1], limit, &out->input));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "outputs", n[2], limit, &out->output));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "attributes", n[5], ctx->limits.max_attributes, &out->attribute));
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
  WC_RETURN_IF_ERROR(r.status());
  return CheckAttributeNames(*out);
}

namespace {

Status ParseTensorAnnotation(const Span& s, ParseContext* ctx, TensorAnnotation* out) {
  const wire::FieldCounts n = wire::CountFields(s, 1);
  WC_RETURN_IF_ERROR(Expect(ctx, Site{"TensorAnnotation", n.name, s.offset},
                            "quant_parameter_tensor_names entries", n[2], ctx->limits.max_list_entries,
                            &out->quant_parameter_tensor_names));
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

// Checks and reserves a graph's repeated fields before any entry is built (see Expect).
Status ExpectGraphEntries(const Span& s, ParseContext* ctx, GraphProto* out) {
  const wire::FieldCounts n = wire::CountFields(s, 2);
  const Site site{"GraphProto", n.name, s.offset};
  const LoaderLimits& lim = ctx->limits;
  WC_RETURN_IF_ERROR(CountNodes(ctx, site, n[1]));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "nodes", n[1], lim.max_nodes, &out->node));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "initializers", n[5], lim.max_initializers, &out->initializer));
  WC_RETURN_IF_ERROR(
      Expect(ctx, site, "sparse initializers", n[15], lim.max_initializers, &out->sparse_initializer));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "inputs", n[11], lim.max_graph_values, &out->input));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "outputs", n[12], lim.max_graph_values, &out->output));
  WC_RETURN_IF_ERROR(Expect(ctx, site, "value_info entries", n[13], lim.max_graph_values, &out->value_info));
  return Expect(ctx, site, "quantization annotations", n[14], lim.max_graph_values,
                &out->quantization_annotation);
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
  WC_RETURN_IF_ERROR(ExpectGraphEntries(s, ctx, out));
  Reader r(s, "GraphProto");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    switch (f.number) {
      case 1:
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
