// What `webconv shots` prints and draws: the scene list as text, JSON or CSV, and the probability plot
// as SVG or PNG.
#pragma once

#include <string>

#include "shots/detector.h"

namespace webconv::cli {

struct ShotsReport {
  const shots::ShotResult* result = nullptr;
  std::string model_path;
  float threshold = 0.5f;
};

std::string ShotsText(const ShotsReport& r);
// One JSON object: video facts, scenes (inclusive frame ranges, and in seconds when the fps is known),
// per-frame probabilities of both heads, timing.
std::string ShotsJson(const ShotsReport& r);
// One row per scene with timecodes (empty when the video's frame rate is unknown).
std::string ShotsCsv(const ShotsReport& r);
// The probabilities over the frames, the threshold, and the cuts (scene starts) marked.
std::string ShotsSvg(const ShotsReport& r);
std::string ShotsPng(const ShotsReport& r);

}  // namespace webconv::cli
