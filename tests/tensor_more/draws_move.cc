// Draws of Split, Expand, Tile, Range, DepthToSpace and SpaceToDepth problems.
#include <cmath>
#include <sstream>

#include "differential.h"
#include "oracles.h"
#include "problem.h"

namespace webconv::testing {

int64_t Pick(std::mt19937_64& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + static_cast<std::ptrdiff_t>(rng() % v.size()));
}
int64_t Between(std::mt19937_64& rng, int64_t lo, int64_t hi) {  // inclusive
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

DType PickType(std::mt19937_64& rng) {
  const DType t[] = {DType::kFloat32, DType::kFloat32, DType::kInt32,
                     DType::kInt64,   DType::kUInt8,   DType::kBool};
  return t[rng() % 6];
}

HostTensor Feed(DType t, const Shape& s, std::mt19937_64& rng) {
  if (t == DType::kBool) return RandomTensor(t, s, rng, 0, 2);
  if (t == DType::kUInt8) return RandomTensor(t, s, rng, 0, 256);
  if (t == DType::kFloat32) return RandomTensor(t, s, rng);
  return RandomTensor(t, s, rng, -50, 50);
}

HostTensor Ints(const std::vector<int64_t>& v, Shape s, DType t) {
  HostTensor h(t, std::move(s));
  for (size_t i = 0; i < v.size(); ++i) h.SetInt(static_cast<int64_t>(i), v[i]);
  return h;
}
HostTensor Ints1(const std::vector<int64_t>& v) {
  return Ints(v, {static_cast<int64_t>(v.size())});
}

Shape RandomShape(std::mt19937_64& rng, int min_rank, int max_rank, std::initializer_list<int64_t> dims) {
  Shape s(static_cast<size_t>(Between(rng, min_rank, max_rank)));
  for (auto& d : s) d = Pick(rng, dims);
  return s;
}

// A value that is either an initializer or a graph input bound by value: both paths must plan.
void Param(ModelBuilder& m, Problem& p, std::mt19937_64& rng, const std::string& name, const HostTensor& v) {
  if (rng() % 2) {
    m.Initializer(name, v);
  } else {
    m.Input(name, v.dtype(), v.shape());
    p.feeds[name] = v;
  }
}

Problem DrawSplit(std::mt19937_64& rng) {
  Problem p;
  const int opset = static_cast<int>(Pick(rng, {1, 2, 11, 13, 17}));
  const DType t = opset == 1 ? DType::kFloat32 : PickType(rng);
  const Shape s = RandomShape(rng, 1, 4, {1, 2, 3, 4, 5, 6, 7, 0});
  const int64_t rank = static_cast<int64_t>(s.size()), axis = Between(rng, 0, rank - 1);
  const int64_t written_axis = opset >= 11 && rng() % 2 ? axis - rank : axis;
  const int64_t outputs = Between(rng, 1, 4), dim = s[static_cast<size_t>(axis)];
  const bool equal = dim % outputs == 0 && rng() % 2;
  std::vector<int64_t> parts(static_cast<size_t>(outputs), dim / outputs);
  if (!equal) {
    int64_t left = dim;
    for (auto& q : parts) q = 0;
    while (left > 0) --left, ++parts[rng() % parts.size()];
  }
  ModelBuilder m(opset);
  const HostTensor x = Feed(t, s, rng);
  m.Input("x", t, s);
  p.feeds["x"] = x;
  std::vector<Attr> attrs = {IntAttr("axis", written_axis)};
  std::vector<std::string> inputs = {"x"}, outs;
  if (!equal && (opset >= 13 || (opset == 1 && rng() % 2))) {
    Param(m, p, rng, "split", Ints1(parts));
    inputs.push_back("split");
  } else if (!equal) {
    attrs.push_back(IntsAttr("split", parts));
  }
  const auto want = SplitOracle(x, axis, parts);
  for (int64_t j = 0; j < outputs; ++j) {
    outs.push_back("y" + std::to_string(j));
    p.oracle[outs.back()] = want[static_cast<size_t>(j)];
  }
  m.Node("Split", inputs, outs, attrs, "split");
  for (const auto& o : outs) m.Output(o, t);
  p.model = m.Serialize();
  std::ostringstream os;
  os << "Split opset " << opset << " " << DTypeName(t) << " x=" << ShapeString(s) << " axis=" << written_axis
     << " parts=" << ShapeString(parts) << (equal ? " (equal)" : "");
  p.what = os.str();
  return p;
}

// Expand and Tile: both checked against ModOracle.
Problem DrawExpandOrTile(std::mt19937_64& rng, bool tile) {
  Problem p;
  const int opset = static_cast<int>(tile ? Pick(rng, {1, 6, 13, 17}) : Pick(rng, {8, 13, 17}));
  const DType t = opset == 1 ? DType::kFloat32 : PickType(rng);
  Shape in, out;
  std::vector<int64_t> arg;  // Expand's shape, or Tile's repeats
  ModelBuilder m(opset);
  std::vector<std::string> inputs = {"x", "a"};
  if (tile) {
    in = RandomShape(rng, 1, 4, {1, 2, 3, 5, 0});
    arg.assign(in.size(), 1);
    if (opset == 1) {
      const int64_t axis = Between(rng, 0, static_cast<int64_t>(in.size()) - 1);
      arg[static_cast<size_t>(axis)] = Pick(rng, {0, 1, 2, 3, 4});
      Param(m, p, rng, "a", Ints({arg[static_cast<size_t>(axis)]}, {}));
      Param(m, p, rng, "b", Ints({axis}, {}));
      inputs.push_back("b");
    } else {
      for (auto& r : arg) r = Pick(rng, {1, 1, 2, 3, 0});
      Param(m, p, rng, "a", Ints1(arg));
    }
    for (size_t k = 0; k < in.size(); ++k) out.push_back(in[k] * arg[k]);
  } else {
    out = RandomShape(rng, 0, 4, {1, 2, 3, 5, 7});
    const size_t r_in = static_cast<size_t>(Between(rng, 0, static_cast<int64_t>(out.size())));
    // One of the two spans the output's rank (either may be the shorter: broadcasting is bidirectional).
    const size_t r_arg = r_in < out.size() || rng() % 2
                             ? out.size()
                             : static_cast<size_t>(Between(rng, 0, static_cast<int64_t>(out.size())));
    for (size_t k = out.size() - r_in; k < out.size(); ++k) in.push_back(rng() % 2 ? out[k] : 1);
    for (size_t k = out.size() - r_arg; k < out.size(); ++k) {
      const bool covered = k >= out.size() - r_in && in[k - (out.size() - r_in)] == out[k];
      arg.push_back(covered && rng() % 2 ? 1 : out[k]);
    }
    // Axes neither tensor reaches at full size stay 1.
    for (size_t k = 0; k < out.size(); ++k) {
      const bool in_full = k >= out.size() - r_in && in[k - (out.size() - r_in)] == out[k];
      const bool arg_full = k >= out.size() - r_arg && arg[k - (out.size() - r_arg)] == out[k];
      if (!in_full && !arg_full) out[k] = 1;
    }
    Param(m, p, rng, "a", Ints1(arg));
  }
  const HostTensor x = Feed(t, in, rng);
  m.Input("x", t, in);
  p.feeds["x"] = x;
  m.Node(tile ? "Tile" : "Expand", inputs, {"y"}, {}, "op");
  m.Output("y", t);
  p.model = m.Serialize();
  p.oracle["y"] = ModOracle(x, out);
  std::ostringstream os;
  os << (tile ? "Tile" : "Expand") << " opset " << opset << " " << DTypeName(t) << " x=" << ShapeString(in)
     << (tile ? " repeats=" : " shape=") << ShapeString(arg);
  p.what = os.str();
  return p;
}

Problem DrawRange(std::mt19937_64& rng) {
  Problem p;
  const DType types[] = {DType::kFloat32, DType::kInt32, DType::kInt64, DType::kInt16};
  const DType t = types[rng() % 4];
  const double scale = t == DType::kFloat32 ? 0.25 : 1.0;  // exact in every type
  const double start = static_cast<double>(Between(rng, -40, 40)) * scale;
  const double limit = static_cast<double>(Between(rng, -40, 40)) * scale;
  double delta = static_cast<double>(Pick(rng, {-5, -3, -2, -1, 1, 2, 3, 7})) * scale;
  if (rng() % 3 == 0) delta = limit >= start ? std::abs(delta) : -std::abs(delta);
  ModelBuilder m(11);
  const char* names[] = {"start", "limit", "delta"};
  const double values[] = {start, limit, delta};
  for (int k = 0; k < 3; ++k) {
    HostTensor v(t, {});
    v.SetDouble(0, values[k]);
    m.Input(names[k], t, {});
    p.feeds[names[k]] = v;
  }
  m.Node("Range", {"start", "limit", "delta"}, {"y"}, {}, "range");
  m.Output("y", t);
  p.model = m.Serialize();
  p.oracle["y"] = RangeOracle(t, start, limit, delta);
  p.fold = false;
  std::ostringstream os;
  os << "Range " << DTypeName(t) << " start=" << start << " limit=" << limit << " delta=" << delta;
  p.what = os.str();
  return p;
}

Problem DrawDepthSpace(std::mt19937_64& rng) {
  Problem p;
  const bool to_space = rng() % 2;
  const int opset = static_cast<int>(to_space ? Pick(rng, {1, 11, 13, 17}) : Pick(rng, {1, 13, 17}));
  const DType t = opset == 1 ? DType::kFloat32 : PickType(rng);
  const int64_t bs = Pick(rng, {1, 2, 2, 3}), n = Pick(rng, {1, 2});
  const bool crd = to_space && opset >= 11 && rng() % 2;
  Shape in;
  if (to_space)
    in = {n, bs * bs * Pick(rng, {1, 2, 3}), Pick(rng, {1, 2, 3, 5}), Pick(rng, {1, 2, 3, 5})};
  else
    in = {n, Pick(rng, {1, 2, 3, 5}), bs * Pick(rng, {1, 2, 3}), bs * Pick(rng, {1, 2, 3})};
  ModelBuilder m(opset);
  const HostTensor x = Feed(t, in, rng);
  m.Input("x", t, in);
  p.feeds["x"] = x;
  std::vector<Attr> attrs = {IntAttr("blocksize", bs)};
  if (to_space && opset >= 11 && (crd || rng() % 2)) attrs.push_back(StringAttr("mode", crd ? "CRD" : "DCR"));
  m.Node(to_space ? "DepthToSpace" : "SpaceToDepth", {"x"}, {"y"}, attrs, "op");
  m.Output("y", t);
  p.model = m.Serialize();
  p.oracle["y"] = to_space ? DepthToSpaceOracle(x, bs, crd) : SpaceToDepthOracle(x, bs);
  std::ostringstream os;
  os << (to_space ? "DepthToSpace" : "SpaceToDepth") << " opset " << opset << " " << DTypeName(t)
     << " x=" << ShapeString(in) << " blocksize=" << bs << (crd ? " CRD" : "");
  p.what = os.str();
  return p;
}

}  // namespace webconv::testing
