// The persistent pipeline cache (gpu/native/disk_cache.h) and the cold-start bookkeeping around it: a
// second device over the same folder reads back what the first stored; entries that are corrupt,
// truncated, foreign or garbage are refused with a warning and the model still computes the right
// answer; the cache can be turned off; the plan reports its phases and compile progress.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "gpu/native/disk_cache.h"
#include "runtime/compare.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {
namespace fs = std::filesystem;

const std::string kModel = std::string(WEBCONV_SOURCE_DIR) + "/models/small_mlp.onnx";

HostTensor Features(uint32_t seed) {
  HostTensor t(DType::kFloat32, {2, 64});
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.SetDouble(i, uni(rng));
  return t;
}

// A fresh folder per test, removed afterwards.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / ("webconv-cache-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs the model on a new WebGPU session (a new device) whose cache lives in `dir`; checks the output
// against the float64 reference and returns the device's compile stats.
gpu::CompileStats RunWithCache(const std::string& dir, bool cache_on, RunStats* stats = nullptr) {
  SessionOptions o;
  o.device.cache_dir = dir;
  o.device.pipeline_cache = cache_on;
  auto gpu = Session::Load(kModel, o);
  EXPECT_TRUE(gpu.ok()) << gpu.status().ToString();
  if (!gpu.ok()) return {};
  SessionOptions ro;
  ro.backend = Backend::kReference;
  auto ref = Session::Load(kModel, ro);
  EXPECT_TRUE(ref.ok());
  const std::map<std::string, HostTensor> feeds = {{"features", Features(11)}};
  auto got = (*gpu)->Run(feeds, stats);
  auto want = (*ref)->Run(feeds);
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(want.ok());
  if (got.ok() && want.ok()) {
    const auto c = Compare(got->at("probabilities"), want->at("probabilities"), {1e-4, 1e-3});
    EXPECT_TRUE(c.ok) << c.message;
  }
  return (*gpu)->device()->compile_stats();
}

std::vector<fs::path> Entries(const fs::path& root) {
  std::vector<fs::path> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().extension() == ".bin") out.push_back(e.path());
  return out;
}

TEST(PipelineCache, SecondDeviceReadsWhatTheFirstStored) {
  TempDir dir("reuse");
  const gpu::CompileStats first = RunWithCache(dir.path.string(), true);
  EXPECT_FALSE(first.disk_dir.empty());
  EXPECT_GT(first.disk_stores, 0u) << "the first device stored nothing";
  EXPECT_EQ(first.disk_hits, 0u);
  EXPECT_FALSE(Entries(dir.path).empty());
  EXPECT_TRUE(fs::exists(fs::path(first.disk_dir) / "about.txt"));
  const gpu::CompileStats second = RunWithCache(dir.path.string(), true);
  EXPECT_GT(second.disk_hits, 0u) << "the second device found nothing";
  EXPECT_EQ(second.disk_rejected, 0u);
}

TEST(PipelineCache, BadEntriesAreRefusedWithAWarningAndRecompiled) {
  TempDir dir("corrupt");
  ASSERT_GT(RunWithCache(dir.path.string(), true).disk_stores, 0u);
  std::vector<fs::path> entries = Entries(dir.path);
  ASSERT_GE(entries.size(), 4u);
  // Damage each entry a different way: a flipped byte in the value, a truncation, garbage, and a valid
  // entry of another key put in its place.
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string bytes;
    {
      std::ifstream in(entries[i], std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    switch (i % 4) {
      case 0: bytes[bytes.size() - 1] ^= 0x5A; break;
      case 1: bytes.resize(bytes.size() / 2); break;
      case 2: bytes = "not a cache entry at all"; break;
      case 3: {
        std::ifstream other(entries[(i + 1) % entries.size()], std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(other), std::istreambuf_iterator<char>());
        break;
      }
    }
    std::ofstream(entries[i], std::ios::binary | std::ios::trunc) << bytes;
  }
  ::testing::internal::CaptureStderr();
  const gpu::CompileStats after = RunWithCache(dir.path.string(), true);  // also checks the answer
  const std::string warnings = ::testing::internal::GetCapturedStderr();
  EXPECT_GE(after.disk_rejected, entries.size() / 2) << warnings;
  EXPECT_NE(warnings.find("ignoring pipeline cache entry"), std::string::npos) << warnings;
  // What was refused is compiled and stored again, so the next device reads valid entries only.
  EXPECT_GT(after.disk_stores, 0u);
  const gpu::CompileStats again = RunWithCache(dir.path.string(), true);
  EXPECT_EQ(again.disk_rejected, 0u);
  EXPECT_GT(again.disk_hits, 0u);
}

TEST(PipelineCache, OffMeansNoFiles) {
  TempDir dir("off");
  const gpu::CompileStats s = RunWithCache(dir.path.string(), false);
  EXPECT_TRUE(s.disk_dir.empty());
  EXPECT_EQ(s.disk_stores + s.disk_hits + s.disk_misses, 0u);
  EXPECT_TRUE(Entries(dir.path).empty());
}

// The store on its own: the entry format's checks, without a device.
TEST(PipelineCache, EntryChecks) {
  TempDir dir("entries");
  auto cache = gpu::native::DiskCache::Open(dir.path.string(), "isolation: test");
  ASSERT_TRUE(cache);
  const std::string key = "key-1", value = "value bytes";
  EXPECT_EQ(cache->Load(key.data(), key.size(), nullptr, 0), 0u);
  EXPECT_EQ(cache->misses(), 1u);
  cache->Store(key.data(), key.size(), value.data(), value.size());
  ASSERT_EQ(cache->Load(key.data(), key.size(), nullptr, 0), value.size());
  std::string back(value.size(), '\0');
  ASSERT_EQ(cache->Load(key.data(), key.size(), back.data(), back.size()), value.size());
  EXPECT_EQ(back, value);
  EXPECT_EQ(cache->hits(), 1u);
  // One flipped value byte: refused (checksum), counted, warned about, and removed.
  for (const auto& e : fs::directory_iterator(cache->dir())) {
    if (e.path().extension() != ".bin") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('#');
  }
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(cache->Load(key.data(), key.size(), nullptr, 0), 0u);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("checksum"), std::string::npos);
  EXPECT_EQ(cache->rejected(), 1u);
  EXPECT_EQ(cache->Load(key.data(), key.size(), nullptr, 0), 0u);  // gone: now a plain miss
  EXPECT_EQ(cache->rejected(), 1u);
  cache->Store(key.data(), key.size(), value.data(), value.size());
  // Another isolation key is another folder: nothing of the first is visible there.
  auto other = gpu::native::DiskCache::Open(dir.path.string(), "isolation: another driver");
  ASSERT_TRUE(other);
  EXPECT_NE(other->dir(), cache->dir());
  EXPECT_EQ(other->Load(key.data(), key.size(), nullptr, 0), 0u);
  // A cap stops growth with a warning instead of filling the disk.
  auto tiny = gpu::native::DiskCache::Open((dir.path / "tiny").string(), "isolation: test", 64);
  ASSERT_TRUE(tiny);
  ::testing::internal::CaptureStderr();
  tiny->Store(key.data(), key.size(), std::string(100, 'x').data(), 100);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("is full"), std::string::npos);
  EXPECT_EQ(tiny->Load(key.data(), key.size(), nullptr, 0), 0u);
}

TEST(ColdStart, PlanReportsPhasesAndCompileProgress) {
  TempDir dir("phases");
  SessionOptions o;
  o.device.pipeline_cache = false;
  std::vector<std::pair<size_t, size_t>> seen;
  std::vector<std::string> phases;
  o.progress = [&seen, &phases](const std::string& phase, size_t done, size_t total) {
    if (phases.empty() || phases.back() != phase) phases.push_back(phase);
    if (phase == "compile") seen.push_back({done, total});
  };
  auto s = Session::Load(kModel, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT((*s)->timing().load_ms, 0.0);
  EXPECT_GT((*s)->timing().device_ms, 0.0);
  RunStats st;
  ASSERT_TRUE((*s)->Run({{"features", Features(3)}}, &st).ok());
  ASSERT_TRUE(st.planned);
  const PlanTiming& p = st.plan;
  EXPECT_GT(p.pipelines, 0u);
  EXPECT_LE(p.pipelines_compiled, p.pipelines);
  EXPECT_GT(p.compile_ms, 0.0);
  EXPECT_GE(st.wall_ms, p.bind_ms + p.plan_ms + p.compile_ms + p.upload_ms + p.program_ms);
  // One progress call per pipeline compiled, counting up to the total.
  ASSERT_EQ(seen.size(), p.pipelines_compiled);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], std::make_pair(i + 1, p.pipelines_compiled));
  EXPECT_EQ(phases, (std::vector<std::string>{"compile", "run"}));
  // A second run of the same shapes plans nothing and reports its own parts.
  RunStats warm;
  warm.timestamps = false;
  ASSERT_TRUE((*s)->Run({{"features", Features(4)}}, &warm).ok());
  EXPECT_FALSE(warm.planned);
  EXPECT_EQ(phases.size(), 2u) << "a run that does not plan reports no progress";
  EXPECT_TRUE(warm.dispatches.empty());
  EXPECT_GE(warm.execute_ms, warm.upload_ms + warm.gpu_ms);
}

// Per-dispatch timing is opt-in: a run that did not ask for it (the CLI's run and shots, the first run of
// bench) is encoded as one pass with no timestamp queries, so it never pays Dawn's timestamp-conversion
// pipeline or a pass per dispatch. A run that asks gets one timing per dispatch, in program order.
TEST(ColdStart, DispatchTimingsOnlyWhenAsked) {
  SessionOptions o;
  o.device.pipeline_cache = false;
  auto s = Session::Load(kModel, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  RunStats first;
  ASSERT_TRUE((*s)->Run({{"features", Features(3)}}, &first).ok());
  EXPECT_TRUE(first.planned);
  EXPECT_TRUE(first.dispatches.empty()) << "the first run was timed per dispatch without being asked";
  if (!(*s)->adapter() || !(*s)->adapter()->has_timestamps) GTEST_SKIP() << "the adapter has no timestamp queries";
  RunStats timed;
  timed.timestamps = true;
  auto out = (*s)->Run({{"features", Features(4)}}, &timed);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(timed.dispatches.size(), (*s)->last_plan()->dispatch_count());
  for (const gpu::DispatchTiming& d : timed.dispatches) EXPECT_GE(d.ms, 0.0) << d.label;
  // Timing changes how the run is encoded, never what it computes.
  RunStats plain;
  auto again = (*s)->Run({{"features", Features(4)}}, &plain);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(out->size(), again->size());
  for (const auto& [name, t] : *out) {
    ASSERT_EQ(again->count(name), 1u) << name;
    const HostTensor& u = again->at(name);
    ASSERT_EQ(t.byte_size(), u.byte_size()) << name;
    EXPECT_EQ(0, std::memcmp(t.data(), u.data(), t.byte_size())) << name;
  }
  EXPECT_TRUE(plain.dispatches.empty());
}

}  // namespace
}  // namespace webconv::runtime
