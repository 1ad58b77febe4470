#include "common/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace webconv {
namespace {

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// Closes a descriptor and removes the temporary file it names unless Release()d after the rename.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the descriptor, reporting the error close() gives (some file systems report a failed write
  // only there).
  int Close() {
    const int r = ::close(fd_);
    fd_ = -1;
    return r;
  }
  void Release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

bool StartsWithNpyMagic(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[6] = {};
  const ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  return n == 6 && std::memcmp(magic, "\x93NUMPY", 6) == 0;
}

// Checks what is at `path` now: nothing (false), or a regular file this write may replace (true).
Result<bool> CheckTarget(const std::string& path, const FileWriteOptions& options) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return UsageError("cannot write ", Quoted(path), ": ", std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode))
    return UsageError("refusing to write ", Quoted(path), ": it is a symbolic link, which would send the output "
                      "elsewhere; remove it or choose another --output-dir");
  if (!S_ISREG(st.st_mode))
    return UsageError("refusing to write ", Quoted(path), ": it exists and is not a regular file");
  const FileIdentity id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  for (const ProtectedFile& p : options.protect)
    if (p.id == id) return UsageError("refusing to write ", Quoted(path), ": it is the same file as ", p.what);
  if (options.existing == ExistingFile::kReplaceIfNpy && !StartsWithNpyMagic(path))
    return UsageError("refusing to replace ", Quoted(path),
                      ": it exists and is not a .npy file; pass --overwrite to replace it");
  return true;
}

// A temporary name beside `path`: ".NAME.tmp-XXXXXX", with NAME shortened so the whole stays a valid
// file name.
std::string TempTemplate(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 120) base.resize(120);
  return dir + "." + base + ".tmp-XXXXXX";
}

// 0, or the errno of the failed write.
int WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t chunk = std::min<size_t>(bytes.size(), size_t{1} << 30);
    const ssize_t n = ::write(fd, bytes.data(), chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace

Result<FileIdentity> IdentifyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return UsageError("cannot read ", Quoted(path), ": ", std::strerror(errno));
  return FileIdentity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

Status CheckReplaceable(const std::string& path, const FileWriteOptions& options) {
  return CheckTarget(path, options).status();
}

Result<FileWriteOutcome> WriteFileReplacing(const std::string& path, const std::vector<std::string_view>& parts,
                                            const FileWriteOptions& options) {
  WC_ASSIGN_OR_RETURN(const bool existed, CheckTarget(path, options));
  std::string tmpl = TempTemplate(path);
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return UsageError("cannot write ", Quoted(path), ": cannot create a temporary file beside it: ",
                                std::strerror(errno));
  TempFile tmp(fd, tmpl);
  // mkstemp creates the file readable by its owner only; an output is an ordinary file.
  ::fchmod(fd, 0644);
  const char* kUnchanged = existed ? "; the existing file is unchanged" : "";
  for (std::string_view part : parts) {
    if (const int err = WriteAll(fd, part))
      return UsageError("failed writing ", Quoted(path), ": ", std::strerror(err), kUnchanged);
  }
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS)  // EINVAL: a file system without fsync
    return UsageError("failed writing ", Quoted(path), ": ", std::strerror(errno), kUnchanged);
  if (tmp.Close() != 0) return UsageError("failed writing ", Quoted(path), ": ", std::strerror(errno), kUnchanged);
  // The target may have changed while the bytes were written.
  WC_ASSIGN_OR_RETURN(const bool exists_now, CheckTarget(path, options));
  if (::rename(tmp.path().c_str(), path.c_str()) != 0)
    return UsageError("cannot write ", Quoted(path), ": ", std::strerror(errno), kUnchanged);
  tmp.Release();
  return exists_now ? FileWriteOutcome::kReplaced : FileWriteOutcome::kCreated;
}

}  // namespace webconv
