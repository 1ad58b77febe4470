#include "shots/protocol.h"

#include <algorithm>

namespace webconv::shots {

Result<WindowGeometry> WindowGeometry::ForWindow(int64_t window) {
  if (window < 4 || window % 4 != 0 || window > (1 << 20)) {
    return UsageError("a TransNetV2 window of ", window,
                      " frames: the protocol needs a multiple of 4 (the reference uses 100)");
  }
  WindowGeometry g;
  g.window = static_cast<int>(window);
  g.step = g.window / 2;
  g.context = g.window / 4;
  return g;
}

int64_t WindowCount(const WindowGeometry& g, int64_t frames) {
  return frames <= 0 ? 0 : (frames + g.step - 1) / g.step;
}

int64_t SourceFrame(const WindowGeometry& g, int64_t k, int64_t i, int64_t frames) {
  return std::clamp<int64_t>(k * g.step + i - g.context, 0, frames - 1);
}

int64_t LastFrameNeeded(const WindowGeometry& g, int64_t k) {
  return k * g.step + g.window - g.context - 1;
}

void KeepMiddle(const WindowGeometry& g, int64_t k, const float* window_out, int64_t frames,
                std::vector<float>* video_out) {
  for (int64_t j = 0; j < g.step && k * g.step + j < frames; ++j) video_out->push_back(window_out[g.context + j]);
}

std::vector<std::array<int64_t, 2>> PredictionsToScenes(const std::vector<float>& probabilities, float threshold) {
  std::vector<std::array<int64_t, 2>> scenes;
  const int64_t n = static_cast<int64_t>(probabilities.size());
  if (n == 0) return scenes;
  int prev = 0, t = 0;
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    t = probabilities[static_cast<size_t>(i)] > threshold ? 1 : 0;  // NaN is not a transition
    if (prev == 1 && t == 0) start = i;
    if (prev == 0 && t == 1 && i != 0) scenes.push_back({start, i});
    prev = t;
  }
  if (t == 0) scenes.push_back({start, n - 1});
  if (scenes.empty()) scenes.push_back({0, n - 1});
  return scenes;
}

}  // namespace webconv::shots
