#include <algorithm>

#include "ops/pad/pad.h"

namespace webconv::ops {

const char* PadModeName(PadMode m) {
  switch (m) {
    case PadMode::kConstant:
      return "constant";
    case PadMode::kReflect:
      return "reflect";
    case PadMode::kEdge:
      return "edge";
    case PadMode::kWrap:
      return "wrap";
  }
  return "?";
}

Result<PadGeometry> ResolvePad(PadMode mode, const Shape& in, const std::vector<int64_t>& pads,
                               const std::optional<std::vector<int64_t>>& axes) {
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> which;
  if (axes) {
    std::vector<bool> seen(in.size(), false);
    for (int64_t axis : *axes) {
      int64_t a = 0;
      WC_RETURN_IF_ERROR(NormalizeAxis(axis, rank, &a, "axes entry"));
      if (seen[a]) return BadModel("axes lists axis ", a, " twice");
      seen[a] = true;
      which.push_back(a);
    }
  } else {
    for (int64_t a = 0; a < rank; ++a) which.push_back(a);
  }
  const size_t n = which.size();
  if (pads.size() != 2 * n)
    return BadModel("pads has ", pads.size(), " entries for ", n, " padded axes of a rank-", rank,
                    " input; expected ", 2 * n, " (begin and end per axis)");
  for (size_t k = 0; k < pads.size(); ++k)
    if (pads[k] > kMaxElements || pads[k] < -kMaxElements)
      return BadModel("pads[", k, "] = ", pads[k], " is out of range");

  PadGeometry g;
  g.mode = mode;
  g.axes.resize(in.size());
  for (size_t a = 0; a < in.size(); ++a) g.axes[a] = {in[a], in[a], 0, 0, in[a]};
  for (size_t k = 0; k < n; ++k) {
    const int64_t a = which[k], pb = pads[k], pe = pads[k + n];
    PadAxis& ax = g.axes[a];
    const int64_t crop_end = std::max<int64_t>(-pe, 0);
    const int64_t end = std::max<int64_t>(pe, 0);
    ax.crop = std::max<int64_t>(-pb, 0);
    ax.begin = std::max<int64_t>(pb, 0);
    if (ax.crop + crop_end > ax.in)
      return BadModel("pads ", pb, " and ", pe, " crop ", ax.crop + crop_end, " elements from axis ", a,
                      ", which has ", ax.in);
    ax.extent = ax.in - ax.crop - crop_end;
    ax.out = ax.begin + ax.extent + end;
    if (mode == PadMode::kConstant || (ax.begin == 0 && end == 0)) continue;
    if (ax.extent == 0)
      return BadModel(PadModeName(mode), " padding of axis ", a, " (pads ", pb, ", ", pe,
                      ") needs input elements to copy, but the axis keeps none of its ", ax.in);
    if (mode == PadMode::kReflect && (ax.begin >= ax.extent || end >= ax.extent))
      return BadModel("reflect padding of axis ", a, " by ", ax.begin, " and ", end,
                      " must be smaller than the axis' extent ", ax.extent, " (", ax.in, " before cropping)");
  }
  for (const PadAxis& ax : g.axes) g.out_shape.push_back(ax.out);
  WC_RETURN_IF_ERROR(CheckedNumElements(g.out_shape).status().Prefixed("padded output: "));
  return g;
}

}  // namespace webconv::ops
