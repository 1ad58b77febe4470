// Differential testing: a model runs on WebGPU and on the float64 reference with the same inputs and
// every output is compared. Random draws print their seed so any failure can be replayed.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gpu/device.h"
#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::testing {

// One device per test process (creating one per case would dominate the run time on SwiftShader).
std::shared_ptr<gpu::Device> SharedDevice();

// The session options the harness's sessions use for what a test forces: the WebGPU kernels' choices
// (a tile, the splits, ...) and which fusions run. Defaults unless a ScopedTuning is alive.
struct TestTuning {
  ops::KernelTuning kernels;
  ir::FusionOptions fusion;
};
const TestTuning& CurrentTuning();
// Sets the harness's tuning for its lifetime (the one before comes back after), so that a test's forced
// choice cannot leak into the next test. Change fields through tuning().
class ScopedTuning {
 public:
  ScopedTuning();
  ~ScopedTuning();
  ScopedTuning(const ScopedTuning&) = delete;
  ScopedTuning& operator=(const ScopedTuning&) = delete;
  ops::KernelTuning& kernels();
  ir::FusionOptions& fusion();

 private:
  TestTuning saved_;
};
// The tuning's fields in session options (every harness session goes through this).
void ApplyTestTuning(runtime::SessionOptions* options);

HostTensor RandomTensor(DType t, const Shape& shape, std::mt19937_64& rng, double lo = -1.0, double hi = 1.0);

// Runs `model` on one backend (WebGPU on SharedDevice(); the CPU float64 reference on the graph as written,
// without fusion rewrites).
Result<std::map<std::string, HostTensor>> RunOn(runtime::Backend backend, const std::vector<uint8_t>& model,
                                                const std::map<std::string, HostTensor>& feeds);

// Runs `model` on the float64 reference, then on WebGPU and on the fast CPU backend; ok when every output
// of both matches the reference within `tol`.
::testing::AssertionResult MatchesReference(const std::vector<uint8_t>& model,
                                            const std::map<std::string, HostTensor>& feeds,
                                            const runtime::Tolerance& tol);

// Runs `model` on the float64 reference, the fast CPU backend and WebGPU, where loading and planning must
// succeed and the run must fail: ok when all three runs fail with the same message (node, op and text)
// and that message contains every string of `expect`.
::testing::AssertionResult FailsAlikeOnEveryBackend(const std::vector<uint8_t>& model,
                                                    const std::map<std::string, HostTensor>& feeds,
                                                    const std::vector<std::string>& expect);

// Integers drawn uniformly from [lo, hi] into a tensor of integer type t.
HostTensor RandomIntegers(DType t, const Shape& shape, std::mt19937_64& rng, int64_t lo, int64_t hi);

// The number of random configurations to draw: `ci` normally, `full` when WEBCONV_FULL_SWEEP=1.
int SweepCount(int ci, int full);
// The base seed: WEBCONV_SEED when set, else `def`. Printed by the caller.
uint64_t BaseSeed(uint64_t def);

}  // namespace webconv::testing
