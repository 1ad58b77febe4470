// A tensor in host memory in ONNX's little-endian raw layout. It either owns its bytes or is a view
// (for example into a memory-mapped model file) kept alive by a shared handle.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/status.h"

namespace webconv {

using Shape = std::vector<int64_t>;

// Largest element count webconv accepts for one tensor (2^40): products are checked against it
// before any allocation, so a hostile dim never causes an unbounded allocation.
constexpr int64_t kMaxElements = int64_t{1} << 40;

// Product of dims; fails on a negative dim or when the product exceeds kMaxElements.
Result<int64_t> CheckedNumElements(const Shape& shape);
// Product of dims for shapes already validated.
int64_t NumElements(const Shape& shape);
std::string ShapeString(const Shape& shape);  // "[1,3,224,224]"

class HostTensor {
 public:
  HostTensor() = default;
  // Zero-filled owned tensor. The shape must already be validated.
  HostTensor(DType dtype, Shape shape);
  static HostTensor Owned(DType dtype, Shape shape, std::vector<uint8_t> bytes);
  static HostTensor View(DType dtype, Shape shape, const uint8_t* data, size_t size,
                         std::shared_ptr<const void> keep_alive);
  // A zero-filled tensor in the storage of `spare`, which must own it alone and have exactly the bytes
  // `dtype` x `shape` needs (the CPU backends reuse a freed intermediate's memory so: a fresh large
  // allocation costs page faults on every run). Returns false, leaving `spare` as it was, otherwise.
  static bool Recycle(HostTensor* spare, DType dtype, const Shape& shape, HostTensor* out);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t byte_size() const { return size_; }
  const uint8_t* data() const { return data_; }
  // Copies a view into owned storage on first call.
  uint8_t* mutable_data();
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data_); }
  template <typename T>
  T* mutable_as() { return reinterpret_cast<T*>(mutable_data()); }

  // Element i read as double / int64, whatever the dtype (bool → 0/1, floats truncated for GetInt).
  double GetDouble(int64_t i) const;
  int64_t GetInt(int64_t i) const;
  // Element i written from a double (rounded to the dtype: float32 rounding, integer truncation
  // with wraparound as a C cast would do for the storage width).
  void SetDouble(int64_t i, double v);
  void SetInt(int64_t i, int64_t v);

  // Same bytes under a new shape with the same element count (a view sharing storage).
  HostTensor Reshaped(Shape shape) const;

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::shared_ptr<std::vector<uint8_t>> owned_;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace webconv
