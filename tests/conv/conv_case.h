// One Conv (with bias, optionally followed by Relu) as a model with seeded random weights, and its
// differential check against the float64 reference: the shared setup of the Conv kernel-variant tests
// (tile, split-K, strip and channel-block variants), which force a variant and then check cases.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {

struct ConvShapeCase {
  int64_t batch, cin, cout, group;
  std::vector<int64_t> in, kernel, stride, dilation, pads;  // in: spatial sizes; pads: begins then ends
  bool relu = false;                                        // a Relu after the Conv (a fused epilogue)
};

// The model (input "x" of shape *xs, output "y"); weights and bias drawn from `rng`.
std::vector<uint8_t> ConvCaseModel(const ConvShapeCase& c, std::mt19937_64& rng, Shape* xs);
// The same model with the given weight and bias.
std::vector<uint8_t> ConvCaseModel(const ConvShapeCase& c, HostTensor w, HostTensor b);
Shape ConvCaseInputShape(const ConvShapeCase& c);
Shape ConvCaseWeightShape(const ConvShapeCase& c);

// Builds the case with seed `seed`, feeds random x from the same stream and expects WebGPU to match the
// float64 reference within atol 1e-5, rtol 1e-4: f32 accumulation of up to a few hundred products of
// values in [-1, 1].
void CheckConvCase(const ConvShapeCase& c, uint64_t seed);

}  // namespace webconv::testing
