#include "onnx/wire.h"

#include <bit>
#include <cstring>

namespace webconv::onnx::wire {

static_assert(std::endian::native == std::endian::little, "fixed32/fixed64 payloads are read with memcpy");

int DecodeVarint(const uint8_t* p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p + i >= end) return 0;
    const uint8_t b = p[i];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);  // for i == 9 the shift drops all but one bit
    if (b < 0x80) {
      *out = v;
      return i + 1;
    }
  }
  return -1;
}

bool Reader::Fail(size_t at, std::string_view what) {
  status_ = BadModel(message_, ": ", what, " at byte offset ", span_.offset + at);
  return false;
}

Status Reader::FieldError(const Field& f, std::string_view field_name, std::string_view what) const {
  return BadModel(message_, ".", field_name, " (field ", f.number, ") at byte offset ", f.offset, ": ", what);
}

bool Reader::Next(Field* f) {
  if (!status_.ok() || pos_ >= span_.size) return false;
  const uint8_t* const begin = span_.data;
  const uint8_t* const end = begin + span_.size;
  const size_t tag_pos = pos_;
  uint64_t tag = 0;
  const int n = DecodeVarint(begin + pos_, end, &tag);
  if (n == 0) return Fail(tag_pos, "truncated field tag");
  // Like protobuf, a tag takes at most 5 bytes and bits past the 32nd are dropped.
  if (n < 0 || n > 5) return Fail(tag_pos, "field tag longer than 5 bytes");
  tag &= 0xffffffffu;
  pos_ += static_cast<size_t>(n);
  f->number = static_cast<uint32_t>(tag >> 3);
  f->wire = static_cast<WireType>(tag & 7);
  f->offset = span_.offset + tag_pos;
  if (f->number == 0) return Fail(tag_pos, "field number 0");
  const size_t left = span_.size - pos_;
  switch (f->wire) {
    case WireType::kVarint: {
      const int m = DecodeVarint(begin + pos_, end, &f->value);
      if (m == 0) return Fail(pos_, "truncated varint");
      if (m < 0) return Fail(pos_, "varint longer than 10 bytes");
      pos_ += static_cast<size_t>(m);
      return true;
    }
    case WireType::kFixed64: {
      if (left < 8) return Fail(pos_, "truncated fixed64");
      std::memcpy(&f->value, begin + pos_, 8);
      pos_ += 8;
      return true;
    }
    case WireType::kFixed32: {
      if (left < 4) return Fail(pos_, "truncated fixed32");
      uint32_t v;
      std::memcpy(&v, begin + pos_, 4);
      f->value = v;
      pos_ += 4;
      return true;
    }
    case WireType::kLen: {
      uint64_t len = 0;
      const int m = DecodeVarint(begin + pos_, end, &len);
      if (m == 0) return Fail(pos_, "truncated length");
      if (m < 0) return Fail(pos_, "length varint longer than 10 bytes");
      const size_t len_pos = pos_;
      pos_ += static_cast<size_t>(m);
      // Checked before anything uses the length: it must fit in what is left of this message.
      if (len > span_.size - pos_) {
        return Fail(len_pos,
                    StrCat("length ", len, " of field ", f->number, " runs past the end of the message (",
                           span_.size - pos_, " bytes left)"));
      }
      f->bytes = Span{begin + pos_, static_cast<size_t>(len), span_.offset + pos_};
      pos_ += static_cast<size_t>(len);
      return true;
    }
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      return Fail(tag_pos, StrCat("field ", f->number, " uses the unsupported group wire type"));
    default:
      return Fail(tag_pos, StrCat("field ", f->number, " has invalid wire type ", static_cast<int>(f->wire)));
  }
}

namespace {

// Counts the varints in a packed payload: one per byte without the continuation bit. A well-formed
// payload ends with such a byte; a malformed one is caught while decoding.
size_t CountVarints(const Span& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size; ++i) n += s.data[i] < 0x80;
  return n;
}

}  // namespace

FieldCounts CountFields(const Span& message, uint32_t name_field) {
  FieldCounts out;
  Reader r(message, "");
  Field f;
  while (r.Next(&f)) {
    if (f.wire != WireType::kLen) continue;
    if (f.number <= FieldCounts::kMaxNumber) ++out.count[f.number];
    if (f.number == name_field) out.name = f.str();
  }
  return out;
}

size_t CountValues(const Field& f, size_t fixed_size) {
  if (f.wire != WireType::kLen) return 1;
  return fixed_size ? f.bytes.size / fixed_size : CountVarints(f.bytes);
}

namespace {

template <typename T>
Status AppendVarintsImpl(const Reader& r, const Field& f, std::string_view name, std::vector<T>* out) {
  if (f.wire == WireType::kVarint) {
    out->push_back(static_cast<T>(f.value));  // int32 fields keep the low 32 bits, as protobuf does
    return OkStatus();
  }
  if (f.wire != WireType::kLen) return OkStatus();  // unknown wire type for this field: skipped
  out->reserve(out->size() + CountVarints(f.bytes));
  const uint8_t* p = f.bytes.data;
  const uint8_t* const end = p + f.bytes.size;
  while (p < end) {
    uint64_t v;
    const int n = DecodeVarint(p, end, &v);
    if (n <= 0) {
      return r.FieldError(
          f, name,
          StrCat(n == 0 ? "truncated" : "over-long", " varint in packed field at byte offset ",
                 f.bytes.offset + static_cast<size_t>(p - f.bytes.data)));
    }
    out->push_back(static_cast<T>(v));
    p += n;
  }
  return OkStatus();
}

template <typename T, typename Bits>
Status AppendFixedImpl(const Reader& r, const Field& f, std::string_view name, WireType single,
                       std::vector<T>* out) {
  static_assert(sizeof(T) == sizeof(Bits));
  if (f.wire == single) {
    const Bits bits = static_cast<Bits>(f.value);
    T v;
    std::memcpy(&v, &bits, sizeof(T));
    out->push_back(v);
    return OkStatus();
  }
  if (f.wire != WireType::kLen) return OkStatus();
  if (f.bytes.size % sizeof(T) != 0) {
    return r.FieldError(f, name, StrCat("packed length ", f.bytes.size, " is not a multiple of ", sizeof(T)));
  }
  const size_t n = f.bytes.size / sizeof(T);
  const size_t old = out->size();
  out->resize(old + n);
  if (n) std::memcpy(out->data() + old, f.bytes.data, f.bytes.size);
  return OkStatus();
}

}  // namespace

Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<int64_t>* out) {
  return AppendVarintsImpl(r, f, name, out);
}
Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<int32_t>* out) {
  return AppendVarintsImpl(r, f, name, out);
}
Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<uint64_t>* out) {
  return AppendVarintsImpl(r, f, name, out);
}
Status AppendFloats(const Reader& r, const Field& f, std::string_view name, std::vector<float>* out) {
  return AppendFixedImpl<float, uint32_t>(r, f, name, WireType::kFixed32, out);
}
Status AppendDoubles(const Reader& r, const Field& f, std::string_view name, std::vector<double>* out) {
  return AppendFixedImpl<double, uint64_t>(r, f, name, WireType::kFixed64, out);
}

}  // namespace webconv::onnx::wire
