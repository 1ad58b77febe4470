// The options_json argument of wc_session_create: a flat JSON object with the keys
// "backend" ("webgpu" | "cpu" | "ref") and "profile" (true | false). Unknown keys and wrong types are errors, so
// that a misspelt option is reported rather than silently ignored.
#pragma once

#include <string>

#include "common/status.h"
#include "runtime/session.h"

namespace webconv::web {

struct WebSessionOptions {
  // "cpu": the fast CPU backend (float32); "ref": the float64 reference.
  runtime::Backend backend = runtime::Backend::kWebGpu;
  bool profile = false;  // per-dispatch GPU timings (timestamp queries)
};

// Null or empty text means the defaults.
Result<WebSessionOptions> ParseSessionOptions(const char* json);

}  // namespace webconv::web
