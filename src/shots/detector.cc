#include "shots/detector.h"

#include <chrono>
#include <deque>
#include <limits>

namespace webconv::shots {
namespace {

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Result<ShotResult> DetectShots(ShotModel& model, const VideoInfo& video, const ShotOptions& options,
                               const ShotProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const ShotModelInfo& mi = model.info();
  ShotResult r;
  r.video = video;
  WC_ASSIGN_OR_RETURN(r.geometry, WindowGeometry::ForWindow(mi.window));
  const WindowGeometry& g = r.geometry;
  WC_ASSIGN_OR_RETURN(auto reader, FrameReader::Open(video, mi.width, mi.height));

  // frames[j] is source frame `base + j`; frames before the current window's first are dropped.
  std::deque<std::vector<uint8_t>> frames;
  int64_t base = 0, read = 0;
  bool ended = false;
  constexpr int64_t kUnknown = std::numeric_limits<int64_t>::max();
  for (int64_t k = 0;; ++k) {
    while (!ended && read <= LastFrameNeeded(g, k)) {
      std::vector<uint8_t> frame;
      WC_ASSIGN_OR_RETURN(const bool got, reader->Next(&frame));
      if (!got) {
        ended = true;
        break;
      }
      frames.push_back(std::move(frame));
      ++read;
    }
    if (ended && k * g.step >= read) break;  // every frame has its prediction (or there are none)
    const int64_t total = ended ? read : kUnknown;
    std::vector<const uint8_t*> window(static_cast<size_t>(g.window));
    for (int64_t i = 0; i < g.window; ++i)
      window[static_cast<size_t>(i)] = frames[static_cast<size_t>(SourceFrame(g, k, i, total) - base)].data();
    runtime::RunStats stats;
    const auto tm = std::chrono::steady_clock::now();
    WC_ASSIGN_OR_RETURN(const WindowPredictions p, model.Run(window, &stats));
    const double ms = MsSince(tm);
    r.model_ms += ms;
    if (k == 0) r.first_window_ms = ms;
    KeepMiddle(g, k, p.single.data(), total, &r.single);
    if (!p.all.empty()) KeepMiddle(g, k, p.all.data(), total, &r.all);
    ++r.windows;
    // The next window starts `context` frames before its kept ones; the first frame stays while the next
    // window still pads with it.
    const int64_t keep_from = std::max<int64_t>(0, (k + 1) * g.step - g.context);
    while (base < keep_from && frames.size() > 1) {
      frames.pop_front();
      ++base;
    }
    if (progress) progress(std::min<int64_t>(static_cast<int64_t>(r.single.size()), read), video.declared_frames);
  }
  WC_RETURN_IF_ERROR(reader->Finish(options.allow_damaged, &r.warning));
  r.frames = read;
  r.single.resize(static_cast<size_t>(read));
  if (!r.all.empty()) r.all.resize(static_cast<size_t>(read));
  r.scenes = PredictionsToScenes(r.single, options.threshold);
  r.wall_ms = MsSince(t0);
  return r;
}

}  // namespace webconv::shots
