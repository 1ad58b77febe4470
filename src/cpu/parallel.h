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

// The threads ParallelFor uses (the caller included).
int Threads();

}  // namespace webconv::cpu
