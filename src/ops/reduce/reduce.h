// The reduce family: ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/LogSumExp (reduce.cc), ArgMax and
// ArgMin (arg_reduce.cc), Softmax and LogSoftmax (softmax.cc), which read their input as rows
// (row_geometry.h) and share one WGSL scaffold (row_wgsl.h); and CumSum (cumsum.cc) and Hardmax (hardmax.cc), one line per invocation.
#pragma once

#include <vector>

#include "ops/op_schema.h"
#include "ops/reduce/row_geometry.h"

namespace webconv::ops {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSum, kLogSumExp };

const char* ReduceName(ReduceKind k);

struct ReduceProblem {
  ReduceKind kind = ReduceKind::kSum;
  DType dtype = DType::kUndefined;
  RowGeometry rows;
  Shape out_shape;
};

Status ReduceReference(const ReduceProblem& p, const HostTensor& x, HostTensor* y);
Status ReduceGpu(const ReduceProblem& p, GpuContext& ctx);

std::vector<OpSchema> ReduceRows();   // reduce.cc
std::vector<OpSchema> ArgRows();      // arg_reduce.cc
std::vector<OpSchema> SoftmaxRows();  // softmax.cc
std::vector<OpSchema> CumSumRows();   // cumsum.cc
std::vector<OpSchema> HardmaxRows();  // hardmax.cc
std::vector<OpSchema> LossRows();     // loss.cc: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
std::vector<OpSchema> TopKRows();     // topk.cc

}  // namespace webconv::ops
