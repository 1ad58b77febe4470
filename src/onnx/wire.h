// A zero-copy reader of the protobuf wire format.
//
// Every read is bounds-checked against the bytes of the enclosing message, so a hostile file can at worst
// produce an error: lengths are compared with the bytes that remain before anything is sliced or
// allocated, and nothing here allocates in proportion to a length read from the file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace webconv::onnx::wire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,  // deprecated groups: rejected, ONNX never uses them
  kEndGroup = 4,
  kFixed32 = 5,
};

// A run of bytes plus its absolute offset in the buffer being parsed, so that errors can point into the file.
struct Span {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;
};

// One field as read from the wire: its tag and its payload.
struct Field {
  uint32_t number = 0;
  WireType wire = WireType::kVarint;
  uint64_t value = 0;  // kVarint, kFixed32 and kFixed64 payloads
  Span bytes;          // kLen payload
  size_t offset = 0;   // absolute offset of the tag

  bool Is(uint32_t n, WireType w) const { return number == n && wire == w; }
  std::string_view str() const { return {reinterpret_cast<const char*>(bytes.data), bytes.size}; }
};

// Decodes one base-128 varint at p. Returns the number of bytes consumed, 0 when the input ends inside
// the varint, or -1 when it runs past 10 bytes. Like protobuf, bits beyond the 64th are dropped.
int DecodeVarint(const uint8_t* p, const uint8_t* end, uint64_t* out);

// Iterates over the fields of one message.
class Reader {
 public:
  // `message` names the message type for errors ("NodeProto").
  Reader(Span span, std::string_view message) : span_(span), pos_(0), message_(message) {}

  // Reads the next field, payload included. Returns false at the end of the message or on a malformed
  // field; status() tells the two apart. Groups, wire types 6 and 7 and field number 0 are errors.
  bool Next(Field* f);
  const Status& status() const { return status_; }
  std::string_view message() const { return message_; }

  // An error about field `f` of this message, e.g. "TensorProto.float_data (field 4) at byte offset 12: ...".
  Status FieldError(const Field& f, std::string_view field_name, std::string_view what) const;

 private:
  bool Fail(size_t at, std::string_view what);

  Span span_;
  size_t pos_;
  std::string_view message_;
  Status status_;
};

// How many times each field number occurs in one message as a length-delimited field (how repeated
// messages, strings and packed values arrive), found from the tags and lengths alone: payloads are skipped
// and nothing is allocated. Parsers use it to check a repeated field against its limit, and to reserve
// it, before building any element. The walk stops quietly at a malformed field: the parse that follows
// meets the same field and reports it, so it never builds more elements than were counted.
struct FieldCounts {
  // onnx.proto numbers every field it parses below 32 (the highest is ModelProto.functions, 25).
  static constexpr uint32_t kMaxNumber = 31;
  std::array<size_t, kMaxNumber + 1> count{};  // higher numbers are not counted
  std::string_view name;  // payload of the last field numbered `name_field`, as protobuf keeps the last

  size_t operator[](uint32_t number) const { return number <= kMaxNumber ? count[number] : 0; }
};
FieldCounts CountFields(const Span& message, uint32_t name_field);

// How many values field `f` adds to a repeated scalar field: 1 when it holds a single value, or as many
// as its packed payload encodes, `fixed_size` bytes each (0: varints). For checking a limit before the
// values are appended.
size_t CountValues(const Field& f, size_t fixed_size);

// Repeated scalar fields arrive either packed (one kLen field holding many values) or one value per field;
// protobuf parsers must accept both, so these take either. A field with any other wire type is skipped
// as an unknown field, as protobuf does. Vectors are reserved only to what the byte length can hold.
Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<int64_t>* out);
Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<int32_t>* out);
Status AppendVarints(const Reader& r, const Field& f, std::string_view name, std::vector<uint64_t>* out);
Status AppendFloats(const Reader& r, const Field& f, std::string_view name, std::vector<float>* out);
Status AppendDoubles(const Reader& r, const Field& f, std::string_view name, std::vector<double>* out);

}  // namespace webconv::onnx::wire
