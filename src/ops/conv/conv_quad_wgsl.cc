// The implicit-GEMM Conv as quads (ops/quad_gemm.h has the scheme and why): the software adapter's Conv
// kernel (SwiftShader). Rows are output pixels, columns output channels, as in the workgroup-memory GEMM
// (conv_wgsl.cc). Each lane's four rows are decomposed once; the reduction runs over the group's input
// channels and the window's taps in one loop (ReductionLoop). Rows beyond the GEMM's are clamped to its
// last row and columns likewise, so every lane loads in range and computes a copy that is never stored.
// It serves everything the implicit GEMM does: groups, channel slices, per-group windows, fused steps,
// placements and pools (through the shared epilogue) and ConvTranspose's stride phases.
#include <algorithm>
#include <vector>

#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_geometry_wgsl.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"
#include "ops/quad_gemm.h"

namespace webconv::ops {
namespace {

using gpu::U;
using quad::kBlock;
constexpr uint32_t kUnrolledTaps = 8;    // the innermost window axis is unrolled up to this many taps

std::string S(int64_t v) {
  return std::to_string(v);
}
const char* Lane(uint32_t i) {
  return i == 0 ? "x" : i == 1 ? "y" : i == 2 ? "z" : "w";
}

int64_t GemmRows(const ConvProblem& p) {
  const int64_t* k = p.fusion.pool;  // as ROWS in ConvGeometryWgsl: only pooled windows' outputs
  return p.batch * (p.axis3[0].out / k[0]) * (p.axis3[1].out / k[1]) * (p.axis3[2].out / k[2]) *
         p.fusion.pool_volume();
}

// The reduction: one loop over the group's input channels and the window's taps, flattened (SwiftShader
// runs a nest of small loops far slower than one loop: the demo's heaviest layer took 597 ms nested, 304 ms
// flat), the counters carried by selects, and the innermost axis of the window with more than one tap
// unrolled, so each iteration does up to kUnrolledTaps reduction steps. Every lane's four row values
// are loaded (zero outside the input: the load itself stays in bounds, WebGPU clamps it) and broadcast
// to the quad; each lane's four weights are its columns'.
std::string ReductionLoop(const ConvProblem& p, const ConvSizeTable& sizes, bool per_group) {
  const char* ax = "DHW";
  const char* lower = "dhw";
  const char* stride[3] = {"IN_HW", "IN_W", "1u"};  // X's stride along each axis
  bool check[3];
  for (int a = 0; a < 3; ++a) check[a] = ConvAxisNeedsCheck(p, a);
  int unrolled = -1;
  for (int a = 2; a >= 0 && unrolled < 0; --a)
    if (p.axis3[a].kernel > 1) unrolled = p.axis3[a].kernel <= kUnrolledTaps ? a : 3;
  if (unrolled == 3) unrolled = -1;  // too many taps to unroll: one per iteration
  const int64_t taps = unrolled >= 0 ? p.axis3[unrolled].kernel : 1;
  std::vector<int> counted;  // window axes the loop counts, innermost first
  int64_t per_channel = 1;
  for (int a = 2; a >= 0; --a)
    if (p.axis3[a].kernel > 1 && a != unrolled) {
      counted.push_back(a);
      per_channel *= p.axis3[a].kernel;
    }
  auto dil = [&](int a) { return per_group ? std::string("gdl.") + Lane(a) : std::string("DL_") + ax[a]; };
  auto tap = [&](int a) {  // the axis' tap index in this iteration: a counter, or 0 (unit or unrolled)
    for (int c : counted)
      if (c == a) return std::string("k") + lower[a];
    return std::string("0u");
  };
  std::string s = "  var ci = 0u;\n";
  for (int a : counted) s += std::string("  var k") + lower[a] + " = 0u;\n";
  // The loop's bound holds subgroup operations, so it is the uniform itself (WGSL's uniformity analysis
  // does not count a private copy of it as uniform).
  s += "  for (var o = 0u; o < " + sizes.UniformValue("CIN_G") + " * " + U(per_channel) + "; o++) {\n";
  s += "    let kb = ((ci * K_D + " + tap(0) + ") * K_H + " + tap(1) + ") * K_W + " + tap(2) + ";\n";
  for (uint32_t j = 0; j < 4; ++j) {
    const std::string J = S(j);
    std::string v, xb = "rb" + J + " + ci * IN_SP";
    for (int a = 0; a < 3; ++a) {
      const std::string c = std::string("i") + lower[a] + J;
      s += "    let " + c + " = r" + lower[a] + J + (tap(a) == "0u" ? "" : " + i32(" + tap(a) + " * " + dil(a) + ")") + ";\n";
      if (check[a] && a != unrolled) v += std::string(v.empty() ? "" : " && ") + "u32(" + c + ") < IN_" + ax[a];
      xb += a == 2 ? " + u32(" + c + ")" : " + u32(" + c + ") * " + stride[a];
    }
    s += "    let v" + J + " = " + (v.empty() ? "true" : v) + ";\n";
    s += "    let xb" + J + " = " + xb + ";\n";
  }
  for (int64_t t = 0; t < taps; ++t) {
    s += "    {\n";
    for (uint32_t j = 0; j < 4; ++j) {
      const std::string J = S(j);
      std::string ok = "v" + J, at = "xb" + J;
      if (unrolled >= 0 && t > 0) {
        const std::string shift = U(t) + " * " + dil(unrolled);
        at += " + " + (unrolled == 2 ? shift : shift + " * " + stride[unrolled]);
      }
      if (unrolled >= 0 && check[unrolled]) {
        const std::string c = std::string("i") + lower[unrolled] + J;
        ok += " && u32(" + c + (t > 0 ? " + i32(" + U(t) + " * " + dil(unrolled) + ")" : "") + ") < IN_" + ax[unrolled];
      }
      s += "      let a" + J + " = select(0.0, X[" + at + "], " + ok + ");\n";
    }
    s += "      let k = kb + " + U(t) + ";\n";
    std::string w = "vec4<f32>(";
    for (uint32_t c = 0; c < 4; ++c)
      w += std::string(c ? ", " : "") + (p.phase.active ? "W[w_index(g, co" + S(c) + ", k)]" : "W[wr" + S(c) + " + k]");
    s += "      let b = " + w + ");\n";
    s += quad::Step("      ");
    s += "    }\n";
  }
  // The counters advance innermost first; each wraps into the next outer one.
  std::string carry = "";
  for (int a : counted) {
    const std::string k = std::string("k") + lower[a];
    s += "    " + k + " = " + (carry.empty() ? k + " + 1u" : "select(" + k + ", " + k + " + 1u, " + carry + ")") + ";\n";
    s += "    let w" + std::string(1, lower[a]) + " = " + k + " == K_" + ax[a] + ";\n";
    s += "    " + k + " = select(" + k + ", 0u, w" + lower[a] + ");\n";
    carry = std::string("w") + lower[a];
  }
  s += "    ci = " + (carry.empty() ? std::string("ci + 1u") : "select(ci, ci + 1u, " + carry + ")") + ";\n";
  s += "  }\n";
  return s;
}

}  // namespace

Result<bool> ConvUsesQuadKernel(const GpuContext& ctx) {
  const KernelTuning& tuning = ctx.tuning_or_defaults();
  // A forced tile, split-K or f16 tiles are the workgroup-memory kernel's options: they name that kernel.
  if (tuning.conv_tile || tuning.conv_splits > 0 || tuning.conv_math != ConvMath::kF32) return false;
  return quad::UseQuads(ctx);
}

Status ConvQuadGpu(const ConvProblem& p, GpuContext& ctx) {
  const int64_t rows = GemmRows(p);
  const quad::Arrangement arr = quad::ChooseArrangement(rows, p.out_per_group());
  const uint32_t groups[3] = {static_cast<uint32_t>((rows + arr.tile_rows() - 1) / arr.tile_rows()),
                              static_cast<uint32_t>((p.out_per_group() + arr.tile_cols() - 1) / arr.tile_cols()),
                              static_cast<uint32_t>(p.group * p.phase.slots())};
  if (groups[0] > 65535 || groups[1] > 65535 || groups[2] > 65535)
    return BadModel("Conv dispatch of ", groups[0], "x", groups[1], "x", groups[2],
                    " workgroups exceeds 65535 per dimension");
  const bool pooled = p.fusion.pooled();
  const bool per_group = !p.group_geometry.empty();
  const std::string family = p.phase.active        ? "conv_transpose3d_f32_phase_quad"
                             : p.fusion.per_group() ? "conv3d_f32_quad_branches" + S(p.group)
                                                    : "conv3d_f32_quad";
  gpu::KernelBuilder b(family + "_" + arr.Name() + ConvEpilogueTag(p) + "_u");
  b.Enable("subgroups");
  b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
  ConvSizeTable sizes(ConvSizes::kUniform);
  std::string s = AddConvEpilogue(p, b, &bind, &sizes);
  if (pooled) s += ConvPoolWgsl(p, &sizes);
  s += ConvGeometryWgsl(p, &sizes);
  s += sizes.Declarations();
  if (p.phase.active && !p.phase.tapless) s += ConvPhaseWeightWgsl(p);

  s += "@compute @workgroup_size(" + U(4 * quad::kQuads) + ", 1, 1)\n";
  s += "fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {\n";
  s += sizes.LoadAtEntry();
  if (p.phase.active) {  // workgroup z = (phase slot, group)
    s += "  phase_slot = wid.z / " + U(p.group) + ";\n  let g = wid.z % " + U(p.group) + ";\n";
  } else {
    s += "  let g = wid.z;\n";
  }
  // Lane t of quad q; the quad's block starts at row m0 and column n0 of group g's GEMM.
  s += quad::BlockOrigin(arr, "wid.x", "wid.y");
  if (per_group) s += "  let gdl = GROUP_DL[g];\n  let gp = GROUP_P[g];\n";
  // The lane's rows t + 4j, decomposed once: window origin (rd, rh, rw) and first input element rb.
  for (uint32_t j = 0; j < 4; ++j) {
    s += "  let mr" + S(j) + " = min(m0 + t + " + U(4 * j) + ", ROWS - 1u);\n";
    s += ConvRowOriginWgsl(p, sizes, S(j));
  }
  // The lane's columns t + 4c, clamped: their weight rows.
  for (uint32_t c = 0; c < 4; ++c) {
    const std::string co = "min(n0 + t + " + U(4 * c) + ", COUT_G - 1u)";
    s += p.phase.active ? "  let co" + S(c) + " = " + co + ";\n"
                        : "  let wr" + S(c) + " = (g * COUT_G + " + co + ") * DEPTH;\n";
  }
  // acc<r>: row r of the block, one lane per column.
  s += quad::Accumulators();
  if (!p.phase.tapless) s += ReductionLoop(p, sizes, per_group);  // a tapless phase's outputs are the bias alone
  // The block's stores, one loop over its rows (quad::BlockArray).
  s += quad::BlockArray();
  if (pooled) {
    // PV consecutive rows are one pool window (PV is 2 or 4 and m0 a multiple of 16): averaged here.
    const uint32_t pv = static_cast<uint32_t>(p.fusion.pool_volume());
    s += "  for (var r = 0u; r < " + U(kBlock) + "; r += PV) {\n    let m = m0 + r;\n    if (m < ROWS) {\n";
    s += "      let pq = m / PV;\n      let n = pq / PO_SP;\n      let psp = pq % PO_SP;\n";
    for (uint32_t v = 0; v < pv; ++v)
      s += "      let sp" + S(v) + " = pool_sp(psp, " + U(v) + ");\n      let v" + S(v) + " = blk[r + " + U(v) + "];\n";
    for (uint32_t c = 0; c < 4; ++c) {
      s += "      { let co = n0 + t + " + U(4 * c) + "; if (co < COUT_G) {\n        let gc = g * COUT_G + co;\n";
      std::string sum;
      for (uint32_t v = 0; v < pv; ++v) {
        const std::string val = "conv_value(n, gc, sp" + S(v) + ", v" + S(v) + "." + Lane(c) + ")";
        sum = v == 0 ? val : "(" + sum + " + " + val + ")";
      }
      s += "        conv_put(n, gc, psp, " + sum + " * " + (pv == 2 ? "0.5" : "0.25") + ");\n      } }\n";
    }
    s += "    }\n  }\n";
  } else {
    s += "  for (var r = 0u; r < " + U(kBlock) + "; r++) {\n    let m = m0 + r;\n    if (m < ROWS) {\n";
    s += "      let n = m / OUT_SP;\n      let sp = m % OUT_SP;\n      let v = blk[r];\n";
    for (uint32_t c = 0; c < 4; ++c)
      s += "      { let co = n0 + t + " + U(4 * c) + "; if (co < COUT_G) { conv_store(n, g * COUT_G + co, sp, v." +
           Lane(c) + "); } }\n";
    s += "    }\n  }\n";
  }
  s += "}\n";
  b.Body(s);
  sizes.AddUniforms(b.uniforms());
  AddConvGroupUniforms(p, sizes, b.uniforms());
  ctx.Dispatch(b, bind, groups);
  return OkStatus();
}

}  // namespace webconv::ops
