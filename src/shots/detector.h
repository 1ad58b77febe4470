// Video in, shots out: decodes a video (video.h), runs TransNetV2 (shot_model.h) window by window as the
// reference protocol says (protocol.h), and forms the scenes. Streaming: at most one window of frames plus
// the decoder's read-ahead queue are held, whatever the video's length; decoding (ffmpeg, its own
// process, read ahead on a thread) overlaps inference.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "shots/protocol.h"
#include "shots/shot_model.h"
#include "shots/video.h"

namespace webconv::shots {

struct ShotOptions {
  float threshold = 0.5f;      // on the single-frame head, as the reference's predictions_to_scenes
  bool allow_damaged = false;  // a truncated or damaged video: use the frames that decode (with a warning)
};

struct ShotResult {
  VideoInfo video;
  WindowGeometry geometry;
  int64_t frames = 0;                 // frames decoded and predicted
  std::vector<float> single, all;     // per-frame probabilities; `all` empty when the model has one head
  std::vector<std::array<int64_t, 2>> scenes;  // [first_frame, last_frame], inclusive
  std::string warning;                // a damaged video's warning ("" when clean)
  int64_t windows = 0;
  double wall_ms = 0;                 // decode start to the last prediction
  double model_ms = 0;                // of which: model runs (the first one plans and compiles)
  double first_window_ms = 0;         // the first model run alone
};

// Called after each window with the frames predicted so far and the container's frame count (-1 unknown).
using ShotProgressFn = std::function<void(int64_t frames_done, int64_t frames_declared)>;

Result<ShotResult> DetectShots(ShotModel& model, const VideoInfo& video, const ShotOptions& options,
                               const ShotProgressFn& progress = {});

}  // namespace webconv::shots
