#include "model_builder.h"

#include <cstring>

namespace webconv::testing {

void ProtoWriter::RawVarint(uint64_t v) {
  while (v >= 0x80) {
    data_ += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  data_ += static_cast<char>(v);
}

void ProtoWriter::Tag(int field, int wire) { RawVarint((static_cast<uint64_t>(field) << 3) | wire); }

void ProtoWriter::Varint(int field, uint64_t v) {
  Tag(field, 0);
  RawVarint(v);
}

void ProtoWriter::Float(int field, float v) {
  Tag(field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  data_.append(b, 4);
}

void ProtoWriter::Bytes(int field, const std::string& bytes) {
  Tag(field, 2);
  RawVarint(bytes.size());
  data_ += bytes;
}

void ProtoWriter::PackedInts(int field, const std::vector<int64_t>& v) {
  ProtoWriter p;
  for (int64_t x : v) p.RawVarint(static_cast<uint64_t>(x));
  Bytes(field, p.data_);
}

void ProtoWriter::PackedFloats(int field, const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  Bytes(field, s);
}

namespace {

// ValueInfoProto{name=1, type=2{tensor_type=1{elem_type=1, shape=2{dim=1{dim_value=1 | dim_param=2}}}}}
ProtoWriter ValueInfo(const std::string& name, DType t, const Shape* dims) {
  ProtoWriter tensor_type;
  tensor_type.Varint(1, static_cast<uint64_t>(t));
  if (dims) {
    ProtoWriter shape;
    int k = 0;
    for (int64_t d : *dims) {
      ProtoWriter dim;
      if (d >= 0) dim.Varint(1, static_cast<uint64_t>(d));
      else dim.Bytes(2, "d" + std::to_string(k));
      shape.Message(1, dim);
      ++k;
    }
    tensor_type.Message(2, shape);
  }
  ProtoWriter type;
  type.Message(1, tensor_type);
  ProtoWriter vi;
  vi.Bytes(1, name);
  vi.Message(2, type);
  return vi;
}

}  // namespace

void ModelBuilder::Input(const std::string& name, DType t, const Shape& dims) {
  graph_.Message(11, ValueInfo(name, t, &dims));
}

void ModelBuilder::Output(const std::string& name, DType t) { graph_.Message(12, ValueInfo(name, t, nullptr)); }

void ModelBuilder::Initializer(const std::string& name, const HostTensor& t) {
  // TensorProto{dims=1, data_type=2, name=8, raw_data=9}
  ProtoWriter tp;
  for (int64_t d : t.shape()) tp.Varint(1, static_cast<uint64_t>(d));
  tp.Varint(2, static_cast<uint64_t>(t.dtype()));
  tp.Bytes(8, name);
  tp.Bytes(9, std::string(reinterpret_cast<const char*>(t.data()), t.byte_size()));
  graph_.Message(5, tp);
}

void ModelBuilder::Node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::vector<Attr>& attrs,
                        const std::string& name) {
  // NodeProto{input=1, output=2, name=3, op_type=4, attribute=5}
  ProtoWriter n;
  for (const auto& i : inputs) n.Bytes(1, i);
  for (const auto& o : outputs) n.Bytes(2, o);
  n.Bytes(3, name.empty() ? op + "_" + std::to_string(node_count_) : name);
  ++node_count_;
  n.Bytes(4, op);
  for (const Attr& a : attrs) {
    // AttributeProto{name=1, f=2, i=3, s=4, floats=7, ints=8, type=20}
    ProtoWriter p;
    p.Bytes(1, a.name);
    switch (a.kind) {
      case Attr::kInt: p.Varint(3, static_cast<uint64_t>(a.i)); p.Varint(20, 2); break;
      case Attr::kInts: p.PackedInts(8, a.ints); p.Varint(20, 7); break;
      case Attr::kFloat: p.Float(2, a.f); p.Varint(20, 1); break;
      case Attr::kFloats: p.PackedFloats(7, a.floats); p.Varint(20, 6); break;
      case Attr::kString: p.Bytes(4, a.s); p.Varint(20, 3); break;
      case Attr::kStrings:
        for (const std::string& v : a.strings) p.Bytes(9, v);
        p.Varint(20, 8);
        break;
    }
    n.Message(5, p);
  }
  graph_.Message(1, n);
}

std::vector<uint8_t> ModelBuilder::Serialize() const {
  // ModelProto{ir_version=1, graph=7, opset_import=8{domain=1, version=2}}
  ProtoWriter m;
  m.Varint(1, 8);
  ProtoWriter graph = graph_;
  graph.Bytes(2, "test");
  m.Message(7, graph);
  ProtoWriter opset;
  opset.Bytes(1, "");
  opset.Varint(2, static_cast<uint64_t>(opset_));
  m.Message(8, opset);
  return {m.data().begin(), m.data().end()};
}

}  // namespace webconv::testing
