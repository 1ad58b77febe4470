// Limits on what a model or input file may declare, checked before anything is allocated from it.
// (The element-count limit, kMaxElements, sits with CheckedNumElements in host_tensor.h.)
#pragma once

#include <cstddef>

namespace webconv {

// Largest tensor rank webconv accepts (ONNX sets none; real models stay below 10). Bounding it keeps
// per-dimension work (broadcasting, index arithmetic, messages) small whatever a file says.
// CheckedNumElements enforces it for every shape it sees.
constexpr size_t kMaxRank = 64;

}  // namespace webconv
