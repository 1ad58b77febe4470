#include "gpu/native/disk_cache.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "common/hash.h"

namespace webconv::gpu::native {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'W', 'C', 'P', 'I', 'P', 'E', '0', '1'};
// magic, key size, value size, checksum: then the key, then the value.
constexpr size_t kHeader = 8 + 8 + 8 + 8;

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t ReadU64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

std::string DiskCache::DefaultRoot() {
  if (const char* d = std::getenv("WEBCONV_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/webconv";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/webconv";
  return "";
}

std::unique_ptr<DiskCache> DiskCache::Open(const std::string& root, const std::string& isolation,
                                           uint64_t max_bytes) {
  if (root.empty()) return nullptr;
  const std::string dir = root + "/pipelines-" + Hex(Fnv1a64(isolation.data(), isolation.size()));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    std::fprintf(stderr, "webconv: warning: pipeline cache off: cannot create '%s': %s\n", dir.c_str(),
                 ec.message().c_str());
    return nullptr;
  }
  const std::string about = dir + "/about.txt";
  if (!fs::exists(about, ec)) {
    std::ofstream(about) << "webconv pipeline cache (Dawn blob cache entries) for:\n" << isolation << "\n";
  }
  uint64_t used = 0;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) used += e.file_size(ec);
  return std::unique_ptr<DiskCache>(new DiskCache(dir, used, max_bytes));
}

std::string DiskCache::PathFor(const void* key, size_t key_size) const {
  return dir_ + "/" + Hex(Fnv1a64(key, key_size)) + ".bin";
}

void DiskCache::Warn(const std::string& message) {
  std::fprintf(stderr, "webconv: warning: %s\n", message.c_str());
}

size_t DiskCache::Load(const void* key, size_t key_size, void* value, size_t value_size) {
  const std::string path = PathFor(key, key_size);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!value) ++misses_;
    return 0;
  }
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const char* why = nullptr;
  uint64_t ks = 0, vs = 0;
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    why = "not a webconv cache entry of this version";
  } else {
    ks = ReadU64(bytes.data() + 8);
    vs = ReadU64(bytes.data() + 16);
    if (ks != key_size || vs > bytes.size() || bytes.size() != kHeader + ks + vs) {
      why = "truncated or of the wrong size";
    } else if (std::memcmp(bytes.data() + kHeader, key, key_size) != 0) {
      why = "written for another key";
    } else if (Fnv1a64(bytes.data() + kHeader, ks + vs) != ReadU64(bytes.data() + 24)) {
      why = "corrupt (checksum mismatch)";
    }
  }
  if (why) {
    ++rejected_;
    Warn("ignoring pipeline cache entry '" + path + "': " + why + "; it is removed and compiled afresh");
    std::error_code ec;
    fs::remove(path, ec);
    return 0;
  }
  if (!value) return vs;  // Dawn asks for the size first
  if (value_size < vs) return 0;
  std::memcpy(value, bytes.data() + kHeader + ks, vs);
  ++hits_;
  return vs;
}

void DiskCache::Store(const void* key, size_t key_size, const void* value, size_t value_size) {
  const uint64_t total = kHeader + key_size + value_size;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (used_ + total > max_) {
      if (!warned_full_) {
        Warn("pipeline cache '" + dir_ + "' is full (" + std::to_string(max_ >> 20) +
             " MiB): new pipelines are not stored; delete the folder to start afresh");
        warned_full_ = true;
      }
      return;
    }
    used_ += total;
  }
  std::vector<unsigned char> bytes(total);
  std::memcpy(bytes.data(), kMagic, 8);
  const uint64_t ks = key_size, vs = value_size;
  std::memcpy(bytes.data() + 8, &ks, 8);
  std::memcpy(bytes.data() + 16, &vs, 8);
  std::memcpy(bytes.data() + kHeader, key, key_size);
  if (value_size) std::memcpy(bytes.data() + kHeader + key_size, value, value_size);
  const uint64_t sum = Fnv1a64(bytes.data() + kHeader, key_size + value_size);
  std::memcpy(bytes.data() + 24, &sum, 8);
  const std::string path = PathFor(key, key_size);
  const std::string tmp = path + ".tmp" + std::to_string(getpid()) + "." + std::to_string(temp_counter_++);
  bool ok = false;
  if (std::FILE* f = std::fopen(tmp.c_str(), "wb")) {
    ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
  }
  std::error_code ec;
  if (ok) {
    fs::rename(tmp, path, ec);
    ok = !ec;
  }
  if (!ok) {
    fs::remove(tmp, ec);
    return;  // a cache that cannot be written costs only the next compile
  }
  ++stores_;
}

}  // namespace webconv::gpu::native
