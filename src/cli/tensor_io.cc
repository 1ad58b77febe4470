#include "cli/tensor_io.h"

#include <cstring>
#include <fstream>
#include <random>

#include "onnx/loader.h"

namespace webconv::cli {
namespace {

struct NpyType {
  const char* descr;
  DType dtype;
};
// Little-endian descriptors only ('|' for one-byte types); webconv runs on little-endian hosts.
const NpyType kNpyTypes[] = {
    {"f4", DType::kFloat32}, {"f8", DType::kFloat64}, {"f2", DType::kFloat16}, {"i1", DType::kInt8},
    {"i2", DType::kInt16},   {"i4", DType::kInt32},   {"i8", DType::kInt64},   {"u1", DType::kUInt8},
    {"u2", DType::kUInt16},  {"u4", DType::kUInt32},  {"u8", DType::kUInt64},  {"b1", DType::kBool},
};

// Finds `'key': value` in the header dict and returns the raw value text.
bool HeaderValue(const std::string& header, const std::string& key, std::string* out) {
  const std::string pat = "'" + key + "':";
  size_t p = header.find(pat);
  if (p == std::string::npos) return false;
  p += pat.size();
  while (p < header.size() && header[p] == ' ') ++p;
  size_t end = p;
  if (p < header.size() && header[p] == '(') end = header.find(')', p) + 1;
  else if (p < header.size() && header[p] == '\'') end = header.find('\'', p + 1) + 1;
  else end = header.find_first_of(",}", p);
  if (end == std::string::npos || end <= p) return false;
  *out = header.substr(p, end - p);
  return true;
}

}  // namespace

Result<HostTensor> ReadNpy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return UsageError("cannot open '", path, "'");
  f.seekg(0, std::ios::end);
  const int64_t file_size = f.tellg();
  f.seekg(0);
  char magic[8];
  if (file_size < 10 || !f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    return UsageError("'", path, "' is not a .npy file");
  uint32_t header_len = 0;
  unsigned char lenb[4] = {0, 0, 0, 0};
  const int len_bytes = magic[6] == 1 ? 2 : 4;
  if (!f.read(reinterpret_cast<char*>(lenb), len_bytes)) return UsageError("'", path, "': truncated header");
  header_len = lenb[0] | (lenb[1] << 8) | (static_cast<uint32_t>(lenb[2]) << 16) | (static_cast<uint32_t>(lenb[3]) << 24);
  if (header_len > 1 << 20 || 8 + len_bytes + static_cast<int64_t>(header_len) > file_size)
    return UsageError("'", path, "': header length ", header_len, " is out of range");
  std::string header(header_len, '\0');
  f.read(header.data(), header_len);
  std::string descr, fortran, shape_text;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "shape", &shape_text))
    return UsageError("'", path, "': header lacks descr or shape");
  if (HeaderValue(header, "fortran_order", &fortran) && fortran.find("True") != std::string::npos)
    return UsageError("'", path, "': Fortran-order arrays are not supported; save with C order");
  if (descr.size() < 4 || (descr[1] != '<' && descr[1] != '|' && descr[1] != '='))
    return UsageError("'", path, "': dtype ", descr, " is not a little-endian numeric type");
  DType dtype = DType::kUndefined;
  for (const NpyType& t : kNpyTypes)
    if (descr.substr(2, descr.size() - 3) == t.descr) dtype = t.dtype;
  if (dtype == DType::kUndefined) return UsageError("'", path, "': dtype ", descr, " is not supported");
  Shape shape;
  std::string num;
  for (char c : shape_text) {
    if (c >= '0' && c <= '9') {
      num += c;
      if (num.size() > 15) return UsageError("'", path, "': dimension too large");
    } else if (!num.empty()) {
      shape.push_back(std::stoll(num));
      num.clear();
    }
  }
  auto count = CheckedNumElements(shape);
  if (!count.ok()) return UsageError("'", path, "': ", count.status().message);
  const int64_t bytes = count.value() * static_cast<int64_t>(DTypeSize(dtype));
  const int64_t data_start = f.tellg();
  if (file_size - data_start < bytes)
    return UsageError("'", path, "': holds ", file_size - data_start, " data bytes, shape ", ShapeString(shape),
                      " needs ", bytes);
  std::vector<uint8_t> data(static_cast<size_t>(bytes));
  f.read(reinterpret_cast<char*>(data.data()), bytes);
  return HostTensor::Owned(dtype, shape, std::move(data));
}

Status WriteNpy(const std::string& path, const HostTensor& t) {
  const char* descr = nullptr;
  for (const NpyType& n : kNpyTypes)
    if (n.dtype == t.dtype()) descr = n.descr;
  if (!descr) return UsageError("cannot write ", DTypeName(t.dtype()), " to .npy");
  std::string shape = "(";
  const size_t rank = t.shape().size();
  for (size_t i = 0; i < rank; ++i) shape += std::to_string(t.shape()[i]) + (i + 1 < rank ? ", " : "");
  shape += rank == 1 ? ",)" : ")";
  const char order = DTypeSize(t.dtype()) == 1 ? '|' : '<';
  std::string header = "{'descr': '" + std::string(1, order) + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts on a 64-byte boundary, header ending in '\n' (format 1.0).
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) return UsageError("cannot write '", path, "'");
  const uint16_t len = static_cast<uint16_t>(header.size());
  f.write("\x93NUMPY\x01\x00", 8);
  const char lenb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  f.write(lenb, 2);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.byte_size()));
  if (!f) return UsageError("failed writing '", path, "'");
  return OkStatus();
}

Result<HostTensor> ReadTensorFile(const std::string& path) {
  if (path.size() > 4 && path.substr(path.size() - 4) == ".npy") return ReadNpy(path);
  if (path.size() > 3 && path.substr(path.size() - 3) == ".pb") {
    auto r = onnx::LoadTensorProtoFile(path);
    if (!r.ok()) return UsageError("'", path, "': ", r.status().message);
    return r;
  }
  return UsageError("'", path, "': expected a .npy or .pb file");
}

HostTensor RandomTensor(DType dtype, const Shape& shape, uint64_t seed) {
  HostTensor t(dtype, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  const int64_t n = t.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    if (IsFloat(dtype)) t.SetDouble(i, uni(rng));
    else if (dtype == DType::kBool) t.SetInt(i, static_cast<int64_t>(rng() & 1));
    else t.SetInt(i, static_cast<int64_t>(rng() % 10));
  }
  return t;
}

}  // namespace webconv::cli
