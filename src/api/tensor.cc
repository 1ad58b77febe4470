// webconv::Tensor (include/webconv/tensor.h): validation of the factories, and the zero-copy bridge to the
// runtime's HostTensor (tensor_access.h).
#include <cstring>
#include <new>

#include "api/tensor_access.h"
#include "common/host_tensor.h"

namespace webconv {
namespace {

// Checks dtype, dims and (when `bytes` is given) the byte count; returns the byte count the shape needs.
Result<size_t> CheckLayout(DType dtype, const std::vector<int64_t>& shape, const size_t* bytes) {
  if (!IsSupportedDType(dtype)) return UsageError("tensor dtype ", DTypeName(dtype), " is not supported");
  auto count = CheckedNumElements(shape);
  // A tensor's shape is the caller's argument, not the model's: a usage error.
  if (!count.ok()) return UsageError("tensor: ", count.status().message);
  const size_t need = static_cast<size_t>(count.value()) * DTypeSize(dtype);
  if (bytes && *bytes != need)
    return UsageError("tensor ", DTypeName(dtype), ShapeString(shape), " needs ", need, " bytes, got ",
                      *bytes);
  return need;
}

Status OutOfMemory(size_t bytes) {
  return Error(StatusCode::kUsage, "cannot allocate ", bytes, " bytes for a tensor");
}

}  // namespace

std::string dtype_name(DType t) {
  return DTypeName(t);
}
size_t dtype_size(DType t) noexcept {
  return DTypeSize(t);
}

int64_t Tensor::num_elements() const noexcept {
  return dtype_ == DType::kUndefined ? 0 : NumElements(shape_);
}

std::string Tensor::description() const {
  return DTypeName(dtype_) + ShapeString(shape_);
}

Result<Tensor> Tensor::adopt(DType dtype, std::vector<int64_t> shape, std::shared_ptr<const void> storage,
                             const void* data, size_t bytes) noexcept {
  auto need = CheckLayout(dtype, shape, &bytes);
  if (!need.ok()) return need.status();
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.size_ = bytes;
  t.writable_ = true;
  t.storage_ = std::move(storage);
  return t;
}

Result<Tensor> Tensor::zeros(DType dtype, std::vector<int64_t> shape) noexcept {
  auto need = CheckLayout(dtype, shape, nullptr);
  if (!need.ok()) return need.status();
  try {
    auto storage = std::make_shared<std::vector<uint8_t>>(need.value(), uint8_t{0});
    const void* data = storage->data();
    return adopt(dtype, std::move(shape), std::move(storage), data, need.value());
  } catch (const std::bad_alloc&) {
    return OutOfMemory(need.value());
  }
}

Result<Tensor> Tensor::copy_of(DType dtype, std::vector<int64_t> shape, const void* data,
                               size_t bytes) noexcept {
  auto need = CheckLayout(dtype, shape, &bytes);
  if (!need.ok()) return need.status();
  if (!data && bytes) return UsageError("tensor ", DTypeName(dtype), ShapeString(shape), ": null data");
  try {
    auto storage = std::make_shared<std::vector<uint8_t>>(bytes);
    if (bytes) std::memcpy(storage->data(), data, bytes);
    const void* p = storage->data();
    return adopt(dtype, std::move(shape), std::move(storage), p, bytes);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(bytes);
  }
}

Result<Tensor> Tensor::view(DType dtype, std::vector<int64_t> shape, const void* data,
                            size_t bytes) noexcept {
  auto need = CheckLayout(dtype, shape, &bytes);
  if (!need.ok()) return need.status();
  if (!data && bytes) return UsageError("tensor ", DTypeName(dtype), ShapeString(shape), ": null data");
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.size_ = bytes;
  t.view_ = true;
  return t;
}

Result<Tensor> Tensor::clone() const noexcept {
  if (empty()) return Tensor();
  return copy_of(dtype_, shape_, data_, size_);
}

namespace detail {

HostTensor TensorAccess::ToHost(const Tensor& t) {
  return HostTensor::View(t.dtype_, t.shape_, static_cast<const uint8_t*>(t.data_), t.size_, t.storage_);
}

Tensor TensorAccess::FromHost(HostTensor h) {
  auto keep = std::make_shared<HostTensor>(std::move(h));
  Tensor t;
  t.dtype_ = keep->dtype();
  t.shape_ = keep->shape();
  t.data_ = keep->data();
  t.size_ = keep->byte_size();
  t.storage_ = std::move(keep);
  return t;
}

}  // namespace detail
}  // namespace webconv
