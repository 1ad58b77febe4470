#include "cli/args.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace webconv::cli {

bool Args::Has(const std::string& name) const {
  return options.count(name) || std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::string Args::Get(const std::string& name, const std::string& def) const {
  auto it = options.find(name);
  return it == options.end() ? def : it->second;
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = options.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

Result<Args> ParseArgs(int argc, char** argv, int first, const std::vector<std::string>& value_options,
                       const std::vector<std::string>& bool_options) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) != 0 || s == "--") {
      a.positional.push_back(s);
      continue;
    }
    std::string name = s.substr(2), value;
    const size_t eq = name.find('=');
    const bool has_eq = eq != std::string::npos;
    if (has_eq) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (std::find(bool_options.begin(), bool_options.end(), name) != bool_options.end()) {
      if (has_eq) return UsageError("option --", name, " takes no value");
      a.flags.push_back(name);
    } else if (std::find(value_options.begin(), value_options.end(), name) != value_options.end()) {
      if (!has_eq) {
        if (i + 1 >= argc) return UsageError("option --", name, " needs a value");
        value = argv[++i];
      }
      a.options.emplace(name, value);
    } else {
      return UsageError("unknown option --", name);
    }
  }
  return a;
}

Result<int64_t> ParseInt(const std::string& s, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno) return UsageError(what, ": '", s, "' is not an integer");
  return static_cast<int64_t>(v);
}

Result<double> ParseDouble(const std::string& s, const std::string& what) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || errno) return UsageError(what, ": '", s, "' is not a number");
  return v;
}

}  // namespace webconv::cli
