// FirstRun::kAuto's choice (session.h): the tier whose first result a simple cost model predicts sooner.
#pragma once

#include <cstddef>

#include "runtime/session.h"

namespace webconv::runtime {

// What each tier would cost a plan before its first result: the distinct pipelines only it compiles (the
// kernels both tiers share are left out) and the FLOPs of the nodes whose kernels differ.
struct TierCosts {
  size_t tuned_pipelines = 0, quick_pipelines = 0;
  double flops = 0;
};

// kQuick when compile plus run is predicted shorter on the quick tier, else kTuned. The model is
// SwiftShader's (pipelines compile one after another, so their number counts); a hardware adapter keeps
// kTuned until the quick tier is measured there. `background`: the device can compile the tuned kernels
// while the quick ones serve (without it the choice is always kTuned).
FirstRun ChooseFirstRun(const TierCosts& c, bool software_adapter, bool background);

// The model's figures (a software adapter's), for reports: predicted ms before the first result on a tier.
double PredictedFirstRunMs(const TierCosts& c, bool software_adapter, FirstRun tier);

}  // namespace webconv::runtime
