// TopK (opset 1: k an attribute; 10: k input 1; 11: largest and sorted): the k largest (or smallest)
// elements along `axis`, and their indices (int64), in order: largest first (smallest first), equal
// values by lower index, as ONNX asks. Results are always sorted (sorted=0 leaves the order free). k must
// be known when the graph is planned (a constant, or a graph input bound at run time), 0 <= k <= the
// axis's extent.
// NaN is ordered above every number and equal to other NaNs (so it comes first when largest=1 and last
// when largest=0), a choice of webconv's: ONNX does not say.
// The WebGPU kernel gives each element its rank in its row by counting the elements that come before it
// (O(extent) per element, no sorting passes); elements ranked below k write themselves to that place.
// Inputs needing more than 2^32 comparisons that way are refused on WebGPU (the CPU backends sort).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/elementwise/elementwise.h"
#include "ops/elementwise/wgsl_math.h"
#include "ops/reduce/reduce.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

// The WebGPU kernel's work bound: elements x row extent.
constexpr double kMaxComparisons = 4294967296.0;

struct TopKAttrs {
  int64_t axis = -1;
  bool largest = true;
  bool has_k_attr = false;  // opset 1
  int64_t k_attr = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  auto a = std::make_shared<TopKAttrs>();
  if (ctx.opset < 10) {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
    a->has_k_attr = true;
    WC_RETURN_IF_ERROR(ctx.attrs.RequiredInt("k", &a->k_attr));
  } else {
    WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 2));
  }
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", -1, &a->axis));
  int64_t largest = 1, sorted = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("largest", 1, &largest));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("sorted", 1, &sorted));  // results are sorted either way
  if (largest != 0 && largest != 1) return BadModel("attribute largest must be 0 or 1, got ", largest);
  if (sorted != 0 && sorted != 1) return BadModel("attribute sorted must be 0 or 1, got ", sorted);
  a->largest = largest == 1;
  *out = a;
  return OkStatus();
}

// The row geometry ([outer, extent, inner] around the axis) and k, checked.
struct TopKShape {
  int64_t outer = 1, extent = 1, inner = 1, axis = 0, k = 0;
};

Result<TopKShape> Resolve(const TopKAttrs& a, const Shape& x, const HostTensor* k_input, bool k_given) {
  TopKShape s;
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank == 0) return BadModel("the input is a scalar: TopK needs an axis");
  WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &s.axis));
  for (int64_t d = 0; d < s.axis; ++d) s.outer *= x[static_cast<size_t>(d)];
  s.extent = x[static_cast<size_t>(s.axis)];
  for (int64_t d = s.axis + 1; d < rank; ++d) s.inner *= x[static_cast<size_t>(d)];
  if (a.has_k_attr) {
    s.k = a.k_attr;
  } else {
    if (!k_given) return BadModel("input 1 (K) is required");
    if (!k_input) return BadModel("input 1 (K) must be known when the graph is planned");
    if (k_input->dtype() != DType::kInt64) return BadModel("K has type ", DTypeName(k_input->dtype()), ", expected int64");
    if (k_input->num_elements() != 1) return BadModel("K must hold one value, got shape ", ShapeString(k_input->shape()));
    s.k = k_input->GetInt(0);
  }
  if (s.k < 0 || s.k > s.extent)
    return BadModel("K is ", s.k, ": it must lie in [0, ", s.extent, "], the extent of axis ", s.axis);
  return s;
}

const HostTensor* KInput(const std::vector<TensorInfo>& in) {
  return in.size() > 1 && in[1].present ? in[1].constant : nullptr;
}
bool KGiven(const std::vector<TensorInfo>& in) { return in.size() > 1 && in[1].present; }

Status Infer(InferContext& ctx) {
  const auto& a = ctx.Attrs<TopKAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  if (!IsSupportedDType(x.dtype) || x.dtype == DType::kBool || x.dtype == DType::kString)
    return BadModel("input has type ", DTypeName(x.dtype), ": TopK needs a numeric type");
  WC_ASSIGN_OR_RETURN(TopKShape s, Resolve(a, x.shape, KInput(ctx.inputs), KGiven(ctx.inputs)));
  Shape out = x.shape;
  out[static_cast<size_t>(s.axis)] = s.k;
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = out;
  if (ctx.outputs.size() > 1) {
    ctx.outputs[1].dtype = DType::kInt64;
    ctx.outputs[1].shape = out;
  }
  return OkStatus();
}

// Whether value o (at index oi) comes before value m (at index mi): NaN above every number.
bool Before(double o, int64_t oi, double m, int64_t mi, bool largest) {
  const bool on = std::isnan(o), mn = std::isnan(m);
  if (on && mn) return oi < mi;
  if (on != mn) return largest ? on : mn;
  if (o == m) return oi < mi;
  return largest ? o > m : o < m;
}

Status Reference(RefContext& ctx) {
  const auto& a = ctx.Attrs<TopKAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  const bool k_given = ctx.inputs.size() > 1 && ctx.inputs[1];
  WC_ASSIGN_OR_RETURN(TopKShape s, Resolve(a, x.shape(), k_given ? ctx.inputs[1] : nullptr, k_given));
  HostTensor& values = ctx.out(0);
  HostTensor* indices = ctx.outputs->size() > 1 && ctx.out(1).byte_size() > 0 ? &ctx.out(1) : nullptr;
  std::vector<int64_t> order(static_cast<size_t>(s.extent));
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t in = 0; in < s.inner; ++in) {
      auto at = [&](int64_t e) { return (o * s.extent + e) * s.inner + in; };
      std::iota(order.begin(), order.end(), 0);
      // An integer wider than double's 53 bits compares by its int64 value.
      const bool wide = x.dtype() == DType::kInt64 || x.dtype() == DType::kUInt64;
      std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
        if (wide) {
          const int64_t vp = x.GetInt(at(p)), vq = x.GetInt(at(q));
          return vp == vq ? p < q : (a.largest ? vp > vq : vp < vq);
        }
        return Before(x.GetDouble(at(p)), p, x.GetDouble(at(q)), q, a.largest);
      });
      for (int64_t j = 0; j < s.k; ++j) {
        const int64_t dst = (o * s.k + j) * s.inner + in;
        CopyElement(x, at(order[static_cast<size_t>(j)]), values, dst);
        if (indices) indices->SetInt(dst, order[static_cast<size_t>(j)]);
      }
    }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  const auto& a = ctx.Attrs<TopKAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  if (!GpuSupports(x.dtype)) return BadModel("the WebGPU backend does not hold ", DTypeName(x.dtype));
  WC_ASSIGN_OR_RETURN(TopKShape s, Resolve(a, x.shape, KInput(ctx.inputs), KGiven(ctx.inputs)));
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements(x.shape, "input"));
  const int64_t n = NumElements(x.shape);
  if (n == 0 || s.k == 0) return OkStatus();
  // Each element compares itself with its whole row: refuse what would run for minutes.
  if (static_cast<double>(n) * static_cast<double>(s.extent) > kMaxComparisons)
    return BadModel("TopK over ", n, " elements in rows of ", s.extent, " needs ", n, " x ", s.extent,
                    " comparisons on WebGPU, more than its limit of 2^32; the CPU backends run it");
  const bool has_indices = ctx.outputs.size() > 1 && ctx.outputs[1].present;
  const gpu::ScalarType t = GpuType(x.dtype);
  const bool is_float = t == gpu::ScalarType::kF32;
  gpu::KernelBuilder b(std::string("topk_") + gpu::WgslType(t) + (a.largest ? "_largest" : "_smallest"));
  b.Input("X", t).Output("V", t).Output("I", gpu::ScalarType::kI32);
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(n));
  u.AddU32("extent", static_cast<uint32_t>(s.extent));
  u.AddU32("inner", static_cast<uint32_t>(s.inner));
  u.AddU32("k", static_cast<uint32_t>(s.k));
  // before(o, oi, m, mi): o at oi comes before m at mi (NaN above every number, told by its bits).
  std::string before;
  if (is_float) {
    before = WgslMathFunctions(0) +  // is_nan()
             "fn before(o: f32, oi: u32, m: f32, mi: u32) -> bool {\n"
             "  let on = is_nan(o);\n  let mn = is_nan(m);\n"
             "  if (on && mn) { return oi < mi; }\n"
             "  if (on != mn) { return " + std::string(a.largest ? "on" : "mn") + "; }\n"
             "  if (o == m) { return oi < mi; }\n"
             "  return " + std::string(a.largest ? "o > m" : "o < m") + ";\n}\n";
  } else {
    const std::string w = gpu::WgslType(t);
    before = "fn before(o: " + w + ", oi: u32, m: " + w + ", mi: u32) -> bool {\n"
             "  if (o == m) { return oi < mi; }\n"
             "  return " + std::string(a.largest ? "o > m" : "o < m") + ";\n}\n";
  }
  b.Body(before + ElementwiseMain(
                      "let e = (i / u.inner) % u.extent;\n"
                      "  let row = i - e * u.inner;\n"
                      "  let me = X[i];\n"
                      "  var rank = 0u;\n"
                      "  for (var j = 0u; j < u.extent; j = j + 1u) {\n"
                      "    if (before(X[row + j * u.inner], j, me, e)) { rank = rank + 1u; }\n"
                      "  }\n"
                      "  if (rank < u.k) {\n"
                      "    let dst = ((i / u.inner) / u.extent * u.k + rank) * u.inner + i % u.inner;\n"
                      "    V[dst] = me;\n"
                      "    I[dst] = i32(e);\n"
                      "  }"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(n), kElementwiseWorkgroup, groups);
  const GpuRef indices = has_indices ? GpuContext::Out(1) : ctx.Scratch(static_cast<uint64_t>(s.outer * s.k * s.inner));
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0), indices}, groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> TopKRows() {
  OpSchema s;
  s.op_type = "TopK";
  s.min_opset = 1;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.host_inputs = {1};
  s.notes = "K known when planned; results always sorted; NaN ranks above every number; O(extent) per element on "
            "WebGPU";
  return {s};
}

}  // namespace webconv::ops
