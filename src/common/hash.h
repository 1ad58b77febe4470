// FNV-1a, 64-bit: a fast, stable hash of bytes for in-process and on-disk identities (pipeline identity,
// the pipeline cache's file names and entry checksums). Not for anything adversarial.
#pragma once

#include <cstddef>
#include <cstdint>

namespace webconv {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;

// `h` continues an earlier hash, so several pieces hash as one.
inline uint64_t Fnv1a64(const void* data, size_t size, uint64_t h = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace webconv
