// .npy parsing and header writing. The header is a Python dict literal, read as strictly as NumPy reads it:
// the three keys NumPy writes ('descr', 'fortran_order', 'shape'), each once, with a strict tuple grammar
// for the shape.
#include "common/npy.h"

#include <cctype>
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

// The header dict as NumPy's reader takes it (ast.literal_eval, then a check of the keys): exactly the
// keys 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a tuple), each once, then only
// padding. Anything else is refused, as NumPy refuses it, rather than read differently from NumPy.
struct HeaderDict {
  std::string_view descr, shape;
  bool fortran_order = false;
};

class DictReader {
 public:
  explicit DictReader(std::string_view text) : t_(text) {}

  Status Read(HeaderDict* out) {
    SkipSpace();
    if (!Eat('{')) return UsageError("header is not a dict: it does not start with '{'");
    bool seen[3] = {false, false, false};
    SkipSpace();
    while (!Eat('}')) {
      if (p_ >= t_.size()) return UsageError("header dict is not closed with '}'");
      std::string_view key, value;
      WC_RETURN_IF_ERROR(String(&key, "a key"));
      SkipSpace();
      if (!Eat(':')) return UsageError("header dict: no ':' after '", key, "'");
      SkipSpace();
      WC_RETURN_IF_ERROR(Value(&value));
      const char* const kKeys[3] = {"descr", "fortran_order", "shape"};
      int k = 0;
      while (k < 3 && key != kKeys[k]) ++k;
      if (k == 3) return UsageError("header has the key '", key, "'; a .npy header has only descr, fortran_order and shape");
      if (seen[k]) return UsageError("header gives the key '", key, "' twice");
      seen[k] = true;
      if (k == 0) {
        if (value.size() < 2 || (value[0] != '\'' && value[0] != '"')) return UsageError("descr ", value, " is not a string");
        out->descr = value;
      } else if (k == 1) {
        if (value != "True" && value != "False")
          return UsageError("fortran_order is ", value, "; it must be True or False");
        out->fortran_order = value == "True";
      } else {
        out->shape = value;
      }
      SkipSpace();
      if (Eat(',')) {
        SkipSpace();
        continue;
      }
      SkipSpace();
      if (p_ >= t_.size() || t_[p_] != '}') return UsageError("header dict is not closed with '}'");
    }
    SkipSpace();
    if (p_ != t_.size()) return UsageError("header has text after its dict");
    if (!seen[0] || !seen[1] || !seen[2]) return UsageError("header lacks descr, fortran_order or shape");
    return OkStatus();
  }

 private:
  void SkipSpace() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\t' || t_[p_] == '\r')) ++p_;
  }
  bool Eat(char c) {
    if (p_ < t_.size() && t_[p_] == c) return ++p_, true;
    return false;
  }
  // A quoted string without escapes, quotes excluded from `out` for keys and included for values.
  Status String(std::string_view* out, const char* what) {
    const size_t start = p_;
    if (p_ >= t_.size() || (t_[p_] != '\'' && t_[p_] != '"'))
      return UsageError("header dict: expected ", what, " in quotes at byte ", p_);
    const size_t end = t_.find(t_[p_], p_ + 1);
    if (end == std::string_view::npos) return UsageError("header dict: a string is not closed");
    p_ = end + 1;
    *out = t_.substr(start + 1, end - start - 1);
    return OkStatus();
  }
  // A string (quotes kept), a parenthesized tuple, or a bare word (True, False).
  Status Value(std::string_view* out) {
    const size_t start = p_;
    if (p_ < t_.size() && (t_[p_] == '\'' || t_[p_] == '"')) {
      std::string_view inner;
      WC_RETURN_IF_ERROR(String(&inner, "a value"));
    } else if (Eat('(')) {
      const size_t end = t_.find(')', p_);
      if (end == std::string_view::npos) return UsageError("header dict: shape ", t_.substr(start), " lacks its ')'");
      p_ = end + 1;
    } else {
      while (p_ < t_.size() && std::isalnum(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    if (p_ == start) return UsageError("header dict: no value at byte ", p_);
    *out = t_.substr(start, p_ - start);
    return OkStatus();
  }

  std::string_view t_;
  size_t p_ = 0;
};

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

Result<HostTensor> ParseNpy(const uint8_t* data, size_t size, std::string* warning) {
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
  HeaderDict dict;
  WC_RETURN_IF_ERROR(DictReader(header).Read(&dict));
  if (dict.fortran_order) return UsageError("Fortran-order arrays are not supported; save with C order");
  const std::string_view descr = dict.descr;
  if (descr.size() < 4 || (descr[1] != '<' && descr[1] != '|' && descr[1] != '='))
    return UsageError("dtype ", descr, " is not a little-endian numeric type");
  DType dtype = DType::kUndefined;
  for (const NpyType& t : kNpyTypes)
    if (descr.substr(2, descr.size() - 3) == t.descr) dtype = t.dtype;
  if (dtype == DType::kUndefined) return UsageError("dtype ", descr, " is not supported");
  Shape shape;
  WC_RETURN_IF_ERROR(ParseShapeTuple(dict.shape, &shape));
  auto count = CheckedNumElements(shape);
  if (!count.ok()) return UsageError(count.status().message);
  // count <= 2^40 and elements are at most 8 bytes, so this cannot overflow.
  const uint64_t bytes = static_cast<uint64_t>(count.value()) * DTypeSize(dtype);
  if (size - data_start < bytes)
    return UsageError("holds ", size - data_start, " data bytes, but ", DTypeName(dtype), " ",
                      ShapeString(shape), " needs ", bytes);
  // NumPy reads what the shape needs and ignores the rest; so does webconv, but it says so.
  if (warning && size - data_start > bytes)
    *warning = StrCat(size - data_start - bytes, " bytes after the array data are ignored");
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
