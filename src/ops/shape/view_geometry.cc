#include "ops/shape/view_geometry.h"

#include <algorithm>

namespace webconv::ops {

Result<Shape> ReshapeShape(const Shape& in, const std::vector<int64_t>& spec, bool allowzero) {
  Shape out(spec.size());
  int infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    const int64_t d = spec[i];
    if (d < -1) return BadModel("shape entry ", d, " at index ", i, " is invalid (entries must be >= -1)");
    if (d == -1) {
      if (infer_at >= 0)
        return BadModel("shape ", ShapeString(spec), " has more than one -1 (indices ", infer_at, " and ", i,
                        ")");
      infer_at = static_cast<int>(i);
      out[i] = 1;  // placeholder so the product below counts the known dims only
    } else if (d == 0 && !allowzero) {
      if (i >= in.size())
        return BadModel("shape entry 0 at index ", i, " copies an input dim, but the input ", ShapeString(in),
                        " has rank ", in.size());
      out[i] = in[i];
    } else {
      has_zero = has_zero || d == 0;
      out[i] = d;
    }
  }
  if (allowzero && has_zero && infer_at >= 0)
    return BadModel("shape ", ShapeString(spec), " has both 0 and -1, which allowzero=1 forbids");
  WC_ASSIGN_OR_RETURN(const int64_t known, CheckedNumElements(out));
  const int64_t total = NumElements(in);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      return BadModel("cannot infer the -1 of shape ", ShapeString(spec), " (resolved ", ShapeString(out),
                      "): the input ", ShapeString(in), " has ", total, " elements");
    out[infer_at] = total / known;
  } else if (known != total) {
    return BadModel("shape ", ShapeString(spec), " (resolved ", ShapeString(out), ") has ", known,
                    " elements but the input ", ShapeString(in), " has ", total);
  }
  return out;
}

Shape FlattenShape(const Shape& in, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < in.size(); ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= in[i];
  return {outer, inner};
}

namespace {

// Normalizes each axis against `rank` and rejects duplicates (after normalization, so 1 and -2 of a
// rank-3 tensor are the same axis).
Result<std::vector<int64_t>> NormalizeAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out(axes.size());
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < -rank || axes[i] >= rank)
      return BadModel("axis ", axes[i], " is out of range [", -rank, ", ", rank - 1, "] (rank ", rank, ")");
    out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (seen[out[i]]) return BadModel("axes ", ShapeString(axes), " name axis ", out[i], " twice");
    seen[out[i]] = true;
  }
  return out;
}

}  // namespace

Result<Shape> SqueezeShape(const Shape& in, const std::optional<std::vector<int64_t>>& axes) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<bool> drop(in.size(), false);
  if (!axes) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    WC_ASSIGN_OR_RETURN(const std::vector<int64_t> norm, NormalizeAxes(*axes, rank));
    for (int64_t a : norm) {
      if (in[a] != 1)
        return BadModel("cannot squeeze axis ", a, " of shape ", ShapeString(in), ": its size is ", in[a]);
      drop[a] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  return out;
}

Result<Shape> UnsqueezeShape(const Shape& in, const std::vector<int64_t>& axes) {
  const int64_t out_rank = static_cast<int64_t>(in.size() + axes.size());
  WC_ASSIGN_OR_RETURN(const std::vector<int64_t> norm, NormalizeAxes(axes, out_rank));
  Shape out(static_cast<size_t>(out_rank), 1);
  std::vector<bool> inserted(out.size(), false);
  for (int64_t a : norm) inserted[a] = true;
  size_t k = 0;
  for (size_t i = 0; i < out.size(); ++i)
    if (!inserted[i]) out[i] = in[k++];
  return out;
}

void ShapeSliceRange(int64_t rank, int64_t start, std::optional<int64_t> end, int64_t* begin, int64_t* stop) {
  auto resolve = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  *begin = resolve(start);
  *stop = end ? resolve(*end) : rank;
  if (*stop < *begin) *stop = *begin;
}

}  // namespace webconv::ops
