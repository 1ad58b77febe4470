// Builds small ONNX models in memory for tests: a minimal protobuf writer for ModelProto with nodes,
// attributes, initializers and typed graph inputs/outputs. The bytes go through the real loader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/host_tensor.h"

namespace webconv::testing {

class ProtoWriter {
 public:
  void Varint(int field, uint64_t v);
  void Float(int field, float v);
  void Bytes(int field, const std::string& bytes);
  void Message(int field, const ProtoWriter& m) { Bytes(field, m.data_); }
  void PackedInts(int field, const std::vector<int64_t>& v);
  void PackedFloats(int field, const std::vector<float>& v);
  const std::string& data() const { return data_; }

 private:
  void Tag(int field, int wire);
  void RawVarint(uint64_t v);
  std::string data_;
};

struct Attr {
  std::string name;
  enum Kind { kInt, kInts, kFloat, kFloats, kString, kStrings } kind = kInt;
  int64_t i = 0;
  std::vector<int64_t> ints;
  float f = 0;
  std::vector<float> floats;
  std::string s;
  std::vector<std::string> strings;
};
inline Attr IntAttr(std::string n, int64_t v) { Attr a; a.name = std::move(n); a.kind = Attr::kInt; a.i = v; return a; }
inline Attr IntsAttr(std::string n, std::vector<int64_t> v) {
  Attr a; a.name = std::move(n); a.kind = Attr::kInts; a.ints = std::move(v); return a;
}
inline Attr FloatAttr(std::string n, float v) { Attr a; a.name = std::move(n); a.kind = Attr::kFloat; a.f = v; return a; }
inline Attr FloatsAttr(std::string n, std::vector<float> v) {
  Attr a; a.name = std::move(n); a.kind = Attr::kFloats; a.floats = std::move(v); return a;
}
inline Attr StringAttr(std::string n, std::string v) {
  Attr a; a.name = std::move(n); a.kind = Attr::kString; a.s = std::move(v); return a;
}
inline Attr StringsAttr(std::string n, std::vector<std::string> v) {
  Attr a; a.name = std::move(n); a.kind = Attr::kStrings; a.strings = std::move(v); return a;
}

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 17) : opset_(opset) {}
  // dims: -1 writes a symbolic dim.
  void Input(const std::string& name, DType t, const Shape& dims);
  void Output(const std::string& name, DType t);
  void Initializer(const std::string& name, const HostTensor& t);
  void Node(const std::string& op, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
            const std::vector<Attr>& attrs = {}, const std::string& name = "");
  std::vector<uint8_t> Serialize() const;

 private:
  int64_t opset_;
  ProtoWriter graph_;
  int node_count_ = 0;
};

}  // namespace webconv::testing
