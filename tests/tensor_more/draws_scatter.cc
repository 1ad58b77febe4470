// Draws of ScatterElements / Scatter and ScatterND problems: duplicate indices are common by design, so
// every reduction's order (row-major over the updates, the last one winning for 'none') is exercised.
#include <sstream>

#include "differential.h"
#include "oracles.h"
#include "problem.h"

namespace webconv::testing {
namespace {

std::string PickReduction(std::mt19937_64& rng, int opset) {
  if (opset < 16) return "none";
  const char* r[] = {"none", "add", "mul"};
  return r[rng() % 3];
}

// Products of several updates must stay inside 32 bits, where the GPU holds int64 values.
HostTensor Updates(DType t, const Shape& s, const std::string& reduction, std::mt19937_64& rng) {
  if (reduction != "mul" || t == DType::kFloat32 || t == DType::kBool) return Feed(t, s, rng);
  return RandomTensor(t, s, rng, t == DType::kUInt8 ? 0 : -3, 4);
}

runtime::Tolerance Tol(DType t, const std::string& reduction) {
  return reduction != "none" && t == DType::kFloat32 ? kAccumulate : kExact;
}

}  // namespace

Problem DrawScatterElements(std::mt19937_64& rng) {
  Problem p;
  const int opset = static_cast<int>(Pick(rng, {9, 10, 11, 13, 16, 16, 17, 17}));
  const char* op = opset < 11 ? "Scatter" : "ScatterElements";
  const std::string reduction = PickReduction(rng, opset);
  const DType t = PickType(rng);
  const Shape d = RandomShape(rng, 1, 4, {1, 2, 3, 4, 5});
  const int64_t rank = static_cast<int64_t>(d.size()), axis = Between(rng, 0, rank - 1);
  const int64_t written_axis = opset >= 11 && rng() % 2 ? axis - rank : axis;
  Shape s(d.size());
  for (int64_t k = 0; k < rank; ++k)
    s[static_cast<size_t>(k)] =
        k == axis ? Between(rng, 0, 5) : Between(rng, rng() % 8 ? 1 : 0, d[static_cast<size_t>(k)]);
  const DType it = rng() % 2 ? DType::kInt64 : DType::kInt32;
  HostTensor indices(it, s);
  const int64_t size = d[static_cast<size_t>(axis)];
  for (int64_t i = 0; i < indices.num_elements(); ++i)
    indices.SetInt(i, Between(rng, opset >= 11 ? -size : 0, size - 1));
  ModelBuilder m(opset);
  const HostTensor data = Feed(t, d, rng), updates = Updates(t, s, reduction, rng);
  m.Input("data", t, d);
  m.Input("updates", t, s);
  p.feeds = {{"data", data}, {"updates", updates}};
  Param(m, p, rng, "indices", indices);
  std::vector<Attr> attrs;
  if (written_axis != 0 || rng() % 2) attrs.push_back(IntAttr("axis", written_axis));
  if (opset >= 16 && (reduction != "none" || rng() % 2)) attrs.push_back(StringAttr("reduction", reduction));
  m.Node(op, {"data", "indices", "updates"}, {"y"}, attrs, "scatter");
  m.Output("y", t);
  p.model = m.Serialize();
  p.oracle["y"] = ScatterElementsOracle(data, indices, updates, axis, reduction);
  p.tol = Tol(t, reduction);
  std::ostringstream os;
  os << op << " opset " << opset << " " << DTypeName(t) << " data=" << ShapeString(d) << " indices("
     << DTypeName(it) << ")=" << ShapeString(s) << " axis=" << written_axis << " reduction=" << reduction;
  p.what = os.str();
  return p;
}

Problem ScatterNDProblem(std::mt19937_64& rng, int opset, const std::string& reduction, DType t,
                         const Shape& d, const Shape& s) {
  Problem p;
  const int64_t m = s.back();
  Shape us(s.begin(), s.end() - 1);
  us.insert(us.end(), d.begin() + m, d.end());
  HostTensor indices(DType::kInt64, s);
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    const int64_t size = d[static_cast<size_t>(i % m)];
    indices.SetInt(i, Between(rng, -size, size - 1));
  }
  ModelBuilder mb(opset);
  const HostTensor data = Feed(t, d, rng), updates = Updates(t, us, reduction, rng);
  mb.Input("data", t, d);
  mb.Input("updates", t, us);
  p.feeds = {{"data", data}, {"updates", updates}};
  Param(mb, p, rng, "indices", indices);
  std::vector<Attr> attrs;
  if (opset >= 16 && (reduction != "none" || rng() % 2)) attrs.push_back(StringAttr("reduction", reduction));
  mb.Node("ScatterND", {"data", "indices", "updates"}, {"y"}, attrs, "scatter_nd");
  mb.Output("y", t);
  p.model = mb.Serialize();
  p.oracle["y"] = ScatterNDOracle(data, indices, updates, reduction);
  p.tol = Tol(t, reduction);
  std::ostringstream os;
  os << "ScatterND opset " << opset << " " << DTypeName(t) << " data=" << ShapeString(d)
     << " indices=" << ShapeString(s) << " reduction=" << reduction;
  p.what = os.str();
  return p;
}

Problem DrawScatterND(std::mt19937_64& rng) {
  const int opset = static_cast<int>(Pick(rng, {11, 13, 16, 16, 17, 17}));
  const std::string reduction = PickReduction(rng, opset);
  const Shape d = RandomShape(rng, 1, 4, {1, 2, 3, 4, 5});
  Shape s = RandomShape(rng, 0, 2, {1, 2, 3, 4, 6, 0});
  s.push_back(Between(rng, 1, static_cast<int64_t>(d.size())));
  return ScatterNDProblem(rng, opset, reduction, PickType(rng), d, s);
}

}  // namespace webconv::testing
