#include "shots/video.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace webconv::shots {
namespace {

const char kInstallHint[] = "webconv shots decodes video with FFmpeg's programs (Debian: apt-get install ffmpeg; "
                            "scripts/setup.sh installs them)";

// ffprobe's `-of flat` lines: key="value" or key=value.
std::map<std::string, std::string> ParseFlat(const std::string& text) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    kv[line.substr(0, eq)] = value;
  }
  return kv;
}

double ParseNumber(const std::string& s) {
  if (s.empty() || s == "N/A") return -1;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return (end && *end == '\0' && std::isfinite(v)) ? v : -1;
}

// "30000/1001" -> 29.97; "0/0" or anything else unusable -> 0.
double ParseRate(const std::string& s) {
  const size_t slash = s.find('/');
  if (slash == std::string::npos) return std::max(0.0, ParseNumber(s));
  const double num = ParseNumber(s.substr(0, slash)), den = ParseNumber(s.substr(slash + 1));
  return (num > 0 && den > 0) ? num / den : 0;
}

// The last non-empty line of ffmpeg's or ffprobe's stderr, for a one-line error, without the
// "[mov,mp4,... @ 0x55d0c0a4a940] " prefix (an address means nothing to a user) and with the "file:" the
// command line added taken off again.
std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  size_t begin = text.find_last_of('\n', end);
  begin = begin == std::string::npos ? 0 : begin + 1;
  std::string line = text.substr(begin, end + 1 - begin);
  if (line.rfind('[', 0) == 0) {
    const size_t close = line.find("] ");
    if (close != std::string::npos && line.find(" @ 0x") < close) line = line.substr(close + 2);
  }
  if (line.rfind("file:", 0) == 0) line = line.substr(5);
  return line;
}

}  // namespace

std::string Timecode(double seconds) {
  const int64_t ms = std::llround(std::max(0.0, seconds) * 1000.0);
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld.%03lld", static_cast<long long>(ms / 3600000),
                static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  return buf;
}

Result<std::string> ContactSheetPng(const VideoInfo& info, const std::vector<int64_t>& frames, int thumb_width,
                                    int thumb_height, int columns) {
  if (frames.empty()) return UsageError("a contact sheet of no frames");
  if (frames.size() > 1000) return UsageError("a contact sheet of ", frames.size(), " frames: at most 1000");
  std::string select;
  for (int64_t f : frames) select += (select.empty() ? "" : "+") + std::string("eq(n\\,") + std::to_string(f) + ")";
  const int cols = std::max(1, std::min<int>(columns, static_cast<int>(frames.size())));
  const int rows = static_cast<int>((frames.size() + static_cast<size_t>(cols) - 1) / static_cast<size_t>(cols));
  const std::string filter = "select='" + select + "',scale=" + std::to_string(thumb_width) + ":" +
                             std::to_string(thumb_height) + ",tile=" + std::to_string(cols) + "x" +
                             std::to_string(rows) + ":padding=4:margin=4:color=white";
  WC_ASSIGN_OR_RETURN(auto ff, Subprocess::Start({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i",
                                                  "file:" + info.path, "-an", "-sn", "-dn", "-vf", filter,
                                                  "-fps_mode", "passthrough", "-frames:v", "1", "-f", "image2pipe",
                                                  "-c:v", "png", "pipe:1"},
                                                 kInstallHint));
  auto png = ff->ReadAll(256 << 20);
  const int code = ff->Wait();
  if (!png.ok()) return png.status();
  if (code != 0 || png->empty()) {
    const std::string why = LastLine(ff->StderrTail());
    return UsageError("the contact sheet of '", info.path, "' failed", why.empty() ? "" : " (ffmpeg: " + why + ")");
  }
  return std::move(png).value();
}

Result<VideoInfo> ProbeVideo(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return UsageError("cannot read video '", path, "': ", std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return UsageError("'", path, "' is not a regular file");
  if (st.st_size == 0) return UsageError("'", path, "' is empty, not a video");
  // "file:" keeps a name such as "a:b.mp4" or "-x.mp4" a file name, not a protocol or an option.
  const std::string url = "file:" + path;
  WC_ASSIGN_OR_RETURN(auto probe, Subprocess::Start({"ffprobe", "-v", "error", "-select_streams", "v:0",
                                                     "-show_entries",
                                                     "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,"
                                                     "nb_frames,duration:format=format_name,duration",
                                                     "-of", "flat", url},
                                                    kInstallHint));
  auto out = probe->ReadAll(1 << 20);
  const int code = probe->Wait();
  if (!out.ok()) return out.status();
  if (code != 0) {
    const std::string why = LastLine(probe->StderrTail());
    return UsageError("'", path, "' is not a video that FFmpeg can read",
                      why.empty() ? std::string() : " (ffprobe: " + why + ")");
  }
  const auto kv = ParseFlat(*out);
  VideoInfo info;
  info.path = path;
  auto get = [&](const std::string& k) {
    auto it = kv.find(k);
    return it == kv.end() ? std::string() : it->second;
  };
  info.container = get("format.format_name");
  info.codec = get("streams.stream.0.codec_name");
  if (info.codec.empty()) {
    return UsageError("'", path, "' has no video stream (FFmpeg reads it as '", info.container,
                      "'); webconv shots needs a video");
  }
  info.width = static_cast<int>(std::max(0.0, ParseNumber(get("streams.stream.0.width"))));
  info.height = static_cast<int>(std::max(0.0, ParseNumber(get("streams.stream.0.height"))));
  info.fps = ParseRate(get("streams.stream.0.avg_frame_rate"));
  if (info.fps <= 0) info.fps = ParseRate(get("streams.stream.0.r_frame_rate"));
  info.duration_s = ParseNumber(get("streams.stream.0.duration"));
  if (info.duration_s < 0) info.duration_s = ParseNumber(get("format.duration"));
  const double nb = ParseNumber(get("streams.stream.0.nb_frames"));
  if (nb > 0) {
    info.declared_frames = static_cast<int64_t>(nb);
  } else if (info.duration_s > 0 && info.fps > 0) {
    info.declared_frames = std::llround(info.duration_s * info.fps);
  }
  return info;
}

Result<std::unique_ptr<FrameReader>> FrameReader::Open(const VideoInfo& info, int width, int height,
                                                       size_t queue_frames) {
  if (width <= 0 || height <= 0 || width > 4096 || height > 4096)
    return UsageError("frame size ", width, "x", height, " is out of range");
  std::unique_ptr<FrameReader> r(new FrameReader());
  r->info_ = info;
  r->frame_bytes_ = static_cast<size_t>(width) * static_cast<size_t>(height) * 3;
  r->queue_frames_ = std::max<size_t>(1, queue_frames);
  // The reference's command: every decoded frame of the best video stream, scaled (ffmpeg's default
  // bicubic) to width x height, as packed RGB. -an/-sn/-dn only keep other streams out of the pipe.
  WC_ASSIGN_OR_RETURN(r->ffmpeg_,
                      Subprocess::Start({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i",
                                         "file:" + info.path, "-an", "-sn", "-dn", "-f", "rawvideo", "-pix_fmt",
                                         "rgb24", "-s", std::to_string(width) + "x" + std::to_string(height),
                                         "pipe:1"},
                                        kInstallHint));
  r->thread_ = std::thread([raw = r.get()] { raw->ReadAhead(); });
  return r;
}

FrameReader::~FrameReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (ffmpeg_) ffmpeg_->Kill();  // a read blocked in ReadAhead returns at once
  if (thread_.joinable()) thread_.join();
  ffmpeg_.reset();
}

void FrameReader::ReadAhead() {
  for (;;) {
    std::vector<uint8_t> frame(frame_bytes_);
    auto got = ffmpeg_->ReadFull(frame.data(), frame.size());
    std::unique_lock<std::mutex> lock(mu_);
    if (!got.ok() || *got < frame_bytes_) {
      if (!got.ok()) read_error_ = got.status();
      else partial_bytes_ = *got;
      ended_ = true;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [&] { return stop_ || queue_.size() < queue_frames_; });
    if (stop_) return;
    queue_.push_back(std::move(frame));
    cv_.notify_all();
  }
}

Result<bool> FrameReader::Next(std::vector<uint8_t>* rgb) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !queue_.empty() || ended_; });
  if (queue_.empty()) {
    if (!read_error_.ok()) return read_error_;
    return false;
  }
  *rgb = std::move(queue_.front());
  queue_.pop_front();
  ++frames_read_;
  cv_.notify_all();
  return true;
}

Status FrameReader::Finish(bool allow_damaged, std::string* warning) {
  if (thread_.joinable()) thread_.join();
  const int code = ffmpeg_->Wait();
  const std::string err = ffmpeg_->StderrTail();
  const std::string why = LastLine(err);
  const std::string quoted = why.empty() ? std::string() : " (ffmpeg: " + why + ")";
  if (code != 0) {
    if (frames_read_ == 0 || !allow_damaged)
      return UsageError("'", info_.path, "': ffmpeg failed after ", frames_read_, " frames with exit status ", code,
                        quoted);
    *warning = "ffmpeg failed after " + std::to_string(frames_read_) + " frames" + quoted;
    return OkStatus();
  }
  if (frames_read_ == 0) return UsageError("'", info_.path, "' has no frames that FFmpeg can decode", quoted);
  // A damaged or cut file: ffmpeg reports errors and delivers fewer frames than the container declares
  // (2% slack: durations are rounded). Clean short counts (a rounded duration) are not errors.
  const bool short_count = info_.declared_frames > 0 &&
                           static_cast<double>(frames_read_) < 0.98 * static_cast<double>(info_.declared_frames);
  if (partial_bytes_ > 0 || (!why.empty() && short_count)) {
    const std::string what = "decoded " + std::to_string(frames_read_) + " of the " +
                             (info_.declared_frames > 0 ? std::to_string(info_.declared_frames) : std::string("?")) +
                             " frames the container declares" + quoted;
    if (!allow_damaged)
      return UsageError("'", info_.path, "' is truncated or damaged: ", what,
                        "; --allow-damaged uses the frames that decode");
    *warning = "truncated or damaged video: " + what;
    return OkStatus();
  }
  if (!why.empty()) *warning = "ffmpeg reported: " + why;
  return OkStatus();
}

}  // namespace webconv::shots
