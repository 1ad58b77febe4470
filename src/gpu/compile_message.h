// How both backends show a WGSL compile message: "line 12:9: unresolved identifier 'x'", then the
// quoted source line and a caret under the column, so that an error from Dawn and one from a browser
// read the same.
#pragma once

#include <cstdint>
#include <string>

namespace webconv::gpu {

// `line` and `column` are 1-based as WebGPU reports them; 0 (unknown) shows no quote or caret.
std::string FormatCompileMessage(uint64_t line, uint64_t column, const std::string& text,
                                 const std::string& wgsl);

}  // namespace webconv::gpu
