// Scratch memory that the CPU backend's kernels share within one plan. Each slot is grown to the
// largest request and kept until the plan goes, so a warm run allocates nothing: a fresh allocation of
// tens of megabytes is new pages from the system, faulted in on every run. Freed with the plan, so
// nothing stays behind once a session is closed.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace webconv::cpu {

class Workspace {
 public:
  // The buffers kernels ask for by role; one kernel runs at a time in a plan, so roles never clash.
  enum Slot { kLayoutIn, kLayoutOut, kLayoutWeights, kSlots };

  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() {
    for (Buffer& b : buffers_) std::free(b.data);
  }

  // At least `bytes` bytes, 64-byte aligned; valid until the next call for the same slot. Throws
  // std::bad_alloc when the system has no such memory.
  void* Bytes(Slot slot, size_t bytes) {
    Buffer& b = buffers_[slot];
    if (bytes > b.bytes) {
      std::free(b.data);
      b.bytes = 0;
      b.data = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      if (!b.data) throw std::bad_alloc();
      b.bytes = (bytes + 63) / 64 * 64;
    }
    return b.data;
  }

 private:
  struct Buffer {
    void* data = nullptr;
    size_t bytes = 0;
  };
  Buffer buffers_[kSlots];
};

}  // namespace webconv::cpu
