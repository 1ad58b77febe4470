// DumpModel: a canonical text form of a ModelProto. tools/onnx_dump.py writes the same text from the
// official parser's objects, and the loader's differential test requires the two to be byte-identical,
// so every formatting rule here has a twin there. The rules:
// - one item per line, two spaces of indent per nesting level; a sub-message is "label {" ... "}";
// - strings are quoted, bytes outside printable ASCII (and '"', '\') written as \xHH; a singular string
//   is printed only when non-empty, every element of a repeated string always;
// - integers in decimal, always printed; floats with "%.9g" (exact for float32), NaN as "nan"/"-nan";
// - a singular sub-message is printed only when present (has_* / non-null), except SparseTensorProto's
//   values and indices which are always printed (absent reads as an empty tensor on both sides);
// - tensor payloads are summarised by byte count and CRC-32 of their little-endian element bytes, per
//   stored field, plus "value:" (the bytes TensorToHost yields, or "invalid") for supported dtypes;
// - float_data (and a value decoded from it) is hashed with signalling NaNs made quiet (bit 22 set): Python
//   reads float_data as doubles, and that float -> double -> float round trip quiets them.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "onnx/checksum.h"
#include "onnx/loader.h"

namespace webconv::onnx {

namespace {

class Dumper {
 public:
  std::string Take() { return std::move(out_); }

  void Model(const ModelProto& m) {
    Int("ir_version", m.ir_version);
    for (const OperatorSetId& o : m.opset_import) Opset(o);
    Str("producer_name", m.producer_name);
    Str("producer_version", m.producer_version);
    Str("domain", m.domain);
    Int("model_version", m.model_version);
    Str("doc_string", m.doc_string);
    for (const StringStringEntry& e : m.metadata_props) Entry("metadata_props", e);
    if (m.has_graph) {
      Open("graph");
      Graph(m.graph);
      Close();
    }
    for (const FunctionProto& f : m.functions) {
      Open("function");
      Function(f);
      Close();
    }
  }

 private:
  void Indent() { out_.append(2 * depth_, ' '); }
  void Open(std::string_view label) {
    Indent();
    out_.append(label).append(" {\n");
    ++depth_;
  }
  void Close() {
    --depth_;
    Indent();
    out_.append("}\n");
  }
  void Line(std::string_view key, std::string_view value) {
    Indent();
    out_.append(key).append(": ").append(value).append("\n");
  }
  void Int(std::string_view key, int64_t v) { Line(key, std::to_string(v)); }
  // Singular string: only when non-empty.
  void Str(std::string_view key, std::string_view v) {
    if (!v.empty()) Line(key, Quote(v));
  }
  // Element of a repeated string: always.
  void StrItem(std::string_view key, std::string_view v) { Line(key, Quote(v)); }
  void Entry(std::string_view key, const StringStringEntry& e) {
    Line(key, Quote(e.key) + " = " + Quote(e.value));
  }
  void Opset(const OperatorSetId& o) {
    Line("opset_import", "domain=" + Quote(o.domain) + " version=" + std::to_string(o.version));
  }

  static std::string Quote(std::string_view s) {
    std::string q = "\"";
    for (unsigned char c : s) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        q += static_cast<char>(c);
      } else {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", c);
        q += buf;
      }
    }
    return q + "\"";
  }
  static std::string Float(float f) {
    if (std::isnan(f)) return std::signbit(f) ? "-nan" : "nan";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(f));
    return buf;
  }
  static std::string Summary(const void* data, size_t bytes, size_t n, bool with_count) {
    char buf[64];
    if (with_count)
      std::snprintf(buf, sizeof(buf), "n=%zu crc32=%08" PRIx32, n, Crc32(data, bytes));
    else
      std::snprintf(buf, sizeof(buf), "bytes=%zu crc32=%08" PRIx32, bytes, Crc32(data, bytes));
    return buf;
  }
  // See the header comment: what a float -> double -> float round trip does to each element.
  static std::vector<uint32_t> QuietNaNs(const uint8_t* data, size_t bytes) {
    std::vector<uint32_t> bits(bytes / 4);
    if (!bits.empty()) std::memcpy(bits.data(), data, bits.size() * 4);
    for (uint32_t& b : bits) {
      if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0) b |= 0x00400000u;
    }
    return bits;
  }
  void Typed(std::string_view key, const std::vector<float>& v) {
    if (v.empty()) return;
    const std::vector<uint32_t> bits = QuietNaNs(reinterpret_cast<const uint8_t*>(v.data()), v.size() * 4);
    Line(key, Summary(bits.data(), bits.size() * 4, v.size(), true));
  }
  template <typename T>
  void Typed(std::string_view key, const std::vector<T>& v) {
    if (!v.empty()) Line(key, Summary(v.data(), v.size() * sizeof(T), v.size(), true));
  }
  template <typename T>
  static std::string List(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) s += ", ";
      if constexpr (std::is_same_v<T, float>)
        s += Float(v[i]);
      else
        s += std::to_string(v[i]);
    }
    return s + "]";
  }

  void Tensor(std::string_view label, const TensorProto& t) {
    Open(label);
    Str("name", t.name);
    Str("doc_string", t.doc_string);
    Int("data_type", t.data_type);
    Line("dims", List(t.dims));
    if (t.has_segment) Line("segment", std::to_string(t.segment_begin) + " " + std::to_string(t.segment_end));
    Int("data_location", t.data_location);
    for (const StringStringEntry& e : t.external_data) Entry("external_data", e);
    // External bytes are not part of the proto; the official parser (without load_external_data) has none.
    if (t.has_raw_data && t.data_location != 1)
      Line("raw_data", Summary(t.raw_data.data, t.raw_data.size, 0, false));
    Typed("float_data", t.float_data);
    Typed("int32_data", t.int32_data);
    if (!t.string_data.empty()) {
      // Each string as an 8-byte little-endian length followed by its bytes.
      uint32_t crc = 0;
      for (std::string_view s : t.string_data) {
        const uint64_t len = s.size();
        crc = Crc32(&len, sizeof(len), crc);
        crc = Crc32(s.data(), s.size(), crc);
      }
      char buf[64];
      std::snprintf(buf, sizeof(buf), "n=%zu crc32=%08" PRIx32, t.string_data.size(), crc);
      Line("string_data", buf);
    }
    Typed("int64_data", t.int64_data);
    Typed("double_data", t.double_data);
    Typed("uint64_data", t.uint64_data);
    DType dtype;
    if (DTypeFromInt(t.data_type, &dtype) && IsSupportedDType(dtype)) {
      auto host = TensorToHost(t, nullptr);
      if (!host.ok()) {
        Line("value", "invalid");
      } else if (dtype == DType::kFloat32 && !t.has_raw_data) {
        const std::vector<uint32_t> bits = QuietNaNs(host->data(), host->byte_size());
        Line("value", Summary(bits.data(), bits.size() * 4, 0, false));
      } else {
        Line("value", Summary(host->data(), host->byte_size(), 0, false));
      }
    }
    Close();
  }

  void Sparse(std::string_view label, const SparseTensorProto& s) {
    Open(label);
    Tensor("values", s.values);
    Tensor("indices", s.indices);
    Line("dims", List(s.dims));
    Close();
  }

  void Shape(const TypeProto& t) {
    if (!t.has_shape) return;
    Open("shape");
    for (const Dimension& d : t.dims) {
      std::string v = d.kind == Dimension::kValue   ? std::to_string(d.value)
                      : d.kind == Dimension::kParam ? Quote(d.param)
                                                    : "?";
      if (!d.denotation.empty()) v += " denotation=" + Quote(d.denotation);
      Line("dim", v);
    }
    Close();
  }

  void Type(std::string_view label, const TypeProto& t) {
    Open(label);
    Str("denotation", t.denotation);
    switch (t.kind) {
      case TypeProto::kTensor:
      case TypeProto::kSparseTensor:
        Open(t.kind == TypeProto::kTensor ? "tensor_type" : "sparse_tensor_type");
        Int("elem_type", t.elem_type);
        Shape(t);
        Close();
        break;
      case TypeProto::kSequence:
      case TypeProto::kOptional:
        Open(t.kind == TypeProto::kSequence ? "sequence_type" : "optional_type");
        if (t.inner) Type("elem_type", *t.inner);
        Close();
        break;
      case TypeProto::kMap:
        Open("map_type");
        Int("key_type", t.map_key_type);
        if (t.inner) Type("value_type", *t.inner);
        Close();
        break;
      case TypeProto::kNone:
        break;
    }
    Close();
  }

  void ValueInfo(std::string_view label, const ValueInfoProto& v) {
    Open(label);
    Str("name", v.name);
    Str("doc_string", v.doc_string);
    if (v.has_type) Type("type", v.type);
    Close();
  }

  void Attribute(const AttributeProto& a) {
    Open("attribute");
    Str("name", a.name);
    Str("ref_attr_name", a.ref_attr_name);
    Str("doc_string", a.doc_string);
    Int("type", a.type);
    Line("f", Float(a.f));
    Int("i", a.i);
    Str("s", a.s);
    if (a.t) Tensor("t", *a.t);
    if (a.g) {
      Open("g");
      Graph(*a.g);
      Close();
    }
    if (a.sparse_tensor) Sparse("sparse_tensor", *a.sparse_tensor);
    if (a.tp) Type("tp", *a.tp);
    if (!a.floats.empty()) Line("floats", List(a.floats));
    if (!a.ints.empty()) Line("ints", List(a.ints));
    for (std::string_view s : a.strings) StrItem("strings", s);
    for (const TensorProto& t : a.tensors) Tensor("tensors", t);
    for (const auto& g : a.graphs) {
      Open("graphs");
      Graph(*g);
      Close();
    }
    for (const SparseTensorProto& s : a.sparse_tensors) Sparse("sparse_tensors", s);
    for (const TypeProto& t : a.type_protos) Type("type_protos", t);
    Close();
  }

  void Node(const NodeProto& n) {
    Open("node");
    Str("name", n.name);
    Str("op_type", n.op_type);
    Str("domain", n.domain);
    Str("doc_string", n.doc_string);
    for (std::string_view s : n.input) StrItem("input", s);
    for (std::string_view s : n.output) StrItem("output", s);
    for (const AttributeProto& a : n.attribute) Attribute(a);
    Close();
  }

  void Graph(const GraphProto& g) {
    Str("name", g.name);
    Str("doc_string", g.doc_string);
    for (const ValueInfoProto& v : g.input) ValueInfo("input", v);
    for (const ValueInfoProto& v : g.output) ValueInfo("output", v);
    for (const ValueInfoProto& v : g.value_info) ValueInfo("value_info", v);
    for (const TensorProto& t : g.initializer) Tensor("initializer", t);
    for (const SparseTensorProto& s : g.sparse_initializer) Sparse("sparse_initializer", s);
    for (const TensorAnnotation& a : g.quantization_annotation) {
      Open("quantization_annotation");
      Str("tensor_name", a.tensor_name);
      for (const StringStringEntry& e : a.quant_parameter_tensor_names)
        Entry("quant_parameter_tensor_names", e);
      Close();
    }
    for (const NodeProto& n : g.node) Node(n);
  }

  void Function(const FunctionProto& f) {
    Str("name", f.name);
    Str("domain", f.domain);
    Str("doc_string", f.doc_string);
    for (std::string_view s : f.input) StrItem("input", s);
    for (std::string_view s : f.output) StrItem("output", s);
    for (std::string_view s : f.attribute) StrItem("attribute", s);
    for (const OperatorSetId& o : f.opset_import) Opset(o);
    for (const NodeProto& n : f.node) Node(n);
  }

  std::string out_;
  size_t depth_ = 0;
};

}  // namespace

std::string DumpModel(const ModelProto& model) {
  Dumper d;
  d.Model(model);
  return d.Take();
}

}  // namespace webconv::onnx
