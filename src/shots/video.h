// Video in: the container's facts from ffprobe and RGB frames from ffmpeg, both run as programs.
//
// Why the ffmpeg program through a pipe rather than linking libavformat/libavcodec: TransNetV2's reference
// inference (soCzech/TransNetV2, inference/transnetv2.py) decodes with exactly this command (ffmpeg,
// rawvideo, rgb24, `-s 48x27`), so the frames the model sees are the reference's, scaler included; a
// decoder crash on a hostile file ends ffmpeg, not webconv; the library, its WebAssembly build and the
// sanitizer build need no FFmpeg headers; and decoding runs in another process, beside inference. The cost
// is one pipe copy of 3.9 KB per 48x27 frame, nothing next to decoding. Debian's `ffmpeg` package brings
// both programs (scripts/setup.sh installs it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "shots/subprocess.h"

namespace webconv::shots {

struct VideoInfo {
  std::string path;
  std::string container;   // ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;       // of the first video stream, e.g. "h264"
  int width = 0, height = 0;
  double fps = 0;               // average frame rate; 0 when the container does not say
  int64_t declared_frames = -1; // the container's frame count, else duration x fps; -1 when unknown
  double duration_s = -1;       // -1 when unknown
};

// Reads the container with ffprobe. A file that is missing, is not a media file, or has no video stream is
// a usage error (exit 2) that says which.
Result<VideoInfo> ProbeVideo(const std::string& path);

// The video's frames, scaled by ffmpeg to width x height RGB (3 bytes a pixel, rows top to bottom), read
// ahead on a thread into a bounded queue so that decoding overlaps inference. Memory: at most
// `queue_frames` frames, whatever the video's length.
class FrameReader {
 public:
  static Result<std::unique_ptr<FrameReader>> Open(const VideoInfo& info, int width, int height,
                                                   size_t queue_frames = 256);
  ~FrameReader();

  size_t frame_bytes() const { return frame_bytes_; }
  // The next frame (frame_bytes() bytes), handed over from the read-ahead queue: true, or false after the
  // last one.
  Result<bool> Next(std::vector<uint8_t>* rgb);
  // After Next() returned false: whether the stream ended cleanly. ffmpeg failing, or reporting errors and
  // delivering clearly fewer frames than the container declares, is a truncated or damaged video: an error
  // (exit 2), or with `allow_damaged` a warning in `*warning` and the frames read so far stand.
  Status Finish(bool allow_damaged, std::string* warning);
  int64_t frames_read() const { return frames_read_; }

 private:
  FrameReader() = default;
  void ReadAhead();

  VideoInfo info_;
  size_t frame_bytes_ = 0, queue_frames_ = 0;
  std::unique_ptr<Subprocess> ffmpeg_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<uint8_t>> queue_;
  bool ended_ = false, stop_ = false;
  size_t partial_bytes_ = 0;  // bytes of an incomplete last frame (ffmpeg stopped mid-frame)
  Status read_error_;
  int64_t frames_read_ = 0;
  std::thread thread_;
};

// A PNG contact sheet of the given frames (each scene's first frame, say), decoded again by ffmpeg at
// `thumb_width` x `thumb_height` and tiled `columns` wide, in frame order. At most 1000 frames.
Result<std::string> ContactSheetPng(const VideoInfo& info, const std::vector<int64_t>& frames, int thumb_width,
                                    int thumb_height, int columns);

// "HH:MM:SS.mmm" for `seconds` (>= 0).
std::string Timecode(double seconds);

}  // namespace webconv::shots
