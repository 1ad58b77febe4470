// CRC-32 (the zlib / IEEE 802.3 polynomial), used to summarise tensor payloads in dumps. Python's
// zlib.crc32 computes the same value, which is what lets tools/onnx_dump.py produce identical dumps.
#pragma once

#include <cstddef>
#include <cstdint>

namespace webconv::onnx {

// `crc` continues a previous call; start with 0.
uint32_t Crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace webconv::onnx
