// Entry points of the ONNX loader.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "common/status.h"
#include "onnx/model.h"

namespace webconv::onnx {

// Limits checked before any allocation driven by file contents.
// Each is far above what real models use; a file past one fails with a message naming the limit.
struct LoaderLimits {
  int max_graph_depth = 32;                // nested subgraphs in attributes
  int64_t max_message_bytes = int64_t{1} << 40;
  int64_t max_nodes = int64_t{1} << 22;             // nodes in all graphs and functions together
  int64_t max_graphs = int64_t{1} << 16;            // graphs (the main one and every subgraph)
  int64_t max_attribute_values = int64_t{1} << 24;  // values in one attribute's ints/floats/strings list
  size_t max_name_bytes = size_t{1} << 16;          // a node, value, op, domain or attribute name
};

// Memory-maps the file and parses it. External data files are resolved and mapped, and must stay
// inside the model's folder (no absolute paths, no "..", no symlinks pointing out).
Result<std::shared_ptr<const Model>> LoadModelFile(const std::string& path, const LoaderLimits& limits = {});
// Parses a model held in memory (the bytes are moved in and kept alive). External data is an error.
Result<std::shared_ptr<const Model>> LoadModelBytes(std::vector<uint8_t> bytes, const LoaderLimits& limits = {});

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
