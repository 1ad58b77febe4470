#include "oracles.h"

#include <cmath>

namespace webconv::testing {
namespace {

// Coordinates of flat index i in `shape`.
std::vector<int64_t> Coords(int64_t i, const Shape& shape) {
  std::vector<int64_t> c(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    c[k] = i % shape[k];
    i /= shape[k];
  }
  return c;
}

int64_t Flat(const std::vector<int64_t>& c, const Shape& shape) {
  int64_t i = 0;
  for (size_t k = 0; k < shape.size(); ++k) i = i * shape[k] + c[k];
  return i;
}

void CopyElement(const HostTensor& from, int64_t i, HostTensor* to, int64_t o) {
  if (IsFloat(from.dtype()))
    to->SetDouble(o, from.GetDouble(i));
  else
    to->SetInt(o, from.GetInt(i));
}

// Scatter's accumulation in double (the values drawn are small integers or floats: exact enough).
struct Acc {
  std::vector<double> v;
  std::string reduction;
  Acc(const HostTensor& data, std::string r) : reduction(std::move(r)) {
    for (int64_t i = 0; i < data.num_elements(); ++i) v.push_back(data.GetDouble(i));
  }
  void Apply(int64_t o, double u) {
    double& a = v[static_cast<size_t>(o)];
    a = reduction == "add" ? a + u : reduction == "mul" ? a * u : u;
  }
  HostTensor Out(const HostTensor& data) const {
    HostTensor y(data.dtype(), data.shape());
    for (size_t i = 0; i < v.size(); ++i) y.SetDouble(static_cast<int64_t>(i), v[i]);
    return y;
  }
};

}  // namespace

std::vector<HostTensor> SplitOracle(const HostTensor& x, int64_t axis, const std::vector<int64_t>& parts) {
  std::vector<HostTensor> out;
  int64_t start = 0;
  for (int64_t p : parts) {
    Shape s = x.shape();
    s[static_cast<size_t>(axis)] = p;
    HostTensor y(x.dtype(), s);
    for (int64_t o = 0; o < y.num_elements(); ++o) {
      auto c = Coords(o, s);
      c[static_cast<size_t>(axis)] += start;
      CopyElement(x, Flat(c, x.shape()), &y, o);
    }
    out.push_back(std::move(y));
    start += p;
  }
  return out;
}

HostTensor ModOracle(const HostTensor& x, const Shape& out) {
  HostTensor y(x.dtype(), out);
  const size_t lead = out.size() - x.shape().size();
  for (int64_t o = 0; o < y.num_elements(); ++o) {
    const auto c = Coords(o, out);
    std::vector<int64_t> in(c.begin() + static_cast<std::ptrdiff_t>(lead), c.end());
    for (size_t k = 0; k < in.size(); ++k) in[k] %= x.shape()[k];
    CopyElement(x, Flat(in, x.shape()), &y, o);
  }
  return y;
}

HostTensor RangeOracle(DType t, double start, double limit, double delta) {
  std::vector<double> v;
  for (double x = start; delta > 0 ? x < limit : x > limit; x = start + static_cast<double>(v.size()) * delta)
    v.push_back(x);
  HostTensor y(t, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) y.SetDouble(static_cast<int64_t>(i), v[i]);
  return y;
}

HostTensor ScatterElementsOracle(const HostTensor& data, const HostTensor& indices, const HostTensor& updates,
                                 int64_t axis, const std::string& reduction) {
  Acc acc(data, reduction);
  const size_t ax = static_cast<size_t>(axis);
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    auto c = Coords(i, indices.shape());
    int64_t k = indices.GetInt(i);
    c[ax] = k < 0 ? k + data.shape()[ax] : k;
    acc.Apply(Flat(c, data.shape()), updates.GetDouble(i));
  }
  return acc.Out(data);
}

HostTensor ScatterNDOracle(const HostTensor& data, const HostTensor& indices, const HostTensor& updates,
                           const std::string& reduction) {
  Acc acc(data, reduction);
  const Shape& d = data.shape();
  const int64_t m = indices.shape().back();
  Shape tail(d.begin() + m, d.end());
  const int64_t tuples = indices.num_elements() / m, inner = NumElements(tail);
  for (int64_t t = 0; t < tuples; ++t)
    for (int64_t e = 0; e < inner; ++e) {
      std::vector<int64_t> c;
      for (int64_t j = 0; j < m; ++j) {
        const int64_t k = indices.GetInt(t * m + j);
        c.push_back(k < 0 ? k + d[static_cast<size_t>(j)] : k);
      }
      const auto rest = Coords(e, tail);
      c.insert(c.end(), rest.begin(), rest.end());
      acc.Apply(Flat(c, d), updates.GetDouble(t * inner + e));
    }
  return acc.Out(data);
}

HostTensor DepthToSpaceOracle(const HostTensor& x, int64_t bs, bool crd) {
  const Shape& s = x.shape();
  const int64_t cd = s[1] / (bs * bs);
  HostTensor y(x.dtype(), {s[0], cd, s[2] * bs, s[3] * bs});
  for (int64_t o = 0; o < y.num_elements(); ++o) {
    const auto c = Coords(o, y.shape());
    const int64_t i = c[2] % bs, j = c[3] % bs;
    const int64_t ch = crd ? c[1] * bs * bs + i * bs + j : (i * bs + j) * cd + c[1];
    CopyElement(x, Flat({c[0], ch, c[2] / bs, c[3] / bs}, s), &y, o);
  }
  return y;
}

HostTensor SpaceToDepthOracle(const HostTensor& x, int64_t bs) {
  const Shape& s = x.shape();
  HostTensor y(x.dtype(), {s[0], s[1] * bs * bs, s[2] / bs, s[3] / bs});
  for (int64_t o = 0; o < y.num_elements(); ++o) {
    const auto c = Coords(o, y.shape());
    const int64_t block = c[1] / s[1], ch = c[1] % s[1], i = block / bs, j = block % bs;
    CopyElement(x, Flat({c[0], ch, c[2] * bs + i, c[3] * bs + j}, s), &y, o);
  }
  return y;
}

}  // namespace webconv::testing
