// In-memory form of an ONNX ModelProto, read by a zero-copy protobuf wire reader.
// Strings and tensor payloads are views into the loaded bytes (a memory-mapped file), which the Model
// keeps alive. Field numbers follow onnx/onnx.proto (IR version 8, ONNX 1.12) and are listed in parse_*.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"

namespace webconv::onnx {

struct Bytes {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct StringStringEntry {
  std::string_view key, value;
};

struct TensorProto {
  std::string_view name, doc_string;
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  int64_t segment_begin = -1, segment_end = -1;  // -1: no segment
  bool has_segment = false;  // set when the segment field is present (its begin/end then default to 0)
  // raw_data: a view into the file (or into the external-data file once resolved).
  bool has_raw_data = false;
  Bytes raw_data;
  // Typed repeated fields, decoded (packed or not). Usually small; large weights use raw_data.
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;  // also int8/int16/uint8/uint16/bool/float16/bfloat16 payloads
  std::vector<std::string_view> string_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;  // also uint32
  int32_t data_location = 0;  // 0 DEFAULT, 1 EXTERNAL
  std::vector<StringStringEntry> external_data;
  bool external_resolved = false;  // raw_data now points into the mapped external file
};

struct SparseTensorProto {
  TensorProto values, indices;
  std::vector<int64_t> dims;
};

struct TypeProto;

struct Dimension {
  enum Kind { kUnset, kValue, kParam } kind = kUnset;
  int64_t value = 0;
  std::string_view param, denotation;
};

struct TypeProto {
  enum Kind { kNone, kTensor, kSequence, kMap, kOptional, kSparseTensor } kind = kNone;
  int32_t elem_type = 0;      // kTensor / kSparseTensor
  bool has_shape = false;     // kTensor / kSparseTensor
  std::vector<Dimension> dims;
  int32_t map_key_type = 0;   // kMap
  std::shared_ptr<TypeProto> inner;  // kSequence / kOptional element, kMap value
  std::string_view denotation;
};

struct ValueInfoProto {
  std::string_view name, doc_string;
  bool has_type = false;
  TypeProto type;
};

struct GraphProto;

struct AttributeProto {
  // Matches AttributeProto.AttributeType.
  enum Type : int32_t {
    kUndefined = 0, kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5, kFloats = 6,
    kInts = 7, kStrings = 8, kTensors = 9, kGraphs = 10, kSparseTensor = 11, kSparseTensors = 12,
    kTypeProto = 13, kTypeProtos = 14,
  };
  std::string_view name, ref_attr_name, doc_string;
  Type type = kUndefined;
  float f = 0;
  int64_t i = 0;
  std::string_view s;
  std::shared_ptr<TensorProto> t;
  std::shared_ptr<GraphProto> g;
  std::shared_ptr<SparseTensorProto> sparse_tensor;
  std::shared_ptr<TypeProto> tp;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string_view> strings;
  std::vector<TensorProto> tensors;
  std::vector<std::shared_ptr<GraphProto>> graphs;
  std::vector<SparseTensorProto> sparse_tensors;
  std::vector<TypeProto> type_protos;
};

struct NodeProto {
  std::vector<std::string_view> input, output;
  std::string_view name, op_type, domain, doc_string;
  std::vector<AttributeProto> attribute;
};

struct TensorAnnotation {
  std::string_view tensor_name;
  std::vector<StringStringEntry> quant_parameter_tensor_names;
};

struct GraphProto {
  std::vector<NodeProto> node;
  std::string_view name, doc_string;
  std::vector<TensorProto> initializer;
  std::vector<SparseTensorProto> sparse_initializer;
  std::vector<ValueInfoProto> input, output, value_info;
  std::vector<TensorAnnotation> quantization_annotation;
};

struct OperatorSetId {
  std::string_view domain;  // "" and "ai.onnx" both mean the default domain
  int64_t version = 0;
};

struct FunctionProto {
  std::string_view name, domain, doc_string;
  std::vector<std::string_view> input, output, attribute;
  std::vector<NodeProto> node;
  std::vector<OperatorSetId> opset_import;
};

struct ModelProto {
  int64_t ir_version = 0;
  std::vector<OperatorSetId> opset_import;
  std::string_view producer_name, producer_version, domain, doc_string;
  int64_t model_version = 0;
  bool has_graph = false;
  GraphProto graph;
  std::vector<StringStringEntry> metadata_props;
  std::vector<FunctionProto> functions;
};

// A loaded model: the parsed messages plus the storage their views point into.
struct Model {
  ModelProto proto;
  std::string path;  // file it came from ("" when loaded from bytes)
  std::string dir;   // folder external data must stay inside ("" when loaded from bytes)
  std::vector<std::shared_ptr<const void>> storage;  // mapped files / owned buffers
  std::shared_ptr<const void> keep_alive;            // handle that keeps all storage alive
  // What the graph built from these messages may take in memory: the loader's budget for the input
  // (LoaderLimits::memory_budget_factor) less what parsing took; -1 when not limited.
  int64_t graph_memory_budget = -1;
};

}  // namespace webconv::onnx
