#include "onnx/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace webconv::onnx {

namespace {

// Closes the descriptor on every return path; the mapping outlives it.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::Open(const std::string& path, int64_t max_bytes,
                                                           bool missing_is_usage_error) {
  auto fail = [&](const std::string& what) {
    return missing_is_usage_error ? UsageError(path, ": ", what) : BadModel(path, ": ", what);
  };
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It has no effect on the
  // reads of a regular file, and the descriptor is only used for fstat and mmap.
  FdCloser fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (fd.fd < 0) return fail(StrCat("cannot open: ", std::strerror(errno)));
  struct stat st;
  if (::fstat(fd.fd, &st) != 0) return fail(StrCat("cannot stat: ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return fail("not a regular file");
  if (st.st_size < 0 || st.st_size > max_bytes) {
    return fail(StrCat("file of ", st.st_size, " bytes is larger than the limit of ", max_bytes));
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return std::shared_ptr<const MappedFile>(new MappedFile(nullptr, 0));
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (p == MAP_FAILED) return fail(StrCat("cannot map: ", std::strerror(errno)));
  return std::shared_ptr<const MappedFile>(new MappedFile(static_cast<const uint8_t*>(p), size));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace webconv::onnx
