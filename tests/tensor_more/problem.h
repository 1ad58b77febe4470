// What the random tests draw: a model, its feeds, and what the reference must give. Helpers shared by
// the draws of the data-movement ops (draws_move.cc) and of the scatters (draws_scatter.cc).
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/host_tensor.h"
#include "model_builder.h"
#include "runtime/compare.h"

namespace webconv::testing {

// Moves are exact; accumulating scatters differ by the f32 rounding of each partial sum on the GPU.
inline const runtime::Tolerance kExact{0, 0};
inline const runtime::Tolerance kAccumulate{1e-6, 1e-5};

struct Problem {
  std::string what;
  std::vector<uint8_t> model;
  std::map<std::string, HostTensor> feeds;
  std::map<std::string, HostTensor> oracle;  // what the reference must give exactly
  runtime::Tolerance tol = kExact;           // WebGPU against the reference
  bool fold = true;  // false: the WebGPU session folds nothing, so Range's kernel runs
};

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v);
int64_t Between(std::mt19937_64& rng, int64_t lo, int64_t hi);  // inclusive
DType PickType(std::mt19937_64& rng);                           // the GPU-held types, float32 twice as often
HostTensor Feed(DType t, const Shape& s, std::mt19937_64& rng);
HostTensor Ints(const std::vector<int64_t>& v, Shape s, DType t = DType::kInt64);
HostTensor Ints1(const std::vector<int64_t>& v);
Shape RandomShape(std::mt19937_64& rng, int min_rank, int max_rank, std::initializer_list<int64_t> dims);
// A value that is either an initializer or a graph input bound by value: both paths must plan.
void Param(ModelBuilder& m, Problem& p, std::mt19937_64& rng, const std::string& name, const HostTensor& v);

Problem DrawSplit(std::mt19937_64& rng);
Problem DrawExpandOrTile(std::mt19937_64& rng, bool tile);
Problem DrawRange(std::mt19937_64& rng);
Problem DrawDepthSpace(std::mt19937_64& rng);
Problem DrawScatterElements(std::mt19937_64& rng);
Problem DrawScatterND(std::mt19937_64& rng);
// One ScatterND problem of the given form with random index values (duplicates likely).
Problem ScatterNDProblem(std::mt19937_64& rng, int opset, const std::string& reduction, DType t,
                         const Shape& data, const Shape& indices);

}  // namespace webconv::testing
