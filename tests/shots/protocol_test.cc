// TransNetV2's windowing and scene formation (src/shots/protocol.h) against a direct reimplementation of
// the reference's predict_frames and predictions_to_scenes (soCzech/TransNetV2, inference/transnetv2.py),
// written here as that code reads: pad the whole video, slide, keep, truncate.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "shots/protocol.h"

namespace webconv::shots {
namespace {

// A model stand-in whose output depends on the frame AND its position in the window, so that keeping the
// wrong predictions, or feeding the wrong frames, changes the result: out[i] = frame * 1000 + i.
std::vector<float> FakeModel(const std::vector<int64_t>& window_frames) {
  std::vector<float> out;
  for (size_t i = 0; i < window_frames.size(); ++i) out.push_back(static_cast<float>(window_frames[i] * 1000 + i));
  return out;
}

// The reference, literally: padded = [first]*context + frames + [last]*(context + step - (n % step or step)),
// windows while ptr + window <= len(padded), keep [context, context + step), concatenate, truncate to n.
std::vector<float> ReferencePredictFrames(int64_t n, int window) {
  const int step = window / 2, context = window / 4;
  std::vector<int64_t> padded;
  for (int i = 0; i < context; ++i) padded.push_back(0);
  for (int64_t f = 0; f < n; ++f) padded.push_back(f);
  const int64_t rem = n % step != 0 ? n % step : step;
  for (int64_t i = 0; i < context + step - rem; ++i) padded.push_back(n - 1);
  std::vector<float> predictions;
  for (size_t ptr = 0; ptr + window <= padded.size(); ptr += step) {
    std::vector<int64_t> win(padded.begin() + static_cast<long>(ptr), padded.begin() + static_cast<long>(ptr) + window);
    const std::vector<float> out = FakeModel(win);
    predictions.insert(predictions.end(), out.begin() + context, out.begin() + context + step);
  }
  predictions.resize(static_cast<size_t>(n));
  return predictions;
}

// The streaming form the detector uses (src/shots/detector.cc), on the same stand-in.
std::vector<float> StreamingPredictFrames(int64_t n, int window) {
  const WindowGeometry g = WindowGeometry::ForWindow(window).value();
  std::vector<float> out;
  for (int64_t k = 0; k < WindowCount(g, n); ++k) {
    std::vector<int64_t> win;
    for (int64_t i = 0; i < g.window; ++i) win.push_back(SourceFrame(g, k, i, n));
    // Every frame a window reads is at most LastFrameNeeded: it can run once that frame is decoded.
    for (int64_t f : win) EXPECT_LE(f, LastFrameNeeded(g, k));
    KeepMiddle(g, k, FakeModel(win).data(), n, &out);
  }
  return out;
}

TEST(ShotProtocol, WindowsMatchTheReferenceForEveryLength) {
  for (int window : {100, 8, 12, 4}) {
    for (int64_t n = 1; n <= 420; ++n) {
      SCOPED_TRACE("window " + std::to_string(window) + ", " + std::to_string(n) + " frames");
      const std::vector<float> want = ReferencePredictFrames(n, window);
      ASSERT_EQ(StreamingPredictFrames(n, window), want);
      ASSERT_EQ(WindowCount(WindowGeometry::ForWindow(window).value(), n),
                (n + window / 2 - 1) / (window / 2));
    }
  }
}

TEST(ShotProtocol, ReferenceGeometryIs100By50With25) {
  const WindowGeometry g = WindowGeometry::ForWindow(100).value();
  EXPECT_EQ(g.window, 100);
  EXPECT_EQ(g.step, 50);
  EXPECT_EQ(g.context, 25);
  // A 1-frame video is one window of 100 copies of its frame; the first window pads 25 copies in front.
  EXPECT_EQ(WindowCount(g, 1), 1);
  EXPECT_EQ(SourceFrame(g, 0, 0, 1000), 0);
  EXPECT_EQ(SourceFrame(g, 0, 25, 1000), 0);
  EXPECT_EQ(SourceFrame(g, 0, 26, 1000), 1);
  EXPECT_EQ(SourceFrame(g, 1, 0, 1000), 25);
  EXPECT_EQ(LastFrameNeeded(g, 0), 74);
}

TEST(ShotProtocol, WindowsThatAreNotAMultipleOf4AreRefused) {
  for (int64_t w : {0, 2, 6, 10, 99, -4}) EXPECT_FALSE(WindowGeometry::ForWindow(w).ok()) << w;
}

// predictions_to_scenes, transliterated from the reference (including its use of the loop's last `t`).
std::vector<std::array<int64_t, 2>> ReferenceScenes(const std::vector<float>& p, float threshold) {
  std::vector<std::array<int64_t, 2>> scenes;
  int t = -1, t_prev = 0;
  int64_t start = 0, i = 0;
  for (i = 0; i < static_cast<int64_t>(p.size()); ++i) {
    t = p[static_cast<size_t>(i)] > threshold ? 1 : 0;
    if (t_prev == 1 && t == 0) start = i;
    if (t_prev == 0 && t == 1 && i != 0) scenes.push_back({start, i});
    t_prev = t;
  }
  if (t == 0) scenes.push_back({start, i - 1});  // Python's `i` is the last index after the loop
  if (scenes.empty()) return {{0, static_cast<int64_t>(p.size()) - 1}};
  return scenes;
}

TEST(ShotProtocol, ScenesMatchTheReferenceOnFixedSequences) {
  using S = std::vector<std::array<int64_t, 2>>;
  // Hand-checked: a cut at frame 3 (the scene before includes it), a 2-frame transition, a start and an
  // end inside a transition, all transitions, none.
  EXPECT_EQ(PredictionsToScenes({0, 0, 0, 0.9f, 0, 0}, 0.5f), (S{{0, 3}, {4, 5}}));
  EXPECT_EQ(PredictionsToScenes({0, 0, 0.9f, 0.8f, 0, 0}, 0.5f), (S{{0, 2}, {4, 5}}));
  EXPECT_EQ(PredictionsToScenes({0.9f, 0, 0, 0.7f, 0.6f}, 0.5f), (S{{1, 3}}));
  EXPECT_EQ(PredictionsToScenes({0.9f, 0.9f}, 0.5f), (S{{0, 1}}));
  EXPECT_EQ(PredictionsToScenes({0.1f, 0.2f, 0.3f}, 0.5f), (S{{0, 2}}));
  EXPECT_EQ(PredictionsToScenes({0.5f, 0.5f}, 0.5f), (S{{0, 1}}));  // strictly above the threshold
}

TEST(ShotProtocol, ScenesMatchTheReferenceOnRandomSequences) {
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<float> p(1 + rng() % 60);
    const float density = static_cast<float>(rng() % 100) / 100.f;
    for (float& v : p) v = (static_cast<float>(rng() % 1000) / 1000.f < density) ? 0.9f : 0.1f;
    ASSERT_EQ(PredictionsToScenes(p, 0.5f), ReferenceScenes(p, 0.5f)) << "seed " << seed << " trial " << trial;
  }
}

}  // namespace
}  // namespace webconv::shots
