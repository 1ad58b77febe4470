#include "ops/reduce/row_geometry.h"

namespace webconv::ops {

AxisLines SplitAtAxis(const Shape& shape, int64_t axis, bool through_end) {
  AxisLines l;
  for (int64_t k = 0; k < static_cast<int64_t>(shape.size()); ++k) {
    if (k < axis) l.outer *= shape[k];
    else if (k == axis || through_end) l.len *= shape[k];
    else l.inner *= shape[k];
  }
  return l;
}

Status CheckLinesFitGpu(const AxisLines& l) {
  if (l.lines() * l.len >= (int64_t{1} << 31))
    return BadModel("tensors with 2^31 or more elements are not supported on WebGPU");
  return OkStatus();
}

void AddLineUniforms(gpu::UniformBlock& u, const AxisLines& l) {
  u.AddU32("n", static_cast<uint32_t>(l.lines()));
  u.AddU32("len", static_cast<uint32_t>(l.len));
  u.AddU32("inner", static_cast<uint32_t>(l.inner));
}

std::string LineStartWgsl() {
  return "fn line_start(i: u32) -> u32 { return (i / u.inner) * u.len * u.inner + i % u.inner; }\n";
}

RowGeometry MakeRowGeometry(const Shape& shape, const std::vector<bool>& reduced) {
  RowGeometry g;
  const std::vector<int64_t> strides = ContiguousStrides(shape);
  int last = -1;  // kind of the last axis appended: 0 kept, 1 reduced
  for (size_t i = 0; i < shape.size(); ++i) {
    const int kind = reduced[i] ? 1 : 0;
    (kind ? g.len : g.rows) *= shape[i];
    if (shape[i] == 1) continue;
    auto& dims = kind ? g.red_dims : g.kept_dims;
    auto& st = kind ? g.red_strides : g.kept_strides;
    // Contiguous strides make a neighbour of the same kind (unit axes between them aside) mergeable:
    // the outer stride is the inner one times the inner extent.
    if (kind == last) {
      dims.back() *= shape[i];
      st.back() = strides[i];
    } else {
      dims.push_back(shape[i]);
      st.push_back(strides[i]);
    }
    last = kind;
  }
  return g;
}

int64_t WalkOffset(const std::vector<int64_t>& dims, const std::vector<int64_t>& strides, int64_t index) {
  int64_t off = 0;
  for (size_t k = dims.size(); k-- > 0;) {
    off += (index % dims[k]) * strides[k];
    index /= dims[k];
  }
  return off;
}

void OffsetWalker::Next() {
  for (size_t k = dims_.size(); k-- > 0;) {
    offset_ += strides_[k];
    if (++index_[k] < dims_[k]) return;
    offset_ -= strides_[k] * dims_[k];
    index_[k] = 0;
  }
}

Result<std::vector<bool>> ReducedAxesMask(const std::vector<int64_t>& axes, size_t rank,
                                          bool noop_when_empty) {
  std::vector<bool> mask(rank, axes.empty() && !noop_when_empty);
  for (int64_t a : axes) {
    int64_t k = 0;
    WC_RETURN_IF_ERROR(NormalizeAxis(a, static_cast<int64_t>(rank), &k, "axes entry"));
    if (mask[static_cast<size_t>(k)]) return BadModel("axes names axis ", k, " twice");
    mask[static_cast<size_t>(k)] = true;
  }
  return mask;
}

Shape ReducedShape(const Shape& in, const std::vector<bool>& reduced, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!reduced[i])
      out.push_back(in[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

Status ReadFlag(const AttrReader& attrs, const char* name, bool def, bool* out) {
  int64_t v = def ? 1 : 0;
  WC_RETURN_IF_ERROR(attrs.Int(name, v, &v));
  if (v != 0 && v != 1) return BadModel(name, " must be 0 or 1, got ", v);
  *out = v == 1;
  return OkStatus();
}

Status CheckAttrSince(const ParseContext& ctx, const char* op, const char* attr, int since) {
  if (ctx.opset < since && ctx.attrs.Has(attr))
    return BadModel("attribute '", attr, "' is not part of ", op, "-", ctx.opset, " (it arrives in opset ",
                    since, ")");
  return OkStatus();
}

}  // namespace webconv::ops
