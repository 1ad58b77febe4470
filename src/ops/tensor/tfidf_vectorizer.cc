// TfIdfVectorizer (opset 9), integer tokens: counts the pool's n-grams in each row of X ([C] or [N, C]).
// The pool (pool_int64s) holds the n-grams of each length one after another, those of length n + 1
// starting at element ngram_counts[n]; ngram_indexes maps the i-th n-gram of the pool to its output
// column, so Y is [max(ngram_indexes) + 1] (or [N, ...]). An n-gram of length n >= 2 may skip tokens: with
// s skips its tokens are s + 1 apart, for every s up to max_skip_count; a unigram counts once per position.
// mode TF gives the counts, IDF the weight where the count is nonzero, TFIDF count * weight (weights
// default to 1). String tokens (pool_strings) are not supported: webconv holds no string tensors.
// No WebGPU kernel: the tokens must be known when the graph is planned (constants or a graph input), and
// the reference evaluates the node then.
#include <algorithm>
#include <map>
#include <vector>

#include "ops/tensor/tensor_common.h"

namespace webconv::ops::tensor {
namespace {

struct TfIdfAttrs {
  enum Mode { kTf, kIdf, kTfIdf } mode = kTf;
  int64_t min_gram = 1, max_gram = 1, max_skip = 0;
  std::vector<int64_t> counts, indexes, pool;
  std::vector<float> weights;
  // The pool's n-grams by length: gram -> output column.
  std::map<std::vector<int64_t>, int64_t> columns;
  int64_t width = 0;  // max(ngram_indexes) + 1
};

Status Parse(const ParseContext& ctx, OpAttrs* out) {
  WC_RETURN_IF_ERROR(CheckInputCount(ctx, 1, 1));
  auto a = std::make_shared<TfIdfAttrs>();
  std::string mode;
  WC_RETURN_IF_ERROR(ctx.attrs.String("mode", "", &mode));
  if (mode == "TF") a->mode = TfIdfAttrs::kTf;
  else if (mode == "IDF") a->mode = TfIdfAttrs::kIdf;
  else if (mode == "TFIDF") a->mode = TfIdfAttrs::kTfIdf;
  else return BadModel("mode must be TF, IDF or TFIDF, got '", mode, "'");
  WC_RETURN_IF_ERROR(ctx.attrs.Int("min_gram_length", 1, &a->min_gram));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("max_gram_length", 1, &a->max_gram));
  WC_RETURN_IF_ERROR(ctx.attrs.Int("max_skip_count", 0, &a->max_skip));
  if (a->min_gram < 1 || a->max_gram < a->min_gram || a->max_gram > 64)
    return BadModel("gram lengths [", a->min_gram, ", ", a->max_gram, "] must satisfy 1 <= min <= max <= 64");
  if (a->max_skip < 0 || a->max_skip > 1024) return BadModel("max_skip_count is ", a->max_skip, "; 0 to 1024 are supported");
  if (ctx.attrs.Has("pool_strings")) return BadModel("pool_strings is not supported: webconv holds no string tensors");
  if (ctx.attrs.Has("pool_int64s")) WC_RETURN_IF_ERROR(ctx.attrs.Ints("pool_int64s", &a->pool));
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("ngram_counts", &a->counts));
  WC_RETURN_IF_ERROR(ctx.attrs.Ints("ngram_indexes", &a->indexes));
  if (ctx.attrs.Has("weights")) WC_RETURN_IF_ERROR(ctx.attrs.Floats("weights", &a->weights));
  if (!a->weights.empty() && a->weights.size() != a->indexes.size())
    return BadModel("weights has ", a->weights.size(), " values for ", a->indexes.size(), " n-grams");
  // Split the pool into n-grams: those of length n + 1 run from counts[n] to the next start.
  const int64_t pool = static_cast<int64_t>(a->pool.size());
  size_t gram = 0;
  for (size_t n = 0; n < a->counts.size(); ++n) {
    const int64_t begin = a->counts[n], end = n + 1 < a->counts.size() ? a->counts[n + 1] : pool;
    const int64_t len = static_cast<int64_t>(n) + 1;
    if (begin < 0 || end < begin || end > pool || (end - begin) % len != 0)
      return BadModel("ngram_counts ", begin, " to ", end, " does not hold whole ", len, "-grams of a pool of ", pool);
    for (int64_t p = begin; p < end; p += len, ++gram) {
      if (gram >= a->indexes.size()) return BadModel("the pool holds more n-grams than ngram_indexes maps");
      const int64_t column = a->indexes[gram];
      if (column < 0 || column >= (int64_t{1} << 24)) return BadModel("ngram_indexes value ", column, " is out of range");
      a->columns[std::vector<int64_t>(a->pool.begin() + p, a->pool.begin() + p + len)] = static_cast<int64_t>(gram);
      a->width = std::max(a->width, column + 1);
    }
  }
  if (gram != a->indexes.size()) return BadModel("ngram_indexes maps ", a->indexes.size(), " n-grams, the pool holds ", gram);
  *out = a;
  return OkStatus();
}

Status Infer(InferContext& ctx) {
  const TfIdfAttrs& a = ctx.Attrs<TfIdfAttrs>();
  const TensorInfo& x = ctx.inputs[0];
  if (x.dtype != DType::kInt32 && x.dtype != DType::kInt64)
    return BadModel("input type ", DTypeName(x.dtype), " is not supported (int32 or int64 tokens)");
  if (x.shape.size() != 1 && x.shape.size() != 2) return BadModel("input has shape ", ShapeString(x.shape), "; it must be [C] or [N, C]");
  ctx.outputs[0].dtype = DType::kFloat32;
  ctx.outputs[0].shape = x.shape.size() == 1 ? Shape{a.width} : Shape{x.shape[0], a.width};
  return OkStatus();
}

Status Reference(RefContext& ctx) {
  const TfIdfAttrs& a = ctx.Attrs<TfIdfAttrs>();
  const HostTensor& x = *ctx.inputs[0];
  HostTensor& y = ctx.out(0);
  const int64_t rows = x.shape().size() == 2 ? x.shape()[0] : 1, c = x.shape().back();
  std::vector<int64_t> gram;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> counts(a.indexes.size(), 0.0);
    for (int64_t n = a.min_gram; n <= a.max_gram; ++n) {
      // A unigram is one token wherever the skips put its neighbours: counted once per position.
      const int64_t skips = n == 1 ? 0 : a.max_skip;
      for (int64_t s = 0; s <= skips; ++s) {
        for (int64_t p = 0; p + (n - 1) * (s + 1) < c; ++p) {
          gram.clear();
          for (int64_t k = 0; k < n; ++k) gram.push_back(x.GetInt(r * c + p + k * (s + 1)));
          auto it = a.columns.find(gram);
          if (it != a.columns.end()) counts[static_cast<size_t>(it->second)] += 1;
        }
      }
    }
    for (int64_t k = 0; k < a.width; ++k) y.SetDouble(r * a.width + k, 0.0);
    for (size_t g = 0; g < counts.size(); ++g) {
      const double w = a.weights.empty() ? 1.0 : a.weights[g];
      const double v = a.mode == TfIdfAttrs::kTf ? counts[g] : a.mode == TfIdfAttrs::kIdf ? (counts[g] > 0 ? w : 0.0) : counts[g] * w;
      y.SetDouble(r * a.width + a.indexes[g], v);
    }
  }
  return OkStatus();
}

}  // namespace

std::vector<OpSchema> TfIdfVectorizerRows() {
  OpSchema s;
  s.op_type = "TfIdfVectorizer";
  s.min_opset = 9;
  s.parse = Parse;
  s.infer = Infer;
  s.reference = Reference;
  s.host_inputs = {0};
  s.notes = "int32/int64 tokens (no pool_strings); the tokens must be known when planning (constant or graph "
            "input); evaluated by the reference then";
  return {s};
}

}  // namespace webconv::ops::tensor
