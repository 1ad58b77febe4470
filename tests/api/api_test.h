// Shared pieces of the public API tests: the small_mlp model and a fixed input for it.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "webconv/webconv.h"

namespace webconv::api_test {

inline std::string SmallMlp() {
  return std::string(WEBCONV_SOURCE_DIR) + "/models/small_mlp.onnx";
}

// small_mlp's input "features" is float32 [batch, 64]: `batch` rows of seeded uniform values.
inline std::vector<float> Features(int batch, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(batch) * 64);
  for (float& x : v) x = uni(rng);
  return v;
}

}  // namespace webconv::api_test
