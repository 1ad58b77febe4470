#include "ops/matmul/geometry.h"

#include <algorithm>
#include <cmath>

namespace webconv::ops::matmul {

bool IntegerScales(const Epilogue& e) {
  auto small_int = [](double v) { return std::abs(v) < 2147483648.0 && v == std::trunc(v); };
  return small_int(e.alpha) && small_int(e.beta);
}

Result<Geometry> MatMulGeometry(const Shape& a, const Shape& b) {
  if (a.empty() || b.empty())
    return BadModel("operands must have rank >= 1, got A ", ShapeString(a), " and B ", ShapeString(b));
  Geometry g;
  const size_t ra = a.size(), rb = b.size();
  // A promoted from [K] is one row: its m stride is never used.
  g.m = ra == 1 ? 1 : a[ra - 2];
  g.k = a[ra - 1];
  g.a_m = g.k;
  g.a_k = 1;
  const int64_t kb = rb == 1 ? b[0] : b[rb - 2];
  g.n = rb == 1 ? 1 : b[rb - 1];
  g.b_k = rb == 1 ? 1 : g.n;
  g.b_n = rb == 1 ? 0 : 1;
  if (kb != g.k)
    return BadModel("A ", ShapeString(a), " has K = ", g.k, " but B ", ShapeString(b), " has K = ", kb);

  const Shape ba(a.begin(), a.end() - (ra == 1 ? 1 : 2));
  const Shape bb(b.begin(), b.end() - (rb == 1 ? 1 : 2));
  const size_t rank = std::max(ba.size(), bb.size());
  g.batch.assign(rank, 1);
  g.a_batch_strides.assign(rank, 0);
  g.b_batch_strides.assign(rank, 0);
  // Right-aligned walk: strides grow from the innermost batch dim, starting at one matrix.
  int64_t sa = g.m * g.k, sb = g.k * g.n;
  for (size_t i = 0; i < rank; ++i) {
    const size_t o = rank - 1 - i;
    const int64_t da = i < ba.size() ? ba[ba.size() - 1 - i] : 1;
    const int64_t db = i < bb.size() ? bb[bb.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      return BadModel("batch dims of A ", ShapeString(a), " and B ", ShapeString(b), " cannot be broadcast");
    g.batch[o] = da == 1 ? db : da;
    g.a_batch_strides[o] = da == 1 ? 0 : sa;
    g.b_batch_strides[o] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  g.out_shape = g.batch;
  if (ra > 1) g.out_shape.push_back(g.m);
  if (rb > 1) g.out_shape.push_back(g.n);
  return g;
}

Result<Geometry> GemmGeometry(const Shape& a, const Shape& b, const Shape* c, bool trans_a, bool trans_b,
                              bool legacy_exact_c) {
  if (a.size() != 2 || b.size() != 2)
    return BadModel("A and B must be 2-D, got A ", ShapeString(a), " and B ", ShapeString(b));
  Geometry g;
  g.m = trans_a ? a[1] : a[0];
  g.k = trans_a ? a[0] : a[1];
  g.a_m = trans_a ? 1 : a[1];
  g.a_k = trans_a ? a[1] : 1;
  const int64_t kb = trans_b ? b[1] : b[0];
  g.n = trans_b ? b[0] : b[1];
  g.b_k = trans_b ? 1 : b[1];
  g.b_n = trans_b ? b[1] : 1;
  if (kb != g.k)
    return BadModel("A ", ShapeString(a), (trans_a ? " (transposed)" : ""), " has K = ", g.k, " but B ",
                    ShapeString(b), (trans_b ? " (transposed)" : ""), " has K = ", kb);
  g.out_shape = {g.m, g.n};
  if (!c) return g;
  g.has_c = true;
  const Shape& cs = *c;
  if (legacy_exact_c && cs != g.out_shape)
    return BadModel("C ", ShapeString(cs), " is not (M, N) = ", ShapeString(g.out_shape),
                    " and broadcast=0 (opset < 7)");
  if (cs.size() > 2) return BadModel("C ", ShapeString(cs), " has rank ", cs.size(), ", at most 2 allowed");
  const int64_t cm = cs.size() == 2 ? cs[0] : 1;
  const int64_t cn = cs.empty() ? 1 : cs.back();
  if ((cm != 1 && cm != g.m) || (cn != 1 && cn != g.n))
    return BadModel("C ", ShapeString(cs), " cannot be broadcast to (M, N) = ", ShapeString(g.out_shape));
  g.c_m = cm == 1 ? 0 : cn;
  g.c_n = cn == 1 ? 0 : 1;
  return g;
}

}  // namespace webconv::ops::matmul
