// Device creation, adapter info, buffers (round trips of awkward sizes, pooling, limits).
#include <numeric>
#include <random>

#include "gpu_test_util.h"

namespace webconv::gpu {
namespace {

using testing::TestDevice;

TEST(GpuDevice, CreatesAndDescribesAdapter) {
  WC_TEST_DEVICE(dev);
  const AdapterInfo& i = dev->info();
  std::printf("adapter: %s | backend %s | %s | driver %s | software %d | timestamps %d\n", i.name.c_str(),
              i.backend.c_str(), i.adapter_type.c_str(), i.driver.c_str(), i.is_software, i.has_timestamps);
  std::printf("why: %s\n", i.why.c_str());
  std::printf(
      "limits: maxBufferSize %llu, maxStorageBufferBindingSize %llu, storage buffers/stage %u, "
      "invocations %u, workgroups/dim %u, workgroup storage %u\n",
      static_cast<unsigned long long>(i.max_buffer_size),
      static_cast<unsigned long long>(i.max_storage_binding_size), i.max_storage_buffers_per_stage,
      i.max_workgroup_invocations, i.max_workgroups_per_dim, i.max_workgroup_storage);
  EXPECT_FALSE(i.name.empty());
  EXPECT_EQ(i.backend, "Vulkan");
  EXPECT_FALSE(i.why.empty());
  EXPECT_GE(i.max_storage_binding_size, 128u << 20);
  EXPECT_GE(i.max_buffer_size, 256u << 20);
  EXPECT_GE(i.max_storage_buffers_per_stage, 8u);
  EXPECT_GE(i.max_workgroup_invocations, 256u);
  EXPECT_GE(i.max_workgroups_per_dim, 65535u);
  EXPECT_GE(i.max_workgroup_storage, 16384u);
}

TEST(GpuDevice, UnknownAdapterNameFailsClearly) {
  DeviceOptions o;
  o.adapter = "no-such-adapter-xyz";
  auto r = Device::Create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code, StatusCode::kDevice);
  std::printf("%s\n", r.status().ToString().c_str());
  EXPECT_NE(r.status().message.find("no-such-adapter-xyz"), std::string::npos) << r.status().message;
}

// Explicit choices. On a machine with a GPU (the default then) these need SwiftShader installed as well.
TEST(GpuDevice, ExplicitSoftwareChoices) {
  WC_TEST_DEVICE(dev);
  if (!dev->info().is_software) GTEST_SKIP() << "a hardware adapter is in use; SwiftShader may be absent";
  for (const char* want : {"swiftshader", "SUBZERO"}) {
    DeviceOptions o;
    o.adapter = want;
    auto r = Device::Create(o);
    ASSERT_TRUE(r.ok()) << want << ": " << r.status().ToString();
    EXPECT_NE(r.value()->info().name.find("SwiftShader"), std::string::npos);
    EXPECT_NE(r.value()->info().why.find("requested"), std::string::npos) << r.value()->info().why;
  }
  DeviceOptions o;
  o.adapter = "gpu";  // there is no hardware adapter here
  auto r = Device::Create(o);
  ASSERT_FALSE(r.ok());
  std::printf("%s\n", r.status().ToString().c_str());
  EXPECT_NE(r.status().message.find("hardware"), std::string::npos);
}

TEST(GpuBuffers, RoundTripsAwkwardSizes) {
  WC_TEST_DEVICE(dev);
  std::mt19937 rng(1234);
  for (uint64_t size : {1u, 2u, 3u, 4u, 5u, 7u, 15u, 16u, 17u, 33u, 1000u, 4097u, 65537u, 1u << 20}) {
    auto b = dev->CreateBuffer(size, "roundtrip");
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_GE(b.value()->size(), size);
    EXPECT_EQ(b.value()->size() % 16, 0u);
    std::vector<uint8_t> in(size), out(size, 0);
    for (auto& v : in) v = static_cast<uint8_t>(rng());
    WC_ASSERT_OK(dev->Write(*b.value(), 0, in.data(), size));
    WC_ASSERT_OK(dev->Read(*b.value(), 0, out.data(), size));
    EXPECT_EQ(in, out) << "size " << size;
  }
}

TEST(GpuBuffers, PartialReadsAndWritesAtOffsets) {
  WC_TEST_DEVICE(dev);
  std::vector<uint32_t> words(64);
  std::iota(words.begin(), words.end(), 100u);
  auto b = testing::Upload(dev, words, "offsets");
  ASSERT_NE(b, nullptr);
  const uint32_t patch[2] = {7, 9};
  WC_ASSERT_OK(dev->Write(*b, 8 * 4, patch, sizeof(patch)));
  words[8] = 7;
  words[9] = 9;
  // Reads at unaligned offsets and sizes.
  for (uint64_t off : {0u, 1u, 3u, 5u, 30u}) {
    for (uint64_t n : {1u, 2u, 6u, 13u}) {
      std::vector<uint8_t> got(n);
      WC_ASSERT_OK(dev->Read(*b, off, got.data(), n));
      EXPECT_EQ(0, std::memcmp(got.data(), reinterpret_cast<const uint8_t*>(words.data()) + off, n))
          << "offset " << off << " size " << n;
    }
  }
  uint8_t byte = 0;
  const Status oob = dev->Read(*b, b->size(), &byte, 1);
  EXPECT_FALSE(oob.ok());
  EXPECT_FALSE(dev->Write(*b, 2, patch, 4).ok()) << "unaligned write offset must be rejected";
}

TEST(GpuBuffers, PoolRecyclesReleasedBuffers) {
  WC_TEST_DEVICE(dev);
  std::vector<float> v(1000, 1.5f);
  auto first = testing::Upload(dev, v, "pooled");
  ASSERT_NE(first, nullptr);
  const Buffer* addr = first.get();
  (void)addr;
  first.reset();  // back to the pool
  auto again = dev->CreateBuffer(1000 * 4, "pooled-again");
  ASSERT_TRUE(again.ok());
  // A recycled buffer keeps its old contents (the pool does not clear): the data is still there.
  auto got = testing::Download<float>(dev, *again.value(), 1000);
  EXPECT_EQ(got, v);
}

TEST(GpuBuffers, OverLimitNamesLabelAndSizes) {
  WC_TEST_DEVICE(dev);
  const uint64_t too_big = dev->info().max_buffer_size + 1;
  auto r = dev->CreateBuffer(too_big, "giant_tensor");
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message;
  EXPECT_EQ(r.status().code, StatusCode::kDevice);
  EXPECT_NE(m.find("giant_tensor"), std::string::npos) << m;
  EXPECT_NE(m.find(std::to_string(too_big)), std::string::npos) << m;
  EXPECT_NE(m.find(std::to_string(dev->info().max_buffer_size)), std::string::npos) << m;
}

}  // namespace
}  // namespace webconv::gpu
