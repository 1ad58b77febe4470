#include "ops/registry.h"

#include "ops/families.h"

namespace webconv::ops {

const std::vector<OpSchema>& AllOps() {
  static const std::vector<OpSchema> table = [] {
    std::vector<OpSchema> all;
    // The one registration table: every op family.
    for (auto family : {UnaryOps, BinaryOps, NaryOps, MatMulOps, ShapeOps, CastOps, QuantizeOps, TensorOps, ConvOps,
                        PadOps, NormOps, PoolOps, ConvTransposeOps, ReduceOps, ResizeOps, RecurrentOps}) {
      auto rows = family();
      all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
  }();
  return table;
}

const OpSchema* FindOp(std::string_view domain, std::string_view op_type, int64_t opset, std::string* why) {
  if (domain == "ai.onnx") domain = "";
  bool known = false;
  for (const OpSchema& s : AllOps()) {
    if (domain != s.domain || op_type != s.op_type) continue;
    known = true;
    if (opset >= s.min_opset && opset <= s.max_opset) return &s;
  }
  if (why) {
    if (known) *why = StrCat("opset ", opset, " of ", op_type, " is not supported");
    else if (!domain.empty()) *why = StrCat("op domain '", domain, "' is not supported");
    else *why = "op is not supported";
  }
  return nullptr;
}

}  // namespace webconv::ops
