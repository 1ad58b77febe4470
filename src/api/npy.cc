// webconv::read_npy / write_npy (include/webconv/npy.h), with the same parser and the same messages as
// the CLI's --input files (common/npy.h).
#include "webconv/npy.h"

#include <exception>

#include "api/tensor_access.h"
#include "common/npy.h"
#include "onnx/mapped_file.h"

namespace webconv {

Result<Tensor> read_npy(const std::string& path) noexcept {
  try {
    // The bound is that of any tensor (2^40 elements of at most 8 bytes) plus the largest header.
    auto file = onnx::MappedFile::Open(path, (kMaxElements << 3) + (int64_t{1} << 21),
                                       /*missing_is_usage_error=*/true);
    if (!file.ok()) return file.status();
    auto t = ParseNpy(file.value()->data(), file.value()->size());
    if (!t.ok()) return t.status().Prefixed("'" + path + "': ");
    return detail::TensorAccess::FromHost(std::move(t).value());
  } catch (const std::exception& e) {
    return UsageError("'", path, "': ", e.what());
  }
}

Status write_npy(const std::string& path, const Tensor& tensor) noexcept {
  try {
    const std::string_view bytes(static_cast<const char*>(tensor.data()), tensor.byte_size());
    auto written = WriteNpyFile(path, tensor.dtype(), tensor.shape(), bytes);
    return written.ok() ? OkStatus() : written.status();
  } catch (const std::exception& e) {
    return UsageError("'", path, "': ", e.what());
  }
}

}  // namespace webconv
