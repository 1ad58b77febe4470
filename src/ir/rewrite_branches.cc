// Branch Convs: Convs placed side by side into one Concat (consecutive slices of its output, each
// written in place by rewrite_concat.cc) that read the same X with the same kernel, strides, channel
// counts and fused work, differing at most in dilations, pads and which input channels they read, run
// as one grouped Conv with per-group windows (ConvFusion::group_windows): group g is branch g.
//
// Why: after the sibling merge, TransNetV2's four temporal convs of a block (3x1x1, dilations 1, 2, 4,
// 8) read consecutive channel slices of one tensor and write consecutive slices of the block's Concat.
// Each is a narrow GEMM (16-64 columns) over few rows, so each dispatch is short and leaves SMs idle at
// its tail; as groups of one dispatch they share the machine, and three dispatches go away.
#include <string>

#include "ir/rewrite_fusion.h"

namespace webconv::ir {
namespace {

// The fused work a branch carries, which every branch of a merge must share (addends by value id).
bool SameWork(const FusionGraph& f, int a, int b) {
  const ops::ConvFusion &x = f.conv_attrs(a).fusion, &y = f.conv_attrs(b).fusion;
  if (x.steps.size() != y.steps.size() || x.channel_total != y.channel_total) return false;
  for (int k = 0; k < 3; ++k)
    if (x.pool[k] != y.pool[k]) return false;
  for (size_t k = 0; k < x.steps.size(); ++k) {
    const auto &s = x.steps[k], &t = y.steps[k];
    if (s.kind != t.kind || (s.kind == ops::ConvFusion::Step::kPointwise && !(s.fn == t.fn))) return false;
    if (s.kind == ops::ConvFusion::Step::kAdd && f.node(a).inputs[s.input] != f.node(b).inputs[t.input]) return false;
  }
  return true;
}

// A branch Conv that may join: running, group 1, placed into a Concat, constant float32 weight and
// bias, reading X as a whole or one slice of it.
bool Joinable(const FusionGraph& f, int i, ops::ConvProblem* p) {
  if (!f.IsConv(i) || !f.ConvProblemOf(i, p) || p->group != 1) return false;
  const ops::ConvFusion& fusion = f.conv_attrs(i).fusion;
  if (fusion.channel_total == 0 || fusion.per_group()) return false;
  const std::vector<int>& in = f.node(i).inputs;
  if (!IsConstantF32(f, in[1])) return false;
  return in.size() < 3 || in[2] < 0 || IsConstantF32(f, in[2]);
}

// Whether branch b can be the group after branch a (same X, kernel, strides, sizes, work).
bool SameShape(const FusionGraph& f, int a, const ops::ConvProblem& pa, int b, const ops::ConvProblem& pb) {
  if (f.node(a).inputs[0] != f.node(b).inputs[0] || pa.in_channels != pb.in_channels ||
      pa.out_channels != pb.out_channels || pa.axes.size() != pb.axes.size() || pa.batch != pb.batch)
    return false;
  for (int k = 0; k < 3; ++k) {
    const ops::AxisGeometry &x = pa.axis3[k], &y = pb.axis3[k];
    if (x.in != y.in || x.out != y.out || x.kernel != y.kernel || x.stride != y.stride) return false;
  }
  return SameWork(f, a, b);
}

void Merge(FusionGraph& f, int concat, size_t first_input, const std::vector<int>& convs) {
  const int head = convs[0];
  const Shape w_shape = f.value(f.node(head).inputs[1]).shape;
  const int64_t m = w_shape[0];
  std::vector<int> weights, biases;
  bool any_bias = false;
  std::vector<ops::ConvGroupWindow> windows;
  for (int c : convs) {
    const std::vector<int>& in = f.node(c).inputs;
    weights.push_back(in[1]);
    biases.push_back(in.size() > 2 ? in[2] : -1);
    any_bias = any_bias || biases.back() >= 0;
    const ops::ConvAttrs& a = f.conv_attrs(c);
    ops::ConvGroupWindow w;
    w.window = a.window;
    w.in_channel_offset = a.fusion.reads_slice() ? a.fusion.in_channel_offset : 0;
    windows.push_back(w);
  }
  const int x = f.node(head).inputs[0];
  Shape y_shape = f.value(f.node(head).outputs[0]).shape;
  y_shape[1] *= static_cast<int64_t>(convs.size());
  const std::string name = f.value(f.node(head).outputs[0]).name + "_branches";
  const int merged = f.AddValue(name, DType::kFloat32, y_shape);
  const std::vector<int64_t> rows(convs.size(), m);
  f.SetInput(head, 1, f.AddConstant(name + "_w", StackRows(f, weights, rows, w_shape)));
  if (any_bias) f.SetInput(head, 2, f.AddConstant(name + "_b", StackRows(f, biases, rows, {m})));
  ops::ConvAttrs& attrs = f.MutableConvAttrs(head);
  attrs.group = static_cast<int64_t>(convs.size());
  attrs.fusion.in_channel_offset = 0;
  attrs.fusion.in_channel_total = f.value(x).shape[1];
  attrs.fusion.group_windows = windows;
  const std::string names = NodeNames(f, convs);
  for (size_t k = 0; k < convs.size(); ++k) {
    if (k > 0) f.Remove(convs[k]);
  }
  f.SetOutput(head, 0, merged);
  // The Concat now takes the merged output once where it took the branches.
  std::vector<int> inputs = f.node(concat).inputs;
  inputs.erase(inputs.begin() + static_cast<std::ptrdiff_t>(first_input),
               inputs.begin() + static_cast<std::ptrdiff_t>(first_input + convs.size()));
  inputs.insert(inputs.begin() + static_cast<std::ptrdiff_t>(first_input), merged);
  f.SetInputs(concat, inputs);
  f.Note(StrCat("Convs ", names, " (Concat '", f.node(concat).name, "' branches of one shape) run as one Conv '",
                f.node(head).name, "' of ", convs.size(), " groups with per-group windows"));
}

// At most this many branches become one Conv: its groups (times up to 16 split-K ranges) are workgroup
// z, which WebGPU caps at 65535, and each group is an entry of the kernel's GROUP_* tables.
constexpr size_t kMaxGroups = 1024;

void MergeConcat(FusionGraph& f, int concat) {
  // Runs of consecutive inputs whose producers can be groups of one Conv, longest first from the left.
  // After a merge the run's place holds the merged output (not joinable), so the scan goes on after it.
  for (size_t start = 0; start < f.node(concat).inputs.size(); ++start) {
    const std::vector<int>& inputs = f.node(concat).inputs;
    const int a = f.ConvProducing(inputs[start]);
    ops::ConvProblem pa, pb;
    if (a < 0 || !Joinable(f, a, &pa)) continue;
    std::vector<int> run = {a};
    while (start + run.size() < inputs.size() && run.size() < kMaxGroups) {
      const int b = f.ConvProducing(inputs[start + run.size()]);
      if (b < 0 || !Joinable(f, b, &pb) || !SameShape(f, a, pa, b, pb)) break;
      run.push_back(b);
    }
    if (run.size() > 1) Merge(f, concat, start, run);
  }
}

}  // namespace

void MergeBranchConvs(FusionGraph& f) {
  for (int i = 0; i < static_cast<int>(f.node_count()); ++i)
    if (f.Is(i, "Concat") && f.node(i).inputs_in_place) MergeConcat(f, i);
}

}  // namespace webconv::ir
