// The op registry: one table of every op webconv implements (registry.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

const std::vector<OpSchema>& AllOps();
// The schema handling `op_type` at `opset` in `domain` ("" or "ai.onnx" for the default domain);
// nullptr when webconv has none, with the reason in *why.
const OpSchema* FindOp(std::string_view domain, std::string_view op_type, int64_t opset, std::string* why);

}  // namespace webconv::ops
