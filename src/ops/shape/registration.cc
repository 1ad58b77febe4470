#include "ops/families.h"
#include "ops/shape/shape_family.h"

namespace webconv::ops {

Result<std::vector<int64_t>> PlanningInts(const TensorInfo& t, const char* what, size_t max_rank) {
  if (!t.constant) return BadModel(what, " must be known when the graph is planned");
  if (t.dtype != DType::kInt64) return BadModel(what, " must be int64, got ", DTypeName(t.dtype));
  if (t.shape.size() > max_rank)
    return BadModel(what, " must have rank <= ", max_rank, ", got shape ", ShapeString(t.shape));
  return ToInts(*t.constant);
}

std::vector<OpSchema> ShapeOps() {
  std::vector<OpSchema> rows = ViewOps();
  rows.push_back(ShapeOfRow());
  rows.push_back(SizeRow());
  for (OpSchema& s : ConstantOps()) rows.push_back(std::move(s));
  return rows;
}

}  // namespace webconv::ops
