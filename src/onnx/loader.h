// Entry points of the ONNX loader.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "onnx/model.h"

namespace webconv::onnx {

// The newest ONNX IR version the loader accepts; newer models are refused, as ONNX Runtime refuses IR
// versions newer than its own (ONNX Runtime 1.30 accepts up to 13, refuses 14). The parser follows
// onnx.proto of IR version 8; later versions add element types (float8, int4, float4), which
// TensorToHost refuses as unsupported data types, and fields that nothing here reads (metadata_props on
// nodes and graphs, function overloads and value_info, multi-device configurations, which only place
// work on devices), skipped as unknown. onnx >= 1.18's make_model writes IR 11 and later by default.
inline constexpr int64_t kMaxIrVersion = 13;

// Limits checked before any allocation driven by file contents.
// Each is far above what real models use; a file past one fails with a message naming the limit.
//
// Counts are checked before the entries are built: a parser first counts a repeated field's occurrences
// in its message's bytes (a pass over the tags alone), so a file of millions of tiny entries fails in
// that pass. Within the counts, every entry built is charged its in-memory size against a memory budget
// that grows with the input: empty entries take two bytes of the file but a few hundred bytes in memory,
// so without it a file within every count could still amplify itself a hundredfold.
struct LoaderLimits {
  int max_graph_depth = 32;                // nested subgraphs in attributes
  int64_t max_message_bytes = int64_t{1} << 40;
  int64_t max_nodes = int64_t{1} << 22;             // nodes in all graphs and functions together
  int64_t max_graphs = int64_t{1} << 16;            // graphs (the main one and every subgraph)
  int64_t max_attribute_values = int64_t{1} << 24;  // values, strings, tensors or graphs in one attribute
  size_t max_name_bytes = size_t{1} << 16;          // a node, value, op, domain or attribute name
  // Real models stay near 100k nodes or initializers and use a handful of attributes per node.
  int64_t max_initializers = int64_t{1} << 20;  // initializers of one graph (sparse ones apart)
  int64_t max_graph_values = int64_t{1} << 20;  // a graph's inputs, outputs, value_info or annotations, each
  int64_t max_attributes = int64_t{1} << 12;    // attributes of one node, attribute names of one function
  int64_t max_rank = int64_t{1} << 12;          // dims of one tensor or shape (webconv runs up to rank 64)
  // Any other list: a node's or function's inputs and outputs, opset_import, metadata_props, functions,
  // a tensor's external_data entries, an annotation's quant_parameter_tensor_names.
  int64_t max_list_entries = int64_t{1} << 16;
  // Memory the parsed messages may take: memory_budget_factor x the input's size, and never less than
  // min_memory_budget. Tensor payloads are views into the input, so what the messages take follows the
  // graph's own bytes: ONNX's backend test models need at most 13 x theirs. Typed tensor fields
  // (float_data...) are not charged, being the tensor's own data (at most 8 bytes per byte of the file).
  int64_t memory_budget_factor = 32;
  int64_t min_memory_budget = int64_t{64} << 20;
};

// Memory-maps the file and parses it. External data files are resolved and mapped, and must stay
// inside the model's folder (no absolute paths, no "..", no symlinks pointing out).
Result<std::shared_ptr<const Model>> LoadModelFile(const std::string& path, const LoaderLimits& limits = {});
// External data files given as bytes, by the location the model names them with (onnxruntime-web's
// `externalData` session option: a page has no model folder). A leading "./" is ignored on either side.
using ExternalFiles = std::map<std::string, std::shared_ptr<const std::vector<uint8_t>>>;

// Parses a model held in memory (the bytes are moved in and kept alive). A tensor with external data is
// resolved from `external`, by location; one whose location is not there is an error naming it.
Result<std::shared_ptr<const Model>> LoadModelBytes(std::vector<uint8_t> bytes, const LoaderLimits& limits = {},
                                                    const ExternalFiles& external = {});

// Parses a serialized TensorProto (e.g. a backend test's input_0.pb). The returned tensor owns its data.
Result<HostTensor> LoadTensorProtoFile(const std::string& path, std::string* name_out = nullptr);
// Parses a serialized TensorProto from bytes; string views in `out` point into `bytes`.
Status ParseTensorProto(const uint8_t* data, size_t size, TensorProto* out);

// Converts a TensorProto to a HostTensor: raw_data is viewed without copying (kept alive by
// keep_alive); typed fields are converted. Fails with a clear message on a size mismatch, an
// unsupported dtype (string, complex) or unresolved external data.
Result<HostTensor> TensorToHost(const TensorProto& t, std::shared_ptr<const void> keep_alive);

// Canonical, deterministic text dump of a model, compared against tools/onnx_dump.py's dump of the
// same file by the loader's differential test.
std::string DumpModel(const ModelProto& model);

}  // namespace webconv::onnx
