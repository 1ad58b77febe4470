// Host tensors to GPU words and back. On the GPU every element is one 4-byte word: float32 and float16
// as f32 (float16 widened on the way up, rounded to nearest even on the way down);
// signed integers (int8..int64) as i32; unsigned ones and bool as u32. int64 values must fit in 32
// bits: a value that does not is an error naming the tensor, never a silent wrap.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/host_tensor.h"

namespace webconv::runtime {

Status CheckGpuDType(DType t, const std::string& what);
// float32, int32 and uint32: their host bytes are GPU words already, so they move without conversion.
inline bool IsGpuWordDType(DType t) { return t == DType::kFloat32 || t == DType::kInt32 || t == DType::kUInt32; }
Result<std::vector<uint32_t>> ToGpuWords(const HostTensor& t, const std::string& name);
// The tensor's bytes as GPU words, ready to upload: its own bytes when its dtype is a GPU word, else the
// converted words, kept in `*scratch` (which must outlive the use of the returned pointer).
struct GpuWordBytes {
  const void* data = nullptr;
  uint64_t size = 0;
};
Result<GpuWordBytes> AsGpuWordBytes(const HostTensor& t, const std::string& name, std::vector<uint32_t>* scratch);
HostTensor FromGpuWords(const std::vector<uint32_t>& words, DType dtype, const Shape& shape);

}  // namespace webconv::runtime
