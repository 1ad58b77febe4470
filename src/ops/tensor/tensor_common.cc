#include "ops/tensor/tensor_common.h"

#include <cstring>
#include <limits>

namespace webconv::ops::tensor {
namespace {

constexpr int64_t kMaxGpuElements = std::numeric_limits<int32_t>::max();

// Drops unit axes and merges neighbours that are contiguous in both tensors: fewer axes mean fewer
// divisions per element in the kernel and a lower rank to fit the uniform arrays.
void Simplify(Shape* shape, std::vector<int64_t>* strides) {
  Shape s;
  std::vector<int64_t> st;
  for (size_t k = 0; k < shape->size(); ++k) {
    if ((*shape)[k] == 1) continue;
    if (!s.empty() && st.back() == (*strides)[k] * (*shape)[k]) {
      s.back() *= (*shape)[k];
      st.back() = (*strides)[k];
      continue;
    }
    s.push_back((*shape)[k]);
    st.push_back((*strides)[k]);
  }
  *shape = std::move(s);
  *strides = std::move(st);
}

}  // namespace

Status CheckMovableType(DType t, const char* what) {
  if (!IsSupportedDType(t) || DTypeSize(t) == 0)
    return BadModel(what, " type ", DTypeName(t), " is not supported");
  return OkStatus();
}

Status CheckIndexType(DType t, const char* what) {
  if (t != DType::kInt32 && t != DType::kInt64)
    return BadModel(what, " must be int32 or int64, got ", DTypeName(t));
  return OkStatus();
}

Status CheckGpuElements(const Shape& shape, const char* what) {
  if (NumElements(shape) > kMaxGpuElements)
    return BadModel(what, " ", ShapeString(shape),
                    " has more than 2^31-1 elements, the WebGPU kernels' limit");
  return OkStatus();
}

void CopyStrided(const HostTensor& in, int64_t base, const std::vector<int64_t>& in_strides,
                 HostTensor* out) {
  const int64_t n = out->num_elements();
  if (n == 0) return;
  Shape shape = out->shape();
  std::vector<int64_t> strides = in_strides;
  Simplify(&shape, &strides);
  const size_t es = DTypeSize(in.dtype());
  const uint8_t* src = in.data();
  uint8_t* dst = out->mutable_data();
  const size_t rank = shape.size();
  std::vector<int64_t> coord(rank, 0);
  int64_t off = base;
  for (int64_t o = 0; o < n; ++o) {
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(off) * es, es);
    for (size_t k = rank; k-- > 0;) {
      off += strides[k];
      if (++coord[k] < shape[k]) break;
      off -= strides[k] * shape[k];
      coord[k] = 0;
    }
  }
}

Status DispatchStridedCopy(GpuContext& ctx, const std::string& op_name, int64_t base, Shape out_shape,
                           std::vector<int64_t> in_strides) {
  WC_RETURN_IF_ERROR(CheckGpuElements(ctx.inputs[0].shape, "input"));
  WC_RETURN_IF_ERROR(CheckGpuElements(out_shape, "output"));
  const int64_t n = NumElements(out_shape);
  if (n == 0) return OkStatus();  // nothing to write; an empty output needs no pass
  const size_t original_rank = out_shape.size();
  Simplify(&out_shape, &in_strides);
  if (out_shape.size() > kMaxGpuRank)
    return BadModel("rank ", original_rank, " (", out_shape.size(),
                    " after merging contiguous axes) exceeds the ", kMaxGpuRank,
                    " axes the WebGPU kernel handles");
  // b32: elements move as raw 4-byte words, so one pipeline serves every type the GPU holds.
  gpu::KernelBuilder b(op_name + "_b32");
  b.Input("X", gpu::ScalarType::kU32).Output("Y", gpu::ScalarType::kU32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("rank", static_cast<uint32_t>(out_shape.size()));
  u.AddI32("base", static_cast<int32_t>(base));
  u.AddU32Array("out_shape", ToU32(out_shape), kMaxGpuRank);
  u.AddI32Array("in_strides", ToI32(in_strides), kMaxGpuRank);
  // Signed offsets: Slice with negative steps walks its input backwards from `base`.
  b.Body(gpu::LinearIndexWgsl(kWorkgroup) +
         "fn source(i: u32) -> i32 {\n"
         "  var rem = i;\n  var off = u.base;\n"
         "  for (var d = i32(u.rank) - 1; d >= 0; d--) {\n"
         "    let k = u32(d);\n"
         "    off += i32(rem % out_shape(k)) * in_strides(k);\n"
         "    rem = rem / out_shape(k);\n  }\n  return off;\n}\n"
         "@compute @workgroup_size(" +
         std::to_string(kWorkgroup) +
         ")\n"
         "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let i = linear_index(gid, nwg);\n  if (i >= u.n) { return; }\n"
         "  Y[i] = X[u32(source(i))];\n}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0)}, groups);
  return OkStatus();
}

bool WrapIndex(int64_t index, int64_t size, int64_t* out) {
  *out = index < 0 ? index + size : index;
  return *out >= 0 && *out < size;
}

std::string WrapIndexWgsl() {
  return "fn wrap_index(k: i32, size: i32) -> i32 {\n"
         "  return clamp(select(k, k + size, k < 0), 0, size - 1);\n}\n";
}

namespace {

// The check kernel: entry j of each tuple of sizes.size() entries must lie in [-sizes[j], sizes[j]).
Status DispatchIndexCheck(GpuContext& ctx, int indices_input, const std::vector<int64_t>& sizes,
                          GpuIndexCheck check) {
  const Shape& shape = ctx.inputs.at(static_cast<size_t>(indices_input)).shape;
  WC_RETURN_IF_ERROR(CheckGpuElements(shape, "indices"));
  if (sizes.empty() || sizes.size() > kMaxGpuRank)
    return BadModel("index tuples of ", sizes.size(), " entries exceed the WebGPU kernel's ", kMaxGpuRank);
  const int64_t count = NumElements(shape);
  if (count == 0) return OkStatus();
  check.indices_input = indices_input;
  const uint32_t slot = ctx.CheckIndices(std::move(check));
  gpu::KernelBuilder b("index_check");
  b.Input("I", gpu::ScalarType::kI32).Atomic("index_error");
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(count));
  u.AddU32("m", static_cast<uint32_t>(sizes.size()));
  u.AddU32("check_slot", slot);
  u.AddU32Array("dims", ToU32(sizes), kMaxGpuRank);
  // The word holds n - position, so atomicMax keeps the first offending position; 0 means none.
  b.Body(gpu::LinearIndexWgsl(kWorkgroup) + "@compute @workgroup_size(" + std::to_string(kWorkgroup) +
         ")\n"
         "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {\n"
         "  let p = linear_index(gid, nwg);\n  if (p >= u.n) { return; }\n"
         "  let size = i32(dims(p % u.m));\n"
         "  let k = I[p];\n"
         "  let w = select(k, k + size, k < 0);\n"
         "  if (w < 0 || w >= size) { atomicMax(&index_error[u.check_slot], u.n - p); }\n}\n");
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(count), kWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(indices_input), GpuContext::IndexCheckWords()}, groups);
  return OkStatus();
}

}  // namespace

Status DispatchAxisIndexCheck(GpuContext& ctx, int indices_input, int64_t axis, int64_t size) {
  GpuIndexCheck check;
  check.describe = [axis, size](int64_t position, const int64_t* value) {
    return IndexOutOfRange(value, position, axis, size);
  };
  return DispatchIndexCheck(ctx, indices_input, {size}, std::move(check));
}

Status DispatchTupleIndexCheck(GpuContext& ctx, int indices_input, int64_t first_axis, std::vector<int64_t> sizes) {
  GpuIndexCheck check;
  const int64_t m = static_cast<int64_t>(sizes.size());
  check.describe = [first_axis, sizes, m](int64_t position, const int64_t* value) {
    const int64_t j = position % m;
    return TupleIndexOutOfRange(value, position / m, j, first_axis + j, sizes[static_cast<size_t>(j)]);
  };
  return DispatchIndexCheck(ctx, indices_input, sizes, std::move(check));
}

namespace {
std::string IndexText(const int64_t* value) {
  return value ? "index " + std::to_string(*value) : std::string("an index computed on the GPU");
}
}  // namespace

Status IndexOutOfRange(const int64_t* value, int64_t position, int64_t axis, int64_t size) {
  return BadModel(IndexText(value), " (flat position ", position, " of the indices) is out of range for data axis ",
                  axis, " of size ", size);
}

Status TupleIndexOutOfRange(const int64_t* value, int64_t tuple, int64_t entry, int64_t axis, int64_t size) {
  return BadModel(IndexText(value), " (tuple ", tuple, ", entry ", entry, ") is out of range for data axis ", axis,
                  " of size ", size);
}

std::vector<uint32_t> ToU32(const std::vector<int64_t>& v) {
  std::vector<uint32_t> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = static_cast<uint32_t>(v[i]);
  return r;
}

std::vector<int32_t> ToI32(const std::vector<int64_t>& v) {
  std::vector<int32_t> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = static_cast<int32_t>(v[i]);
  return r;
}

}  // namespace webconv::ops::tensor
