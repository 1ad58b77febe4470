// Overrides of the Conv kernels' own choices, for benchmarks and tests: every field's default means "let
// the choice be made" (the models in conv_tiling.cc, conv_sizes.cc, conv_direct_wgsl.cc,
// conv_few_input_wgsl.cc). A session carries one in runtime::SessionOptions, so its plans are made with
// one tuning from start to end; the plan reaches the kernels through GpuContext::tuning. The CLI and the
// public C++ API fill it from the WEBCONV_CONV_* variables (runtime/tuning_env.h); the browser build has
// no environment and keeps the defaults; tests set the fields they force.
#pragma once

#include <optional>

#include "ops/conv/conv_sizes.h"
#include "ops/conv/conv_tiling.h"

namespace webconv::ops {

struct KernelTuning {
  // Every implicit-GEMM Conv on this tile (WEBCONV_CONV_TILE, named as ConvTiling::Name writes it). A tile
  // the device cannot hold (workgroup memory) is a usage error when a Conv is planned.
  std::optional<ConvTiling> conv_tile;
  // Split-K ranges for every implicit-GEMM Conv (capped by its K slices); 0: ChooseConvSplits' model
  // (WEBCONV_CONV_SPLITS).
  uint32_t conv_splits = 0;
  ConvMath conv_math = ConvMath::kF32;   // how the implicit GEMM stages K slices (WEBCONV_CONV_F16=tiles)
  std::optional<ConvSizes> conv_sizes;   // baked or uniform sizes where a kernel can take either
                                         // (WEBCONV_CONV_SIZES)
  int strip_rows = 0;                    // the direct kernel's output rows per thread; 0: chosen
                                         // (WEBCONV_CONV_STRIP_ROWS)
  int strip_depths = 0;                  // and output depths per thread (WEBCONV_CONV_STRIP_DEPTHS)
  bool subgroup_taps = false;            // the direct kernel's subgroup taps (WEBCONV_CONV_SUBGROUPS=1);
                                         // a device without "subgroups" then fails the plan
  int few_input_block = 0;               // the first-layer kernel's channel block; 0: chosen
  // The quad kernel (conv_quad_wgsl.cc) for the implicit-GEMM Convs: unset, on software adapters whose
  // subgroups are four lanes (SwiftShader); true forces it (a device without such subgroups then fails
  // the plan), false keeps the workgroup-memory GEMM (WEBCONV_QUAD_GEMM=1|0). A forced conv_tile, conv_splits or
  // f16 tiles name the workgroup-memory GEMM and win.
  std::optional<bool> quad_gemm;

  // The defaults: what the plan uses when GpuContext::tuning is null.
  static const KernelTuning& Defaults();
};

}  // namespace webconv::ops
