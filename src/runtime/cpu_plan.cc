// The CPU reference backend: runs every node's float64 reference kernel in graph order.
#include <chrono>
#include <new>

#include <unistd.h>

#include "runtime/session.h"

namespace webconv::runtime {
namespace {

// The CPU backend refuses single tensors larger than half of physical memory, before allocating: a
// small model can ask for a huge output (a ConvTranspose with a giant stride), and that must end in a
// message, not an allocation failure.
uint64_t CpuTensorByteLimit() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) / 2 : uint64_t{1} << 33;
}

class CpuPlan : public Plan {
 public:
  explicit CpuPlan(std::shared_ptr<const ir::BoundGraph> bound) : bound_(std::move(bound)) {
    const ir::Graph& g = *bound_->graph;
    // Free each intermediate after its last consumer so peak memory follows the live set.
    last_use_.assign(g.values.size(), -1);
    for (size_t i = 0; i < g.nodes.size(); ++i)
      for (int id : g.nodes[i].inputs)
        if (id >= 0) last_use_[id] = static_cast<int>(i);
  }

  Result<std::vector<HostTensor>> Execute(const std::map<int, const HostTensor*>& inputs, RunStats* stats) override {
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
      ctx.attrs = n.attrs.get();
      ctx.opset = n.opset;
      for (int id : n.inputs) ctx.inputs.push_back(id >= 0 ? ptr[id] : nullptr);
      std::vector<HostTensor> outs;
      for (int id : n.outputs) {
        if (id < 0) {
          outs.emplace_back();
          continue;
        }
        const uint64_t bytes = static_cast<uint64_t>(NumElements(values[id].shape)) * DTypeSize(values[id].dtype);
        if (bytes > byte_limit_)
          return BadModel("output '", values[id].name, "' ", ShapeString(values[id].shape), " needs ", bytes,
                          " bytes, more than the CPU backend's limit of ", byte_limit_, " (half of memory)")
              .WithNode(n.op_type, n.name);
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
        Status st = n.schema->reference(ctx);
        if (!st.ok()) return st.WithNode(n.op_type, n.name);
      }
      for (size_t k = 0; k < n.outputs.size(); ++k) {
        if (n.outputs[k] < 0) continue;
        live[n.outputs[k]] = std::move(outs[k]);
        ptr[n.outputs[k]] = &live[n.outputs[k]];
      }
      for (int id : n.inputs)
        if (id >= 0 && last_use_[id] == static_cast<int>(i) && !values[id].is_graph_output && values[id].producer >= 0 &&
            !values[id].constant)
          live[id] = HostTensor();
      if (stats) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        stats->dispatches.push_back({n.name, "reference_" + n.op_type, ms});
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

 private:
  std::shared_ptr<const ir::BoundGraph> bound_;
  std::vector<int> last_use_;
  const uint64_t byte_limit_ = CpuTensorByteLimit();
};

}  // namespace

Result<std::unique_ptr<Plan>> MakeCpuPlan(std::shared_ptr<const ir::BoundGraph> bound) {
  return std::unique_ptr<Plan>(new CpuPlan(std::move(bound)));
}

}  // namespace webconv::runtime
