// The environment variables that tune a session (docs/cli.md lists them): the CLI's and the benchmark
// scripts' way to set SessionOptions' fusion switches and KernelTuning. The library's layers below never
// read the environment; the CLI and the public C++ API call this when they build a session's options.
//   WEBCONV_NO_FUSION=1          fuse = false (the graph as written)
//   WEBCONV_NO_SIBLING_MERGE=1   fusion.sibling_merge = false
//   WEBCONV_NO_BRANCH_MERGE=1    fusion.branch_merge = false
//   WEBCONV_CONV_TILE=tTMxTNkTK_rRMxRN   kernel_tuning.conv_tile (ops::ParseConvTiling)
//   WEBCONV_CONV_SPLITS=N        kernel_tuning.conv_splits (1..4096)
//   WEBCONV_CONV_F16=tiles|off|0 kernel_tuning.conv_math
//   WEBCONV_CONV_SIZES=baked|uniform      kernel_tuning.conv_sizes
//   WEBCONV_CONV_STRIP_ROWS=N, WEBCONV_CONV_STRIP_DEPTHS=N   the direct kernel's strips (1..64)
//   WEBCONV_CONV_SUBGROUPS=1|0   kernel_tuning.subgroup_taps
//   WEBCONV_QUAD_GEMM=1|0        kernel_tuning.quad_gemm
// An unset or empty variable leaves its field as it is. A malformed value is a usage error that names the
// variable and its value.
#pragma once

#include <string>

#include "common/status.h"
#include "runtime/session.h"
#include "webconv/session.h"

namespace webconv::runtime {

Status ApplyTuningEnvironment(SessionOptions* options);

// The public APIs' tuning (webconv::KernelTuning: the C++ Options::tuning, the JS option kernelTuning) as
// the session's KernelTuning and fusion switches. A malformed field is a usage error naming it as
// `prefix` + field, the field as C++ spells it ("Options::tuning.conv_tile") or, with `js_names`, as the
// JS API does ("kernelTuning.convTile").
Status ApplyKernelTuning(const KernelTuning& t, const std::string& prefix, SessionOptions* options,
                         bool js_names = false);

}  // namespace webconv::runtime
