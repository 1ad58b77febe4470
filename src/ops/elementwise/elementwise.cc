#include "ops/elementwise/elementwise.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace webconv::ops {

Result<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return BadModel("shapes ", ShapeString(a), " and ", ShapeString(b), " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t i = in.size() - 1 - k;
    const size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : s;
    s *= in[i];
  }
  return strides;
}

int64_t TypeLowest(DType t) {
  switch (t) {
    case DType::kInt8: return std::numeric_limits<int8_t>::lowest();
    case DType::kInt16: return std::numeric_limits<int16_t>::lowest();
    case DType::kInt32: return std::numeric_limits<int32_t>::lowest();
    case DType::kInt64: return std::numeric_limits<int64_t>::lowest();
    default: return 0;
  }
}

int64_t TypeHighest(DType t) {
  switch (t) {
    case DType::kBool: return 1;
    case DType::kInt8: return std::numeric_limits<int8_t>::max();
    case DType::kUInt8: return std::numeric_limits<uint8_t>::max();
    case DType::kInt16: return std::numeric_limits<int16_t>::max();
    case DType::kUInt16: return std::numeric_limits<uint16_t>::max();
    case DType::kInt32: return std::numeric_limits<int32_t>::max();
    case DType::kUInt32: return std::numeric_limits<uint32_t>::max();
    default: return std::numeric_limits<int64_t>::max();
  }
}

double ClampToGpuRange(double v, gpu::ScalarType t) {
  switch (t) {
    case gpu::ScalarType::kI32: return std::clamp(v, -2147483648.0, 2147483647.0);
    case gpu::ScalarType::kU32: return std::clamp(v, 0.0, 4294967295.0);
    case gpu::ScalarType::kF32:
      if (std::isnan(v)) return v;
      return std::clamp(v, -static_cast<double>(std::numeric_limits<float>::infinity()),
                        static_cast<double>(std::numeric_limits<float>::infinity()));
  }
  return v;
}

void AddScalarUniform(gpu::UniformBlock& u, const std::string& name, gpu::ScalarType t, double v) {
  v = ClampToGpuRange(v, t);
  switch (t) {
    case gpu::ScalarType::kF32: u.AddF32(name, static_cast<float>(v)); break;
    case gpu::ScalarType::kI32: u.AddI32(name, static_cast<int32_t>(v)); break;
    case gpu::ScalarType::kU32: u.AddU32(name, static_cast<uint32_t>(v)); break;
  }
}

std::string ElementwiseMain(const std::string& statement) {
  return gpu::LinearIndexWgsl(kElementwiseWorkgroup) + "@compute @workgroup_size(" +
         std::to_string(kElementwiseWorkgroup) +
         ")\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n  " +
         statement + "\n}\n";
}

}  // namespace webconv::ops
