#include "ops/op_schema.h"

#include "ops/kernel_tuning.h"

namespace webconv::ops {

gpu::ScalarType GpuType(DType t) {
  switch (t) {
    case DType::kFloat32:
    case DType::kFloat64:  // float64 and float16 are held as float32 (op_schema.h)
    case DType::kFloat16: return gpu::ScalarType::kF32;
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kUInt32:
    case DType::kUInt64:  // as uint32 (op_schema.h)
    case DType::kBool: return gpu::ScalarType::kU32;
    default: return gpu::ScalarType::kI32;
  }
}

bool GpuSupports(DType t) {
  switch (t) {
    case DType::kFloat32:
    case DType::kFloat64:
    case DType::kFloat16:
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kUInt32:
    case DType::kBool:
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
    case DType::kInt64:
    case DType::kUInt64: return true;
    default: return false;
  }
}

Status CheckInputCount(const ParseContext& ctx, int min, int max) {
  if (ctx.num_inputs < min || ctx.num_inputs > max) {
    if (min == max) return BadModel("expects ", min, " inputs, got ", ctx.num_inputs);
    return BadModel("expects ", min, " to ", max, " inputs, got ", ctx.num_inputs);
  }
  return OkStatus();
}

Status NormalizeAxis(int64_t axis, int64_t rank, int64_t* out, const char* what) {
  if (axis < -rank || axis >= rank) return BadModel(what, " ", axis, " is out of range for rank ", rank);
  *out = axis < 0 ? axis + rank : axis;
  return OkStatus();
}

std::vector<int64_t> ContiguousStrides(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

std::vector<int64_t> ToInts(const HostTensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.num_elements()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = t.GetInt(static_cast<int64_t>(i));
  return v;
}

std::vector<TensorInfo> RefContext::input_infos() const {
  std::vector<TensorInfo> in;
  for (const HostTensor* t : inputs) {
    TensorInfo info;
    if (t) info = {true, t->dtype(), t->shape(), t};
    in.push_back(info);
  }
  return in;
}

const TensorInfo* PresentInput(const std::vector<TensorInfo>& in, int i) {
  return i >= 0 && static_cast<size_t>(i) < in.size() && in[static_cast<size_t>(i)].present ? &in[static_cast<size_t>(i)]
                                                                                              : nullptr;
}

const KernelTuning& GpuContext::tuning_or_defaults() const {
  return tuning ? *tuning : KernelTuning::Defaults();
}

}  // namespace webconv::ops
