// ApplyTuningEnvironment (tuning_env.h).
#include "runtime/tuning_env.h"

#include <cstdlib>
#include <optional>
#include <string>

#include "common/env.h"

namespace webconv::runtime {
namespace {

// The variable's value, or "" when it is unset.
std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A whole number in [lo, hi], or a usage error naming the variable.
Result<int> EnvCount(const char* name, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != 0 || n < lo || n > hi)
    return UsageError(name, "=", v, ": expected a number ", lo, "..", hi);
  return static_cast<int>(n);
}

// A tile named as kernel names write it, with the device-independent checks (the workgroup memory it
// needs is checked against the device's limit when a Conv is planned); errors start with `label`.
Result<ops::ConvTiling> ParseTile(const std::string& value, const std::string& label) {
  auto tile = ops::ParseConvTiling(value);
  if (!tile.ok()) return tile.status().Prefixed(label + ": ");
  if (const std::string why = ops::ConvTilingProblem(*tile, ~0u); !why.empty())
    return UsageError(label, ": ", why);
  return *tile;
}

// "baked" or "uniform"; nullopt for anything else.
std::optional<ops::ConvSizes> SizesNamed(const std::string& value) {
  if (value == "baked") return ops::ConvSizes::kBaked;
  if (value == "uniform") return ops::ConvSizes::kUniform;
  return std::nullopt;
}

}  // namespace

Status ApplyTuningEnvironment(SessionOptions* options) {
  if (EnvFlag("WEBCONV_NO_FUSION")) options->fuse = false;
  if (EnvFlag("WEBCONV_NO_SIBLING_MERGE")) options->fusion.sibling_merge = false;
  if (EnvFlag("WEBCONV_NO_BRANCH_MERGE")) options->fusion.branch_merge = false;

  ops::KernelTuning& t = options->kernel_tuning;
  if (const std::string v = Env("WEBCONV_CONV_TILE"); !v.empty()) {
    WC_ASSIGN_OR_RETURN(t.conv_tile, ParseTile(v, "WEBCONV_CONV_TILE=" + v));
  }
  if (const std::string v = Env("WEBCONV_CONV_SPLITS"); !v.empty()) {
    WC_ASSIGN_OR_RETURN(const int n, EnvCount("WEBCONV_CONV_SPLITS", v, 1, 4096));
    t.conv_splits = static_cast<uint32_t>(n);
  }
  if (const std::string v = Env("WEBCONV_CONV_F16"); !v.empty()) {
    if (v == "tiles")
      t.conv_math = ops::ConvMath::kF16Tiles;
    else if (v == "0" || v == "off")
      t.conv_math = ops::ConvMath::kF32;
    else
      return UsageError("WEBCONV_CONV_F16=", v, ": expected tiles, 0 or off");
  }
  if (const std::string v = Env("WEBCONV_CONV_SIZES"); !v.empty()) {
    t.conv_sizes = SizesNamed(v);
    if (!t.conv_sizes) return UsageError("WEBCONV_CONV_SIZES=", v, ": expected baked or uniform");
  }
  if (const std::string v = Env("WEBCONV_CONV_STRIP_ROWS"); !v.empty()) {
    WC_ASSIGN_OR_RETURN(t.strip_rows, EnvCount("WEBCONV_CONV_STRIP_ROWS", v, 1, 64));
  }
  if (const std::string v = Env("WEBCONV_CONV_STRIP_DEPTHS"); !v.empty()) {
    WC_ASSIGN_OR_RETURN(t.strip_depths, EnvCount("WEBCONV_CONV_STRIP_DEPTHS", v, 1, 64));
  }
  if (const std::string v = Env("WEBCONV_QUAD_GEMM"); !v.empty()) {
    if (v != "0" && v != "1") return UsageError("WEBCONV_QUAD_GEMM=", v, ": expected 1 or 0");
    t.quad_gemm = v == "1";
  }
  if (const std::string v = Env("WEBCONV_CONV_SUBGROUPS"); !v.empty()) {
    if (v != "0" && v != "1") return UsageError("WEBCONV_CONV_SUBGROUPS=", v, ": expected 1 or 0");
    t.subgroup_taps = v == "1";
  }
  return OkStatus();
}

Status ApplyKernelTuning(const KernelTuning& t, const std::string& prefix, SessionOptions* options,
                         bool js_names) {
  auto field = [&](const char* cpp, const char* js) { return prefix + (js_names ? js : cpp); };
  ops::KernelTuning& k = options->kernel_tuning;
  if (!t.conv_tile.empty()) {
    WC_ASSIGN_OR_RETURN(k.conv_tile, ParseTile(t.conv_tile, field("conv_tile", "convTile") + " '" + t.conv_tile + "'"));
  }
  if (t.conv_splits > 4096)
    return UsageError(field("conv_splits", "convSplits"), " ", t.conv_splits, ": expected 0..4096");
  k.conv_splits = t.conv_splits;
  k.conv_math = t.conv_f16_tiles ? ops::ConvMath::kF16Tiles : ops::ConvMath::kF32;
  if (!t.conv_sizes.empty()) {
    k.conv_sizes = SizesNamed(t.conv_sizes);
    if (!k.conv_sizes)
      return UsageError(field("conv_sizes", "convSizes"), " '", t.conv_sizes,
                        "': expected \"\", \"baked\" or \"uniform\"");
  }
  if (t.conv_strip_rows < 0 || t.conv_strip_rows > 64)
    return UsageError(field("conv_strip_rows", "convStripRows"), " ", t.conv_strip_rows, ": expected 0..64");
  if (t.conv_strip_depths < 0 || t.conv_strip_depths > 64)
    return UsageError(field("conv_strip_depths", "convStripDepths"), " ", t.conv_strip_depths, ": expected 0..64");
  k.strip_rows = t.conv_strip_rows;
  k.strip_depths = t.conv_strip_depths;
  k.subgroup_taps = t.conv_subgroup_taps;
  options->fusion.sibling_merge = t.sibling_merge;
  options->fusion.branch_merge = t.branch_merge;
  return OkStatus();
}

}  // namespace webconv::runtime
