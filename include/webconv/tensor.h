// webconv::Tensor: a dtype, a shape and little-endian bytes in row-major order. A tensor either owns its
// bytes or is a read-only view over memory the caller keeps alive; either way, copying a Tensor is cheap
// and the copies share the same bytes (clone() makes an independent, writable copy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "webconv/dtype.h"
#include "webconv/status.h"

namespace webconv {

namespace detail {
struct TensorAccess;  // the library's bridge to its internal tensor type
}  // namespace detail

// The DType of a C++ element type; only types with an exact webconv dtype compile.
template <typename T>
constexpr DType dtype_of() noexcept {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>)
    return DType::kFloat32;
  else if constexpr (std::is_same_v<U, double>)
    return DType::kFloat64;
  else if constexpr (std::is_same_v<U, int8_t>)
    return DType::kInt8;
  else if constexpr (std::is_same_v<U, uint8_t>)
    return DType::kUInt8;
  else if constexpr (std::is_same_v<U, int16_t>)
    return DType::kInt16;
  else if constexpr (std::is_same_v<U, uint16_t>)
    return DType::kUInt16;
  else if constexpr (std::is_same_v<U, int32_t>)
    return DType::kInt32;
  else if constexpr (std::is_same_v<U, uint32_t>)
    return DType::kUInt32;
  else if constexpr (std::is_same_v<U, int64_t>)
    return DType::kInt64;
  else if constexpr (std::is_same_v<U, uint64_t>)
    return DType::kUInt64;
  else if constexpr (std::is_same_v<U, bool>)
    return DType::kBool;
  else
    static_assert(!sizeof(U*), "no webconv dtype for this C++ type");
}

class Tensor {
 public:
  // An empty tensor (dtype kUndefined, no shape, no bytes); not a valid run() input.
  Tensor() noexcept = default;

  // Each factory checks the dtype (numeric or bool), the dims (>= 0, at most 2^40 elements) and, where
  // bytes are given, that their count is num_elements * dtype_size; a mismatch is a kUsage Status.

  // A zero-filled tensor that owns its bytes.
  static Result<Tensor> zeros(DType dtype, std::vector<int64_t> shape) noexcept;
  // An owning tensor holding a copy of `bytes` bytes at `data`.
  static Result<Tensor> copy_of(DType dtype, std::vector<int64_t> shape, const void* data,
                                size_t bytes) noexcept;
  // A read-only view over caller memory: nothing is copied. The memory must stay valid and unchanged
  // while any Tensor referring to it exists (copies included) and while a run() it is fed to is running.
  // run() reads a view in place: the cpu backend copies nothing, and WebGPU uploads float32/int32/uint32
  // straight from it (other dtypes are converted to 32-bit GPU words on the host first).
  static Result<Tensor> view(DType dtype, std::vector<int64_t> shape, const void* data,
                             size_t bytes) noexcept;
  // An owning tensor that takes over `values` (moved in, not copied). For bool use zeros(DType::kBool, ...)
  // and mutable_values<bool>(): std::vector<bool> packs bits.
  template <typename T>
  static Result<Tensor> from_vector(std::vector<int64_t> shape, std::vector<T> values) {
    static_assert(!std::is_same_v<T, bool>, "std::vector<bool> has no contiguous bytes");
    auto storage = std::make_shared<std::vector<T>>(std::move(values));
    const void* data = storage->data();
    const size_t bytes = storage->size() * sizeof(T);
    return adopt(dtype_of<T>(), std::move(shape), std::move(storage), data, bytes);
  }

  DType dtype() const noexcept { return dtype_; }
  const std::vector<int64_t>& shape() const noexcept { return shape_; }
  int64_t num_elements() const noexcept;
  size_t byte_size() const noexcept { return size_; }
  const void* data() const noexcept { return data_; }
  // Writable bytes of a tensor made by zeros(), copy_of(), from_vector() or clone(); nullptr for views
  // and for run() outputs (which may share bytes with the model). Writes are seen by every copy.
  void* mutable_data() noexcept { return writable_ ? const_cast<void*>(data_) : nullptr; }
  // The elements as T; empty when T does not match dtype().
  template <typename T>
  std::span<const T> values() const noexcept {
    if (dtype_of<T>() != dtype_ || !data_) return {};
    return {static_cast<const T*>(data_), size_ / sizeof(T)};
  }
  template <typename T>
  std::span<T> mutable_values() noexcept {
    if (dtype_of<T>() != dtype_ || !writable_) return {};
    return {static_cast<T*>(const_cast<void*>(data_)), size_ / sizeof(T)};
  }
  // True for a view over caller memory (view()).
  bool is_view() const noexcept { return view_; }
  bool empty() const noexcept { return dtype_ == DType::kUndefined; }
  // An owning, writable copy of the bytes.
  Result<Tensor> clone() const noexcept;
  // "float32[1,64]"
  std::string description() const;

 private:
  friend struct detail::TensorAccess;
  static Result<Tensor> adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<const void> storage,
                              const void* data, size_t bytes) noexcept;

  DType dtype_ = DType::kUndefined;
  std::vector<int64_t> shape_;
  const void* data_ = nullptr;
  size_t size_ = 0;
  bool writable_ = false;
  bool view_ = false;
  std::shared_ptr<const void> storage_;  // keeps the bytes alive (nullptr for views)
};

}  // namespace webconv
