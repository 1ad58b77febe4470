// The quad GEMM core (quad_gemm.h).
#include "ops/quad_gemm.h"

#include "ops/kernel_tuning.h"

namespace webconv::ops::quad {

Result<bool> UseQuads(const GpuContext& ctx) {
  const KernelTuning& tuning = ctx.tuning_or_defaults();
  const bool four_lanes = ctx.subgroups && ctx.fixed_subgroup_size == 4;
  if (tuning.quad_gemm.has_value()) {
    if (*tuning.quad_gemm && !four_lanes)
      return UsageError("the quad GEMM kernels (WEBCONV_QUAD_GEMM=1) need subgroups of exactly 4 lanes, which "
                        "this device does not have");
    return *tuning.quad_gemm;
  }
  return ctx.software_adapter && four_lanes;
}

std::string Arrangement::Name() const {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

Arrangement ChooseArrangement(int64_t rows, int64_t cols) {
  Arrangement best;
  double least = -1;
  for (uint32_t qr : {kQuads, 2u, 1u}) {
    const Arrangement a{qr, kQuads / qr};
    const int64_t tr = a.tile_rows(), tc = a.tile_cols();
    const double padded =
        static_cast<double>((rows + tr - 1) / tr * tr) * static_cast<double>((cols + tc - 1) / tc * tc);
    if (least < 0 || padded < least) {
      least = padded;
      best = a;
    }
  }
  return best;
}

std::string BlockOrigin(const Arrangement& a, const std::string& tile_row, const std::string& tile_col) {
  using gpu::U;
  std::string s = "  let t = li & 3u;\n  let q = li >> 2u;\n";
  s += "  let m0 = (" + tile_row + " * " + U(a.rows) + " + q % " + U(a.rows) + ") * " + U(kBlock) + ";\n";
  s += "  let n0 = (" + tile_col + " * " + U(a.cols) + " + q / " + U(a.rows) + ") * " + U(kBlock) + ";\n";
  return s;
}

std::string Accumulators() {
  std::string s;
  for (uint32_t r = 0; r < kBlock; ++r) s += "  var acc" + std::to_string(r) + " = vec4<f32>(0.0);\n";
  return s;
}

std::string Step(const std::string& indent) {
  std::string s;
  for (uint32_t r = 0; r < kBlock; ++r)
    s += indent + "acc" + std::to_string(r) + " += subgroupBroadcast(a" + std::to_string(r / 4) + ", " +
         gpu::U(r % 4) + ") * b;\n";
  return s;
}


std::string BlockArray() {
  std::string s = "  var blk = array<vec4<f32>, " + gpu::U(kBlock) + ">(";
  for (uint32_t r = 0; r < kBlock; ++r) s += std::string(r ? ", " : "") + "acc" + std::to_string(r);
  return s + ");\n";
}

}  // namespace webconv::ops::quad
