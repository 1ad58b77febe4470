#include "ops/matmul/wgsl.h"

namespace webconv::ops::matmul {
namespace {

using gpu::U;
std::string Idx(const char* prefix, uint32_t i) { return prefix + std::to_string(i); }
std::string Acc(uint32_t i, uint32_t j) { return "acc" + std::to_string(i) + "_" + std::to_string(j); }

std::string EpilogueWgsl(const KernelShape& s) {
  const std::string c = "C[m * u.c_m + n * u.c_n]";
  std::string body;
  switch (s.epilogue) {
    case EpilogueKind::kNone: body = "  return acc;\n"; break;
    case EpilogueKind::kFloat:
      body = "  var v = u.alpha * acc;\n" + (s.has_c ? "  v += u.beta * " + c + ";\n" : "") + "  return v;\n";
      break;
    case EpilogueKind::kIntExact:
      body = "  var v = acc * u.alpha;\n" + (s.has_c ? "  v += " + c + " * u.beta;\n" : "") + "  return v;\n";
      break;
    case EpilogueKind::kIntViaFloat:
      body = "  var v = u.alpha * f32(acc);\n" + (s.has_c ? "  v += u.beta * f32(" + c + ");\n" : "") +
             "  return T(v);\n";
      break;
  }
  return "fn epilogue(acc: T, m: u32, n: u32) -> T {\n" + body + "}\n";
}

// Stages a TK-deep slice of A (outer axis m) or B (outer axis n) into workgroup memory as [kk][outer]
// rows of pitch AP / BP. Consecutive threads take consecutive elements along the operand's contiguous
// axis, so that their global reads coalesce.
std::string StageWgsl(bool is_a, uint32_t extent, bool k_fast, uint32_t tk, uint32_t threads) {
  const std::string o = is_a ? "m" : "n", operand = is_a ? "A" : "B", dst = is_a ? "As" : "Bs";
  const std::string pitch = is_a ? "AP" : "BP", limit = is_a ? "u.M" : "u.N";
  const std::string addr = is_a ? "base.x + m * u.a_m + k * u.a_k" : "base.y + k * u.b_k + n * u.b_n";
  std::string s = "    for (var r = 0u; r < " + U(tk * extent / threads) + "; r++) {\n";
  s += "      let l = li + r * NT;\n";
  if (k_fast) s += "      let kk = l % TK;\n      let o = l / TK;\n";
  else s += "      let o = l % " + U(extent) + ";\n      let kk = l / " + U(extent) + ";\n";
  s += "      let " + o + " = " + o + "0 + o;\n      let k = k0 + kk;\n      var v = T(0);\n";
  s += "      if (" + o + " < " + limit + " && k < u.K) { v = " + operand + "[" + addr + "]; }\n";
  s += "      " + dst + "[kk * " + pitch + " + o] = v;\n    }\n";
  return s;
}

const char kBatchOffsets[] =
    "fn batch_offsets(z: u32) -> vec2<u32> {\n"
    "  var rem = z;\n"
    "  var off = vec2<u32>(0u, 0u);\n"
    "  for (var d = i32(u.batch_rank) - 1; d >= 0; d--) {\n"
    "    let i = u32(d);\n"
    "    let c = rem % batch_shape(i);\n"
    "    rem = rem / batch_shape(i);\n"
    "    off += c * vec2<u32>(a_batch_stride(i), b_batch_stride(i));\n"
    "  }\n"
    "  return off;\n"
    "}\n";

}  // namespace

const char* EpilogueName(EpilogueKind k) {
  switch (k) {
    case EpilogueKind::kNone: return "none";
    case EpilogueKind::kFloat: return "float";
    case EpilogueKind::kIntExact: return "int_exact";
    case EpilogueKind::kIntViaFloat: return "int_via_f32";
  }
  return "";
}

std::string KernelWgsl(const KernelShape& s) {
  const TileConfig& t = s.tile;
  const uint32_t tx = t.tn / t.rn, ty = t.tm / t.rm, threads = tx * ty;
  std::string w = "alias T = " + std::string(gpu::WgslType(s.type)) + ";\n";
  w += "const TM = " + U(t.tm) + ";\nconst TN = " + U(t.tn) + ";\nconst TK = " + U(t.tk) + ";\n";
  w += "const TX = " + U(tx) + ";\nconst TY = " + U(ty) + ";\nconst NT = " + U(threads) + ";\n";
  // A word of padding per staged row spreads the K-strided stores of the k-fast order over banks.
  w += "const AP = TM + 1u;\nconst BP = TN + 1u;\n";
  w += "var<workgroup> As: array<T, " + U(t.tk * (t.tm + 1)) + ">;\n";
  w += "var<workgroup> Bs: array<T, " + U(t.tk * (t.tn + 1)) + ">;\n";
  w += kBatchOffsets + EpilogueWgsl(s);
  w += "@compute @workgroup_size(" + std::to_string(tx) + ", " + std::to_string(ty) + ", 1)\n";
  w += "fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {\n";
  w += "  let li = lid.y * TX + lid.x;\n  let z = wg.z + u.z0;\n  let base = batch_offsets(z);\n";
  w += "  let m0 = (wg.y + u.y0) * TM;\n  let n0 = (wg.x + u.x0) * TN;\n";
  // The accumulators are named scalars, not an array, so that they certainly live in registers.
  for (uint32_t i = 0; i < t.rm; ++i)
    for (uint32_t j = 0; j < t.rn; ++j) w += "  var " + Acc(i, j) + " = T(0);\n";
  // Barriers sit in uniform control flow: the tile count depends on uniforms only.
  w += "  let tiles = (u.K + TK - 1u) / TK;\n";
  w += "  for (var tile = 0u; tile < tiles; tile++) {\n    let k0 = tile * TK;\n";
  w += StageWgsl(true, t.tm, s.a_k_fast, t.tk, threads);
  w += StageWgsl(false, t.tn, !s.b_n_fast, t.tk, threads);
  w += "    workgroupBarrier();\n    for (var kk = 0u; kk < TK; kk++) {\n";
  // Thread (x, y) owns rows y + i*TY and columns x + j*TX: a warp's staged reads are broadcasts or
  // consecutive words, and its output writes are consecutive.
  for (uint32_t i = 0; i < t.rm; ++i)
    w += "      let " + Idx("a", i) + " = As[kk * AP + lid.y + " + U(i * ty) + "];\n";
  for (uint32_t j = 0; j < t.rn; ++j)
    w += "      let " + Idx("b", j) + " = Bs[kk * BP + lid.x + " + U(j * tx) + "];\n";
  const bool is_float = s.type == gpu::ScalarType::kF32;
  for (uint32_t i = 0; i < t.rm; ++i) {
    for (uint32_t j = 0; j < t.rn; ++j) {
      const std::string acc = Acc(i, j), a = Idx("a", i), b = Idx("b", j);
      w += "      " + acc;
      w += is_float ? " = fma(" + a + ", " + b + ", " + acc + ");\n" : " += " + a + " * " + b + ";\n";
    }
  }
  w += "    }\n    workgroupBarrier();\n  }\n";
  w += "  let ybase = z * u.M * u.N;\n";
  for (uint32_t i = 0; i < t.rm; ++i) {
    const std::string row = Idx("row", i);
    w += "  let " + row + " = m0 + lid.y + " + U(i * ty) + ";\n  if (" + row + " < u.M) {\n";
    for (uint32_t j = 0; j < t.rn; ++j) {
      const std::string col = "n0 + lid.x + " + U(j * tx);
      w += "    if (" + col + " < u.N) { Y[ybase + " + row + " * u.N + " + col + "] = epilogue(" + Acc(i, j) +
           ", " + row + ", " + col + "); }\n";
    }
    w += "  }\n";
  }
  return w + "}\n";
}

std::string QuadKernelWgsl(const KernelShape& s) {
  std::string w = "alias T = f32;\n";
  w += kBatchOffsets + EpilogueWgsl(s);
  w += "@compute @workgroup_size(" + U(4 * quad::kQuads) + ", 1, 1)\n";
  w += "fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {\n";
  w += "  let z = wg.z + u.z0;\n  let base = batch_offsets(z);\n";
  w += quad::BlockOrigin(s.arrangement, "(wg.y + u.y0)", "(wg.x + u.x0)");
  // The lane's rows t + 4j of A and columns t + 4c of B, clamped into the matrices: a lane past the edge
  // computes a copy that is never stored.
  for (uint32_t j = 0; j < 4; ++j)
    w += "  let ar" + std::to_string(j) + " = base.x + min(m0 + t + " + U(4 * j) + ", u.M - 1u) * u.a_m;\n";
  for (uint32_t c = 0; c < 4; ++c)
    w += "  let bc" + std::to_string(c) + " = base.y + min(n0 + t + " + U(4 * c) + ", u.N - 1u) * u.b_n;\n";
  w += quad::Accumulators();
  // Steps of K four at a time, then the rest one at a time (SwiftShader runs a loop of one step per
  // iteration about 15% slower). The bounds are uniforms, as the subgroup operations need.
  auto step = [&](const std::string& k) {
    std::string t = "    {\n";
    for (uint32_t j = 0; j < 4; ++j)
      t += "      let a" + std::to_string(j) + " = A[ar" + std::to_string(j) + " + (" + k + ") * u.a_k];\n";
    t += "      let b = vec4<f32>(";
    for (uint32_t c = 0; c < 4; ++c)
      t += std::string(c ? ", " : "") + "B[bc" + std::to_string(c) + " + (" + k + ") * u.b_k]";
    t += ");\n" + quad::Step("      ") + "    }\n";
    return t;
  };
  w += "  let k4 = u.K / 4u * 4u;\n  for (var k = 0u; k < k4; k += 4u) {\n";
  for (uint32_t i = 0; i < 4; ++i) w += step(i == 0 ? "k" : "k + " + U(i));
  w += "  }\n  for (var k = k4; k < u.K; k++) {\n" + step("k") + "  }\n";
  // One loop over the block's rows (quad::BlockArray).
  w += "  let ybase = z * u.M * u.N;\n";
  w += quad::BlockArray();
  w += "  for (var r = 0u; r < " + U(quad::kBlock) + "; r++) {\n    let row = m0 + r;\n    if (row < u.M) {\n";
  w += "      let v = blk[r];\n";
  for (uint32_t c = 0; c < 4; ++c)
    w += "      { let col = n0 + t + " + U(4 * c) + "; if (col < u.N) { Y[ybase + row * u.N + col] = epilogue(v." +
         "xyzw"[c] + std::string(", row, col); } }\n");
  w += "    }\n  }\n";
  return w + "}\n";
}

}  // namespace webconv::ops::matmul
