#include "common/status.h"

namespace webconv {

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out;
  if (!op.empty()) out += op;
  if (!node.empty()) out += (out.empty() ? "'" : " '") + node + "'";
  if (!out.empty()) out += ": ";
  return out + message;
}

Status Status::WithNode(const std::string& op_type, const std::string& node_name) const {
  Status s = *this;
  if (s.ok() || !s.op.empty() || !s.node.empty()) return s;
  s.op = op_type;
  s.node = node_name;
  return s;
}

Status Status::Prefixed(const std::string& prefix) const {
  Status s = *this;
  if (!s.ok()) s.message = prefix + s.message;
  return s;
}

}  // namespace webconv
