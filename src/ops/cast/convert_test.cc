// The reference conversions of Cast: rounding that must happen once, and the saturation and wraparound
// rules webconv defines where ONNX leaves the result to the implementation.
#include "ops/cast/convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace webconv::ops {
namespace {

HostTensor Vec(DType t, const std::vector<double>& v) {
  HostTensor h(t, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) h.SetDouble(static_cast<int64_t>(i), v[i]);
  return h;
}

HostTensor Cast(const HostTensor& in, DType to) {
  HostTensor out(to, in.shape());
  CastElements(in, &out);
  return out;
}

uint16_t Bits16(const HostTensor& t, int64_t i) {
  uint16_t b;
  std::memcpy(&b, t.data() + i * 2, 2);
  return b;
}

TEST(CastConvert, TypeNames) {
  DType t;
  ASSERT_TRUE(DTypeFromOnnxName("FLOAT", &t));
  EXPECT_EQ(t, DType::kFloat32);
  ASSERT_TRUE(DTypeFromOnnxName("double", &t));
  EXPECT_EQ(t, DType::kFloat64);
  ASSERT_TRUE(DTypeFromOnnxName("BFloat16", &t));
  EXPECT_EQ(t, DType::kBFloat16);
  EXPECT_FALSE(DTypeFromOnnxName("FOO", &t));
  EXPECT_FALSE(DTypeFromOnnxName("", &t));
  EXPECT_FALSE(DTypeFromOnnxName("UNDEFINED", &t));
}

// 1 + 2^-11 + 2^-40 lies just above the midpoint of two float16 neighbours; through float32 it would
// land exactly on the midpoint and round down to even.
TEST(CastConvert, DoubleToHalfRoundsOnce) {
  const double d = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  const HostTensor h = Cast(Vec(DType::kFloat64, {d, -d, 1.0 + std::ldexp(1.0, -11)}), DType::kFloat16);
  EXPECT_EQ(Bits16(h, 0), 0x3c01);
  EXPECT_EQ(Bits16(h, 1), 0xbc01);
  EXPECT_EQ(Bits16(h, 2), 0x3c00);  // an exact tie still goes to even
}

TEST(CastConvert, DoubleToBFloat16RoundsOnce) {
  const double d = 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40);
  const HostTensor h = Cast(Vec(DType::kFloat64, {d, 1e300, -1e300, 1e-300}), DType::kBFloat16);
  EXPECT_EQ(Bits16(h, 0), 0x3f81);
  EXPECT_EQ(Bits16(h, 1), 0x7f80);  // +inf
  EXPECT_EQ(Bits16(h, 2), 0xff80);  // -inf
  EXPECT_EQ(Bits16(h, 3), 0x0000);
}

// 2^60 + 2^52 + 1 is just above a bfloat16 midpoint; int64 -> double already drops the +1.
TEST(CastConvert, Int64ToBFloat16RoundsOnce) {
  HostTensor in(DType::kInt64, {2});
  in.SetInt(0, (int64_t{1} << 60) + (int64_t{1} << 52) + 1);
  in.SetInt(1, std::numeric_limits<int64_t>::min());
  const HostTensor h = Cast(in, DType::kBFloat16);
  EXPECT_EQ(Bits16(h, 0), 0x5d81);
  EXPECT_EQ(Bits16(h, 1), 0xdf00);  // -2^63
}

TEST(CastConvert, Int64ToFloat32RoundsOnce) {
  HostTensor in(DType::kInt64, {1});
  in.SetInt(0, (int64_t{1} << 60) + (int64_t{1} << 36) + 1);  // just above a float32 midpoint
  EXPECT_EQ(Cast(in, DType::kFloat32).GetDouble(0), std::ldexp(1.0, 60) + std::ldexp(1.0, 37));
}

TEST(CastConvert, FloatToIntTruncatesAndSaturates) {
  const double nan = std::nan(""), inf = INFINITY;
  const HostTensor in = Vec(DType::kFloat64, {2.9, -2.9, -0.5, 300.7, -300.0, nan, inf, -inf});
  const HostTensor i8 = Cast(in, DType::kInt8);
  const std::vector<int64_t> want8 = {2, -2, 0, 127, -128, 0, 127, -128};
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(i8.GetInt(i), want8[i]) << "index " << i;
  const HostTensor u8 = Cast(in, DType::kUInt8);
  const std::vector<int64_t> wantu8 = {2, 0, 0, 255, 0, 0, 255, 0};
  for (int64_t i = 0; i < 8; ++i) EXPECT_EQ(u8.GetInt(i), wantu8[i]) << "index " << i;
  const HostTensor i64 =
      Cast(Vec(DType::kFloat64, {9.3e18, -9.3e18, std::ldexp(1.0, 63), -std::ldexp(1.0, 63)}), DType::kInt64);
  EXPECT_EQ(i64.GetInt(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64.GetInt(1), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(i64.GetInt(2), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64.GetInt(3), std::numeric_limits<int64_t>::min());
  const HostTensor u64 = Cast(Vec(DType::kFloat64, {1e30, -3.5, nan, 1.8e19}), DType::kUInt64);
  const uint64_t* u = u64.as<uint64_t>();
  EXPECT_EQ(u[0], std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(u[1], 0u);
  EXPECT_EQ(u[2], 0u);
  EXPECT_EQ(u[3], 18000000000000000000u);
}

TEST(CastConvert, IntegersWrap) {
  HostTensor in(DType::kInt64, {3});
  in.SetInt(0, 300);
  in.SetInt(1, -1);
  in.SetInt(2, int64_t{1} << 40);
  const HostTensor i8 = Cast(in, DType::kInt8), u16 = Cast(in, DType::kUInt16), b = Cast(in, DType::kBool);
  EXPECT_EQ(i8.GetInt(0), 44);
  EXPECT_EQ(u16.GetInt(1), 65535);
  EXPECT_EQ(i8.GetInt(2), 0);
  EXPECT_EQ(b.GetInt(2), 1);  // nonzero, though its low bits are 0
  HostTensor big(DType::kUInt64, {1});
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  std::memcpy(big.mutable_data(), &max, 8);
  EXPECT_EQ(Cast(big, DType::kInt32).GetInt(0), -1);
  EXPECT_EQ(Cast(big, DType::kFloat64).GetDouble(0), 18446744073709551616.0);
}

TEST(CastConvert, ToBool) {
  const HostTensor b = Cast(Vec(DType::kFloat32, {0.0, -0.0, 1e-30, std::nan("")}), DType::kBool);
  EXPECT_EQ(b.GetInt(0), 0);
  EXPECT_EQ(b.GetInt(1), 0);
  EXPECT_EQ(b.GetInt(2), 1);
  EXPECT_EQ(b.GetInt(3), 1);
}

}  // namespace
}  // namespace webconv::ops
