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

// kQuick when compile plus run is predicted shorter on the quick tier, else kTuned. On a software adapter
// (SwiftShader) pipelines compile one after another, so their number counts; on a GPU about ten compile
// at once, so the slowest one sets the pace, plus their parsing on the calling thread. `background`: the
// device can compile the tuned kernels while the quick ones serve (without it the choice is always kTuned).
FirstRun ChooseFirstRun(const TierCosts& c, bool software_adapter, bool background);

// The model's figures, for reports: predicted ms before the first result on a tier.
double PredictedFirstRunMs(const TierCosts& c, bool software_adapter, FirstRun tier);

}  // namespace webconv::runtime
