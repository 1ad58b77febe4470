// The fusion tests' harness: a model runs three ways with the same inputs — the float64 reference of
// the graph as written (the oracle), WebGPU with the Conv fusions, and the CPU backend with the
// fusions — and both fused runs must match the oracle. It also reports what the fused graph kept, so
// each test states which rewrites fired (and which must not have).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "differential.h"
#include "model_builder.h"

namespace webconv::testing {

struct FusedRun {
  std::vector<std::string> ops;       // op types of the fused graph's nodes that run, in order
  std::vector<std::string> rewrites;  // the rewrite lines of the fused graph
  size_t dispatches = 0;              // kernels one WebGPU run dispatches
  size_t in_place = 0;                // Concats whose inputs are written in place
  int Count(const std::string& op) const;
  bool Rewrote(const std::string& fragment) const;  // some rewrite line contains `fragment`
};

// Checks both fused runs against the unfused float64 reference; fills `run` from the WebGPU session.
::testing::AssertionResult MatchesUnfused(const std::vector<uint8_t>& model,
                                          const std::map<std::string, HostTensor>& feeds, FusedRun* run,
                                          const runtime::Tolerance& tol = {1e-5, 1e-4});

// MatchesUnfused twice: with the fusions (`on`) and with the session option `fuse` off for the second run
// (`off`; WEBCONV_NO_FUSION=1 sets that option in the CLI).
::testing::AssertionResult MatchesUnfusedWithAndWithoutFusion(const std::vector<uint8_t>& model,
                                                              const std::map<std::string, HostTensor>& feeds,
                                                              FusedRun* on, FusedRun* off);

// Model-building helpers shared by the fusion tests.
// A Conv with random weights (and bias when `bias`); explicit `pads` (begin..., end...) or, when empty,
// "same"-style pads for odd kernels.
void AddConv(ModelBuilder& m, std::mt19937_64& rng, const std::string& x, const std::string& y, int64_t cin,
             int64_t cout, const std::vector<int64_t>& kernel, bool bias,
             const std::vector<int64_t>& dilation = {}, const std::vector<int64_t>& pads = {});
// A BatchNormalization with random statistics (var in [0.5, 1.5]).
void AddBatchNorm(ModelBuilder& m, std::mt19937_64& rng, const std::string& x, const std::string& y,
                  int64_t c, float epsilon = 1e-3f);

}  // namespace webconv::testing
