// Hand-built protobuf wire bytes for tests, so that malformed and unusual encodings can be written
// exactly (nothing here validates).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace webconv::onnx::testing {

class Proto {
 public:
  Proto& Varint(uint32_t field, uint64_t v) {
    Tag(field, 0);
    RawVarint(v);
    return *this;
  }
  Proto& Fixed32(uint32_t field, uint32_t v) {
    Tag(field, 5);
    Raw(&v, 4);
    return *this;
  }
  Proto& Float(uint32_t field, float f) {
    uint32_t v;
    std::memcpy(&v, &f, 4);
    return Fixed32(field, v);
  }
  Proto& Fixed64(uint32_t field, uint64_t v) {
    Tag(field, 1);
    Raw(&v, 8);
    return *this;
  }
  Proto& Bytes(uint32_t field, std::string_view s) {
    Tag(field, 2);
    RawVarint(s.size());
    Raw(s.data(), s.size());
    return *this;
  }
  Proto& Message(uint32_t field, const Proto& m) { return Bytes(field, m.str()); }
  // Packed repeated varints in one length-delimited field.
  Proto& PackedVarints(uint32_t field, const std::vector<int64_t>& vs) {
    Proto body;
    for (int64_t v : vs) body.RawVarint(static_cast<uint64_t>(v));
    return Bytes(field, body.str());
  }
  Proto& PackedFloats(uint32_t field, const std::vector<float>& vs) {
    return Bytes(field, std::string_view(reinterpret_cast<const char*>(vs.data()), vs.size() * 4));
  }
  Proto& Tag(uint32_t field, uint32_t wire) {
    RawVarint((static_cast<uint64_t>(field) << 3) | wire);
    return *this;
  }
  Proto& RawVarint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<char>(v));
    return *this;
  }
  Proto& Raw(const void* p, size_t n) {
    bytes_.append(static_cast<const char*>(p), n);
    return *this;
  }
  Proto& Raw(std::string_view s) { return Raw(s.data(), s.size()); }

  const std::string& str() const { return bytes_; }
  std::vector<uint8_t> vec() const { return std::vector<uint8_t>(bytes_.begin(), bytes_.end()); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes_.data()); }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

// ModelProto / GraphProto / NodeProto / TensorProto field numbers used by the tests.
namespace field {
constexpr uint32_t kModelIrVersion = 1, kModelOpset = 8, kModelGraph = 7, kModelProducer = 2;
constexpr uint32_t kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;
constexpr uint32_t kNodeInput = 1, kNodeOutput = 2, kNodeName = 3, kNodeOpType = 4, kNodeAttribute = 5;
constexpr uint32_t kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrG = 6, kAttrInts = 8, kAttrType = 20,
                   kAttrTp = 14;
constexpr uint32_t kTensorDims = 1, kTensorDataType = 2, kTensorFloatData = 4, kTensorInt32Data = 5,
                   kTensorInt64Data = 7, kTensorName = 8, kTensorRawData = 9, kTensorDoubleData = 10,
                   kTensorUint64Data = 11, kTensorExternalData = 13, kTensorDataLocation = 14;
}  // namespace field

// The ModelProto fields every model needs to load: an IR version and one opset_import entry. Tests that
// build a model field by field start from these; the fields that follow merge into the same model.
inline Proto ModelHeader(uint64_t ir_version = 8, uint64_t opset = 17) {
  Proto opset_id;
  opset_id.Varint(2, opset);  // OperatorSetIdProto.version, default domain
  Proto p;
  p.Varint(field::kModelIrVersion, ir_version).Message(field::kModelOpset, opset_id);
  return p;
}

}  // namespace webconv::onnx::testing
