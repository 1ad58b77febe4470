// A child process whose stdout the caller reads as a stream, with stdin from /dev/null and stderr kept
// (its last few kilobytes) for error messages. Used to run ffmpeg and ffprobe: their decoders run in
// their own process, so a hostile video can crash them but never webconv.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace webconv::shots {

class Subprocess {
 public:
  // Starts argv[0] (looked up on PATH) with argv; no shell is involved, so no argument is interpreted.
  // A program that is not installed is a usage error that says how to install it (`install_hint`).
  static Result<std::unique_ptr<Subprocess>> Start(const std::vector<std::string>& argv,
                                                   const std::string& install_hint);
  ~Subprocess();  // kills the child if it still runs, and reaps it

  // Reads up to `size` bytes of the child's stdout; 0 at its end. Retries on EINTR.
  Result<size_t> Read(void* data, size_t size);
  // Reads exactly `size` bytes; returns how many arrived before the end (less than `size` only at the end).
  Result<size_t> ReadFull(void* data, size_t size);
  // Reads the rest of stdout, at most `limit` bytes (more is an error).
  Result<std::string> ReadAll(size_t limit);
  // Waits for the child: its exit status (0-255), or 128 + signal number when a signal ended it.
  int Wait();
  // Ends the child now (SIGKILL) without touching the pipes: a read blocked on its stdout returns 0.
  void Kill();
  // The last few kilobytes the child wrote to stderr (complete after Wait()).
  std::string StderrTail();
  const std::string& program() const { return program_; }

 private:
  Subprocess() = default;
  void DrainStderr(int fd);

  std::string program_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int status_ = -1;
  std::mutex mu_;
  std::string err_tail_;
  std::thread err_thread_;
};

}  // namespace webconv::shots
