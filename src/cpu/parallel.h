// Work split over the CPU backend's threads: one pool per process, sized to the machine's cores, whose
// workers sleep between calls. The calling thread takes a share too. Without threads (the WebAssembly
// build) every call runs inline.
#pragma once

#include <cstdint>
#include <functional>

namespace webconv::cpu {

// Calls fn(begin, end) over disjoint ranges covering [0, count), at most one range per thread, and
// returns when all are done. Ranges are contiguous and in order of thread index, so results that
// depend only on the range are the same whatever the thread count. A ParallelFor inside fn runs inline.
void ParallelFor(int64_t count, const std::function<void(int64_t begin, int64_t end)>& fn);

// Below this much work (elements written, or multiply-adds) a split does not pay: starting the other
// threads and waiting for the last of them costs microseconds, as much as such work takes alone.
constexpr int64_t kParallelWork = int64_t{1} << 14;

// ParallelFor when `work` (the whole call's elements or multiply-adds) reaches kParallelWork; else
// fn(0, count) on the calling thread.
void ParallelFor(int64_t count, int64_t work, const std::function<void(int64_t begin, int64_t end)>& fn);

// The threads ParallelFor uses (the caller included).
int Threads();

}  // namespace webconv::cpu
