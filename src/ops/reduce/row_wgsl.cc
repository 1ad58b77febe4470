#include "ops/reduce/row_wgsl.h"

#include <algorithm>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

constexpr int64_t kLimit = int64_t{1} << 31;
constexpr uint32_t kMaxAxes = 8;
// Threads that keep a GPU busy: below this, strided rows also get more than one lane.
constexpr int64_t kBusyThreads = int64_t{1} << 16;

constexpr char kKeptOffset[] = R"(
fn kept_offset(row: u32) -> u32 {
  var t = row;
  var off = 0u;
  for (var k = u.nk; k > 0u; k--) {
    let d = kdim(k - 1u);
    off += (t % d) * kstride(k - 1u);
    t = t / d;
  }
  return off;
}
)";

constexpr char kRedOffsetN[] = R"(
fn red_offset(r: u32) -> u32 {
  var t = r;
  var off = 0u;
  for (var k = u.nr; k > 0u; k--) {
    let d = rdim(k - 1u);
    off += (t % d) * rstride(k - 1u);
    t = t / d;
  }
  return off;
}
)";

// Bit tests rather than x != x: WGSL lets compilers assume that floating-point values are finite.
constexpr char kFloatClass[] = R"(
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
)";

constexpr char kSegmentMerge[] = R"(
var<workgroup> NAME_part: array<TYPE, WG>;
fn merge_NAME(a: TYPE, b: TYPE) -> TYPE { return MERGE; }
fn NAME(lid: u32, lane: u32, v: TYPE) -> TYPE {
  NAME_part[lid] = v;
  workgroupBarrier();
  for (var w = u.tpp / 2u; w > 0u; w = w / 2u) {
    if (lane < w) { NAME_part[lid] = merge_NAME(NAME_part[lid], NAME_part[lid + w]); }
    workgroupBarrier();
  }
  let total = NAME_part[lid - lane];
  workgroupBarrier();
  return total;
}
)";

constexpr char kMain[] = R"(
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = lid.x % u.tpp;
  let g = (wid.x + wid.y * nwg.x) * (WG / u.tpp) + lid.x / u.tpp;
  let live = g < u.items;
  let row = g / u.chunks;
  let r0 = (g % u.chunks) * u.chunk_len;
  let r1 = select(r0, min(r0 + u.chunk_len, u.len), live);
  let base = kept_offset(row);
BODY}
)";

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

}  // namespace

uint32_t LanesPerItem(const RowGeometry& g, int64_t items, int64_t item_len) {
  uint32_t by_len = 1;
  while (by_len < kRowWorkgroup && int64_t{by_len} * 16 < item_len) by_len *= 2;
  const bool strided = !g.red_strides.empty() && g.red_strides.back() != 1;
  if (!strided) return by_len;
  uint32_t tpp = 1;
  while (tpp < by_len && items * tpp < kBusyThreads) tpp *= 2;
  return tpp;
}

RowLaunch WholeRows(const RowGeometry& g) {
  RowLaunch l;
  l.chunk_len = g.len;
  l.tpp = LanesPerItem(g, g.rows, g.len);
  return l;
}

Status CheckRowsFitGpu(const RowGeometry& g, int64_t in_elements, int64_t out_elements) {
  if (in_elements >= kLimit || out_elements >= kLimit)
    return BadModel("the input has ", in_elements, " and the output ", out_elements,
                    " elements; the WebGPU reduce kernels support fewer than 2^31");
  if (g.kept_dims.size() > kMaxAxes || g.red_dims.size() > kMaxAxes)
    return BadModel("after merging neighbouring axes the input still has ", g.kept_dims.size(), " kept and ",
                    g.red_dims.size(), " reduced axes; the WebGPU reduce kernels support at most ", kMaxAxes,
                    " of each");
  return OkStatus();
}

void AddRowUniforms(gpu::UniformBlock& u, const RowGeometry& g, const RowLaunch& l) {
  u.AddU32("items", static_cast<uint32_t>(l.items(g)));
  u.AddU32("len", static_cast<uint32_t>(g.len));
  u.AddU32("chunks", static_cast<uint32_t>(l.chunks));
  u.AddU32("chunk_len", static_cast<uint32_t>(l.chunk_len));
  u.AddU32("tpp", l.tpp);
  u.AddU32("nk", static_cast<uint32_t>(g.kept_dims.size()));
  u.AddU32("nr", static_cast<uint32_t>(g.red_dims.size()));
  // Padded to capacity with zeros (the unused entries read as 0 anyway) so that no array is empty.
  const auto full = [](std::vector<int64_t> v) {
    v.resize(kMaxAxes, 0);
    return tensor::ToU32(v);
  };
  u.AddU32Array("kdim", full(g.kept_dims), kMaxAxes);
  u.AddU32Array("kstride", full(g.kept_strides), kMaxAxes);
  u.AddU32Array("rdim", full(g.red_dims), kMaxAxes);
  u.AddU32Array("rstride", full(g.red_strides), kMaxAxes);
}

std::string RowSpecName(const RowGeometry& g) {
  return g.red_dims.size() <= 1 ? "_r1" : "_rn";
}

std::string RowPrelude(const RowGeometry& g) {
  std::string s = "const WG: u32 = " + std::to_string(kRowWorkgroup) + "u;\n" + kKeptOffset + kFloatClass;
  // A single reduced axis, the common case, needs no division per element. Rows of one element (no
  // reduced axis) take the same kernel: r is 0 and the unused stride reads as 0.
  if (g.red_dims.size() <= 1)
    s += "fn red_offset(r: u32) -> u32 { return r * rstride(0u); }\n";
  else
    s += kRedOffsetN;
  return s;
}

std::string SegmentMergeFn(const std::string& name, const std::string& type, const std::string& merge) {
  return ReplaceAll(ReplaceAll(ReplaceAll(kSegmentMerge, "MERGE", merge), "NAME", name), "TYPE", type);
}

std::string RowMain(const std::string& body) {
  return ReplaceAll(kMain, "BODY", body);
}

void RowGroups(const RowGeometry& g, const RowLaunch& l, uint32_t groups[3]) {
  const uint64_t per_group = kRowWorkgroup / l.tpp;
  const uint64_t workgroups = (static_cast<uint64_t>(l.items(g)) + per_group - 1) / per_group;
  gpu::LinearGrid(workgroups * kRowWorkgroup, kRowWorkgroup, groups);
}

}  // namespace webconv::ops
