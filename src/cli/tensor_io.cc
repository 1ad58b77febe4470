#include "cli/tensor_io.h"

#include <iostream>
#include <random>

#include "common/npy.h"
#include "onnx/loader.h"
#include "onnx/mapped_file.h"

namespace webconv::cli {

Result<HostTensor> ReadNpy(const std::string& path) {
  // Mapped rather than read: a FIFO, a folder or an absurd size fails cleanly in MappedFile. The bound
  // is that of any tensor (2^40 elements of at most 8 bytes) plus the largest header.
  WC_ASSIGN_OR_RETURN(auto file, onnx::MappedFile::Open(path, (kMaxElements << 3) + (int64_t{1} << 21),
                                                        /*missing_is_usage_error=*/true));
  std::string warning;
  auto t = ParseNpy(file->data(), file->size(), &warning);
  if (!t.ok()) return t.status().Prefixed("'" + path + "': ");
  if (!warning.empty()) std::cerr << "warning: '" << path << "': " << warning << "\n";
  return t;
}

Result<HostTensor> ReadTensorFile(const std::string& path) {
  if (path.size() > 4 && path.substr(path.size() - 4) == ".npy") return ReadNpy(path);
  if (path.size() > 3 && path.substr(path.size() - 3) == ".pb") {
    auto r = onnx::LoadTensorProtoFile(path);
    if (!r.ok()) return UsageError("'", path, "': ", r.status().message);
    return r;
  }
  return UsageError("'", path, "': expected a .npy or .pb file");
}

HostTensor RandomTensor(DType dtype, const Shape& shape, uint64_t seed) {
  HostTensor t(dtype, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    if (IsFloat(dtype)) t.SetDouble(i, uni(rng));
    else if (dtype == DType::kBool) t.SetInt(i, static_cast<int64_t>(rng() & 1));
    else t.SetInt(i, static_cast<int64_t>(rng() % 10));
  }
  return t;
}

}  // namespace webconv::cli
