// Unique (opset 11): the distinct elements of X (without axis: of the flattened X) or the distinct slices
// of X along `axis`, with, for each, the index of its first occurrence (indices), for each element or slice
// of X the index of its value in Y (inverse_indices) and how often it occurs (counts), all int64. The
// number of distinct values fixes the output shapes, so X must be known when the graph is planned (a
// constant or a graph input, bound by value); there is no WebGPU kernel, and the node is evaluated by the
// float64 reference on every backend.
//
// sorted=1 (the default) orders Y ascending (slices lexicographically, in row-major order of the other
// axes, as numpy.unique does); sorted=0 keeps the order of first occurrence. Equal values are those that
// compare equal: -0 and 0 are one value (Y holds the first occurrence's bits), and every NaN is equal to
// every other NaN and sorts after every number (numpy.unique's equal_nan). Integers compare exactly,
// uint64 as unsigned.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/elementwise/elementwise.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct UniqueAttrs {
  bool sorted = true;
  bool has_axis = false;
  int64_t axis = 0;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  if (ctx.num_outputs < 1 || ctx.num_outputs > 4)
    return BadModel("Unique has 1 to 4 outputs, got ", ctx.num_outputs);
  auto a = std::make_shared<UniqueAttrs>();
  int64_t sorted = 1;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("sorted", 1, &sorted));
  if (sorted != 0 && sorted != 1) return BadModel("attribute sorted must be 0 or 1, got ", sorted);
  a->sorted = sorted == 1;
  a->has_axis = ctx.attrs.Has("axis");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("axis", 0, &a->axis));
  *out = a;
  return OkStatus();
}

// The input seen as `extent` slices of [outer, inner] around the axis (without axis: `size` slices of one
// element), and what Unique finds in them.
struct UniqueResult {
  int64_t outer = 1, extent = 1, inner = 1, axis = -1;
  std::vector<int64_t> first;    // per distinct slice, in output order: the index of its first occurrence
  std::vector<int64_t> inverse;  // per slice of X: the index of its value in Y
  std::vector<int64_t> counts;   // per distinct slice, in output order
  Shape y_shape;
};

// Ordering keys, one per element: floats as double (NaN handled apart), integers as int64 (uint64 with
// its top bit flipped, so that signed order is unsigned order).
struct Keys {
  bool floating = false;
  std::vector<double> f;
  std::vector<int64_t> i;
  // -1, 0, 1: the order of elements p and q. NaN equals NaN and comes after every number.
  int Compare(int64_t p, int64_t q) const {
    if (!floating) {
      const int64_t a = i[static_cast<size_t>(p)], b = i[static_cast<size_t>(q)];
      return a < b ? -1 : a > b ? 1 : 0;
    }
    const double a = f[static_cast<size_t>(p)], b = f[static_cast<size_t>(q)];
    const bool an = std::isnan(a), bn = std::isnan(b);
    if (an || bn) return an == bn ? 0 : an ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
};

Result<UniqueResult> Run(const UniqueAttrs& a, const HostTensor& x) {
  const DType t = x.dtype();
  WC_RETURN_IF_ERROR(CheckMovableType(t));
  if (!IsFloat(t) && !IsInteger(t) && t != DType::kBool)
    return BadModel("input type ", DTypeName(t), " is not supported");
  UniqueResult r;
  const Shape& shape = x.shape();
  const int64_t n = x.num_elements();
  if (a.has_axis) {
    const int64_t rank = static_cast<int64_t>(shape.size());
    WC_RETURN_IF_ERROR(NormalizeAxis(a.axis, rank, &r.axis));
    for (int64_t d = 0; d < r.axis; ++d) r.outer *= shape[static_cast<size_t>(d)];
    r.extent = shape[static_cast<size_t>(r.axis)];
    for (int64_t d = r.axis + 1; d < rank; ++d) r.inner *= shape[static_cast<size_t>(d)];
  } else {
    r.extent = n;
  }
  Keys keys;
  keys.floating = IsFloat(t);
  if (keys.floating) {
    keys.f.resize(static_cast<size_t>(n));
    for (int64_t e = 0; e < n; ++e) keys.f[static_cast<size_t>(e)] = x.GetDouble(e);
  } else {
    keys.i.resize(static_cast<size_t>(n));
    for (int64_t e = 0; e < n; ++e) {
      int64_t v = x.GetInt(e);
      if (t == DType::kUInt64) v = static_cast<int64_t>(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
      keys.i[static_cast<size_t>(e)] = v;
    }
  }
  // Slices compared element by element in row-major order of the other axes (outer, then inner).
  auto compare = [&](int64_t p, int64_t q) {
    for (int64_t o = 0; o < r.outer; ++o)
      for (int64_t in = 0; in < r.inner; ++in) {
        const int c = keys.Compare((o * r.extent + p) * r.inner + in, (o * r.extent + q) * r.inner + in);
        if (c != 0) return c;
      }
    return 0;
  };
  // Slices in value order, equal ones by index: each run of equal slices starts at its first occurrence.
  std::vector<int64_t> order(static_cast<size_t>(r.extent));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) { return compare(p, q) < 0; });
  std::vector<int64_t> group_of(static_cast<size_t>(r.extent));  // slice -> its run, in value order
  std::vector<int64_t> group_first, group_count;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || compare(order[k - 1], order[k]) != 0) {
      group_first.push_back(order[k]);
      group_count.push_back(0);
    }
    group_of[static_cast<size_t>(order[k])] = static_cast<int64_t>(group_first.size() - 1);
    ++group_count.back();
  }
  // Output order of the runs: value order, or (sorted=0) order of first occurrence.
  const size_t groups = group_first.size();
  std::vector<int64_t> out_order(groups);  // output position -> run
  std::iota(out_order.begin(), out_order.end(), 0);
  if (!a.sorted)
    std::sort(out_order.begin(), out_order.end(), [&](int64_t p, int64_t q) {
      return group_first[static_cast<size_t>(p)] < group_first[static_cast<size_t>(q)];
    });
  std::vector<int64_t> position(groups);  // run -> output position
  for (size_t k = 0; k < groups; ++k) position[static_cast<size_t>(out_order[k])] = static_cast<int64_t>(k);
  for (size_t k = 0; k < groups; ++k) {
    r.first.push_back(group_first[static_cast<size_t>(out_order[k])]);
    r.counts.push_back(group_count[static_cast<size_t>(out_order[k])]);
  }
  r.inverse.resize(static_cast<size_t>(r.extent));
  for (int64_t s = 0; s < r.extent; ++s)
    r.inverse[static_cast<size_t>(s)] = position[static_cast<size_t>(group_of[static_cast<size_t>(s)])];
  if (a.has_axis) {
    r.y_shape = shape;
    r.y_shape[static_cast<size_t>(r.axis)] = static_cast<int64_t>(groups);
  } else {
    r.y_shape = {static_cast<int64_t>(groups)};
  }
  return r;
}

Status Infer(InferContext& ctx) {
  const TensorInfo& x = ctx.inputs[0];
  if (!x.constant)
    return BadModel("input 0 (X) must be known when the graph is planned (a constant or a graph input)");
  WC_ASSIGN_OR_RETURN(UniqueResult r, Run(ctx.Attrs<UniqueAttrs>(), *x.constant));
  const int64_t groups = static_cast<int64_t>(r.first.size());
  ctx.outputs[0].dtype = x.dtype;
  ctx.outputs[0].shape = r.y_shape;
  const Shape index_shapes[3] = {{groups}, {r.extent}, {groups}};
  for (size_t k = 1; k < ctx.outputs.size() && k < 4; ++k) {
    ctx.outputs[k].dtype = DType::kInt64;
    ctx.outputs[k].shape = index_shapes[k - 1];
  }
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor& x = *ctx.inputs[0];
  WC_ASSIGN_OR_RETURN(UniqueResult r, Run(ctx.Attrs<UniqueAttrs>(), x));
  const int64_t groups = static_cast<int64_t>(r.first.size());
  HostTensor& y = ctx.out(0);
  for (int64_t o = 0; o < r.outer; ++o)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t in = 0; in < r.inner; ++in)
        CopyElement(x, (o * r.extent + r.first[static_cast<size_t>(g)]) * r.inner + in, y,
                    (o * groups + g) * r.inner + in);
  const std::vector<int64_t>* index_outputs[3] = {&r.first, &r.inverse, &r.counts};
  for (size_t k = 1; k < ctx.outputs->size() && k < 4; ++k) {
    HostTensor& out = ctx.out(k);
    if (out.dtype() == DType::kUndefined) continue;  // an omitted optional output
    const std::vector<int64_t>& v = *index_outputs[k - 1];
    for (size_t e = 0; e < v.size(); ++e) out.SetInt(static_cast<int64_t>(e), v[e]);
  }
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> UniqueRows() {
  OpSchema s;
  s.op_type = "Unique";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.host_inputs = {0};
  s.notes =
      "output shape depends on the values: evaluated by the reference when planning; numeric and bool types; "
      "sorted and not, with or without axis; -0 equals 0, NaNs are one value sorted last";
  return {s};
}

}  // namespace webconv::ops::tensor
