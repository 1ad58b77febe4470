// webconv::version(), dawn_build() and version_text() (include/webconv/version.h). The configured Dawn
// library and its npm package are compile definitions of this library, set by cmake/api.cmake.
#include "webconv/version.h"

#include <cstdlib>

#ifndef WEBCONV_DAWN_LIB
#error "WEBCONV_DAWN_LIB must be defined (cmake/api.cmake)"
#endif
#ifndef WEBCONV_DAWN_PACKAGE
#error "WEBCONV_DAWN_PACKAGE must be defined (cmake/api.cmake)"
#endif

namespace webconv {

const char* version() noexcept {
  return WEBCONV_VERSION_STRING;
}

DawnBuild dawn_build() {
  DawnBuild d;
  d.configured_path = WEBCONV_DAWN_LIB;
  d.configured_package = WEBCONV_DAWN_PACKAGE;
  // The same rule as the loader (src/gpu/native/dawn_procs.cc): a non-empty env WEBCONV_DAWN_LIB wins.
  const char* env = std::getenv("WEBCONV_DAWN_LIB");
  d.from_env = env && *env;
  d.path = d.from_env ? env : d.configured_path;
  return d;
}

std::string version_text() {
  const DawnBuild d = dawn_build();
  std::string s = std::string("webconv ") + version() + "\n";
  s += "webgpu library: " + d.path + (d.from_env ? " (from env WEBCONV_DAWN_LIB)" : "") + "\n";
  s += "configured with: " +
       (d.configured_package.empty() ? std::string("(not an npm package)") : d.configured_package) + ", " +
       d.configured_path + "\n";
  return s;
}

}  // namespace webconv
