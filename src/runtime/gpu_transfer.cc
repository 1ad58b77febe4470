#include "runtime/gpu_transfer.h"

#include <cmath>
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
  if (t.dtype() == DType::kFloat64) {  // rounded to the nearest float32 (op_schema.h)
    const auto* d = reinterpret_cast<const double*>(t.data());
    for (int64_t i = 0; i < n; ++i) {
      const float f = static_cast<float>(d[i]);
      // A finite value beyond float32's range would become infinity: an error, as int64's range is.
      if (std::isinf(f) && std::isfinite(d[i]))
        return BadModel("tensor '", name, "' holds float64 value ", d[i], " at index ", i,
                        ", outside the float32 range the WebGPU backend computes in");
      std::memcpy(&words[static_cast<size_t>(i)], &f, 4);
    }
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
  if (t.dtype() == DType::kUInt64) {  // as uint32: a value beyond 32 bits is an error, never a wrap
    const auto* u = reinterpret_cast<const uint64_t*>(t.data());
    for (int64_t i = 0; i < n; ++i) {
      if (u[i] > std::numeric_limits<uint32_t>::max())
        return BadModel("tensor '", name, "' holds uint64 value ", u[i], " at index ", i,
                        ", outside the 32-bit range the WebGPU backend stores");
      words[static_cast<size_t>(i)] = static_cast<uint32_t>(u[i]);
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
  if (dtype == DType::kFloat64) {  // widened exactly
    auto* d = reinterpret_cast<double*>(t.mutable_data());
    for (int64_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, &words[static_cast<size_t>(i)], 4);
      d[i] = f;
    }
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
