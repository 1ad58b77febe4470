// Seeded random damage to serialized protobufs, shared by the fuzz test and the mutated-model
// differential test.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

namespace webconv::onnx::testing {

inline uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Applies one to three random edits: truncation, bit flips, bytes that make varints and lengths large,
// a duplicated slice, or inserted garbage.
inline void Mutate(std::string* s, std::mt19937_64& rng) {
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
    switch (rng() % 5) {
      case 0:
        s->resize(pick(s->size() + 1));
        break;
      case 1:
        for (int k = 1 + static_cast<int>(rng() % 4); k > 0 && !s->empty(); --k) {
          (*s)[pick(s->size())] ^= static_cast<char>(1 << (rng() % 8));
        }
        break;
      case 2:
        for (int k = 1 + static_cast<int>(rng() % 3); k > 0 && !s->empty(); --k) {
          (*s)[pick(s->size())] = static_cast<char>(rng() % 2 ? 0xff : 0x80);
        }
        break;
      case 3: {
        if (s->empty()) break;
        const size_t a = pick(s->size()), len = pick(std::min<size_t>(64, s->size() - a) + 1);
        s->insert(pick(s->size() + 1), s->substr(a, len));
        break;
      }
      default:
        s->insert(pick(s->size() + 1), std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
    }
  }
}

}  // namespace webconv::onnx::testing
