// The options_json argument of wc_session_create: a flat JSON object with the keys
// "backend" ("webgpu" | "cpu" | "ref"), "profile" (true | false), "firstRun" (a runtime::FirstRunName) and
// "kernelTuning", an object of webconv::KernelTuning's fields in camelCase (convTile, convSplits,
// convF16Tiles, convSizes, convStripRows, convStripDepths, convSubgroupTaps, siblingMerge, branchMerge). Unknown keys and wrong types are errors, so
// that a misspelt option is reported rather than silently ignored.
#pragma once

#include <string>

#include "common/status.h"
#include "runtime/session.h"
#include "webconv/session.h"

namespace webconv::web {

struct WebSessionOptions {
  // "cpu": the fast CPU backend (float32); "ref": the float64 reference.
  runtime::Backend backend = runtime::Backend::kWebGpu;
  bool profile = false;  // per-dispatch GPU timings (timestamp queries)
  runtime::FirstRun first_run = runtime::FirstRun::kAuto;  // the first run's kernel tier (WebGPU)
  webconv::KernelTuning tuning;  // "kernelTuning": {"convTile": ..., "convSplits": ..., ...} (webconv/session.h)
};

// Null or empty text means the defaults.
Result<WebSessionOptions> ParseSessionOptions(const char* json);

}  // namespace webconv::web
