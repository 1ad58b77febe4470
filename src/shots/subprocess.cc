#include "shots/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace webconv::shots {
namespace {

constexpr size_t kStderrKept = 8192;  // enough for ffmpeg's last error lines, bounded whatever it prints

void CloseIfOpen(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const std::vector<std::string>& argv,
                                                      const std::string& install_hint) {
  if (argv.empty()) return UsageError("internal: no program to start");
  int out[2] = {-1, -1}, err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0) return UsageError("cannot create a pipe: ", std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out[0]);
    ::close(out[1]);
    return UsageError("cannot create a pipe: ", std::strerror(e));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    if (rc == ENOENT) return UsageError("'", argv[0], "' was not found on PATH: ", install_hint);
    return UsageError("cannot start '", argv[0], "': ", std::strerror(rc));
  }
  std::unique_ptr<Subprocess> p(new Subprocess());
  p->program_ = argv[0];
  p->pid_ = pid;
  p->out_fd_ = out[0];
  const int err_fd = err[0];
  p->err_thread_ = std::thread([raw = p.get(), err_fd] { raw->DrainStderr(err_fd); });
  return p;
}

Subprocess::~Subprocess() {
  CloseIfOpen(out_fd_);  // a child blocked writing gets EPIPE (or SIGPIPE) and ends
  if (pid_ > 0 && status_ < 0) {
    ::kill(pid_, SIGKILL);
    Wait();
  }
  if (err_thread_.joinable()) err_thread_.join();
}

void Subprocess::DrainStderr(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard<std::mutex> lock(mu_);
    err_tail_.append(buf, static_cast<size_t>(n));
    if (err_tail_.size() > 2 * kStderrKept) err_tail_.erase(0, err_tail_.size() - kStderrKept);
  }
  ::close(fd);
}

Result<size_t> Subprocess::Read(void* data, size_t size) {
  if (out_fd_ < 0) return size_t{0};
  for (;;) {
    const ssize_t n = ::read(out_fd_, data, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return UsageError("reading from ", program_, ": ", std::strerror(errno));
  }
}

Result<size_t> Subprocess::ReadFull(void* data, size_t size) {
  size_t got = 0;
  auto* p = static_cast<char*>(data);
  while (got < size) {
    WC_ASSIGN_OR_RETURN(const size_t n, Read(p + got, size - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

Result<std::string> Subprocess::ReadAll(size_t limit) {
  std::string s;
  char buf[4096];
  for (;;) {
    WC_ASSIGN_OR_RETURN(const size_t n, Read(buf, sizeof(buf)));
    if (n == 0) return s;
    if (s.size() + n > limit) return UsageError(program_, " printed more than ", limit, " bytes");
    s.append(buf, n);
  }
}

int Subprocess::Wait() {
  if (status_ >= 0) return status_;
  CloseIfOpen(out_fd_);
  int ws = 0;
  while (::waitpid(pid_, &ws, 0) < 0 && errno == EINTR) {
  }
  status_ = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 255;
  if (err_thread_.joinable()) err_thread_.join();
  return status_;
}

void Subprocess::Kill() {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, SIGKILL);
}

std::string Subprocess::StderrTail() {
  std::lock_guard<std::mutex> lock(mu_);
  return err_tail_.size() > kStderrKept ? err_tail_.substr(err_tail_.size() - kStderrKept) : err_tail_;
}

}  // namespace webconv::shots
