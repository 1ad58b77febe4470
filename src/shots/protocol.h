// TransNetV2's published inference protocol (soCzech/TransNetV2, inference/transnetv2.py:
// predict_frames and predictions_to_scenes), for a model that sees `window` frames at a time.
//
// The reference: windows of 100 frames advancing by 50; the video is padded in front with 25 copies of
// its first frame and at the end with copies of its last frame up to a whole number of steps; of each
// window the middle 50 predictions (frames 25..74) are kept. A model with another fixed window W uses the
// same proportions (step W/2, context W/4); W = 100 is the reference exactly.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace webconv::shots {

struct WindowGeometry {
  int window = 100;  // frames per model run
  int step = 50;     // frames a window advances; its middle `step` predictions are kept
  int context = 25;  // frames before the kept ones

  // The geometry for a model window of `window` frames: a multiple of 4, at least 4.
  static Result<WindowGeometry> ForWindow(int64_t window);
};

// How many windows a video of `frames` (>= 1) frames needs: ceil(frames / step).
int64_t WindowCount(const WindowGeometry& g, int64_t frames);
// The source frame at position `i` (0 <= i < window) of window `k`: k*step + i - context, clamped to the
// video's frames [0, frames - 1] (the padding repeats the first and last frame).
int64_t SourceFrame(const WindowGeometry& g, int64_t k, int64_t i, int64_t frames);
// The highest source frame window `k` reads before clamping. While streaming, window k can run once this
// frame has been decoded, or once the video has ended.
int64_t LastFrameNeeded(const WindowGeometry& g, int64_t k);
// Appends window k's kept predictions (`window_out`, `window` values) to `video_out`, which then holds
// the predictions of frames [0, (k+1)*step) clamped to `frames`; windows must come in order.
void KeepMiddle(const WindowGeometry& g, int64_t k, const float* window_out, int64_t frames,
                std::vector<float>* video_out);

// Scenes as [first_frame, last_frame] (inclusive) from per-frame transition probabilities, exactly as the
// reference's predictions_to_scenes: frames above `threshold` are transition frames; a scene runs from
// the first frame after a transition to the first frame of the next transition (which it includes); when
// every frame is a transition frame the whole video is one scene. `probabilities` must not be empty.
std::vector<std::array<int64_t, 2>> PredictionsToScenes(const std::vector<float>& probabilities, float threshold);

}  // namespace webconv::shots
