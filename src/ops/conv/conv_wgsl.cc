// The WebGPU Conv: a tiled implicit GEMM, rank-generic (three spatial axes, unit where the model has
// fewer), with the window baked into the WGSL as constants and the sizes either baked too or read from the
// uniform block (conv_sizes.h: light layers share pipelines that way). Per group, rows are output pixels
// (n, od, oh, ow), columns are output channels and the reduction runs over (ci, kd, kh, kw), the
// weight's memory order.
//
// A workgroup computes a TM x TN tile; each thread an RM x RN register block held as vec4s. Each K
// step stages a TK x TM slice of the implicitly gathered input and a TK x TN slice of weights in
// workgroup memory, read back as vec4. Global loads for the next step are issued into registers
// before the current step's arithmetic, so their latency hides behind it. Every thread loads the
// same few rows on every step, so the row's (n, od, oh, ow) decomposition is done once, before the
// K loop; taps outside the input read as zero through signed bounds checks, emitted only for axes
// whose window can leave the input. Problems with few channels per group (depthwise) go to the
// direct kernel instead (conv_direct_wgsl.cc). Optionally (ConvMath::kF16Tiles, WEBCONV_CONV_F16=tiles)
// the slices are staged as packed f16 pairs of depths; the FMAs stay f32. ConvTranspose runs its stride
// phases through the same kernel (ConvProblem::phase; see conv_transpose/conv_transpose_wgsl.cc): only
// the weight index (w_index) and the store position (phase_sp in the epilogue) differ. A Conv with
// per-group windows (ConvFusion::group_windows: Concat branches merged by ir/rewrite_branches.cc) reads
// its group's dilations, leading pads and first input channel from the GROUP_DL, GROUP_P and GROUP_X0
// tables once per workgroup; it always runs here (the direct and few-input kernels do not know them).
#include <functional>

#include "ops/conv/conv_direct.h"
#include "ops/conv/conv_epilogue.h"
#include "ops/conv/conv_geometry_wgsl.h"
#include "ops/conv/conv_tiling.h"
#include "ops/kernel_tuning.h"

namespace webconv::ops {

namespace {

std::string S(int64_t v) {
  return std::to_string(v);
}
using gpu::U;
const char* Lane(int i) {
  return i == 0 ? "x" : i == 1 ? "y" : i == 2 ? "z" : "w";
}

struct Layout {
  ConvTiling t;
  uint32_t T, tpm, tpn;
  uint32_t lm, ar, aks, ak;  // A loads: LM threads along rows, AR rows and AK depth entries per thread
  uint32_t be, bstride;      // B loads per thread; padded row stride of the B slice (floats)
  // Depths a thread loads as a consecutive run: 1, or 2 with f16 tiles, whose workgroup words each hold
  // one (k, k+1) pair of a row or column (pack2x16float).
  uint32_t pk = 1;
  // Sizes in uniforms (conv_sizes.h): every tail check is emitted, whether or not this layer's sizes
  // need it, so that layers differing only in sizes generate the same WGSL.
  bool uniform_sizes = false;
};

Layout MakeLayout(const ConvTiling& t, ConvMath math, ConvSizes sizes) {
  Layout l;
  l.uniform_sizes = sizes == ConvSizes::kUniform;
  l.t = t;
  l.T = t.threads();
  l.tpm = t.threads_m();
  l.tpn = t.threads_n();
  // A warp's 32 threads load 32 consecutive rows at one k; the other threads take other k. Each thread
  // then loads AR rows at each of its AK depths, so the k -> (ci, kd, kh, kw) decomposition is done AK
  // times per slice rather than once per load.
  l.lm = t.load_rows();
  l.ar = t.tm / l.lm;
  l.aks = l.T / l.lm;
  l.ak = t.tk / l.aks;
  l.be = t.tk * t.tn / l.T;
  l.bstride = t.tn + 4;  // breaks the bank conflicts of the k-major weight stores, keeps vec4 alignment
  l.pk = math == ConvMath::kF16Tiles ? 2 : 1;
  return l;
}

// Statements that load the K slice starting at `kb` (a WGSL u32 expression) into registers.
std::string LoadSlice(const ConvProblem& p, const Layout& l, const std::string& kb) {
  const int64_t depth = p.in_per_group() * p.kernel_volume();
  const bool k_tail = l.uniform_sizes || depth % l.t.tk != 0;
  const bool row_tail = l.uniform_sizes || (p.batch * p.out_spatial()) % l.t.tm != 0;
  const bool col_tail = l.uniform_sizes || p.out_per_group() % l.t.tn != 0;
  const bool check[3] = {ConvAxisNeedsCheck(p, 0), ConvAxisNeedsCheck(p, 1), ConvAxisNeedsCheck(p, 2)};
  const char* ax[3] = {"D", "H", "W"};
  std::string s;
  // With pairs (pk = 2), registers li and li + 1 of a thread hold depths k and k + 1.
  const std::string k_of_li = l.pk == 1 ? kb + " + ak + li * " + U(l.aks)
                                        : kb + " + (ak + (li >> 1u) * " + U(l.aks) + ") * 2u + (li & 1u)";
  s += "  for (var li = 0u; li < " + U(l.ak) + "; li++) {\n    let k = " + k_of_li + ";\n";
  {
    s += "    let kw = k % K_W;\n    let q1 = k / K_W;\n    let kh = q1 % K_H;\n    let q2 = q1 / K_H;\n";
    s += "    let kd = q2 % K_D;\n    let ci = q2 / K_D;\n";
    for (uint32_t r = 0; r < l.ar; ++r) {
      std::string cond;
      auto add = [&](const std::string& c) { cond += (cond.empty() ? "" : " && ") + c; };
      if (row_tail) add("rv" + S(r));
      if (k_tail) add("k < DEPTH");
      const char* kv[3] = {"kd", "kh", "kw"};
      std::string idx = "rb" + S(r) + " + ci * IN_SP";
      s += "    {\n";
      for (int a = 0; a < 3; ++a) {
        const std::string c = std::string(1, "dhw"[a]);
        // Per-group windows take the group's dilation from GROUP_DL (gdl, read once per workgroup).
        const std::string dl = p.group_geometry.empty() ? std::string("DL_") + ax[a] : std::string("gdl.") + Lane(a);
        s += "      let i" + c + " = r" + c + S(r) + " + i32(" + kv[a] + " * " + dl + ");\n";
        if (check[a]) add("u32(i" + c + ") < IN_" + ax[a]);
      }
      idx += " + u32(id) * IN_HW + u32(ih) * IN_W + u32(iw)";
      const std::string reg = "ra[li * " + U(l.ar) + " + " + U(r) + "]";
      if (p.phase.tapless) {  // nothing reaches the phase: not even a NaN of the input may
        s += "      " + reg + " = 0.0;\n    }\n";
        continue;
      }
      if (cond.empty()) {
        s += "      " + reg + " = X[" + idx + "];\n";
      } else {
        s += "      " + reg + " = 0.0;\n      if (" + cond + ") { " + reg + " = X[" + idx + "]; }\n";
      }
      s += "    }\n";
    }
    s += "  }\n";
  }
  s += "  for (var lj = 0u; lj < " + U(l.be) + "; lj++) {\n";
  {
    std::string cond;
    auto add = [&](const std::string& c) { cond += (cond.empty() ? "" : " && ") + c; };
    const uint32_t col_stride = l.T * l.pk / l.t.tk;
    const std::string co = l.pk == 1 ? "(n0 + bc + lj * " + U(col_stride) + ")"
                                     : "(n0 + bc + (lj >> 1u) * " + U(col_stride) + ")";
    const std::string k = l.pk == 1 ? "(" + kb + " + bk)" : "(" + kb + " + bk * 2u + (lj & 1u))";
    if (col_tail) add(co + " < COUT_G");
    if (k_tail) add(k + " < DEPTH");
    // A ConvTranspose phase reads its taps out of the ConvTranspose weight (PhaseWeightWgsl); a phase
    // no tap reaches has none.
    const std::string load = p.phase.tapless ? "0.0"
                             : p.phase.active ? "W[w_index(g, " + co + ", " + k + ")]"
                                              : "W[(g * COUT_G + " + co + ") * DEPTH + " + k + "]";
    const std::string reg = "wb[lj]";
    if (p.phase.tapless) cond.clear();
    if (cond.empty())
      s += "    " + reg + " = " + load + ";\n";
    else
      s += "    " + reg + " = 0.0;\n    if (" + cond + ") { " + reg + " = " + load + "; }\n";
  }
  s += "  }\n";
  return s;
}

}  // namespace

std::string ConvPhaseWeightWgsl(const ConvProblem& p) {
  const ConvTransposePhase& ph = p.phase;
  const char* ax[3] = {"D", "H", "W"};
  std::string s = "fn w_index(g: u32, co: u32, k: u32) -> u32 {\n";
  s += "  let k0 = PHASE_K0[phase_slot];\n";
  s += "  let jw = k % K_W;\n  let q1 = k / K_W;\n  let jh = q1 % K_H;\n  let q2 = q1 / K_H;\n";
  s += "  let jd = q2 % K_D;\n  let ci = q2 / K_D;\n";
  for (int a = 0; a < 3; ++a) {
    const std::string j = std::string("j") + "dhw"[a];
    s += std::string("  let k") + "dhw"[a] + " = k0." + Lane(a) + " + (K_" + ax[a] + " - 1u - " + j + ") * " +
         U(ph.tap_step[a]) + ";\n";
  }
  s += "  return (((g * CIN_G + ci) * COUT_G + co) * " + U(ph.taps[0]) + " + kd) * " + U(ph.taps[1] * ph.taps[2]) +
       " + kh * " + U(ph.taps[2]) + " + kw;\n}\n";
  return s;
}

namespace {

// The accumulator lane holding element (i, j) of a thread's register block.
std::string Acc(uint32_t i, uint32_t j) {
  return "c" + S(i) + "_" + S(j / 4) + "." + Lane(static_cast<int>(j % 4));
}

// Statements visiting a thread's RM x RN block in the kernel's epilogue: row i of the block is
// m0 + (i/4)*4*TPM + tm*4 + i%4 and column j likewise over TPN. For each row inside ROWS, `row_prelude`
// runs once with `m` in scope; for each column inside COUT_G, `store(i, j)` with `m` and `co` in scope.
std::string BlockStores(const Layout& l, const std::string& row_prelude,
                        const std::function<std::string(uint32_t, uint32_t)>& store) {
  std::string s;
  for (uint32_t i = 0; i < l.t.rm; ++i) {
    s += "  {\n    let m = m0 + " + U((i / 4) * 4 * l.tpm + i % 4) + " + tm * 4u;\n    if (m < ROWS) {\n";
    s += row_prelude;
    for (uint32_t j = 0; j < l.t.rn; ++j) {
      const std::string co = "n0 + " + U((j / 4) * 4 * l.tpn + j % 4) + " + tn * 4u";
      s += "      { let co = " + co + "; if (co < COUT_G) { " + store(i, j) + " } }\n";
    }
    s += "    }\n  }\n";
  }
  return s;
}

}  // namespace

std::string ConvPoolWgsl(const ConvProblem& p, ConvSizeTable* sizes) {
  const int64_t* k = p.fusion.pool;
  const char* ax[3] = {"D", "H", "W"};
  std::string s = "const PV = " + U(p.fusion.pool_volume()) + ";\n";
  int64_t sp = 1;
  for (int a = 0; a < 3; ++a) {
    s += std::string("const PK_") + ax[a] + " = " + U(k[a]) + ";\n";
    sizes->Add(std::string("PO_") + ax[a], p.axis3[a].out / k[a]);
    sp *= p.axis3[a].out / k[a];
  }
  sizes->Add("PO_SP", sp);
  s += "fn pool_sp(psp: u32, l: u32) -> u32 {\n";
  s += "  let ow = (psp % PO_W) * PK_W + l % PK_W;\n  let t = psp / PO_W;\n";
  s += "  let oh = (t % PO_H) * PK_H + (l / PK_W) % PK_H;\n  let od = (t / PO_H) * PK_D + l / (PK_W * "
       "PK_H);\n";
  s += "  return (od * OUT_H + oh) * OUT_W + ow;\n}\n";
  return s;
}

namespace {

// The implicit GEMM's kernel body. With split.splits > 1 (split-K, see ChooseConvSplits) workgroup z
// covers (group, K range) and the kernel stores raw partial sums into P[split][channel][row] for
// SplitSumBody to add up and finish; otherwise it finishes its tile itself through the epilogue.
std::string Body(const ConvProblem& p, const Layout& l, const SplitK& split, ConvSizeTable* sizes) {
  const ConvTiling& t = l.t;
  const uint32_t rm4 = t.rm / 4, rn4 = t.rn / 4;
  const bool pooled = p.fusion.pooled();
  std::string s;
  s += "const TM = " + U(t.tm) + ";\nconst TN = " + U(t.tn) + ";\nconst TK = " + U(t.tk) + ";\n";
  if (pooled) s += ConvPoolWgsl(p, sizes);
  s += "const TPM = " + U(l.tpm) + ";\nconst TPN = " + U(l.tpn) + ";\nconst BS = " + U(l.bstride) + ";\n";
  s += ConvGeometryWgsl(p, sizes);
  s += sizes->Declarations();
  if (p.phase.active && !p.phase.tapless) s += ConvPhaseWeightWgsl(p);
  if (split.splits > 1) s += "const SPLITS = " + U(split.splits) + ";\nconst KC = " + U(split.chunk) + ";\n";
  // The K slices in workgroup memory: f32 words, or (f16 tiles) u32 words each holding the f16 pair of
  // depths (2q, 2q + 1) of one row or column, so a slice takes half the bytes.
  const std::string word = l.pk == 1 ? "f32" : "u32";
  s += "var<workgroup> As: array<vec4<" + word + ">, " + U(t.tk / l.pk * t.tm / 4) + ">;\n";
  s += "var<workgroup> Bs: array<vec4<" + word + ">, " + U(t.tk / l.pk * l.bstride / 4) + ">;\n\n";
  s += "@compute @workgroup_size(" + S(l.T) + ", 1, 1)\n";
  s += "fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>) {\n";
  s += sizes->LoadAtEntry();
  if (split.splits > 1) {
    s += "  let g = wid.z / SPLITS;\n  let ks = wid.z % SPLITS;\n  let kbeg = ks * KC;\n";
    s += "  let kend = min(kbeg + KC, DEPTH);\n";
  } else if (p.phase.active) {  // workgroup z = (phase slot, group)
    s += "  phase_slot = wid.z / " + U(p.group) + ";\n";
    s += "  let g = wid.z % " + U(p.group) + ";\n  let kbeg = 0u;\n  let kend = DEPTH;\n";
  } else {
    // The K loop holds the barriers, so its bound must be uniform in WGSL's analysis: the uniform
    // field itself, not the private copy.
    s += "  let g = wid.z;\n  let kbeg = 0u;\n  let kend = " + sizes->UniformValue("DEPTH") + ";\n";
  }
  s += "  let m0 = wid.x * TM;\n  let n0 = wid.y * TN;\n";
  const bool per_group = !p.group_geometry.empty();
  if (per_group) s += "  let gdl = GROUP_DL[g];\n  let gp = GROUP_P[g];\n";
  s += "  let am = tid % " + U(l.lm) + ";\n  let ak = tid / " + U(l.lm) + ";\n";
  if (l.pk == 1)
    s += "  let bk = tid % TK;\n  let bc = tid / TK;\n";
  else  // each thread loads the depth pair (2 bk, 2 bk + 1) of its columns
    s += "  let bk = tid % (TK / 2u);\n  let bc = tid / (TK / 2u);\n";
  // The rows this thread loads, decomposed once.
  for (uint32_t r = 0; r < l.ar; ++r) {
    const std::string R = S(r);
    s += "  let mr" + R + " = m0 + am + " + U(r * l.lm) + ";\n";
    s += "  let rv" + R + " = mr" + R + " < ROWS;\n";
    s += ConvRowOriginWgsl(p, *sizes, R);
  }
  s += "  var ra: array<f32, " + U(l.ak * l.ar) + ">;\n  var wb: array<f32, " + U(l.be) + ">;\n";
  for (uint32_t i = 0; i < t.rm; ++i)
    for (uint32_t j = 0; j < rn4; ++j) s += "  var c" + S(i) + "_" + S(j) + " = vec4<f32>(0.0);\n";
  s += "  let tm = tid % TPM;\n  let tn = tid / TPM;\n";
  s += LoadSlice(p, l, "kbeg");
  s += "  for (var k0 = kbeg; k0 < kend; k0 += TK) {\n";
  // Registers to workgroup memory.
  if (l.pk == 1) {
    s += "    for (var li = 0u; li < " + U(l.ak) + "; li++) {\n";
    for (uint32_t r = 0; r < l.ar; ++r) {
      const std::string idx = "(ak + li * " + U(l.aks) + ") * TM + am + " + U(r * l.lm);
      s += "      { let e = " + idx + "; As[e >> 2u][e & 3u] = ra[li * " + U(l.ar) + " + " + U(r) + "]; }\n";
    }
    s += "    }\n    for (var lj = 0u; lj < " + U(l.be) + "; lj++) {\n";
    s += "      let e = bk * BS + bc + lj * " + U(l.T / t.tk) + ";\n      Bs[e >> 2u][e & 3u] = wb[lj];\n    }\n";
  } else {
    auto pack = [](const std::string& lo, const std::string& hi) {
      return "pack2x16float(vec2<f32>(" + lo + ", " + hi + "))";
    };
    s += "    for (var lp = 0u; lp < " + U(l.ak / 2) + "; lp++) {\n";
    for (uint32_t r = 0; r < l.ar; ++r) {
      const std::string idx = "(ak + lp * " + U(l.aks) + ") * TM + am + " + U(r * l.lm);
      const std::string lo = "ra[lp * " + U(2 * l.ar) + " + " + U(r) + "]";
      const std::string hi = "ra[lp * " + U(2 * l.ar) + " + " + U(l.ar + r) + "]";
      s += "      { let e = " + idx + "; As[e >> 2u][e & 3u] = " + pack(lo, hi) + "; }\n";
    }
    s += "    }\n    for (var lp = 0u; lp < " + U(l.be / 2) + "; lp++) {\n";
    s += "      let e = bk * BS + bc + lp * " + U(2 * l.T / t.tk) + ";\n      Bs[e >> 2u][e & 3u] = " +
         pack("wb[lp * 2u]", "wb[lp * 2u + 1u]") + ";\n    }\n";
  }
  s += "    workgroupBarrier();\n";
  s += "    if (k0 + TK < kend) {\n    let kn = k0 + TK;\n" + LoadSlice(p, l, "kn") + "    }\n";
  auto fmas = [&](const std::string& suffix) {
    for (uint32_t i = 0; i < t.rm; ++i) {
      const std::string a = "a" + S(i / 4) + suffix + "." + Lane(static_cast<int>(i % 4));
      for (uint32_t j = 0; j < rn4; ++j) {
        const std::string c = "c" + S(i) + "_" + S(j);
        s += "      " + c + " = fma(vec4<f32>(" + a + "), b" + S(j) + suffix + ", " + c + ");\n";
      }
    }
  };
  if (l.pk == 1) {
    s += "    for (var kk = 0u; kk < TK; kk++) {\n";
    for (uint32_t h = 0; h < rm4; ++h)
      s += "      let a" + S(h) + " = As[kk * (TM / 4u) + " + U(h * l.tpm) + " + tm];\n";
    for (uint32_t h = 0; h < rn4; ++h)
      s += "      let b" + S(h) + " = Bs[kk * (BS / 4u) + " + U(h * l.tpn) + " + tn];\n";
    fmas("");
  } else {
    // One word per row and column for two depths: unpacked to f32, the even depth's lanes (suffix e)
    // and the odd depth's (suffix o) regroup into vec4s, then the same FMAs run per depth in f32.
    auto unpack = [&](const std::string& v, const std::string& src) {
      std::string u;
      for (int q = 0; q < 4; ++q)
        u += "      let " + v + "_" + Lane(q) + " = unpack2x16float(" + src + "." + Lane(q) + ");\n";
      u += "      let " + v + "e = vec4<f32>(" + v + "_x.x, " + v + "_y.x, " + v + "_z.x, " + v + "_w.x);\n";
      u += "      let " + v + "o = vec4<f32>(" + v + "_x.y, " + v + "_y.y, " + v + "_z.y, " + v + "_w.y);\n";
      return u;
    };
    s += "    for (var kq = 0u; kq < TK / 2u; kq++) {\n";
    for (uint32_t h = 0; h < rm4; ++h)
      s += unpack("a" + S(h), "As[kq * (TM / 4u) + " + U(h * l.tpm) + " + tm]");
    for (uint32_t h = 0; h < rn4; ++h)
      s += unpack("b" + S(h), "Bs[kq * (BS / 4u) + " + U(h * l.tpn) + " + tn]");
    fmas("e");
    fmas("o");
  }
  s += "    }\n";
  s += "    workgroupBarrier();\n  }\n";
  if (split.splits > 1) {
    // Raw partial sums; rows are contiguous per channel so both this store and SplitSumBody's reads
    // are coalesced.
    s += BlockStores(l, "", [&](uint32_t i, uint32_t j) {
      return "P[((ks * " + U(p.group) + " + g) * COUT_G + co) * ROWS + m] = " + Acc(i, j) + ";";
    });
    s += "}\n";
    return s;
  }
  // Epilogue: row i of the block is m0 + (i/4)*4*TPM + tm*4 + i%4, column j likewise over TPN.
  if (pooled) {
    // Lanes i..i+PV-1 of a group of four rows are one pool window (PV divides 4 and m0, TPM*4 and
    // tm*4 are multiples of 4): average them in registers, store the pooled value once.
    const uint32_t pv = static_cast<uint32_t>(p.fusion.pool_volume());
    for (uint32_t i = 0; i < t.rm; i += pv) {
      s += "  {\n    let m = m0 + " + U((i / 4) * 4 * l.tpm + i % 4) + " + tm * 4u;\n";
      s += "    if (m < ROWS) {\n      let q = m / PV;\n      let n = q / PO_SP;\n      let psp = q % "
           "PO_SP;\n";
      for (uint32_t v = 0; v < pv; ++v) s += "      let sp" + S(v) + " = pool_sp(psp, " + U(v) + ");\n";
      for (uint32_t j = 0; j < t.rn; ++j) {
        const std::string co = "n0 + " + U((j / 4) * 4 * l.tpn + j % 4) + " + tn * 4u";
        s += "      { let co = " + co + "; if (co < COUT_G) {\n        let gc = g * COUT_G + co;\n";
        std::string sum;
        for (uint32_t v = 0; v < pv; ++v) {
          const std::string val = "conv_value(n, gc, sp" + S(v) + ", c" + S(i + v) + "_" + S(j / 4) + "." +
                                  Lane(static_cast<int>(j % 4)) + ")";
          sum = v == 0 ? val : "(" + sum + " + " + val + ")";
        }
        s += "        conv_put(n, gc, psp, " + sum + " * " + (pv == 2 ? "0.5" : "0.25") + ");\n      } }\n";
      }
      s += "    }\n  }\n";
    }
    s += "}\n";
    return s;
  }
  s += BlockStores(l, "      let n = m / OUT_SP;\n      let sp = m % OUT_SP;\n", [&](uint32_t i, uint32_t j) {
    return "conv_store(n, g * COUT_G + co, sp, " + Acc(i, j) + ");";
  });
  s += "}\n";
  return s;
}

// The split-K finish: one thread per output (channel-major over rows, as the partial sums are laid
// out) adds the ranges' partial sums in a fixed order and stores through the epilogue.
std::string SplitSumBody(const ConvProblem& p, const SplitK& split, ConvSizeTable* sizes) {
  std::string s = ConvGeometryWgsl(p, sizes);
  s += sizes->Declarations();
  s += "const SPLITS = " + U(split.splits) + ";\n";
  s += "@compute @workgroup_size(256, 1, 1)\n";
  s += "fn main(@builtin(global_invocation_id) gid: vec3<u32>) {\n";
  s += "  let idx = gid.x + gid.y * 65535u * 256u;\n  if (idx >= COUT * ROWS) { return; }\n";
  s += "  var acc = P[idx];\n";
  s += "  for (var k = 1u; k < SPLITS; k++) { acc += P[k * COUT * ROWS + idx]; }\n";
  s += "  let gc = idx / ROWS;\n  let m = idx % ROWS;\n";
  s += "  conv_store(m / OUT_SP, gc, m % OUT_SP, acc);\n}\n";
  return s;
}

}  // namespace

Status ConvGemmGpu(const ConvProblem& p, GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(const bool quad, ConvUsesQuadKernel(ctx));
  if (quad) return ConvQuadGpu(p, ctx);
  const KernelTuning& tuning = ctx.tuning_or_defaults();
  WC_ASSIGN_OR_RETURN(const ConvTiling t, ChooseConvTiling(p, ctx.software_adapter, ctx.max_workgroup_storage,
                                                           ctx.compute_units, &tuning));
  const SplitK split = ChooseConvSplits(p, t, ctx.software_adapter, ctx.max_storage_binding, ctx.compute_units,
                                        &tuning);
  const ConvMath math = tuning.conv_math;
  ConvSizes size_mode = ChooseConvSizes(p, ctx.software_adapter, &tuning);
  if (split.splits > 1) size_mode = ConvSizes::kBaked;  // the split kernels keep their sizes baked
  const Layout l = MakeLayout(t, math, size_mode);
  if (l.pk == 2 && (l.ak % 2 != 0 || l.be % 2 != 0))  // only a tile forced by KernelTuning::conv_tile can be
    return UsageError("f16 tiles (WEBCONV_CONV_F16=tiles) need depth pairs per thread, which tile ", t.Name(),
                      " does not give");
  // Kernel names say how slices are staged when not in f32 ("..._r8x8_f16tiles"), for profiles and sweeps.
  const std::string math_tag = math == ConvMath::kF32 ? "" : std::string("_") + ConvMathName(math);
  // ConvTranspose phases keep their op's name in profiles.
  const std::string family = p.phase.active    ? "conv_transpose3d_f32_phase_igemm_"
                             : p.fusion.per_group() ? "conv3d_f32_igemm_branches" + std::to_string(p.group) + "_"
                                                    : "conv3d_f32_igemm_";

  const int64_t* pool = p.fusion.pool;  // rows as ROWS in ConvGeometryWgsl: only pooled windows' outputs
  const int64_t rows = p.batch * (p.axis3[0].out / pool[0]) * (p.axis3[1].out / pool[1]) *
                       (p.axis3[2].out / pool[2]) * p.fusion.pool_volume();
  const uint32_t groups[3] = {static_cast<uint32_t>((rows + t.tm - 1) / t.tm),
                              static_cast<uint32_t>((p.out_per_group() + t.tn - 1) / t.tn),
                              static_cast<uint32_t>(p.group * split.splits * p.phase.slots())};
  if (groups[0] > 65535 || groups[1] > 65535 || groups[2] > 65535)
    return BadModel("Conv dispatch of ", groups[0], "x", groups[1], "x", groups[2],
                    " workgroups exceeds 65535 per dimension");
  if (split.splits == 1) {
    gpu::KernelBuilder b(family + t.Name() + math_tag + ConvEpilogueTag(p) + ConvSizesTag(size_mode));
    b.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32);
    std::vector<GpuRef> bind = {GpuContext::In(0), GpuContext::In(1)};
    ConvSizeTable sizes(size_mode);
    const std::string store = AddConvEpilogue(p, b, &bind, &sizes);
    b.Body(store + Body(p, l, split, &sizes));
    sizes.AddUniforms(b.uniforms());
    AddConvGroupUniforms(p, sizes, b.uniforms());
    ctx.Dispatch(b, bind, groups);
    return OkStatus();
  }
  const uint64_t outputs = static_cast<uint64_t>(rows * p.out_channels);
  const GpuRef partial = ctx.Scratch(outputs * split.splits);
  gpu::KernelBuilder gemm(family + t.Name() + math_tag + "_splitk" + std::to_string(split.splits));
  gemm.Input("X", gpu::ScalarType::kF32).Input("W", gpu::ScalarType::kF32).Output("P", gpu::ScalarType::kF32);
  ConvSizeTable gemm_sizes(ConvSizes::kBaked);
  gemm.Body(Body(p, l, split, &gemm_sizes));
  ctx.Dispatch(gemm, {GpuContext::In(0), GpuContext::In(1), partial}, groups);

  gpu::KernelBuilder sum("conv3d_f32_splitk" + std::to_string(split.splits) + "_sum" + ConvEpilogueTag(p));
  sum.Input("P", gpu::ScalarType::kF32);
  std::vector<GpuRef> bind = {partial};
  ConvSizeTable sum_sizes(ConvSizes::kBaked);
  const std::string store = AddConvEpilogue(p, sum, &bind, &sum_sizes);
  sum.Body(store + SplitSumBody(p, split, &sum_sizes));
  const uint64_t wgs = (outputs + 255) / 256;
  const uint32_t sum_groups[3] = {static_cast<uint32_t>(std::min<uint64_t>(wgs, 65535)),
                                  static_cast<uint32_t>((wgs + 65534) / 65535), 1};
  ctx.Dispatch(sum, bind, sum_groups);
  return OkStatus();
}

// Every tensor it binds has fewer than 2^31 elements (the plan checks that for every op).
Status ConvGpu(const ConvProblem& p, GpuContext& ctx) {
  if (p.fusion.pooled() && !ConvCanPoolInStore(p, p.fusion.pool))
    return BadModel(
        "a fused pool of ", p.fusion.pool_volume(),
        " outputs needs the implicit-GEMM Conv (more than 4 output channels per group) and 2 or 4 "
        "outputs per window");
  if (ctx.quick && ConvQuickFits(p)) return ConvQuickGpu(p, ctx);
  // Per-group windows (merged branch Convs) are only known to the implicit GEMM.
  if (p.fusion.per_group()) return ConvGemmGpu(p, ctx);
  // Few output channels per group leave most of a GEMM column tile idle: one thread per output wins.
  if (p.out_per_group() <= 4) return ConvDirectGpu(p, ctx);
  // First layers (RGB in, many channels out): one thread per pixel for a block of channels.
  if (ConvUsesFewInputKernel(p)) return ConvFewInputGpu(p, ctx);
  return ConvGemmGpu(p, ctx);
}

}  // namespace webconv::ops
