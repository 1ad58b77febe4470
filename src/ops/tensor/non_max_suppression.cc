// NonMaxSuppression (opset 10, 11): for each batch and class, boxes picked greedily by descending score,
// each dropped when its intersection over union with a box already picked for that class exceeds
// iou_threshold; the output is an int64 [num_selected, 3] of (batch, class, box) rows, batch by batch,
// class by class, in the order of picking. How many boxes survive fixes the output shape, so every input
// must be known when the graph is planned (a constant or a graph input, bound by value); there is no
// WebGPU kernel, and the node is evaluated by the float64 reference on every backend.
//
// Semantics, as ONNX's reference implementation and ONNX Runtime have them:
// - boxes [num_batches, spatial_dimension, 4], scores [num_batches, num_classes, spatial_dimension];
//   center_point_box 0: a box is [y1, x1, y2, x2], any diagonal pair of corners; 1: [x_center,
//   y_center, width, height].
// - max_output_boxes_per_class (input 2, int64 scalar): absent means 0, so no box is selected; a
//   negative value counts as 0. iou_threshold (input 3, float scalar): absent means 0; it must lie in
//   [0, 1]. score_threshold (input 4, float scalar): when given, boxes whose score is not above it are
//   removed (a score equal to the threshold is removed too, as both implementations do).
// - Equal scores are picked by lower box index first; a NaN score ranks below every number.
// - A pair of boxes suppresses only when its intersection and both areas are positive and the IoU is
//   strictly above the threshold. The IoU is computed in double from the boxes' values.
// Scalars may also come as shape [1], as exporters write them.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct NmsAttrs {
  bool center_point_box = false;
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 2, 5));
  auto a = std::make_shared<NmsAttrs>();
  int64_t c = 0;
  WC_RETURN_IF_ERROR(ctx.attrs.Int("center_point_box", 0, &c));
  if (c != 0 && c != 1) return BadModel("attribute center_point_box must be 0 or 1, got ", c);
  a->center_point_box = c == 1;
  *out = a;
  return OkStatus();
}

struct Box {
  double x_min, x_max, y_min, y_max;
};

Box ReadBox(const HostTensor& boxes, int64_t at, bool center_point_box) {
  const double v0 = boxes.GetDouble(at), v1 = boxes.GetDouble(at + 1), v2 = boxes.GetDouble(at + 2),
               v3 = boxes.GetDouble(at + 3);
  Box b;
  if (center_point_box) {
    b.x_min = v0 - v2 / 2;
    b.x_max = v0 + v2 / 2;
    b.y_min = v1 - v3 / 2;
    b.y_max = v1 + v3 / 2;
  } else {
    b.y_min = std::min(v0, v2);
    b.y_max = std::max(v0, v2);
    b.x_min = std::min(v1, v3);
    b.x_max = std::max(v1, v3);
  }
  return b;
}

bool Suppresses(const Box& a, const Box& b, double iou_threshold) {
  const double ix_min = std::max(a.x_min, b.x_min), ix_max = std::min(a.x_max, b.x_max);
  if (!(ix_max > ix_min)) return false;
  const double iy_min = std::max(a.y_min, b.y_min), iy_max = std::min(a.y_max, b.y_max);
  if (!(iy_max > iy_min)) return false;
  const double inter = (ix_max - ix_min) * (iy_max - iy_min);
  const double area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const double area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  const double uni = area_a + area_b - inter;
  if (!(inter > 0) || !(area_a > 0) || !(area_b > 0) || !(uni > 0)) return false;
  return inter / uni > iou_threshold;
}

// One value of a scalar input (shape [] or [1]) of the given kind.
Status ReadScalar(const HostTensor* t, const char* what, bool floating, double* f, int64_t* i) {
  if (t->num_elements() != 1)
    return BadModel(what, " must hold one value, got shape ", ShapeString(t->shape()));
  if (floating) {
    if (!IsFloat(t->dtype())) return BadModel(what, " has type ", DTypeName(t->dtype()), ", expected float");
    *f = t->GetDouble(0);
  } else {
    if (t->dtype() != DType::kInt64 && t->dtype() != DType::kInt32)
      return BadModel(what, " has type ", DTypeName(t->dtype()), ", expected int64");
    *i = t->GetInt(0);
  }
  return OkStatus();
}

// The selected (batch, class, box) triples, in output order. `in` holds the five inputs (nullptr for an
// omitted optional one); their values must be known.
Result<std::vector<int64_t>> Select(bool center_point_box, const HostTensor* in[5]) {
  const HostTensor& boxes = *in[0];
  const HostTensor& scores = *in[1];
  if (!IsFloat(boxes.dtype()))
    return BadModel("boxes have type ", DTypeName(boxes.dtype()), ", expected float");
  if (scores.dtype() != boxes.dtype())
    return BadModel("scores have type ", DTypeName(scores.dtype()), ", boxes ", DTypeName(boxes.dtype()));
  const Shape& bs = boxes.shape();
  const Shape& ss = scores.shape();
  if (bs.size() != 3 || bs[2] != 4)
    return BadModel("boxes must have shape [num_batches, spatial_dimension, 4], got ", ShapeString(bs));
  if (ss.size() != 3 || ss[0] != bs[0] || ss[2] != bs[1])
    return BadModel("scores must have shape [num_batches, num_classes, spatial_dimension] = [", bs[0],
                    ", num_classes, ", bs[1], "], got ", ShapeString(ss));
  int64_t max_per_class = 0;
  double iou_threshold = 0, score_threshold = 0;
  const bool has_score_threshold = in[4] != nullptr;
  double unused_f = 0;
  int64_t unused_i = 0;
  if (in[2])
    WC_RETURN_IF_ERROR(ReadScalar(in[2], "max_output_boxes_per_class", false, &unused_f, &max_per_class));
  if (in[3]) WC_RETURN_IF_ERROR(ReadScalar(in[3], "iou_threshold", true, &iou_threshold, &unused_i));
  if (in[4]) WC_RETURN_IF_ERROR(ReadScalar(in[4], "score_threshold", true, &score_threshold, &unused_i));
  if (!(iou_threshold >= 0 && iou_threshold <= 1))
    return BadModel("iou_threshold is ", iou_threshold, ": it must lie in [0, 1]");
  max_per_class = std::max<int64_t>(max_per_class, 0);

  const int64_t batches = bs[0], spatial = bs[1], classes = ss[1];
  std::vector<int64_t> out;
  if (max_per_class == 0) return out;
  std::vector<Box> batch_boxes(static_cast<size_t>(spatial));
  std::vector<int64_t> candidates;
  std::vector<double> score(static_cast<size_t>(spatial));
  std::vector<int64_t> picked;
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t s = 0; s < spatial; ++s)
      batch_boxes[static_cast<size_t>(s)] = ReadBox(boxes, (b * spatial + s) * 4, center_point_box);
    for (int64_t c = 0; c < classes; ++c) {
      candidates.clear();
      for (int64_t s = 0; s < spatial; ++s) {
        const double v = scores.GetDouble((b * classes + c) * spatial + s);
        score[static_cast<size_t>(s)] = v;
        if (!has_score_threshold || v > score_threshold) candidates.push_back(s);
      }
      // Descending score, NaN last, equal scores by lower index (the sort is stable).
      std::stable_sort(candidates.begin(), candidates.end(), [&](int64_t p, int64_t q) {
        const double sp = score[static_cast<size_t>(p)], sq = score[static_cast<size_t>(q)];
        if (std::isnan(sp) || std::isnan(sq)) return !std::isnan(sp) && std::isnan(sq);
        return sp > sq;
      });
      picked.clear();
      for (int64_t s : candidates) {
        if (static_cast<int64_t>(picked.size()) >= max_per_class) break;
        const Box& box = batch_boxes[static_cast<size_t>(s)];
        bool keep = true;
        for (int64_t p : picked)
          if (Suppresses(batch_boxes[static_cast<size_t>(p)], box, iou_threshold)) {
            keep = false;
            break;
          }
        if (!keep) continue;
        picked.push_back(s);
        out.insert(out.end(), {b, c, s});
      }
    }
  }
  return out;
}

Status Infer(InferContext& ctx) {
  static const char* kNames[] = {"boxes", "scores", "max_output_boxes_per_class", "iou_threshold",
                                 "score_threshold"};
  const HostTensor* in[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  for (size_t k = 0; k < 5; ++k) {
    if (!ctx.has_input(k)) {
      if (k < 2) return BadModel("input ", k, " (", kNames[k], ") is required");
      continue;
    }
    in[k] = ctx.inputs[k].constant;
    if (!in[k])
      return BadModel("input ", k, " (", kNames[k],
                      ") must be known when the graph is planned (a constant or a graph input)");
  }
  WC_ASSIGN_OR_RETURN(std::vector<int64_t> selected, Select(ctx.Attrs<NmsAttrs>().center_point_box, in));
  ctx.outputs[0].dtype = DType::kInt64;
  ctx.outputs[0].shape = {static_cast<int64_t>(selected.size() / 3), 3};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const HostTensor* in[5] = {nullptr, nullptr, nullptr, nullptr, nullptr};
  for (size_t k = 0; k < 5 && k < ctx.inputs.size(); ++k) in[k] = ctx.inputs[k];
  WC_ASSIGN_OR_RETURN(std::vector<int64_t> selected, Select(ctx.Attrs<NmsAttrs>().center_point_box, in));
  HostTensor& y = ctx.out(0);
  for (size_t e = 0; e < selected.size(); ++e) y.SetInt(static_cast<int64_t>(e), selected[e]);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> NonMaxSuppressionRows() {
  OpSchema s;
  s.op_type = "NonMaxSuppression";
  s.min_opset = 10;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.host_inputs = {0, 1, 2, 3, 4};
  s.notes =
      "output shape depends on the values: evaluated by the reference when planning; center_point_box 0 "
      "and 1; IoU in float64; equal scores by lower box index; a score equal to score_threshold is dropped";
  return {s};
}

}  // namespace webconv::ops::tensor
