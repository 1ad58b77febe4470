// The CPU backends: every node in graph order on the host. The float64 reference (Backend::kReference)
// runs each op's reference kernel; the fast CPU backend (Backend::kCpu) runs each op's float32 kernel
// (OpSchema::cpu) where it has one, and the reference kernel for the rest (a node's type or an op the
// fast kernels do not cover yet), so every op runs on both.
#include <algorithm>
#include <chrono>
#include <map>
#include <new>

#include <unistd.h>

#include "runtime/session.h"

namespace webconv::runtime {
namespace {

// The CPU backend's default memory budget: half of physical memory for the tensors a run holds at once.
// A small model can ask for a huge output (a ConvTranspose with a giant stride), or for several outputs
// that fit one by one but not together; either must end in a message before anything is allocated.
uint64_t HalfOfMemory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2 : uint64_t{1} << 33;
}

uint64_t TensorBytes(const ir::Value& v) {
  return static_cast<uint64_t>(NumElements(v.shape)) * DTypeSize(v.dtype);
}

class CpuPlan : public Plan {
 public:
  CpuPlan(std::shared_ptr<const ir::BoundGraph> bound, uint64_t budget, bool fast)
      : bound_(std::move(bound)), budget_(budget), fast_(fast) {
    const ir::Graph& g = *bound_->graph;
    // Free each intermediate after its last consumer so peak memory follows the live set.
    last_use_.assign(g.values.size(), -1);
    node_state_.resize(g.nodes.size());
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (int id : g.nodes[i].inputs)
        if (id >= 0) last_use_[id] = static_cast<int>(i);
  }

  // Walks the run as Execute will, adding each output when its node runs and dropping each intermediate
  // after its last reader: the first node at which the live tensors would pass the budget fails the plan.
  Status CheckMemory() {
    const ir::Graph& g = *bound_->graph;
    const auto& values = bound_->values;
    uint64_t live = 0;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (bound_->folded[i]) continue;
      const ir::Node& n = g.nodes[i];
      // A view (Reshape) is counted as if it had its own bytes, and its input's are dropped after their
      // last reader: an estimate that errs high while both are alive.
      for (int id : n.outputs) {
        if (id < 0) continue;
        const uint64_t bytes = TensorBytes(values[id]);
        if (bytes > budget_ - std::min(live, budget_))
          return BadModel("output '", values[id].name, "' ", DTypeName(values[id].dtype), ShapeString(values[id].shape),
                          " needs ", bytes, " bytes while the run already holds ", live,
                          "; together that is more than the CPU backend's memory budget of ", budget_, " bytes",
                          budget_is_default_ ? " (half of physical memory)" : "")
              .WithNode(n.op_type, n.name);
        live += bytes;
        peak_ = std::max(peak_, live);
      }
      for (int id : n.inputs)
        if (Releasable(id, i)) live -= std::min(live, TensorBytes(values[id]));
    }
    return OkStatus();
  }

  Result<std::vector<HostTensor>> Execute(const std::map<int, const HostTensor*>& inputs, RunStats* stats,
                                          PlanIo* io) override {
    // Session::Run refuses tensors on the GPU for a CPU backend before planning.
    if (io && (!io->inputs.empty() || !io->keep.empty())) return UsageError("tensors on the GPU need the webgpu backend");
    const ir::Graph& g = *bound_->graph;
    const auto& values = bound_->values;
    std::vector<HostTensor> live(values.size());
    std::vector<const HostTensor*> ptr(values.size(), nullptr);
    for (size_t id = 0; id < values.size(); ++id)
      if (values[id].constant) ptr[id] = values[id].constant.get();
    for (const auto& [id, t] : inputs) ptr[id] = t;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (bound_->folded[i]) continue;
      const ir::Node& n = g.nodes[i];
      const auto t0 = std::chrono::steady_clock::now();
      ops::RefContext ctx;
      ctx.attrs = n.attrs;
      ctx.opset = n.opset;
      for (int id : n.inputs) {
        ctx.inputs.push_back(id >= 0 ? ptr[id] : nullptr);
        ctx.constant_inputs.push_back(id >= 0 && values[id].constant != nullptr);
      }
      ctx.state = &node_state_[i];
      ctx.workspace = &workspace_;
      std::vector<HostTensor> outs;
      for (int id : n.outputs) {
        if (id < 0) {
          outs.emplace_back();
          continue;
        }
        const uint64_t bytes = TensorBytes(values[id]);
        HostTensor reused;
        if (TakeSpare(values[id].dtype, values[id].shape, bytes, &reused)) {
          outs.push_back(std::move(reused));
          continue;
        }
        try {
          outs.emplace_back(values[id].dtype, values[id].shape);
        } catch (const std::bad_alloc&) {
          return BadModel("out of memory allocating output '", values[id].name, "' (", bytes, " bytes)")
              .WithNode(n.op_type, n.name);
        }
      }
      ctx.outputs = &outs;
      if (n.schema->output_aliases_input0) {
        outs[0] = ptr[n.inputs[0]]->Reshaped(values[n.outputs[0]].shape);
      } else {
        const ops::RefFn kernel = fast_ && n.schema->cpu ? n.schema->cpu : n.schema->reference;
        Status st = kernel(ctx);
        if (!st.ok()) return st.WithNode(n.op_type, n.name);
      }
      for (size_t k = 0; k < n.outputs.size(); ++k) {
        if (n.outputs[k] < 0) continue;
        live[n.outputs[k]] = std::move(outs[k]);
        ptr[n.outputs[k]] = &live[n.outputs[k]];
      }
      for (int id : n.inputs)
        if (Releasable(id, i)) KeepSpare(&live[id]);
      if (stats) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        stats->dispatches.push_back({n.name, (fast_ && n.schema->cpu ? "cpu_" : "reference_") + n.op_type, ms});
      }
    }
    std::vector<HostTensor> out;
    for (int id : g.outputs) {
      if (!ptr[id]) return Error(StatusCode::kBadModel, "output '", values[id].name, "' was not computed");
      out.push_back(*ptr[id]);
    }
    return out;
  }

  size_t dispatch_count() const override { return 0; }

  // Freed intermediates are kept, up to the run's peak of live bytes, and their memory is given to later
  // outputs of the same size, in this run and the next: a fresh large allocation is new pages from the
  // system, zeroed through page faults on every run (measured: 1.6 ms of a 6 ms Conv in TransNetV2).
  void KeepSpare(HostTensor* t) {
    const size_t bytes = t->byte_size();
    if (bytes >= kSpareMinBytes && spare_bytes_ + bytes <= peak_) {
      spare_bytes_ += bytes;
      spare_.emplace(bytes, std::move(*t));
    }
    *t = HostTensor();
  }
  bool TakeSpare(DType dtype, const Shape& shape, uint64_t bytes, HostTensor* out) {
    auto it = spare_.find(static_cast<size_t>(bytes));
    if (it == spare_.end() || !HostTensor::Recycle(&it->second, dtype, shape, out)) return false;
    spare_bytes_ -= static_cast<uint64_t>(bytes);
    spare_.erase(it);
    return true;
  }
  void set_default_budget() { budget_is_default_ = true; }

 private:
  // An intermediate whose last reader is node `i`: freed after it runs (never inputs, constants, outputs).
  bool Releasable(int id, size_t i) const {
    if (id < 0 || last_use_[id] != static_cast<int>(i)) return false;
    const ir::Value& v = bound_->values[id];
    return !v.is_graph_output && v.producer >= 0 && !v.constant;
  }

  std::shared_ptr<const ir::BoundGraph> bound_;
  std::vector<int> last_use_;
  std::vector<std::shared_ptr<void>> node_state_;  // RefContext::state, one slot per node
  cpu::Workspace workspace_;                       // RefContext::workspace
  uint64_t budget_;
  bool budget_is_default_ = false;
  bool fast_;
  static constexpr size_t kSpareMinBytes = 64 << 10;  // smaller ones come from the allocator's free lists
  uint64_t peak_ = 0, spare_bytes_ = 0;
  std::multimap<size_t, HostTensor> spare_;
};

}  // namespace

Result<std::unique_ptr<Plan>> MakeCpuPlan(std::shared_ptr<const ir::BoundGraph> bound, uint64_t memory_budget,
                                          bool fast) {
  auto plan = std::make_unique<CpuPlan>(std::move(bound), memory_budget ? memory_budget : HalfOfMemory(), fast);
  if (!memory_budget) plan->set_default_budget();
  WC_RETURN_IF_ERROR(plan->CheckMemory());
  return std::unique_ptr<Plan>(std::move(plan));
}

}  // namespace webconv::runtime
