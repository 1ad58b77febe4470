#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace webconv::cpu {

#ifdef __EMSCRIPTEN__

void ParallelFor(int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
  if (count > 0) fn(0, count);
}
int Threads() { return 1; }

#elif defined(_OPENMP)

// Native builds with oneDNN: its convolutions run on OpenMP's threads (Debian's libdnnl uses libgomp),
// so the backend's other kernels run on the same team. Two pools on the same cores each spin after
// their work while the other runs: measured, a MobileNetV3-style model took 7 to 31 ms that way and
// 0.9 ms on one team (NOTES.md, "CPU backend").
void ParallelFor(int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t parts = std::min<int64_t>(count, omp_get_max_threads());
  if (parts <= 1 || omp_in_parallel()) {  // a call from inside a range runs inline
    if (count > 0) fn(0, count);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(parts))
  {
    // OpenMP may give fewer threads than asked: each takes every n-th part.
    const int64_t n = omp_get_num_threads();
    for (int64_t part = omp_get_thread_num(); part < parts; part += n)
      fn(count * part / parts, count * (part + 1) / parts);
  }
}
int Threads() { return omp_get_max_threads(); }

#else

namespace {

// Workers wait for a new generation of work, take ranges by index until none is left, and check in.
// A call returns only when every worker has checked in, so no worker is still reading a call's fields
// when the next call sets them. Waiting spins for a while before it sleeps: a model's nodes call one
// after another microseconds apart, and a sleeping thread takes tens of microseconds to wake (far more
// on a busy virtual machine), more than many nodes' whole work. The pool lives until the process ends
// (a static never destroyed, so no worker is joined during exit while another static still uses it).
class Pool {
 public:
  explicit Pool(int threads) : threads_(std::max(1, threads)) {
    for (int t = 1; t < threads_; ++t) workers_.emplace_back([this] { Work(); });
    for (auto& w : workers_) w.detach();
  }

  int threads() const { return threads_; }

  void Run(int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
    const int64_t parts = std::min<int64_t>(count, threads_);
    if (parts <= 1 || inside_) {  // a call from inside a range runs inline: the pool is busy with its caller
      if (count > 0) fn(0, count);
      return;
    }
    std::unique_lock<std::mutex> call(call_mutex_);  // one job at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = &fn;
      count_ = count;
      parts_ = parts;
      next_.store(0);
      checked_in_.store(0);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    TakeRanges();
    if (!SpinUntil([&] { return checked_in_.load(std::memory_order_acquire) == threads_ - 1; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return checked_in_.load() == threads_ - 1; });
    }
    fn_ = nullptr;
  }

 private:
  // Spins up to about 200 microseconds for `done`; false when it is still not done.
  template <typename Done>
  static bool SpinUntil(Done done) {
    const auto limit = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
    for (int i = 0;; ++i) {
      if (done()) return true;
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > limit) return false;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }

  void TakeRanges() {
    inside_ = true;
    for (;;) {
      const int64_t part = next_.fetch_add(1);
      if (part >= parts_) break;
      const int64_t begin = count_ * part / parts_, end = count_ * (part + 1) / parts_;
      (*fn_)(begin, end);
    }
    inside_ = false;
  }

  void Work() {
    uint64_t seen = 0;
    for (;;) {
      if (!SpinUntil([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      TakeRanges();
      {
        std::lock_guard<std::mutex> lock(mutex_);  // so a caller about to sleep cannot miss the notify
        checked_in_.fetch_add(1, std::memory_order_release);
      }
      finished_.notify_one();
    }
  }

  static thread_local bool inside_;
  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_, mutex_;
  std::condition_variable wake_, finished_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t count_ = 0, parts_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> checked_in_{0};
  std::atomic<uint64_t> generation_{0};
};

thread_local bool Pool::inside_ = false;

Pool& ThePool() {
  static Pool* pool = new Pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  return *pool;
}

}  // namespace

void ParallelFor(int64_t count, const std::function<void(int64_t, int64_t)>& fn) { ThePool().Run(count, fn); }
int Threads() { return ThePool().threads(); }

#endif

void ParallelFor(int64_t count, int64_t work, const std::function<void(int64_t, int64_t)>& fn) {
  if (work >= kParallelWork) ParallelFor(count, fn);
  else if (count > 0) fn(0, count);
}

}  // namespace webconv::cpu
