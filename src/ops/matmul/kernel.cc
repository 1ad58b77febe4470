#include "ops/matmul/kernel.h"

#include <algorithm>
#include <limits>

#include "ops/matmul/wgsl.h"

namespace webconv::ops::matmul {
namespace {

constexpr uint32_t kMaxBatchRank = 8;
constexpr uint64_t kMaxGroups = 65535;  // WebGPU's default limit per dispatch dimension
constexpr int64_t kMaxWords = std::numeric_limits<uint32_t>::max();  // the kernel indexes with u32

constexpr TileConfig kThin{8, 64, 32, 1, 4};
constexpr TileConfig kSmall{32, 32, 16, 4, 4};
constexpr TileConfig kMedium{64, 64, 16, 4, 4};
constexpr TileConfig kLarge{128, 128, 8, 8, 8};
constexpr uint64_t kMinWorkgroups = 256;

uint64_t CeilDiv(int64_t a, uint32_t b) { return (static_cast<uint64_t>(a) + b - 1) / b; }

uint64_t Workgroups(const Geometry& g, const TileConfig& t) {
  return CeilDiv(g.m, t.tm) * CeilDiv(g.n, t.tn) * static_cast<uint64_t>(g.batch_count());
}

std::vector<uint32_t> ToU32(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

std::string KernelName(const std::string& op, const KernelShape& s) {
  const TileConfig& t = s.tile;
  std::string name = s.quads ? StrCat(op, "_f32_quad", s.arrangement.Name())
                             : StrCat(op, "_", gpu::WgslType(s.type), "_t", t.tm, "x", t.tn, "_r", t.rm, "x", t.rn);
  if (!s.a_k_fast) name += "_ta";
  if (!s.b_n_fast) name += "_tb";
  if (s.has_c) name += "_bias";
  return name;
}

void AddUniforms(const Geometry& g, const Epilogue& e, const KernelShape& s, const uint64_t offset[3],
                 const std::vector<int64_t> batch[3], gpu::UniformBlock& u) {
  const auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
  u.AddU32("M", u32(g.m));
  u.AddU32("N", u32(g.n));
  u.AddU32("K", u32(g.k));
  u.AddU32("a_m", u32(g.a_m));
  u.AddU32("a_k", u32(g.a_k));
  u.AddU32("b_k", u32(g.b_k));
  u.AddU32("b_n", u32(g.b_n));
  u.AddU32("x0", u32(offset[0]));
  u.AddU32("y0", u32(offset[1]));
  u.AddU32("z0", u32(offset[2]));
  u.AddU32("batch_rank", u32(batch[0].size()));
  if (s.has_c) {
    u.AddU32("c_m", u32(g.c_m));
    u.AddU32("c_n", u32(g.c_n));
  }
  if (s.epilogue == EpilogueKind::kIntExact) {
    // Wrapped to 32 bits like every value the kernel holds; the products wrap the same way.
    const auto alpha = static_cast<int32_t>(e.alpha), beta = static_cast<int32_t>(e.beta);
    if (s.type == gpu::ScalarType::kI32) {
      u.AddI32("alpha", alpha);
      u.AddI32("beta", beta);
    } else {
      u.AddU32("alpha", static_cast<uint32_t>(alpha));
      u.AddU32("beta", static_cast<uint32_t>(beta));
    }
  } else if (s.epilogue != EpilogueKind::kNone) {
    u.AddF32("alpha", static_cast<float>(e.alpha));
    u.AddF32("beta", static_cast<float>(e.beta));
  }
  u.AddU32Array("batch_shape", ToU32(batch[0]), kMaxBatchRank);
  u.AddU32Array("a_batch_stride", ToU32(batch[1]), kMaxBatchRank);
  u.AddU32Array("b_batch_stride", ToU32(batch[2]), kMaxBatchRank);
}

}  // namespace

TileConfig ChooseTiles(const Geometry& g) {
  if (g.m <= 8) return kThin;
  // The largest tile that still gives every multiprocessor work. Measured on an H100 (132 SMs, Vulkan):
  // 2048^2 ran at 27.5 TFLOP/s on 128-tiles (256 workgroups) against 22.2 on 64-tiles; 1024^2 at 10.6
  // on 128-tiles (64 workgroups) against 18.3 on 64-tiles; 4096 x 4096 x 64 at 8.0 on 32-tiles against
  // 4.9 on 64-tiles (64 workgroups).
  for (const TileConfig& t : {kLarge, kMedium})
    if (Workgroups(g, t) >= kMinWorkgroups) return t;
  return kSmall;
}

Status DispatchProduct(GpuContext& ctx, const std::string& op, const Geometry& g, const Epilogue& e) {
  for (size_t i = 0; i < ctx.inputs.size(); ++i)
    if (ctx.has_input(i) && NumElements(ctx.inputs[i].shape) > kMaxWords)
      return BadModel("input ", i, " ", ShapeString(ctx.inputs[i].shape),
                      " exceeds the WebGPU kernel's 32-bit indexing");
  if (NumElements(g.out_shape) > kMaxWords)
    return BadModel("output ", ShapeString(g.out_shape), " exceeds the WebGPU kernel's 32-bit indexing");
  // Batch dims of 1 move nothing: dropping them keeps the kernel's index walk short.
  std::vector<int64_t> batch[3];  // shape, A strides, B strides
  for (size_t d = 0; d < g.batch.size(); ++d) {
    if (g.batch[d] == 1) continue;
    batch[0].push_back(g.batch[d]);
    batch[1].push_back(g.a_batch_strides[d]);
    batch[2].push_back(g.b_batch_strides[d]);
  }
  if (batch[0].size() > kMaxBatchRank)
    return BadModel("batch rank ", batch[0].size(), " exceeds the WebGPU kernel's ", kMaxBatchRank);

  KernelShape s;
  s.tile = ChooseTiles(g);
  s.type = GpuType(ctx.outputs[0].dtype);
  s.a_k_fast = g.a_k == 1;
  s.b_n_fast = g.b_n == 1 || g.b_k != 1;
  s.has_c = g.has_c;
  if (!e.scaled) s.epilogue = EpilogueKind::kNone;
  else if (s.type == gpu::ScalarType::kF32) s.epilogue = EpilogueKind::kFloat;
  else s.epilogue = IntegerScales(e) ? EpilogueKind::kIntExact : EpilogueKind::kIntViaFloat;
  if (s.type == gpu::ScalarType::kF32) {
    WC_ASSIGN_OR_RETURN(s.quads, quad::UseQuads(ctx));
  }
  if (s.quads) {
    s.arrangement = quad::ChooseArrangement(g.m, g.n);
    s.tile = {s.arrangement.tile_rows(), s.arrangement.tile_cols(), 1, 1, 1};  // the grid's tile
  }
  const TileConfig& t = s.tile;
  const uint32_t threads = (t.tn / t.rn) * (t.tm / t.rm);
  if (!s.quads && ((t.tk * t.tm) % threads || (t.tk * t.tn) % threads))
    return DeviceError("internal: tile ", t.tm, "x", t.tn, "x", t.tk, " does not split over ", threads,
                       " threads");
  const std::string name = KernelName(op, s), wgsl = s.quads ? QuadKernelWgsl(s) : KernelWgsl(s);

  std::vector<GpuRef> bindings = {GpuContext::In(0), GpuContext::In(1)};
  if (s.has_c) bindings.push_back(GpuContext::In(2));
  bindings.push_back(GpuContext::Out(0));
  const uint64_t grid[3] = {CeilDiv(g.n, t.tn), CeilDiv(g.m, t.tm), static_cast<uint64_t>(g.batch_count())};
  // Past the per-dimension limit the grid is split into several dispatches, each told its offset. An
  // empty output gets none.
  for (uint64_t z0 = 0; z0 < grid[2]; z0 += kMaxGroups) {
    for (uint64_t y0 = 0; y0 < grid[1]; y0 += kMaxGroups) {
      for (uint64_t x0 = 0; x0 < grid[0]; x0 += kMaxGroups) {
        const uint64_t offset[3] = {x0, y0, z0};
        gpu::KernelBuilder b(name);
        if (s.quads) b.Enable("subgroups");
        b.Input("A", s.type).Input("B", s.type);
        if (s.has_c) b.Input("C", s.type);
        b.Output("Y", s.type);
        AddUniforms(g, e, s, offset, batch, b.uniforms());
        b.Body(wgsl);
        uint32_t groups[3];
        for (int d = 0; d < 3; ++d)
          groups[d] = static_cast<uint32_t>(std::min(kMaxGroups, grid[d] - offset[d]));
        ctx.Dispatch(b, bindings, groups);
      }
    }
  }
  return OkStatus();
}

}  // namespace webconv::ops::matmul
