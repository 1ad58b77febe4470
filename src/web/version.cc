// wc_version_json: the project version (from CMake) and the toolchain that built the module.
#include <string>

#include "web/web_state.h"
#include "web/webconv_c.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/version.h>
#define WEBCONV_STR2(x) #x
#define WEBCONV_STR(x) WEBCONV_STR2(x)
#define WEBCONV_BUILD                                                     \
  "wasm32-emscripten-" WEBCONV_STR(__EMSCRIPTEN_major__) "." WEBCONV_STR( \
      __EMSCRIPTEN_minor__) "." WEBCONV_STR(__EMSCRIPTEN_tiny__)
#else
#define WEBCONV_BUILD "native"
#endif

#ifndef WEBCONV_VERSION
#error "WEBCONV_VERSION must be defined by the build (the CMake project version)"
#endif

const char* wc_version_json(void) {
  return webconv::web::ReturnString(std::string("{\"webconv\":\"") + WEBCONV_VERSION + "\",\"build\":\"" +
                                    WEBCONV_BUILD + "\"}");
}
