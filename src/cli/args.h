// A small command-line parser: positional arguments plus --flag VALUE / --flag=VALUE options.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace webconv::cli {

struct Args {
  std::vector<std::string> positional;
  std::multimap<std::string, std::string> options;  // repeated options keep every value
  std::vector<std::string> flags;                    // options given without a value

  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& def = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
};

// `value_options` take a value; `bool_options` do not. Anything else starting with "--" is an error.
Result<Args> ParseArgs(int argc, char** argv, int first, const std::vector<std::string>& value_options,
                       const std::vector<std::string>& bool_options);
Result<int64_t> ParseInt(const std::string& s, const std::string& what);
Result<double> ParseDouble(const std::string& s, const std::string& what);

}  // namespace webconv::cli
