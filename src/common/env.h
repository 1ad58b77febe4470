// Switches read from the environment (the CLI's and the benchmarks' knobs; docs/cli.md lists them).
#pragma once

#include <cstdlib>
#include <string>

namespace webconv {

// Whether the variable is set to something other than "" or "0" (WEBCONV_NO_FUSION=1 and the like).
inline bool EnvFlag(const char* name) {
  const char* v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

}  // namespace webconv
