// The Conv kernels' shared window WGSL (conv_geometry_wgsl.h).
#include "ops/conv/conv_geometry_wgsl.h"

namespace webconv::ops {
namespace {

constexpr char kAxisName[3] = {'D', 'H', 'W'};

using gpu::U;

}  // namespace

namespace {
bool WindowLeavesInput(const AxisGeometry& g) {
  if (g.pad_begin > 0) return true;
  return (g.out - 1) * g.stride - g.pad_begin + (g.kernel - 1) * g.dilation > g.in - 1;
}
}  // namespace

bool ConvAxisNeedsCheck(const ConvProblem& p, int a) {
  for (const ConvProblem::GroupGeometry& g : p.group_geometry)
    if (WindowLeavesInput(g.axis3[a])) return true;
  return WindowLeavesInput(p.axis3[a]);
}

std::string ConvGeometryWgsl(const ConvProblem& p, ConvSizeTable* sizes, bool window_in_sizes) {
  std::string s;
  auto c = [&](const std::string& name, const std::string& v) { s += "const " + name + " = " + v + ";\n"; };
  for (int a = 0; a < 3; ++a) {
    const AxisGeometry& g = p.axis3[a];
    const std::string x(1, kAxisName[a]);
    sizes->Add("IN_" + x, g.in);
    sizes->Add("OUT_" + x, g.out);
    if (window_in_sizes) {
      sizes->Add("K_" + x, g.kernel);
      sizes->Add("S_" + x, g.stride);
      sizes->Add("DL_" + x, g.dilation);
      sizes->Add("PAD_" + x, g.pad_begin);
      continue;
    }
    c("K_" + x, U(g.kernel));
    c("S_" + x, U(g.stride));
    c("DL_" + x, U(g.dilation));
    c("P_" + x, "i32(" + std::to_string(g.pad_begin) + ")");
  }
  sizes->Add("N", p.batch);
  sizes->Add("CIN", p.in_channels);
  // X's channel count and the first channel read (a slice of a merged sibling Conv's output).
  sizes->Add("X_CH", p.x_total_channels());
  sizes->Add("X_CH0", p.x_channel_offset);
  sizes->Add("COUT", p.out_channels);
  sizes->Add("CIN_G", p.in_per_group());
  sizes->Add("COUT_G", p.out_per_group());
  sizes->Add("DEPTH", p.in_per_group() * p.kernel_volume());
  // Rows of the implicit GEMM: output pixels; with a fused pool only those inside a pool window,
  // ordered so that each window's PV outputs are consecutive rows (one thread's register lanes).
  const int64_t* k = p.fusion.pool;
  sizes->Add("ROWS", p.batch * (p.axis3[0].out / k[0]) * (p.axis3[1].out / k[1]) * (p.axis3[2].out / k[2]) *
                         p.fusion.pool_volume());
  sizes->Add("IN_SP", p.in_spatial());
  sizes->Add("IN_HW", p.axis3[1].in * p.axis3[2].in);
  sizes->Add("OUT_SP", p.out_spatial());
  if (!p.group_geometry.empty()) {
    // Per-group windows (ConvFusion::group_windows): each group's first X channel, dilations and
    // leading pads, indexed by the group in the kernel.
    std::string x0 = "array<u32, " + U(p.group) + ">(", dl = "array<vec3<u32>, " + U(p.group) + ">(",
                pad = "array<vec3<i32>, " + U(p.group) + ">(";
    for (size_t k = 0; k < p.group_geometry.size(); ++k) {
      const ConvProblem::GroupGeometry& g = p.group_geometry[k];
      const std::string sep = k ? ", " : "";
      x0 += sep + U(g.x_channel_offset);
      dl += sep + "vec3<u32>(" + U(g.axis3[0].dilation) + ", " + U(g.axis3[1].dilation) + ", " +
            U(g.axis3[2].dilation) + ")";
      pad += sep + "vec3<i32>(" + std::to_string(g.axis3[0].pad_begin) + ", " + std::to_string(g.axis3[1].pad_begin) +
             ", " + std::to_string(g.axis3[2].pad_begin) + ")";
    }
    if (!sizes->uniform()) c("GROUP_X0", x0 + ")");
    c("GROUP_DL", dl + ")");
    c("GROUP_P", pad + ")");
  }
  const ConvTransposePhase& ph = p.phase;
  if (ph.active) {
    // The ConvTranspose phases of this dispatch: each slot's first output and first kernel tap per axis.
    auto table = [&](const std::vector<ConvTransposePhase::Axes>& v) {
      std::string t = "array<vec3<u32>, " + U(static_cast<int64_t>(v.size())) + ">(";
      for (size_t k = 0; k < v.size(); ++k)
        t += std::string(k ? ", " : "") + "vec3<u32>(" + U(v[k][0]) + ", " + U(v[k][1]) + ", " + U(v[k][2]) + ")";
      return t + ")";
    };
    s += "var<private> phase_slot: u32;\n";
    c("PHASE_FIRST", table(ph.first));
    c("PHASE_K0", table(ph.k0));
  }
  return s;
}

std::string ConvGroupX0(const ConvSizeTable& sizes) {
  return sizes.uniform() ? "GROUP_X0(g)" : "GROUP_X0[g]";
}

std::string ConvRowOriginWgsl(const ConvProblem& p, const ConvSizeTable& sizes, const std::string& sfx) {
  const bool per_group = !p.group_geometry.empty();
  auto v = [&](const char* name) { return std::string(name) + sfx; };
  std::string s;
  if (p.fusion.pooled()) {
    // Row = (pooled pixel, window lane): the lane's offset inside the window gives the output pixel.
    s += "  let " + v("ln") + " = " + v("mr") + " % PV;\n  let " + v("pq") + " = " + v("mr") + " / PV;\n";
    s += "  let " + v("ow") + " = (" + v("pq") + " % PO_W) * PK_W + " + v("ln") + " % PK_W;\n";
    s += "  let " + v("ta") + " = " + v("pq") + " / PO_W;\n";
    s += "  let " + v("oh") + " = (" + v("ta") + " % PO_H) * PK_H + (" + v("ln") + " / PK_W) % PK_H;\n";
    s += "  let " + v("tb") + " = " + v("ta") + " / PO_H;\n";
    s += "  let " + v("od") + " = (" + v("tb") + " % PO_D) * PK_D + " + v("ln") + " / (PK_W * PK_H);\n";
    s += "  let " + v("nn") + " = " + v("tb") + " / PO_D;\n";
  } else {
    s += "  let " + v("ow") + " = " + v("mr") + " % OUT_W;\n  let " + v("ta") + " = " + v("mr") + " / OUT_W;\n";
    s += "  let " + v("oh") + " = " + v("ta") + " % OUT_H;\n  let " + v("tb") + " = " + v("ta") + " / OUT_H;\n";
    s += "  let " + v("od") + " = " + v("tb") + " % OUT_D;\n  let " + v("nn") + " = " + v("tb") + " / OUT_D;\n";
  }
  const char* out[3] = {"od", "oh", "ow"};
  const char* origin[3] = {"rd", "rh", "rw"};
  for (int a = 0; a < 3; ++a) {
    const std::string pad = per_group ? std::string("gp.") + "xyz"[a] : std::string("P_") + kAxisName[a];
    s += "  let " + v(origin[a]) + " = i32(" + v(out[a]) + " * S_" + kAxisName[a] + ") - " + pad + ";\n";
  }
  const std::string x0 = per_group ? ConvGroupX0(sizes) : std::string("X_CH0 + g * CIN_G");
  s += "  let " + v("rb") + " = (" + v("nn") + " * X_CH + " + x0 + ") * IN_SP;\n";
  return s;
}

void AddConvGroupUniforms(const ConvProblem& p, const ConvSizeTable& sizes, gpu::UniformBlock& u) {
  if (!sizes.uniform() || p.group_geometry.empty()) return;
  std::vector<uint32_t> x0;
  for (const ConvProblem::GroupGeometry& g : p.group_geometry) x0.push_back(static_cast<uint32_t>(g.x_channel_offset));
  u.AddU32Array("GROUP_X0", x0, static_cast<uint32_t>(x0.size()));
}

}  // namespace webconv::ops
