#include "runtime/first_run.h"

namespace webconv::runtime {
namespace {

// Figures measured with `webconv bench --json` (cache off) and --first-run tuned|quick|quick-only; NOTES.md
// "A quick tier for the first run" has the runs.
struct Rates {
  double tuned_pipeline_ms;  // one tuned Conv pipeline (implicit GEMM)
  double quick_pipeline_ms;  // one quick Conv pipeline
  double issue_ms;           // per pipeline on the calling thread (WGSL parsed there) when they compile at once
  double tuned_gflops;       // what the tuned Conv kernels sustain on a first run
  double quick_gflops;       // and the quick ones
  bool serial;               // pipelines compile one after another
};
// SwiftShader on a 2-core machine, with the quad GEMM kernels (ops/quad_gemm.h): the default demo (TransNetV2
// T=8, 6.65 GFLOP) ran its first run in 1.4-1.7 s tuned (4-4.7 GFLOP/s) and 13.8 s quick (0.48); a quad
// pipeline compiles in 70-120 ms (WEBCONV_SERIAL_COMPILE=1 WEBCONV_COMPILE_TRACE=1; the tiny TransNetV2
// backbone's 10 in 885 ms), a quick one in 55-125 ms.
constexpr Rates kSoftware = {100, 70, 0, 4.5, 0.48, true};
// A GPU (H100, bench/results/h100-2026-12-07-quick-tier/): about ten pipelines compile at once, so the phase
// is the slowest one plus the calling thread's parsing: 12-25 tuned pipelines in 240-267 ms, DBNet's 49 in
// 432-506; 3-18 quick ones in 86-147. The tuned kernels ran the TransNetV2 backbone's 82.2 GFLOP in 3.3 ms
// (25 TFLOP/s), the quick one in 17.3 ms (4.7 TFLOP/s; DBNet's mix 2.9).
constexpr Rates kGpu = {200, 80, 5, 25000, 3000, false};

double CompileMs(size_t pipelines, double each_ms, const Rates& r) {
  if (pipelines == 0) return 0;
  const double n = static_cast<double>(pipelines);
  return r.serial ? n * each_ms : each_ms + n * r.issue_ms;
}

}  // namespace

double PredictedFirstRunMs(const TierCosts& c, bool software_adapter, FirstRun tier) {
  const Rates& r = software_adapter ? kSoftware : kGpu;
  if (tier == FirstRun::kTuned)
    return CompileMs(c.tuned_pipelines, r.tuned_pipeline_ms, r) + c.flops / (r.tuned_gflops * 1e6);
  return CompileMs(c.quick_pipelines, r.quick_pipeline_ms, r) + c.flops / (r.quick_gflops * 1e6);
}

FirstRun ChooseFirstRun(const TierCosts& c, bool software_adapter, bool background) {
  if (!background || c.tuned_pipelines == 0) return FirstRun::kTuned;
  return PredictedFirstRunMs(c, software_adapter, FirstRun::kQuick) <
                 PredictedFirstRunMs(c, software_adapter, FirstRun::kTuned)
             ? FirstRun::kQuick
             : FirstRun::kTuned;
}

}  // namespace webconv::runtime
