// External data: resolved inside the model's folder, and every way out of it refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "onnx/loader.h"
#include "proto_builder.h"
#include "test_util.h"

namespace webconv::onnx {
namespace {

using testing::Proto;
using testing::TempDir;
using namespace testing::field;  // NOLINT(build/namespaces)

Proto Entry(std::string_view k, std::string_view v) {
  return Proto().Bytes(1, k).Bytes(2, v);
}

// A model with one float32 [n] initializer "w" stored externally.
std::string ModelWithExternal(std::string_view location, int64_t n, std::string_view offset = "",
                              std::string_view length = "") {
  Proto t;
  t.Bytes(kTensorName, "w")
      .PackedVarints(kTensorDims, {n})
      .Varint(kTensorDataType, 1)
      .Message(kTensorExternalData, Entry("location", location))
      .Varint(kTensorDataLocation, 1);
  if (!offset.empty()) t.Message(kTensorExternalData, Entry("offset", offset));
  if (!length.empty()) t.Message(kTensorExternalData, Entry("length", length));
  return testing::ModelHeader().Message(kModelGraph, Proto().Message(kGraphInitializer, t)).str();
}

std::string Floats(std::vector<float> v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

class ExternalData : public ::testing::Test {
 protected:
  // Writes the model into the temp folder and loads it.
  Result<std::shared_ptr<const Model>> Load(const std::string& model_bytes) {
    testing::WriteFile(dir_.file("model.onnx"), model_bytes);
    return LoadModelFile(dir_.file("model.onnx"));
  }
  // Expects a BadModel error naming the tensor and containing `what`.
  void ExpectRejected(const std::string& model_bytes, const std::string& what) {
    auto m = Load(model_bytes);
    ASSERT_FALSE(m.ok()) << "expected: " << what;
    EXPECT_EQ(m.status().code, StatusCode::kBadModel);
    EXPECT_NE(m.status().message.find("tensor 'w'"), std::string::npos) << m.status().message;
    EXPECT_NE(m.status().message.find(what), std::string::npos) << m.status().message;
  }
  TempDir dir_;
};

TEST_F(ExternalData, Loads) {
  testing::WriteFile(dir_.file("weights.bin"), "pad!" + Floats({1.f, 2.f, 3.f}) + "tail");
  std::shared_ptr<const void> keep;
  HostTensor h;
  {
    auto m = Load(ModelWithExternal("weights.bin", 3, "4", "12"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const TensorProto& t = m.value()->proto.graph.initializer[0];
    EXPECT_TRUE(t.external_resolved);
    auto r = TensorToHost(t, m.value()->keep_alive);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    h = r.value();
  }
  // The mapping outlives the Model through the tensor's keep_alive.
  std::vector<float> v(3);
  std::memcpy(v.data(), h.data(), 12);
  EXPECT_EQ(v, (std::vector<float>{1.f, 2.f, 3.f}));
}

TEST_F(ExternalData, SubfolderAndLengthToEnd) {
  std::filesystem::create_directory(dir_.path() / "data");
  testing::WriteFile(dir_.file("data/w.bin"), Floats({4.f, 5.f}));
  auto m = Load(ModelWithExternal("data/w.bin", 2));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto r = TensorToHost(m.value()->proto.graph.initializer[0], m.value()->keep_alive);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->byte_size(), 8u);
  // A symlink that stays inside the folder is fine.
  ASSERT_EQ(::symlink("data/w.bin", dir_.file("link.bin").c_str()), 0);
  EXPECT_TRUE(Load(ModelWithExternal("link.bin", 2)).ok());
}

TEST_F(ExternalData, RejectsDotDot) {
  std::filesystem::create_directory(dir_.path() / "sub");
  testing::WriteFile(dir_.file("w.bin"), Floats({1.f}));
  ExpectRejected(ModelWithExternal("../w.bin", 1), "location '../w.bin' contains a '..' component");
  // Even a ".." that would come back inside is refused: nothing is resolved before this check.
  ExpectRejected(ModelWithExternal("sub/../w.bin", 1), "contains a '..' component");
  ExpectRejected(ModelWithExternal("sub\\..\\w.bin", 1), "contains a '..' component");
}

TEST_F(ExternalData, RejectsAbsolutePath) {
  testing::WriteFile(dir_.file("w.bin"), Floats({1.f}));
  ExpectRejected(ModelWithExternal(dir_.file("w.bin"), 1), "is an absolute path");
  ExpectRejected(ModelWithExternal("/etc/passwd", 1), "location '/etc/passwd' is an absolute path");
}

TEST_F(ExternalData, RejectsSymlinkOutside) {
  TempDir outside;
  testing::WriteFile(outside.file("secret.bin"), Floats({1.f}));
  ASSERT_EQ(::symlink(outside.file("secret.bin").c_str(), dir_.file("w.bin").c_str()), 0);
  ExpectRejected(ModelWithExternal("w.bin", 1), "outside the model's folder");
  // A symlinked folder pointing out is refused the same way.
  ASSERT_EQ(::symlink(outside.path().c_str(), dir_.file("out").c_str()), 0);
  ExpectRejected(ModelWithExternal("out/secret.bin", 1), "outside the model's folder");
}

TEST_F(ExternalData, RejectsBadRanges) {
  testing::WriteFile(dir_.file("w.bin"), Floats({1.f, 2.f}));
  ExpectRejected(ModelWithExternal("w.bin", 2, "4", "8"),
                 "offset 4 + length 8 is past the end of the file (8 bytes)");
  ExpectRejected(ModelWithExternal("w.bin", 2, "9"), "offset 9 is past the end of the file");
  ExpectRejected(ModelWithExternal("w.bin", 2, "-1"), "offset '-1' is not a non-negative integer");
  ExpectRejected(ModelWithExternal("w.bin", 2, "0", "99999999999999999999"), "is not a non-negative integer");
  ExpectRejected(ModelWithExternal("missing.bin", 2), "cannot resolve");
  ExpectRejected(ModelWithExternal("", 2), "is empty");
  ExpectRejected(ModelWithExternal(std::string_view("w.bin\0x", 7), 2), "contains a NUL byte");
  std::filesystem::create_directory(dir_.path() / "folder");
  ExpectRejected(ModelWithExternal("folder", 2), "not a regular file");
}

TEST_F(ExternalData, SizeMismatchIsReportedByTensorToHost) {
  testing::WriteFile(dir_.file("w.bin"), Floats({1.f, 2.f}));
  auto m = Load(ModelWithExternal("w.bin", 3));
  ASSERT_TRUE(m.ok());
  auto r = TensorToHost(m.value()->proto.graph.initializer[0], nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message, "tensor 'w': raw_data holds 8 bytes but float32 [3] needs 12");
}

TEST_F(ExternalData, LoadModelBytesNeedsTheDataGivenWithIt) {
  const std::string bytes = ModelWithExternal("w.bin", 1);
  auto m = LoadModelBytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message,
            "tensor 'w': external data location 'w.bin': a model given as bytes needs its external data given "
            "with it (none was)");
}

std::shared_ptr<const std::vector<uint8_t>> Blob(const std::string& s) {
  return std::make_shared<const std::vector<uint8_t>>(s.begin(), s.end());
}

Result<std::vector<float>> LoadWithGiven(const std::string& model, const ExternalFiles& given) {
  WC_ASSIGN_OR_RETURN(auto m, LoadModelBytes(std::vector<uint8_t>(model.begin(), model.end()), {}, given));
  WC_ASSIGN_OR_RETURN(HostTensor h, TensorToHost(m->proto.graph.initializer[0], nullptr));
  const float* f = reinterpret_cast<const float*>(h.data());
  return std::vector<float>(f, f + h.shape()[0]);
}

// onnxruntime-web's externalData: the files come as bytes named by location ("./" ignored on either
// side), offset and length are checked against those bytes, a location not given is named with the
// names that were given, and the bytes outlive the caller's map.
TEST_F(ExternalData, LoadModelBytesResolvesGivenFilesByLocation) {
  const std::string data = Floats({1.f, 2.f, 3.f, 4.f});
  auto whole = LoadWithGiven(ModelWithExternal("w.bin", 4), {{"./w.bin", Blob(data)}});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole.value(), (std::vector<float>{1.f, 2.f, 3.f, 4.f}));
  auto part = LoadWithGiven(ModelWithExternal("./w.bin", 2, "4", "8"), {{"w.bin", Blob(data)}});
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part.value(), (std::vector<float>{2.f, 3.f}));
  auto past = LoadWithGiven(ModelWithExternal("w.bin", 2, "12", "8"), {{"w.bin", Blob(data)}});
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().message.find("offset 12 + length 8 is past the end of the file (16 bytes)"),
            std::string::npos)
      << past.status().message;
  auto missing = LoadWithGiven(ModelWithExternal("other.bin", 1), {{"w.bin", Blob(data)}, {"x.bin", Blob("")}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message,
            "tensor 'w': external data location 'other.bin' is not among the external data given ('w.bin', "
            "'x.bin')");
  // Nothing is read from the folder when files are given, even one holding the name.
  testing::WriteFile(dir_.file("w.bin"), data);
  const std::string model = ModelWithExternal("w.bin", 1, "0", "4");
  ExternalFiles given = {{"y.bin", Blob(data)}};
  EXPECT_FALSE(LoadModelBytes(std::vector<uint8_t>(model.begin(), model.end()), {}, given).ok());
  // The model keeps the given bytes alive.
  std::shared_ptr<const Model> kept;
  {
    ExternalFiles scoped = {{"w.bin", Blob(data)}};
    auto m = LoadModelBytes(std::vector<uint8_t>(model.begin(), model.end()), {}, scoped);
    ASSERT_TRUE(m.ok());
    kept = m.value();
  }
  auto h = TensorToHost(kept->proto.graph.initializer[0], nullptr);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*reinterpret_cast<const float*>(h.value().data()), 1.f);
}

}  // namespace
}  // namespace webconv::onnx
