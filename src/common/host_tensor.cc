#include "common/host_tensor.h"

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <cstring>

#include "common/limits.h"

namespace webconv {

Result<int64_t> CheckedNumElements(const Shape& shape) {
  if (shape.size() > kMaxRank)
    return BadModel("rank ", shape.size(), " is more than the limit of ", kMaxRank);
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return BadModel("negative dimension ", d, " in shape ", ShapeString(shape));
    if (d == 0) n = 0;
    else if (n > kMaxElements / d) return BadModel("shape ", ShapeString(shape), " has more than 2^40 elements");
    else n *= d;
  }
  return n;
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

HostTensor::HostTensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  owned_ = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(NumElements(shape_)) * DTypeSize(dtype));
  data_ = owned_->data();
  size_ = owned_->size();
}

bool HostTensor::Recycle(HostTensor* spare, DType dtype, const Shape& shape, HostTensor* out) {
  const size_t bytes = static_cast<size_t>(NumElements(shape)) * DTypeSize(dtype);
  if (!spare->owned_ || spare->owned_.use_count() != 1 || spare->owned_->data() != spare->data_ ||
      spare->owned_->size() != bytes || spare->keep_alive_)
    return false;
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = shape;
  t.owned_ = std::move(spare->owned_);
  std::fill(t.owned_->begin(), t.owned_->end(), uint8_t{0});
  t.data_ = t.owned_->data();
  t.size_ = bytes;
  *spare = HostTensor();
  *out = std::move(t);
  return true;
}

HostTensor HostTensor::Owned(DType dtype, Shape shape, std::vector<uint8_t> bytes) {
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.owned_ = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  t.data_ = t.owned_->data();
  t.size_ = t.owned_->size();
  return t;
}

HostTensor HostTensor::View(DType dtype, Shape shape, const uint8_t* data, size_t size,
                            std::shared_ptr<const void> keep_alive) {
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.size_ = size;
  t.keep_alive_ = std::move(keep_alive);
  return t;
}

uint8_t* HostTensor::mutable_data() {
  if (!owned_ || owned_.use_count() > 1 || owned_->data() != data_) {
    auto copy = std::make_shared<std::vector<uint8_t>>(data_, data_ + size_);
    owned_ = std::move(copy);
    keep_alive_.reset();
    data_ = owned_->data();
  }
  return owned_->data();
}

HostTensor HostTensor::Reshaped(Shape shape) const {
  HostTensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

namespace {
template <typename T>
T Load(const uint8_t* p, int64_t i) {
  T v;
  std::memcpy(&v, p + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}
template <typename T>
void Store(uint8_t* p, int64_t i, T v) {
  std::memcpy(p + i * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}
}  // namespace

double HostTensor::GetDouble(int64_t i) const {
  switch (dtype_) {
    case DType::kFloat32: return Load<float>(data_, i);
    case DType::kFloat64: return Load<double>(data_, i);
    case DType::kFloat16: return HalfToFloat(Load<uint16_t>(data_, i));
    case DType::kBFloat16: return BFloat16ToFloat(Load<uint16_t>(data_, i));
    case DType::kUInt64: return static_cast<double>(Load<uint64_t>(data_, i));
    default: return IsInteger(dtype_) || dtype_ == DType::kBool ? static_cast<double>(GetInt(i)) : 0.0;
  }
}

int64_t HostTensor::GetInt(int64_t i) const {
  switch (dtype_) {
    case DType::kBool: return Load<uint8_t>(data_, i) != 0;
    case DType::kUInt8: return Load<uint8_t>(data_, i);
    case DType::kInt8: return Load<int8_t>(data_, i);
    case DType::kUInt16: return Load<uint16_t>(data_, i);
    case DType::kInt16: return Load<int16_t>(data_, i);
    case DType::kInt32: return Load<int32_t>(data_, i);
    case DType::kUInt32: return Load<uint32_t>(data_, i);
    case DType::kInt64: return Load<int64_t>(data_, i);
    case DType::kUInt64: return static_cast<int64_t>(Load<uint64_t>(data_, i));
    default: {
      if (!IsFloat(dtype_)) return 0;  // string/complex never reach element access; no recursion
      const double v = GetDouble(i);
      if (std::isnan(v)) return 0;
      return v >= 9223372036854775807.0 ? INT64_MAX : v <= -9223372036854775808.0 ? INT64_MIN : static_cast<int64_t>(v);
    }
  }
}

void HostTensor::SetDouble(int64_t i, double v) {
  uint8_t* p = mutable_data();
  switch (dtype_) {
    case DType::kFloat32: Store<float>(p, i, static_cast<float>(v)); return;
    case DType::kFloat64: Store<double>(p, i, v); return;
    case DType::kFloat16: Store<uint16_t>(p, i, FloatToHalf(static_cast<float>(v))); return;
    case DType::kBFloat16: Store<uint16_t>(p, i, FloatToBFloat16(static_cast<float>(v))); return;
    case DType::kBool: Store<uint8_t>(p, i, v != 0.0); return;
    default:
      // double -> int64 is undefined outside the int64 range and for NaN: saturate, NaN becomes 0.
      if (std::isnan(v)) v = 0;
      SetInt(i, v >= 9223372036854775807.0 ? INT64_MAX : v <= -9223372036854775808.0 ? INT64_MIN : static_cast<int64_t>(v));
      return;
  }
}

void HostTensor::SetInt(int64_t i, int64_t v) {
  uint8_t* p = mutable_data();
  switch (dtype_) {
    case DType::kBool: Store<uint8_t>(p, i, v != 0); return;
    case DType::kUInt8: Store<uint8_t>(p, i, static_cast<uint8_t>(v)); return;
    case DType::kInt8: Store<int8_t>(p, i, static_cast<int8_t>(v)); return;
    case DType::kUInt16: Store<uint16_t>(p, i, static_cast<uint16_t>(v)); return;
    case DType::kInt16: Store<int16_t>(p, i, static_cast<int16_t>(v)); return;
    case DType::kInt32: Store<int32_t>(p, i, static_cast<int32_t>(v)); return;
    case DType::kUInt32: Store<uint32_t>(p, i, static_cast<uint32_t>(v)); return;
    case DType::kInt64: Store<int64_t>(p, i, v); return;
    case DType::kUInt64: Store<uint64_t>(p, i, static_cast<uint64_t>(v)); return;
    default:
      if (IsFloat(dtype_)) SetDouble(i, static_cast<double>(v));
      return;
  }
}

}  // namespace webconv
