// RNN, GRU and LSTM (opsets 7 and 14): attributes, the checked problem, and the activation functions,
// shared by the float64 reference (recurrent.cc) and the WebGPU kernels (recurrent_wgsl.cc).
//
// X is [seq, batch, input] (layout 0) or [batch, seq, input] (layout 1, opset 14); W [dirs, G*H, input],
// R [dirs, G*H, H], B [dirs, 2*G*H] (W's biases, then R's), with G gates per cell: 1 (RNN), 3 (GRU: z, r,
// h) or 4 (LSTM: i, o, f, c). sequence_lens [batch] (int32) cuts each batch entry's sequence; outputs past
// it are 0 and its state stops there. initial_h (and LSTM's initial_c) [dirs, batch, H]; LSTM's
// peepholes P [dirs, 3H] (i, o, f). Outputs: Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]),
// Y_h (and LSTM's Y_c) [dirs, batch, H] (layout 1: [batch, dirs, H]). A reverse direction reads each
// entry's sequence from its own last step back.
#pragma once

#include <string>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

// One activation function of the cell, with its alpha and beta (ONNX's defaults where not given).
struct RnnActivation {
  enum Kind { kSigmoid, kTanh, kRelu, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu,
              kSoftsign, kSoftplus } kind = kTanh;
  float alpha = 0, beta = 0;
  double Apply(double x) const;
};

struct RecurrentAttrs {
  enum Cell { kRnn, kGru, kLstm } cell = kRnn;
  int64_t hidden = 0;
  enum Direction { kForward, kReverse, kBidirectional } direction = kForward;
  int64_t layout = 0;
  bool has_clip = false;
  float clip = 0;
  bool linear_before_reset = false;  // GRU
  bool input_forget = false;         // LSTM
  // Per direction: RNN f; GRU f, g; LSTM f, g, h (the second direction's follow the first's).
  std::vector<RnnActivation> activations;
  int gates() const { return cell == kRnn ? 1 : cell == kGru ? 3 : 4; }
  int directions() const { return direction == kBidirectional ? 2 : 1; }
  int functions() const { return cell == kRnn ? 1 : cell == kGru ? 2 : 3; }
  // Whether direction d runs backwards in time.
  bool reversed(int d) const { return direction == kReverse || (direction == kBidirectional && d == 1); }
};

// The sizes, checked against every input.
struct RecurrentProblem {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  bool has_bias = false, has_lens = false, has_h0 = false, has_c0 = false, has_peepholes = false;
};

Result<RecurrentProblem> ResolveRecurrent(const RecurrentAttrs& a, const std::vector<TensorInfo>& in);

Status RecurrentGpu(GpuContext& ctx);

}  // namespace webconv::ops
