// The module-wide state of the C ABI (see web_state.h).
#include "web/web_state.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "web/webconv_c.h"

namespace webconv::web {

std::string& LastError() {
  static std::string s;
  return s;
}

int SetError(const std::string& message) {
  LastError() = message;
  return 0;
}

int SetError(const Status& status) {
  return SetError(status.ToString());
}

const char* ReturnString(std::string s) {
  static std::string held;
  held = std::move(s);
  return held.c_str();
}

HandleTable<WebTensor>& Tensors() {
  static HandleTable<WebTensor> table;
  return table;
}


}  // namespace webconv::web

const char* wc_last_error(void) {
  return webconv::web::LastError().c_str();
}
