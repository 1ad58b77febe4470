// TensorProto -> HostTensor, following the ONNX rules for which field holds which element type.
#include <bit>
#include <cstring>

#include "onnx/loader.h"

namespace webconv::onnx {

// raw_data is little-endian by the ONNX spec and is viewed in place.
static_assert(std::endian::native == std::endian::little, "raw_data is used without byte swapping");

namespace {

// Converts each value of a typed field to the element type T with a C cast (which wraps, as numpy's
// astype does for ONNX's reference conversion), or to 0/1 for bool.
template <typename T, typename Src>
std::vector<uint8_t> Convert(const std::vector<Src>& src) {
  std::vector<uint8_t> out(src.size() * sizeof(T));
  for (size_t i = 0; i < src.size(); ++i) {
    T v;
    if constexpr (std::is_same_v<T, bool>)
      v = src[i] != 0;
    else
      v = static_cast<T>(src[i]);
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

// The typed field that holds `dtype` and its contents converted to the raw layout.
struct Typed {
  const char* field;
  std::vector<uint8_t> (*convert)(const TensorProto&);
};

Typed TypedFieldFor(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return {"float_data", [](const TensorProto& t) { return Convert<float>(t.float_data); }};
    case DType::kFloat64:
      return {"double_data", [](const TensorProto& t) { return Convert<double>(t.double_data); }};
    case DType::kInt64:
      return {"int64_data", [](const TensorProto& t) { return Convert<int64_t>(t.int64_data); }};
    case DType::kInt32:
      return {"int32_data", [](const TensorProto& t) { return Convert<int32_t>(t.int32_data); }};
    case DType::kInt16:
      return {"int32_data", [](const TensorProto& t) { return Convert<int16_t>(t.int32_data); }};
    case DType::kInt8:
      return {"int32_data", [](const TensorProto& t) { return Convert<int8_t>(t.int32_data); }};
    case DType::kUInt16:
    case DType::kFloat16:   // int32_data holds the IEEE half bits
    case DType::kBFloat16:  // int32_data holds the bfloat16 bits
      return {"int32_data", [](const TensorProto& t) { return Convert<uint16_t>(t.int32_data); }};
    case DType::kUInt8:
      return {"int32_data", [](const TensorProto& t) { return Convert<uint8_t>(t.int32_data); }};
    case DType::kBool:
      return {"int32_data", [](const TensorProto& t) { return Convert<bool>(t.int32_data); }};
    case DType::kUInt32:
      return {"uint64_data", [](const TensorProto& t) { return Convert<uint32_t>(t.uint64_data); }};
    case DType::kUInt64:
      return {"uint64_data", [](const TensorProto& t) { return Convert<uint64_t>(t.uint64_data); }};
    default:
      return {nullptr, nullptr};
  }
}

size_t TypedCount(const TensorProto& t, std::string_view field) {
  if (field == "float_data") return t.float_data.size();
  if (field == "double_data") return t.double_data.size();
  if (field == "int64_data") return t.int64_data.size();
  if (field == "int32_data") return t.int32_data.size();
  return t.uint64_data.size();
}

}  // namespace

Result<HostTensor> TensorToHost(const TensorProto& t, std::shared_ptr<const void> keep_alive) {
  const std::string where = StrCat("tensor '", t.name, "'");
  DType dtype;
  if (!DTypeFromInt(t.data_type, &dtype) || !IsSupportedDType(dtype)) {
    return BadModel(where, ": unsupported data type ", DTypeName(static_cast<DType>(t.data_type)), " (",
                    t.data_type, ")");
  }
  if (t.data_location == 1 && !t.external_resolved) {
    return BadModel(where,
                    ": its data is external and was not resolved (models loaded from bytes cannot use it)");
  }
  if (t.has_segment) return BadModel(where, ": segmented tensors are not supported");
  Shape shape(t.dims.begin(), t.dims.end());
  auto count = CheckedNumElements(shape);
  if (!count.ok()) return count.status().Prefixed(where + ": ");
  const size_t n = static_cast<size_t>(count.value());  // <= 2^40, so n * 8 cannot overflow
  const size_t elem = DTypeSize(dtype);

  if (t.has_raw_data) {
    if (t.raw_data.size != n * elem) {
      return BadModel(where, ": raw_data holds ", t.raw_data.size, " bytes but ", DTypeName(dtype), " ",
                      ShapeString(shape), " needs ", n * elem);
    }
    // Protobuf does not align payloads. A view is kept only when it is aligned for the element type, so
    // that typed access through HostTensor::as<T>() stays well-defined; otherwise the bytes are copied.
    if (reinterpret_cast<uintptr_t>(t.raw_data.data) % elem == 0) {
      return HostTensor::View(dtype, std::move(shape), t.raw_data.data, t.raw_data.size,
                              std::move(keep_alive));
    }
    std::vector<uint8_t> bytes(t.raw_data.data, t.raw_data.data + t.raw_data.size);
    return HostTensor::Owned(dtype, std::move(shape), std::move(bytes));
  }

  const Typed typed = TypedFieldFor(dtype);
  const size_t have = TypedCount(t, typed.field);
  if (have != n) {
    return BadModel(where, ": ", typed.field, " holds ", have, " values but ", DTypeName(dtype), " ",
                    ShapeString(shape), " needs ", n);
  }
  return HostTensor::Owned(dtype, std::move(shape), typed.convert(t));
}

}  // namespace webconv::onnx
