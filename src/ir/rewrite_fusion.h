// The working state the Conv fusion rewrites share (rewrite_batch_norm.cc, rewrite_epilogue.cc,
// rewrite_concat.cc, rewrite_pool.cc, rewrite_siblings.cc, rewrite_branches.cc): a mutable copy of a
// bound graph whose node indices stay fixed while rewriting (removed nodes are only marked), with the
// bound values (concrete shapes, constants) kept in step.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/attr_reader.h"
#include "ops/conv/conv.h"

namespace webconv::ir {

class FusionGraph {
 public:
  explicit FusionGraph(BoundGraph* bound);

  size_t node_count() const { return graph_->nodes.size(); }
  const Node& node(int i) const { return graph_->nodes[i]; }
  const Value& value(int id) const { return bound_->values[id]; }  // bound: shapes and constants known
  // Not removed by a rewrite and not folded away when binding: a node that runs.
  bool Runs(int i) const { return !removed_[i] && !bound_->folded[i]; }
  bool Is(int i, const char* op_type) const;
  // The node's attributes as written in the model (for ops whose parsed attributes are private).
  ops::AttrReader Attributes(int i) const;

  // The one node reading `id`, reading it once; -1 when there are none or several, or when `id` is a
  // graph output (a rewrite must never remove a tensor the caller or another node sees).
  int SoleReader(int id) const;
  // `i` is a running Conv on float32 tensors.
  bool IsConv(int i) const;
  // The running float32 Conv producing `id`, or -1.
  int ConvProducing(int id) const;
  const ops::ConvAttrs& conv_attrs(int i) const;
  ops::ConvAttrs& MutableConvAttrs(int i);  // copy on write: the unrewritten graph shares attributes
  // The Conv's problem as bound (its inputs' shapes); false when it does not resolve.
  bool ConvProblemOf(int conv, ops::ConvProblem* p) const;
  // For a running Concat whose inputs are distinct values concatenated on axis 1: each input's first
  // channel in the output. Fails (false) for any other axis.
  bool ChannelOffsets(int concat, std::vector<int64_t>* offsets) const;

  // Adds a constant value (a folded weight); returns its id.
  int AddConstant(const std::string& base_name, HostTensor t);
  // Adds an intermediate value (no producer yet) of the given type and shape; returns its id.
  int AddValue(const std::string& base_name, DType dtype, const Shape& shape);
  void SetInput(int node, size_t k, int id);
  void SetOutput(int node, size_t k, int id);
  void SetInputs(int node, std::vector<int> ids);
  void Remove(int node);
  // Changes the bound shape of intermediate value `id` (a branch output that a fused pool shrinks).
  void SetShape(int id, const Shape& shape);
  // Appends `id` as an input of Conv `node` after X, W and B (B stays omitted if absent); returns its index.
  int AddConvInput(int node, int id);
  // `consumer`, the sole reader of `producer`'s output, is removed and `producer` produces
  // `consumer`'s output in its place (so a graph output keeps its name).
  void Absorb(int producer, int consumer);
  void MarkInputsInPlace(int node) {
    graph_->nodes[node].inputs_in_place = true;
    changed_ = true;
  }
  void Note(std::string line) { graph_->rewrites.push_back(std::move(line)); }
  bool changed() const { return changed_; }

  // Drops removed nodes, restores topological order (a fused Add may read a value produced after the
  // Conv it joins) and installs the rewritten graph into the bound graph.
  Status Finish();

 private:
  void Reindex();
  BoundGraph* bound_;
  std::shared_ptr<Graph> graph_;
  std::vector<bool> removed_;
  std::map<int, std::shared_ptr<ops::ConvAttrs>> own_attrs_;
  bool changed_ = false;
};

// Matchers shared by the passes (rewrite_epilogue.cc). The step activation node `i` computes, when the
// Conv epilogue has it and its parameters are known constants.
bool AsActivationStep(const FusionGraph& f, int i, ops::ConvFusion::Step* step);
// The other operand of Add node `i` when `id` is one operand (used once) and the other has `id`'s
// exact shape and dtype (no broadcasting); else -1.
int SameShapeAddend(const FusionGraph& f, int i, int id);

// The nodes' names quoted and comma-separated for a rewrite line; past 8 names, "and N more".
std::string NodeNames(const FusionGraph& f, const std::vector<int>& nodes);
// Whether value `id` is a float32 constant (a weight or bias a rewrite may restack).
bool IsConstantF32(const FusionGraph& f, int id);
// Float32 constants `ids` stacked along dimension 0, id k contributing rows[k] rows of `shape`'s
// trailing dimensions (zeros where ids[k] is -1, an absent bias): merged Convs' weights and biases.
HostTensor StackRows(const FusionGraph& f, const std::vector<int>& ids, const std::vector<int64_t>& rows,
                     Shape shape);

// The passes, in the order FuseAroundConv runs them.
void FoldBatchNorms(FusionGraph& f);
void FuseEpilogues(FusionGraph& f);
void PlaceConcats(FusionGraph& f);
void FusePools(FusionGraph& f);
// `limit_bytes` caps a merged output (0: the normal limit, rewrite_siblings.cc).
void MergeSiblingConvs(FusionGraph& f, int64_t limit_bytes = 0);
void MergeBranchConvs(FusionGraph& f);

}  // namespace webconv::ir
