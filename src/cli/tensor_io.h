// Reading and writing tensors for the CLI: .npy files and ONNX TensorProto .pb files.
#pragma once

#include <cstdint>
#include <string>

#include "common/host_tensor.h"

namespace webconv::cli {

Result<HostTensor> ReadNpy(const std::string& path);
// .npy or .pb, by extension.
Result<HostTensor> ReadTensorFile(const std::string& path);
// Seeded random data for a missing input: floats uniform in [0, 1), integers in [0, 10), bools 0/1.
HostTensor RandomTensor(DType dtype, const Shape& shape, uint64_t seed);

}  // namespace webconv::cli
