#include "ops/elementwise/elementwise.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "ops/op_schema.h"

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

Result<Shape> LegacyBroadcastB(int64_t broadcast, bool has_axis, int64_t axis, const Shape& a,
                               const Shape& b) {
  if (broadcast == 0) {
    if (a != b)
      return BadModel("shapes ", ShapeString(a), " and ", ShapeString(b),
                      " differ and broadcast=0 (opset < 7)");
    return b;
  }
  if (b.size() > a.size())
    return BadModel("B ", ShapeString(b), " has higher rank than A ", ShapeString(a), " under broadcast=1");
  const int64_t ra = static_cast<int64_t>(a.size()), rb = static_cast<int64_t>(b.size());
  int64_t at = has_axis ? axis : ra - rb;
  if (at < 0) at += ra;
  if (at < 0 || at + rb > ra)
    return BadModel("axis ", axis, " does not place B ", ShapeString(b), " inside A ", ShapeString(a));
  Shape eff(a.size(), 1);
  for (int64_t k = 0; k < rb; ++k) {
    if (b[k] != 1 && b[k] != a[at + k])
      return BadModel("B ", ShapeString(b), " does not match A ", ShapeString(a), " at axis ", at);
    eff[at + k] = b[k];
  }
  return eff;
}

Result<std::string> BroadcastOffsetsWgsl(gpu::UniformBlock& u, const Shape& out,
                                         const std::vector<Shape>& ins, bool* same) {
  const std::string n = std::to_string(ins.size());
  *same = true;
  for (const Shape& s : ins) *same = *same && s == out;
  std::string fn = "fn offsets(i: u32) -> array<u32, " + n + "> {\n";
  if (*same) {
    fn += "  return array<u32, " + n + ">(";
    for (size_t k = 0; k < ins.size(); ++k) fn += k ? ", i" : "i";
    return fn + ");\n}\n";
  }
  if (out.size() > kMaxGpuRank)
    return BadModel("output rank ", out.size(), " exceeds the ", kMaxGpuRank, " the WebGPU kernels index");
  const auto to_u32 = [](const std::vector<int64_t>& v) { return std::vector<uint32_t>(v.begin(), v.end()); };
  u.AddU32("rank", static_cast<uint32_t>(out.size()));
  u.AddU32Array("out_shape", to_u32(out), kMaxGpuRank);
  std::string step;
  for (size_t k = 0; k < ins.size(); ++k) {
    const std::string name = "strides" + std::to_string(k);
    u.AddU32Array(name, to_u32(BroadcastStrides(ins[k], out)), kMaxGpuRank);
    step += "    off[" + std::to_string(k) + "] += c * " + name + "(k);\n";
  }
  // Signed loop counter: the axis walk goes down to 0 and must be able to end below it.
  return fn + "  var off: array<u32, " + n + ">;\n  var rem = i;\n" +
         "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
         "    let k = u32(d);\n    let c = rem % out_shape(k);\n    rem = rem / out_shape(k);\n" +
         step + "  }\n  return off;\n}\n";
}

int64_t TypeLowest(DType t) {
  switch (t) {
    case DType::kInt8:
      return std::numeric_limits<int8_t>::lowest();
    case DType::kInt16:
      return std::numeric_limits<int16_t>::lowest();
    case DType::kInt32:
      return std::numeric_limits<int32_t>::lowest();
    case DType::kInt64:
      return std::numeric_limits<int64_t>::lowest();
    default:
      return 0;
  }
}

int64_t TypeHighest(DType t) {
  switch (t) {
    case DType::kBool:
      return 1;
    case DType::kInt8:
      return std::numeric_limits<int8_t>::max();
    case DType::kUInt8:
      return std::numeric_limits<uint8_t>::max();
    case DType::kInt16:
      return std::numeric_limits<int16_t>::max();
    case DType::kUInt16:
      return std::numeric_limits<uint16_t>::max();
    case DType::kInt32:
      return std::numeric_limits<int32_t>::max();
    case DType::kUInt32:
      return std::numeric_limits<uint32_t>::max();
    default:
      return std::numeric_limits<int64_t>::max();
  }
}

int CompareElements(const HostTensor& a, int64_t i, const HostTensor& b, int64_t j) {
  const DType t = a.dtype();
  if (IsFloat(t)) {
    const double x = a.GetDouble(i), y = b.GetDouble(j);
    if (std::isnan(x) || std::isnan(y)) return 2;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (t == DType::kUInt64) {
    const auto x = static_cast<uint64_t>(a.GetInt(i)), y = static_cast<uint64_t>(b.GetInt(j));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const int64_t x = a.GetInt(i), y = b.GetInt(j);
  return x < y ? -1 : x > y ? 1 : 0;
}

void CopyElement(const HostTensor& src, int64_t i, HostTensor& dst, int64_t j) {
  if (IsFloat(src.dtype()))
    dst.SetDouble(j, src.GetDouble(i));
  else
    dst.SetInt(j, src.GetInt(i));
}

double ClampToGpuRange(double v, gpu::ScalarType t) {
  switch (t) {
    case gpu::ScalarType::kI32:
      return std::clamp(v, -2147483648.0, 2147483647.0);
    case gpu::ScalarType::kU32:
      return std::clamp(v, 0.0, 4294967295.0);
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
    case gpu::ScalarType::kF32:
      u.AddF32(name, static_cast<float>(v));
      break;
    case gpu::ScalarType::kI32:
      u.AddI32(name, static_cast<int32_t>(v));
      break;
    case gpu::ScalarType::kU32:
      u.AddU32(name, static_cast<uint32_t>(v));
      break;
  }
}

std::string NarrowWgsl(DType t) {
  const std::string w = gpu::WgslType(GpuType(t));
  const char* body = "v";
  switch (t) {
    case DType::kInt8:
      body = "(v << 24u) >> 24u";
      break;
    case DType::kInt16:
      body = "(v << 16u) >> 16u";
      break;
    case DType::kUInt8:
      body = "v & 0xffu";
      break;
    case DType::kUInt16:
      body = "v & 0xffffu";
      break;
    default:
      break;
  }
  return "fn narrow(v: " + w + ") -> " + w + " { return " + body + "; }\n";
}

std::string ElementwiseMain(const std::string& statement) {
  return gpu::LinearIndexWgsl(kElementwiseWorkgroup) + "@compute @workgroup_size(" +
         std::to_string(kElementwiseWorkgroup) +
         ")\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) "
         "{\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n  " +
         statement + "\n}\n";
}

std::string KernelName(const std::string& prefix, const std::string& op,
                       const std::vector<gpu::ScalarType>& types) {
  std::string name = prefix + "_" + op;
  for (gpu::ScalarType t : types) name += std::string("_") + gpu::WgslType(t);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace webconv::ops
