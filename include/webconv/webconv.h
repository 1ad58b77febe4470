// webconv's public C++ API: include this one header. See docs/api-cpp.md.
#pragma once

#include "webconv/dtype.h"    // IWYU pragma: export
#include "webconv/npy.h"      // IWYU pragma: export
#include "webconv/session.h"  // IWYU pragma: export
#include "webconv/status.h"   // IWYU pragma: export
#include "webconv/tensor.h"   // IWYU pragma: export
#include "webconv/version.h"  // IWYU pragma: export
