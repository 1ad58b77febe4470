// Parsers for TensorProto, SparseTensorProto and StringStringEntryProto.
// Field numbers: onnx.proto (ONNX 1.12), message TensorProto and friends.
#include <limits>

#include "onnx/parse.h"

namespace webconv::onnx::internal {

using wire::Field;
using wire::Reader;
using wire::Span;
using wire::WireType;

DepthGuard::DepthGuard(int* counter, int limit, const Span& span, std::string_view what) : counter_(counter) {
  if (++*counter_ > limit) {
    status_ = BadModel(what, " nested deeper than ", limit, " levels at byte offset ", span.offset);
  }
}

Status CheckName(const Reader& r, const Field& f, const ParseContext& ctx, std::string_view what) {
  if (f.bytes.size <= ctx.limits.max_name_bytes) return OkStatus();
  return r.FieldError(f, what,
                      StrCat("a name of ", f.bytes.size, " bytes is longer than the limit of ",
                             ctx.limits.max_name_bytes));
}

Status ParseStringStringEntry(const Span& s, ParseContext*, StringStringEntry* out) {
  Reader r(s, "StringStringEntryProto");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kLen))
      out->key = f.str();
    else if (f.Is(2, WireType::kLen))
      out->value = f.str();
  }
  return r.status();
}

namespace {

Status ParseSegment(const Span& s, TensorProto* out) {
  Reader r(s, "TensorProto.Segment");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kVarint))
      out->segment_begin = static_cast<int64_t>(f.value);
    else if (f.Is(2, WireType::kVarint))
      out->segment_end = static_cast<int64_t>(f.value);
  }
  return r.status();
}

// Appends to a repeated dims field after checking the rank it reaches against LoaderLimits::max_rank.
Status AppendDims(const Reader& r, const Field& f, const ParseContext& ctx, std::vector<int64_t>* dims) {
  const size_t total = dims->size() + wire::CountValues(f, 0);
  if (total > static_cast<uint64_t>(ctx.limits.max_rank)) {
    return r.FieldError(f, "dims", StrCat(total, " dims, more than the limit of ", ctx.limits.max_rank));
  }
  return wire::AppendVarints(r, f, "dims", dims);
}

}  // namespace

Status ParseTensor(const Span& s, ParseContext* ctx, TensorProto* out) {
  const wire::FieldCounts n = wire::CountFields(s, 8);
  const Site site{"TensorProto", n.name, s.offset};
  WC_RETURN_IF_ERROR(
      Expect(ctx, site, "external_data entries", n[13], ctx->limits.max_list_entries, &out->external_data));
  // string_data is the tensor's own data: reserved and charged, with no count limit of its own.
  WC_RETURN_IF_ERROR(
      Expect(ctx, site, "string_data entries", n[6], std::numeric_limits<int64_t>::max(), &out->string_data));
  Reader r(s, "TensorProto");
  Field f;
  while (r.Next(&f)) {
    switch (f.number) {
      case 1:
        WC_RETURN_IF_ERROR(AppendDims(r, f, *ctx, &out->dims));
        break;
      case 2:
        if (f.wire == WireType::kVarint) out->data_type = static_cast<int32_t>(f.value);
        break;
      case 3:
        if (f.wire == WireType::kLen) {
          if (!out->has_segment) out->segment_begin = out->segment_end = 0;
          out->has_segment = true;
          WC_RETURN_IF_ERROR(ParseSegment(f.bytes, out));
        }
        break;
      case 4:
        WC_RETURN_IF_ERROR(wire::AppendFloats(r, f, "float_data", &out->float_data));
        break;
      case 5:
        WC_RETURN_IF_ERROR(wire::AppendVarints(r, f, "int32_data", &out->int32_data));
        break;
      case 6:
        if (f.wire == WireType::kLen) out->string_data.push_back(f.str());
        break;
      case 7:
        WC_RETURN_IF_ERROR(wire::AppendVarints(r, f, "int64_data", &out->int64_data));
        break;
      case 8:
        if (f.wire == WireType::kLen) {
          WC_RETURN_IF_ERROR(CheckName(r, f, *ctx, "name"));
          out->name = f.str();
        }
        break;
      case 9:
        if (f.wire == WireType::kLen) {
          out->has_raw_data = true;
          out->raw_data = Bytes{f.bytes.data, f.bytes.size};
        }
        break;
      case 10:
        WC_RETURN_IF_ERROR(wire::AppendDoubles(r, f, "double_data", &out->double_data));
        break;
      case 11:
        WC_RETURN_IF_ERROR(wire::AppendVarints(r, f, "uint64_data", &out->uint64_data));
        break;
      case 12:
        if (f.wire == WireType::kLen) out->doc_string = f.str();
        break;
      case 13:
        if (f.wire == WireType::kLen) {
          WC_RETURN_IF_ERROR(ParseStringStringEntry(f.bytes, ctx, &out->external_data.emplace_back()));
        }
        break;
      case 14:
        // DataLocation is an enum: values it does not define are unknown fields to protobuf.
        if (f.wire == WireType::kVarint) {
          const auto v = static_cast<int32_t>(f.value);
          if (v == 0 || v == 1) out->data_location = v;
        }
        break;
      default:
        break;
    }
  }
  return r.status();
}

Status ParseSparseTensor(const Span& s, ParseContext* ctx, SparseTensorProto* out) {
  Reader r(s, "SparseTensorProto");
  Field f;
  while (r.Next(&f)) {
    if (f.Is(1, WireType::kLen))
      WC_RETURN_IF_ERROR(ParseTensor(f.bytes, ctx, &out->values));
    else if (f.Is(2, WireType::kLen))
      WC_RETURN_IF_ERROR(ParseTensor(f.bytes, ctx, &out->indices));
    else if (f.number == 3)
      WC_RETURN_IF_ERROR(AppendDims(r, f, *ctx, &out->dims));
  }
  return r.status();
}

}  // namespace webconv::onnx::internal
