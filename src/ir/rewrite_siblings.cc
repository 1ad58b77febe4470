// Sibling Convs: Convs that read the same input with the same window (kernel, strides, dilations,
// pads), group 1 and constant weights run as one Conv whose output channels are theirs side by side.
// Each sibling's readers, all Convs, then read their channel slice of the merged output
// (ConvFusion::in_channel_offset/total), so no slice is ever copied.
//
// Why: TransNetV2's blocks open with four (2+1)-D branches whose 1x3x3 convs all read the block's
// input. As four GEMMs each gathers the same im2col rows for N = 2F columns; as one it gathers them
// once for N = 8F columns, which gives the tiles more columns per gathered row and the machine
// fewer, larger dispatches. The merged Conv computes every output channel exactly as its sibling
// did (same taps, same order over the reduction); only the tile that runs it may differ.
#include <algorithm>
#include <cstring>
#include <map>

#include "ir/rewrite_fusion.h"

namespace webconv::ir {
namespace {

// What siblings must share to merge: the resolved window (every axis), batch, input channels and the
// fused activation steps. Convs of equal keys over the same input are siblings.
std::vector<int64_t> SiblingKey(const ops::ConvProblem& p) {
  std::vector<int64_t> key = {p.batch, p.in_channels, static_cast<int64_t>(p.axes.size())};
  for (const ops::AxisGeometry& g : p.axis3)
    key.insert(key.end(), {g.in, g.out, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end});
  for (const auto& s : p.fusion.steps) {
    key.insert(key.end(), {static_cast<int64_t>(s.kind), static_cast<int64_t>(reinterpret_cast<intptr_t>(s.fn.def))});
    for (float v : s.fn.p) {
      int32_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      key.push_back(bits);
    }
  }
  return key;
}

// Whether every reader of Conv `i`'s output is a Conv that reads it as X only, and could read a slice.
bool ReadersTakeSlices(const FusionGraph& f, int i) {
  const int y = f.node(i).outputs[0];
  const Value& v = f.value(y);
  if (v.is_graph_output || v.consumers.empty()) return false;
  for (int c : v.consumers) {
    if (!f.IsConv(c) || f.conv_attrs(c).fusion.reads_slice()) return false;
    const std::vector<int>& in = f.node(c).inputs;
    if (in[0] != y || std::count(in.begin(), in.end(), y) != 1) return false;
  }
  return true;
}

// A Conv that may join a merge: plain (group 1, no placement, pool, slice or fused Add), constant
// float32 weight and bias, readers that can take a slice.
bool Mergeable(const FusionGraph& f, int i, ops::ConvProblem* p) {
  if (!f.IsConv(i) || !f.ConvProblemOf(i, p) || p->group != 1) return false;
  const ops::ConvFusion& fusion = f.conv_attrs(i).fusion;
  if (fusion.channel_total > 0 || fusion.pooled() || fusion.reads_slice()) return false;
  for (const auto& s : fusion.steps)
    if (s.kind == ops::ConvFusion::Step::kAdd) return false;
  const std::vector<int>& in = f.node(i).inputs;
  if (in.size() > 3 || !IsConstantF32(f, in[1])) return false;
  if (in.size() == 3 && in[2] >= 0 && !IsConstantF32(f, in[2])) return false;
  return ReadersTakeSlices(f, i);
}

void Merge(FusionGraph& f, const std::vector<int>& convs) {
  const int first = convs[0];
  std::vector<int64_t> offsets, rows;
  std::vector<int> weights, biases;
  int64_t total = 0;
  bool any_bias = false;
  for (int c : convs) {
    const std::vector<int>& in = f.node(c).inputs;
    offsets.push_back(total);
    rows.push_back(f.value(in[1]).shape[0]);
    total += rows.back();
    weights.push_back(in[1]);
    biases.push_back(in.size() == 3 ? in[2] : -1);
    any_bias = any_bias || biases.back() >= 0;
  }
  // Weights [M_k, C, kernel...] stacked along M, each sibling's in turn; biases likewise (zeros where absent).
  HostTensor w = StackRows(f, weights, rows, f.value(weights[0]).shape);
  HostTensor b = StackRows(f, biases, rows, {total});
  const Node& head = f.node(first);
  const std::string name = f.value(head.outputs[0]).name + "_siblings";
  Shape ys = f.value(head.outputs[0]).shape;
  ys[1] = total;
  const int merged = f.AddValue(name, DType::kFloat32, ys);
  f.SetInput(first, 1, f.AddConstant(name + "_w", std::move(w)));
  if (any_bias) f.SetInput(first, 2, f.AddConstant(name + "_b", std::move(b)));
  const std::string names = NodeNames(f, convs);
  for (size_t k = 0; k < convs.size(); ++k) {
    const int y = f.node(convs[k]).outputs[0];
    const std::vector<int> readers = f.value(y).consumers;
    for (int r : readers) {
      ops::ConvFusion& fusion = f.MutableConvAttrs(r).fusion;
      fusion.in_channel_offset = offsets[k];
      fusion.in_channel_total = total;
      f.SetInput(r, 0, merged);
    }
    if (k > 0) f.Remove(convs[k]);
  }
  f.SetOutput(first, 0, merged);
  f.Note(StrCat("Convs ", names, " read the same input with the same window: one Conv '", f.node(first).name,
                "' of ", total, " output channels; their readers read its channel slices"));
}

// The largest tensor a merge may create: what every WebGPU device can bind (the spec's default
// maxStorageBufferBindingSize, 128 MiB), or more when the graph already holds a tensor at least as
// large (the device must then bind that one anyway). A merge never makes a model fail on a device
// where its separate Convs run.
int64_t MergeLimitBytes(const FusionGraph& f) {
  int64_t largest = int64_t{128} << 20;
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i)
    for (const std::vector<int>* ids : {&f.node(i).inputs, &f.node(i).outputs})
      for (int id : *ids) {
        if (id < 0 || !f.value(id).has_shape) continue;
        const auto n = CheckedNumElements(f.value(id).shape);
        if (n.ok()) largest = std::max<int64_t>(largest, *n * static_cast<int64_t>(DTypeSize(f.value(id).dtype)));
      }
  return largest;
}

}  // namespace

void MergeSiblingConvs(FusionGraph& f, int64_t limit_bytes) {
  // Candidates by input, in node order.
  std::map<int, std::vector<int>> by_input;
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i)
    if (f.IsConv(i)) by_input[f.node(i).inputs[0]].push_back(i);
  if (by_input.empty()) return;
  const int64_t limit = limit_bytes > 0 ? limit_bytes : MergeLimitBytes(f);
  for (auto& [x, convs] : by_input) {
    if (convs.size() < 2) continue;
    std::map<std::vector<int64_t>, std::vector<int>> classes;  // each in node order
    for (int c : convs) {
      ops::ConvProblem p;
      if (Mergeable(f, c, &p)) classes[SiblingKey(p)].push_back(c);
    }
    for (const auto& [key, members] : classes) {
      // Consecutive members while the merged output fits the limit; each re-checked, since an earlier
      // merge may have turned it into a slice reader.
      std::vector<int> group;
      int64_t channels = 0;
      for (int c : members) {
        ops::ConvProblem p;
        if (!Mergeable(f, c, &p)) continue;
        const int64_t channel_bytes = 4 * p.batch * p.out_spatial();
        if (!group.empty() && (channels + p.out_channels) * channel_bytes > limit) {
          if (group.size() > 1) Merge(f, group);
          group.clear();
          channels = 0;
        }
        group.push_back(c);
        channels += p.out_channels;
      }
      if (group.size() > 1) Merge(f, group);
    }
  }
}

}  // namespace webconv::ir
