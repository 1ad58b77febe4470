// Shared helpers for the GPU tests: one device per test process (creating one costs ~0.1-1 s on
// SwiftShader), and float/int buffer helpers. A device that cannot be created fails the test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "gpu/device.h"

namespace webconv::gpu::testing {

// The process-wide test device, or null (with the failure recorded) when there is none. Never destroyed:
// tearing Dawn down from a static destructor at exit buys nothing.
inline Device* TestDevice() {
  static Result<std::unique_ptr<Device>>* created = new Result<std::unique_ptr<Device>>(Device::Create());
  if (!created->ok()) {
    ADD_FAILURE() << "no WebGPU device: " << created->status().ToString();
    return nullptr;
  }
  return created->value().get();
}

#define WC_TEST_DEVICE(var)                                            \
  ::webconv::gpu::Device* var = ::webconv::gpu::testing::TestDevice(); \
  ASSERT_NE(var, nullptr)

#define WC_ASSERT_OK(expr)                       \
  do {                                           \
    const ::webconv::Status wc_s_ = (expr);      \
    ASSERT_TRUE(wc_s_.ok()) << wc_s_.ToString(); \
  } while (0)

template <typename T>
BufferPtr Upload(Device* dev, const std::vector<T>& v, const std::string& label) {
  auto b = dev->CreateBuffer(v.size() * sizeof(T), label);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return nullptr;
  const Status s = dev->Write(*b.value(), 0, v.data(), v.size() * sizeof(T));
  EXPECT_TRUE(s.ok()) << s.ToString();
  return b.value();
}

template <typename T>
std::vector<T> Download(Device* dev, const Buffer& b, size_t count) {
  std::vector<T> out(count);
  const Status s = dev->Read(b, 0, out.data(), count * sizeof(T));
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

}  // namespace webconv::gpu::testing
