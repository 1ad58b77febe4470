#include "runtime/first_run.h"

namespace webconv::runtime {
namespace {

// Figures measured with `webconv bench --json` (cache off) and WEBCONV_FIRST_RUN=tuned|quick-only; NOTES.md
// "A quick tier for the first run" has the runs.
struct Rates {
  double tuned_pipeline_ms;  // one tuned Conv pipeline (implicit GEMM)
  double quick_pipeline_ms;  // one quick Conv pipeline
  double tuned_gflops;       // what the tuned Conv kernels sustain on a first run
  double quick_gflops;       // and the quick ones
};
// SwiftShader on a 2-core machine: the default demo (TransNetV2 T=8, 6.65 GFLOP) ran 4.2 s tuned and 13.8 s
// quick (1.6 and 0.48 GFLOP/s); the TransNetV2 backbone at 1x3x2x8x8 compiled 4 tuned pipelines in 720-760
// ms and 3 quick ones in 170-290 ms.
constexpr Rates kSoftware = {190, 70, 1.6, 0.48};

double CompileMs(size_t pipelines, double each_ms, bool software) {
  if (pipelines == 0) return 0;
  return software ? static_cast<double>(pipelines) * each_ms : each_ms;
}

}  // namespace

double PredictedFirstRunMs(const TierCosts& c, bool software_adapter, FirstRun tier) {
  const Rates& r = kSoftware;
  if (tier == FirstRun::kTuned)
    return CompileMs(c.tuned_pipelines, r.tuned_pipeline_ms, software_adapter) + c.flops / (r.tuned_gflops * 1e6);
  return CompileMs(c.quick_pipelines, r.quick_pipeline_ms, software_adapter) + c.flops / (r.quick_gflops * 1e6);
}

FirstRun ChooseFirstRun(const TierCosts& c, bool software_adapter, bool background) {
  if (!background || c.tuned_pipelines == 0) return FirstRun::kTuned;
  // The quick tier's compile and run times on a GPU are not measured yet: a GPU keeps the tuned tier
  // unless asked (--first-run quick).
  if (!software_adapter) return FirstRun::kTuned;
  return PredictedFirstRunMs(c, software_adapter, FirstRun::kQuick) <
                 PredictedFirstRunMs(c, software_adapter, FirstRun::kTuned)
             ? FirstRun::kQuick
             : FirstRun::kTuned;
}

}  // namespace webconv::runtime
