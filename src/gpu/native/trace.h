// WEBCONV_COMPILE_TRACE=1: timing lines on standard error for the steps of a first result (pipeline
// compiles in pipelines.cc, the steps of a run in program.cc). Off by default; read once per process.
#pragma once

#include <chrono>

#include "common/env.h"

namespace webconv::gpu::native {

inline bool TraceOn() {
  static const bool on = EnvFlag("WEBCONV_COMPILE_TRACE");
  return on;
}

inline double MsBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace webconv::gpu::native
