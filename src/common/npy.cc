// .npy parsing and header writing. The header is a Python dict literal; only the three keys NumPy
// writes are read ('descr', 'fortran_order', 'shape'), with a strict tuple grammar for the shape.
#include "common/npy.h"

#include <cstring>
#include <string_view>

#include "common/limits.h"

namespace webconv {
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

// NumPy's own headers are a few hundred bytes; anything past this is not a real .npy file.
constexpr uint32_t kMaxHeaderBytes = 1 << 20;

// Finds `'key':` in the header dict and returns the raw value text: a quoted string, a parenthesized
// tuple, or a bare word up to the next ',' or '}'.
bool HeaderValue(std::string_view header, std::string_view key, std::string_view* out) {
  const std::string pat = "'" + std::string(key) + "':";
  size_t p = header.find(pat);
  if (p == std::string_view::npos) return false;
  p += pat.size();
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return false;
  size_t end;
  if (header[p] == '(') {
    end = header.find(')', p);
    if (end != std::string_view::npos) ++end;
  } else if (header[p] == '\'') {
    end = header.find('\'', p + 1);
    if (end != std::string_view::npos) ++end;
  } else {
    end = header.find_first_of(",}", p);
  }
  if (end == std::string_view::npos || end <= p) return false;
  *out = header.substr(p, end - p);
  return true;
}

// "(2, 3)", "(4,)" or "()": non-negative decimal integers separated by commas.
Status ParseShapeTuple(std::string_view text, Shape* shape) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')')
    return UsageError("shape ", text, " is not a tuple");
  std::string_view body = text.substr(1, text.size() - 2);
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < body.size() && body[i] == ' ') ++i;
  };
  skip_spaces();
  while (i < body.size()) {
    int64_t v = 0;
    size_t digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') {
      if (++digits > 15) return UsageError("shape ", text, " has a dimension of more than 15 digits");
      v = v * 10 + (body[i++] - '0');
    }
    if (digits == 0) return UsageError("shape ", text, " is not a tuple of non-negative integers");
    if (shape->size() >= kMaxRank)
      return UsageError("shape ", text, " has more than ", kMaxRank, " dimensions");
    shape->push_back(v);
    skip_spaces();
    if (i < body.size() && body[i] == 'L') ++i;  // Python 2 long literals ("3L")
    skip_spaces();
    if (i == body.size()) break;
    if (body[i] != ',') return UsageError("shape ", text, " is not a tuple of non-negative integers");
    ++i;
    skip_spaces();
  }
  return OkStatus();
}

}  // namespace

Result<HostTensor> ParseNpy(const uint8_t* data, size_t size) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0) return UsageError("not a .npy file (bad magic)");
  const uint8_t major = data[6];
  if (major < 1 || major > 3) return UsageError(".npy format version ", int{major}, " is not supported");
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (size < 8 + len_bytes) return UsageError("truncated .npy header");
  uint32_t header_len = 0;
  for (size_t k = 0; k < len_bytes; ++k) header_len |= static_cast<uint32_t>(data[8 + k]) << (8 * k);
  const size_t data_start = 8 + len_bytes + static_cast<size_t>(header_len);
  if (header_len > kMaxHeaderBytes || data_start > size)
    return UsageError("header length ", header_len, " is out of range for a file of ", size, " bytes");
  const std::string_view header(reinterpret_cast<const char*>(data + 8 + len_bytes), header_len);
  std::string_view descr, fortran, shape_text;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "shape", &shape_text))
    return UsageError("header lacks descr or shape");
  if (HeaderValue(header, "fortran_order", &fortran) && fortran.find("True") != std::string_view::npos)
    return UsageError("Fortran-order arrays are not supported; save with C order");
  if (descr.size() < 4 || (descr[1] != '<' && descr[1] != '|' && descr[1] != '='))
    return UsageError("dtype ", descr, " is not a little-endian numeric type");
  DType dtype = DType::kUndefined;
  for (const NpyType& t : kNpyTypes)
    if (descr.substr(2, descr.size() - 3) == t.descr) dtype = t.dtype;
  if (dtype == DType::kUndefined) return UsageError("dtype ", descr, " is not supported");
  Shape shape;
  WC_RETURN_IF_ERROR(ParseShapeTuple(shape_text, &shape));
  auto count = CheckedNumElements(shape);
  if (!count.ok()) return UsageError(count.status().message);
  // count <= 2^40 and elements are at most 8 bytes, so this cannot overflow.
  const uint64_t bytes = static_cast<uint64_t>(count.value()) * DTypeSize(dtype);
  if (size - data_start < bytes)
    return UsageError("holds ", size - data_start, " data bytes, but ", DTypeName(dtype), " ",
                      ShapeString(shape), " needs ", bytes);
  std::vector<uint8_t> out(data + data_start, data + data_start + bytes);
  return HostTensor::Owned(dtype, std::move(shape), std::move(out));
}

std::string NpyHeader(DType dtype, const Shape& shape) {
  const char* descr = nullptr;
  for (const NpyType& n : kNpyTypes)
    if (n.dtype == dtype) descr = n.descr;
  if (!descr) return "";
  std::string dims = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    dims += std::to_string(shape[i]) + (i + 1 < shape.size() ? ", " : "");
  dims += shape.size() == 1 ? ",)" : ")";
  const char order = DTypeSize(dtype) == 1 ? '|' : '<';
  std::string dict =
      "{'descr': '" + std::string(1, order) + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
  // Version 1.0 (2-byte length) while the header fits, as NumPy does; version 2.0 beyond.
  const bool v1 = 10 + dict.size() + 1 + 63 <= 65535;
  const size_t prefix = v1 ? 10 : 12;
  dict.append((64 - (prefix + dict.size() + 1) % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(v1 ? 1 : 2);
  out += '\0';
  const size_t len = dict.size();
  for (size_t k = 0; k < (v1 ? 2u : 4u); ++k) out += static_cast<char>((len >> (8 * k)) & 0xff);
  return out + dict;
}

Result<FileWriteOutcome> WriteNpyFile(const std::string& path, DType dtype, const Shape& shape,
                                      std::string_view bytes, const FileWriteOptions& options) {
  const std::string header = NpyHeader(dtype, shape);
  if (header.empty()) return UsageError("cannot write ", DTypeName(dtype), " to .npy");
  return WriteFileReplacing(path, {header, bytes}, options);
}

}  // namespace webconv
