// NumPy .npy files (format versions 1-3, C order, little-endian) as webconv::Tensor: the format the
// `webconv` CLI reads inputs from and writes outputs to.
#pragma once

#include <string>

#include "webconv/status.h"
#include "webconv/tensor.h"

namespace webconv {

// Reads the .npy file at `path` into an owning, read-only tensor (clone() for a writable one).
Result<Tensor> read_npy(const std::string& path) noexcept;
// Writes `tensor` to `path` as a .npy file, all or nothing: the bytes go to a temporary file beside it,
// flushed and checked, then renamed over `path`. A regular file at `path` is replaced; a symbolic link
// or anything else is refused. After an error (a full disk, say) `path` is as it was.
Status write_npy(const std::string& path, const Tensor& tensor) noexcept;

}  // namespace webconv
