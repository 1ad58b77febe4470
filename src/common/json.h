// The small JSON writers the CLI's and the WebAssembly module's JSON outputs share.
#pragma once

#include <string>

namespace webconv {

// A JSON string literal, quotes included: quotes, backslashes and control characters escaped.
std::string JsonString(const std::string& s);
// Finite numbers as the shortest text that reads back as the same double; others as null.
std::string JsonNumber(double v);

}  // namespace webconv
