// A TransNetV2 export as the shot detector runs it: which input takes the frames (and in which layout and
// type), which outputs are the single-frame and all-frames heads, and whether they are logits.
//
// Accepted exports: frames as [B, T, H, W, 3] (the reference's TensorFlow/tf2onnx and PyTorch-port form) or
// [B, 3, T, H, W] (channels first), uint8 or float32 holding 0..255 (the reference feeds its uint8 frames
// cast to float), B fixed to 1 or symbolic, T fixed or symbolic (then 100), H x W fixed or symbolic (then
// 27 x 48). One or two outputs of T values each: an output named like "many" or "all" is the all-frames
// head, the other the single-frame head (else the first output is the single-frame head). An output that a
// Sigmoid produces (through shape-only ops) is a probability; any other is a logit and gets the sigmoid the
// reference applies.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace webconv::shots {

struct ShotModelInfo {
  std::string input;
  DType dtype = DType::kUInt8;
  bool channels_last = true;  // [B, T, H, W, 3]; else [B, 3, T, H, W]
  int64_t window = 100;
  int height = 27, width = 48;
  std::string single_output, all_output;  // all_output empty when the model has one head
  bool single_is_probability = false, all_is_probability = false;
  std::string weights_note;  // the model's metadata "webconv.weights" ("" when absent)
};

struct WindowPredictions {
  std::vector<float> single, all;  // `window` probabilities each; `all` empty without that head
};

class ShotModel {
 public:
  static Result<std::unique_ptr<ShotModel>> Load(const std::string& path, const runtime::SessionOptions& options);
  const ShotModelInfo& info() const { return info_; }
  runtime::Session& session() { return *session_; }
  // Runs one window: `frames` holds `window` pointers to height x width RGB frames (3 bytes a pixel).
  Result<WindowPredictions> Run(const std::vector<const uint8_t*>& frames, runtime::RunStats* stats = nullptr);

 private:
  ShotModelInfo info_;
  std::string path_;
  std::unique_ptr<runtime::Session> session_;
};

}  // namespace webconv::shots
