#include "ops/tensor/scatter_common.h"

#include <cstring>

namespace webconv::ops::tensor {

Status ParseReduction(const ParseContext& ctx, ScatterReduction* out) {
  *out = ScatterReduction::kNone;
  if (ctx.opset < 16) {
    if (ctx.attrs.Has("reduction"))
      return BadModel("the reduction attribute needs opset 16, the node has ", ctx.opset);
    return OkStatus();
  }
  std::string r;
  WC_RETURN_IF_ERROR(ctx.attrs.String("reduction", "none", &r));
  if (r == "none") return OkStatus();
  if (r == "add") {
    *out = ScatterReduction::kAdd;
    return OkStatus();
  }
  if (r == "mul") {
    *out = ScatterReduction::kMul;
    return OkStatus();
  }
  if (r == "max" || r == "min")
    return BadModel("reduction '", r, "' needs opset 18; webconv handles up to 17");
  return BadModel("reduction '", r, "' is not one of none, add, mul");
}

const char* ReductionName(ScatterReduction r) {
  switch (r) {
    case ScatterReduction::kAdd:
      return "add";
    case ScatterReduction::kMul:
      return "mul";
    default:
      return "none";
  }
}

ScatterTarget::ScatterTarget(const HostTensor& data, ScatterReduction r, HostTensor* out)
    : r_(r), out_(out), is_float_(IsFloat(data.dtype())) {
  const int64_t n = data.num_elements();
  if (r_ == ScatterReduction::kNone) {
    if (n) std::memcpy(out_->mutable_data(), data.data(), data.byte_size());
    return;
  }
  if (is_float_) {
    fsum_.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) fsum_[static_cast<size_t>(i)] = data.GetDouble(i);
  } else {
    isum_.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) isum_[static_cast<size_t>(i)] = static_cast<uint64_t>(data.GetInt(i));
  }
}

void ScatterTarget::Apply(int64_t o, const HostTensor& updates, int64_t u) {
  const size_t k = static_cast<size_t>(o);
  if (r_ == ScatterReduction::kNone) {
    const size_t es = DTypeSize(updates.dtype());
    std::memcpy(out_->mutable_data() + k * es, updates.data() + static_cast<size_t>(u) * es, es);
  } else if (is_float_) {
    const double v = updates.GetDouble(u);
    fsum_[k] = r_ == ScatterReduction::kAdd ? fsum_[k] + v : fsum_[k] * v;
  } else {
    const uint64_t v = static_cast<uint64_t>(updates.GetInt(u));
    isum_[k] = r_ == ScatterReduction::kAdd ? isum_[k] + v : isum_[k] * v;
  }
}

void ScatterTarget::Finish() {
  for (size_t i = 0; i < fsum_.size(); ++i) out_->SetDouble(static_cast<int64_t>(i), fsum_[i]);
  for (size_t i = 0; i < isum_.size(); ++i)
    out_->SetInt(static_cast<int64_t>(i), static_cast<int64_t>(isum_[i]));
}

gpu::ScalarType ScatterGpuType(DType t, ScatterReduction r) {
  return r == ScatterReduction::kNone ? gpu::ScalarType::kU32 : GpuType(t);
}

std::string CombineWgsl(ScatterReduction r) {
  switch (r) {
    case ScatterReduction::kAdd:
      return "acc = acc + upd;";
    case ScatterReduction::kMul:
      return "acc = acc * upd;";
    default:
      return "acc = upd;";
  }
}

}  // namespace webconv::ops::tensor
