#include "runtime/gpu_transfer.h"

#include <cstring>
#include <limits>

#include "ops/op_schema.h"

namespace webconv::runtime {

Status CheckGpuDType(DType t, const std::string& what) {
  if (ops::GpuSupports(t)) return OkStatus();
  return BadModel(what, " has type ", DTypeName(t), ", which the WebGPU backend does not hold");
}

Result<std::vector<uint32_t>> ToGpuWords(const HostTensor& t, const std::string& name) {
  WC_RETURN_IF_ERROR(CheckGpuDType(t.dtype(), "tensor '" + name + "'"));
  const int64_t n = t.num_elements();
  std::vector<uint32_t> words(static_cast<size_t>(n));
  if (t.dtype() == DType::kFloat32 || t.dtype() == DType::kInt32 || t.dtype() == DType::kUInt32) {
    if (n) std::memcpy(words.data(), t.data(), static_cast<size_t>(n) * 4);
    return words;
  }
  if (t.dtype() == DType::kFloat16) {  // widened exactly
    const auto* h = reinterpret_cast<const uint16_t*>(t.data());
    for (int64_t i = 0; i < n; ++i) {
      const float f = HalfToFloat(h[i]);
      std::memcpy(&words[static_cast<size_t>(i)], &f, 4);
    }
    return words;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = t.GetInt(i);
    if (t.dtype() == DType::kInt64 &&
        (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()))
      return BadModel("tensor '", name, "' holds int64 value ", v, " at index ", i,
                      ", outside the 32-bit range the WebGPU backend stores");
    words[static_cast<size_t>(i)] = static_cast<uint32_t>(v);
  }
  return words;
}

HostTensor FromGpuWords(const std::vector<uint32_t>& words, DType dtype, const Shape& shape) {
  HostTensor t(dtype, shape);
  const int64_t n = t.num_elements();
  if (dtype == DType::kFloat32 || dtype == DType::kInt32 || dtype == DType::kUInt32) {
    if (n) std::memcpy(t.mutable_data(), words.data(), static_cast<size_t>(n) * 4);
    return t;
  }
  if (dtype == DType::kFloat16) {  // rounded to nearest even, as a Cast to float16
    auto* h = reinterpret_cast<uint16_t*>(t.mutable_data());
    for (int64_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, &words[static_cast<size_t>(i)], 4);
      h[i] = FloatToHalf(f);
    }
    return t;
  }
  const bool is_signed = ops::GpuType(dtype) == gpu::ScalarType::kI32;
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t w = words[static_cast<size_t>(i)];
    t.SetInt(i, is_signed ? static_cast<int64_t>(static_cast<int32_t>(w)) : static_cast<int64_t>(w));
  }
  return t;
}

Result<GpuWordBytes> AsGpuWordBytes(const HostTensor& t, const std::string& name, std::vector<uint32_t>* scratch) {
  if (IsGpuWordDType(t.dtype())) return GpuWordBytes{t.data(), t.byte_size()};  // no host-side copy
  WC_ASSIGN_OR_RETURN(*scratch, ToGpuWords(t, name));
  return GpuWordBytes{scratch->data(), scratch->size() * 4};
}

}  // namespace webconv::runtime
