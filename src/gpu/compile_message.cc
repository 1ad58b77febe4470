// FormatCompileMessage (see compile_message.h).
#include "gpu/compile_message.h"

#include "common/status.h"

namespace webconv::gpu {
namespace {

// Line `line` (1-based) of `src`, without its newline; "" past the end.
std::string LineOf(const std::string& src, uint64_t line) {
  size_t start = 0;
  for (uint64_t l = 1; l < line; ++l) {
    start = src.find('\n', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  const size_t end = src.find('\n', start);
  return src.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::string FormatCompileMessage(uint64_t line, uint64_t column, const std::string& text,
                                 const std::string& wgsl) {
  std::string s = StrCat("line ", line, ":", column, ": ", text);
  const std::string quoted = LineOf(wgsl, line);
  if (line > 0 && !quoted.empty()) {
    const std::string num = std::to_string(line);
    s += "\n  " + num + " | " + quoted;
    if (column > 0 && column <= quoted.size() + 1) {
      s += "\n  " + std::string(num.size(), ' ') + " | " + std::string(column - 1, ' ') + "^";
    }
  }
  return s;
}

}  // namespace webconv::gpu
