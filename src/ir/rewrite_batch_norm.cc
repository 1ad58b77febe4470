// BatchNormalization (inference, constant statistics) folded into the Conv before it: per output
// channel m, BN(y) = y * s[m] + t[m] with s = scale / sqrt(var + epsilon) and t = B - mean * s, so the
// Conv's weights scale by s[m] and its bias becomes bias * s[m] + t[m]. The new weights are computed in
// float64 and rounded once. A BN after a Concat (axis 1) of Convs splits per channel slice into each
// branch (TransNetV2's blocks end that way).
#include <algorithm>
#include <cmath>

#include "ir/rewrite_fusion.h"

namespace webconv::ir {
namespace {

struct ChannelAffine {
  std::vector<double> scale, shift;  // y = x * scale[c] + shift[c]
};

// The BN's per-channel affine form, when it computes inference with one output and its statistics are
// constants of shape [channels]. (Its attributes were validated when the graph was built.)
bool AffineOf(const FusionGraph& f, int bn, int64_t channels, ChannelAffine* out) {
  const Node& n = f.node(bn);
  if (n.inputs.size() != 5 || n.outputs.empty() || n.outputs[0] < 0) return false;
  for (size_t k = 1; k < n.outputs.size(); ++k)
    if (n.outputs[k] >= 0) return false;
  if (f.value(n.outputs[0]).dtype != DType::kFloat32) return false;
  const HostTensor* t[5] = {};
  for (int k = 1; k < 5; ++k) {
    const int id = n.inputs[k];
    if (id < 0 || !f.value(id).constant || !IsFloat(f.value(id).dtype) ||
        f.value(id).shape != Shape{channels})
      return false;
    t[k] = f.value(id).constant.get();
  }
  const ops::AttrReader attrs = f.Attributes(bn);
  float epsilon = 1e-5f;
  if (!attrs.Float("epsilon", 1e-5f, &epsilon).ok()) return false;
  if (n.opset < 9) {
    // spatial=0 (opsets 1-8) means per-element statistics: not a per-channel affine map.
    int64_t spatial = 1;
    if (!attrs.Int("spatial", 1, &spatial).ok() || spatial == 0) return false;
  }
  out->scale.resize(channels);
  out->shift.resize(channels);
  for (int64_t c = 0; c < channels; ++c) {
    // As the BN reference computes it: (x - mean) / sqrt(var + epsilon) * scale + B.
    const double s = t[1]->GetDouble(c) / std::sqrt(t[4]->GetDouble(c) + static_cast<double>(epsilon));
    out->scale[c] = s;
    out->shift[c] = t[2]->GetDouble(c) - t[3]->GetDouble(c) * s;
    if (!std::isfinite(out->scale[c]) || !std::isfinite(out->shift[c])) return false;
  }
  return true;
}

// A Conv whose weights and bias are constants and to which nothing is fused yet.
bool Foldable(const FusionGraph& f, int conv) {
  const Node& n = f.node(conv);
  if (!f.conv_attrs(conv).fusion.empty() || n.inputs.size() > 3) return false;
  const Value& w = f.value(n.inputs[1]);
  if (!w.constant || w.dtype != DType::kFloat32 || w.shape.empty()) return false;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Value& b = f.value(n.inputs[2]);
    if (!b.constant || b.dtype != DType::kFloat32 || b.shape != Shape{w.shape[0]}) return false;
  }
  return true;
}

// Scales Conv `conv`'s weights and bias by channels [offset, offset + M) of `a`.
void FoldInto(FusionGraph& f, int conv, const ChannelAffine& a, int64_t offset) {
  const Node& n = f.node(conv);
  const HostTensor& w = *f.value(n.inputs[1]).constant;
  const HostTensor* b =
      n.inputs.size() > 2 && n.inputs[2] >= 0 ? f.value(n.inputs[2]).constant.get() : nullptr;
  const int64_t m = w.shape()[0], per = w.num_elements() / std::max<int64_t>(m, 1);
  HostTensor nw(w.dtype(), w.shape()), nb(w.dtype(), {m});
  for (int64_t c = 0; c < m; ++c) {
    const double s = a.scale[offset + c];
    for (int64_t k = 0; k < per; ++k) nw.SetDouble(c * per + k, w.GetDouble(c * per + k) * s);
    nb.SetDouble(c, (b ? b->GetDouble(c) : 0.0) * s + a.shift[offset + c]);
  }
  const std::string name = n.name;
  f.SetInput(conv, 1, f.AddConstant(name + "/W_bn", std::move(nw)));
  f.SetInput(conv, 2, f.AddConstant(name + "/B_bn", std::move(nb)));
}

// Conv -> BN.
bool FoldDirect(FusionGraph& f, int bn, int conv) {
  if (!Foldable(f, conv)) return false;
  ChannelAffine a;
  if (!AffineOf(f, bn, f.value(f.node(conv).outputs[0]).shape[1], &a)) return false;
  FoldInto(f, conv, a, 0);
  f.Note(StrCat("BatchNormalization '", f.node(bn).name, "' folded into Conv '", f.node(conv).name,
                "' weights and bias"));
  f.Absorb(conv, bn);
  return true;
}

// Concat(axis 1) of Convs -> BN: each branch takes its channel slice of the statistics.
bool FoldThroughConcat(FusionGraph& f, int bn, int concat) {
  std::vector<int64_t> offsets;
  if (!f.ChannelOffsets(concat, &offsets)) return false;
  std::vector<int> convs;
  for (int id : f.node(concat).inputs) {
    const int c = f.ConvProducing(id);
    if (c < 0 || f.SoleReader(id) != concat || !Foldable(f, c)) return false;
    convs.push_back(c);
  }
  ChannelAffine a;
  if (!AffineOf(f, bn, f.value(f.node(concat).outputs[0]).shape[1], &a)) return false;
  for (size_t k = 0; k < convs.size(); ++k) FoldInto(f, convs[k], a, offsets[k]);
  f.Note(StrCat("BatchNormalization '", f.node(bn).name, "' split over Concat '", f.node(concat).name,
                "' and folded into Convs ", NodeNames(f, convs)));
  f.Absorb(concat, bn);
  return true;
}

}  // namespace

void FoldBatchNorms(FusionGraph& f) {
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i) {
    if (!f.Is(i, "BatchNormalization") || f.node(i).inputs.empty() || f.node(i).inputs[0] < 0) continue;
    const int x = f.node(i).inputs[0];
    const int producer = f.value(x).producer;
    if (producer < 0 || f.SoleReader(x) != i) continue;
    if (f.IsConv(producer))
      FoldDirect(f, i, producer);
    else if (f.Is(producer, "Concat"))
      FoldThroughConcat(f, i, producer);
  }
}

}  // namespace webconv::ir
