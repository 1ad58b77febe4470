// The .npy format (NumPy's array file, versions 1-3) parsed from bytes. It lives in the common layer,
// below the CLI, so that the parser can be tested and fuzzed without files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/file_output.h"
#include "common/host_tensor.h"

namespace webconv {

// Parses a whole .npy file held in memory. Every length and dimension is checked against the bytes
// present before anything is allocated. Errors are usage errors (an input file, not a model) and do
// not name a file: the caller prefixes its path. Bytes after the data are ignored, as NumPy ignores them;
// `warning`, when given, then gets a sentence saying so.
Result<HostTensor> ParseNpy(const uint8_t* data, size_t size, std::string* warning = nullptr);

// The header for a C-order array of `dtype` and `shape`, padded so that the data that follows it
// starts on a 64-byte boundary; empty when the dtype has no .npy descriptor here.
std::string NpyHeader(DType dtype, const Shape& shape);

// Writes `bytes` (C order) as the .npy file `path`, through WriteFileReplacing: all or nothing.
Result<FileWriteOutcome> WriteNpyFile(const std::string& path, DType dtype, const Shape& shape,
                                      std::string_view bytes, const FileWriteOptions& options = {});

}  // namespace webconv
