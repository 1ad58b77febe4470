// Det (opset 11): the determinant of each square matrix of X [*, M, M], output [*]. Gaussian elimination
// with partial pivoting (the row of the largest magnitude in the column), the determinant the product of
// the pivots with the sign of the row swaps; an exactly zero column gives 0. The reference eliminates in
// double; the WebGPU kernel does the same in float32, one thread per matrix, on a copy of the matrix in
// scratch memory (M*M words per matrix), so its cost is M^3 / 3 operations per thread: meant for the
// small matrices models carry (geometry, covariance), not for large ones.
#include <cmath>
#include <utility>
#include <vector>

#include "ops/elementwise/elementwise.h"
#include "ops/families.h"
#include "ops/tensor/tensor_common.h"

namespace webconv::ops {
namespace {

// Matrices whose determinant one WebGPU thread computes: M^3 / 3 steps each.
constexpr int64_t kMaxGpuOrder = 256;

struct DetProblem {
  int64_t batch = 1, order = 0;
  Shape out_shape;
};

Status Parse(const ParseContext& ctx, OpAttrs*) {
  return CheckInputCount(ctx, 1, 1);
}

Result<DetProblem> Resolve(const std::vector<TensorInfo>& in) {
  const Shape& x = in[0].shape;
  if (!IsFloat(in[0].dtype)) return BadModel("input type ", DTypeName(in[0].dtype), " is not a floating-point type");
  if (x.size() < 2 || x[x.size() - 1] != x[x.size() - 2])
    return BadModel("input has shape ", ShapeString(x), "; Det needs square matrices [*, M, M]");
  DetProblem p;
  p.order = x.back();
  p.out_shape.assign(x.begin(), x.end() - 2);
  p.batch = NumElements(p.out_shape);
  return p;
}

Status Infer(InferContext& ctx) {
  WC_ASSIGN_OR_RETURN(DetProblem p, Resolve(ctx.inputs));
  ctx.outputs[0].dtype = ctx.inputs[0].dtype;
  ctx.outputs[0].shape = p.out_shape;
  return OkStatus();
}

// The determinant of the m x m matrix at a (row-major), by elimination with partial pivoting.
double Determinant(std::vector<double> a, int64_t m) {
  double det = 1.0;
  for (int64_t c = 0; c < m; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < m; ++r)
      if (std::fabs(a[static_cast<size_t>(r * m + c)]) > std::fabs(a[static_cast<size_t>(pivot * m + c)])) pivot = r;
    const double pv = a[static_cast<size_t>(pivot * m + c)];
    if (pv == 0.0) return 0.0;
    if (pivot != c) {
      for (int64_t k = 0; k < m; ++k) std::swap(a[static_cast<size_t>(c * m + k)], a[static_cast<size_t>(pivot * m + k)]);
      det = -det;
    }
    det *= pv;
    for (int64_t r = c + 1; r < m; ++r) {
      const double f = a[static_cast<size_t>(r * m + c)] / pv;
      for (int64_t k = c + 1; k < m; ++k) a[static_cast<size_t>(r * m + k)] -= f * a[static_cast<size_t>(c * m + k)];
    }
  }
  return det;
}

Status Reference(RefContext& ctx) {
  WC_ASSIGN_OR_RETURN(DetProblem p, Resolve(ctx.input_infos()));
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  const int64_t mm = p.order * p.order;
  std::vector<double> a(static_cast<size_t>(mm));
  for (int64_t b = 0; b < p.batch; ++b) {
    for (int64_t k = 0; k < mm; ++k) a[static_cast<size_t>(k)] = x.GetDouble(b * mm + k);
    y.SetDouble(b, Determinant(a, p.order));
  }
  return OkStatus();
}

Status Gpu(GpuContext& ctx) {
  WC_ASSIGN_OR_RETURN(DetProblem p, Resolve(ctx.inputs));
  if (p.order > kMaxGpuOrder)
    return BadModel("matrices of order ", p.order, ": the WebGPU kernel takes up to ", kMaxGpuOrder);
  if (p.batch == 0) return OkStatus();
  const int64_t mm = p.order * p.order;
  WC_RETURN_IF_ERROR(tensor::CheckGpuElements({p.batch * std::max<int64_t>(mm, 1)}, "scratch"));
  gpu::KernelBuilder b("det");
  b.Input("X", gpu::ScalarType::kF32);
  b.Output("Y", gpu::ScalarType::kF32);
  b.Output("A", gpu::ScalarType::kF32);  // scratch: each thread's copy of its matrix
  auto& u = b.uniforms();
  u.AddU32("n", static_cast<uint32_t>(p.batch));
  u.AddU32("m", static_cast<uint32_t>(p.order));
  b.Body(ElementwiseMain(
      "let m = u.m;\n"
      "  let base = i * m * m;\n"
      "  for (var k = 0u; k < m * m; k = k + 1u) { A[base + k] = X[base + k]; }\n"
      "  var det = 1.0;\n"
      "  for (var c = 0u; c < m; c = c + 1u) {\n"
      "    var pivot = c;\n"
      "    for (var r = c + 1u; r < m; r = r + 1u) {\n"
      "      if (abs(A[base + r * m + c]) > abs(A[base + pivot * m + c])) { pivot = r; }\n"
      "    }\n"
      "    let pv = A[base + pivot * m + c];\n"
      "    if (pv == 0.0) { det = 0.0; break; }\n"
      "    if (pivot != c) {\n"
      "      for (var k = 0u; k < m; k = k + 1u) {\n"
      "        let t = A[base + c * m + k];\n"
      "        A[base + c * m + k] = A[base + pivot * m + k];\n"
      "        A[base + pivot * m + k] = t;\n"
      "      }\n"
      "      det = -det;\n"
      "    }\n"
      "    det = det * pv;\n"
      "    for (var r = c + 1u; r < m; r = r + 1u) {\n"
      "      let f = A[base + r * m + c] / pv;\n"
      "      for (var k = c + 1u; k < m; k = k + 1u) { A[base + r * m + k] = A[base + r * m + k] - f * A[base + c * m + k]; }\n"
      "    }\n"
      "  }\n"
      "  Y[i] = det;"));
  uint32_t groups[3];
  gpu::LinearGrid(static_cast<uint64_t>(p.batch), kElementwiseWorkgroup, groups);
  ctx.Dispatch(b, {GpuContext::In(0), GpuContext::Out(0), ctx.Scratch(static_cast<uint64_t>(p.batch * std::max<int64_t>(mm, 1)))},
               groups);
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> DetRows() {
  OpSchema s;
  s.op_type = "Det";
  s.min_opset = 11;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.gpu = Gpu;
  s.notes = "floating-point [*, M, M]; elimination with partial pivoting (float32 on WebGPU, one thread per "
            "matrix, M up to 256)";
  return {s};
}

}  // namespace webconv::ops
