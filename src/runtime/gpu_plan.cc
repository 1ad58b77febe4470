// The WebGPU backend's plan: buffer assignment by lifetime, one prepared dispatch list, and the
// uploads/readbacks around it.
#include <algorithm>
#include <chrono>
#include <limits>

#include "gpu/pipeline_cache.h"
#include "runtime/first_run.h"
#include "runtime/gpu_transfer.h"
#include "runtime/node_flops.h"
#include "runtime/session.h"

namespace webconv::runtime {
namespace {

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// WebGPU kernels index tensors with 32-bit integers: every tensor a running node reads or writes has fewer
// than 2^31 elements. Checked here, once for every op and before any buffer is made, so no kernel
// generator repeats it.
Status CheckElementLimit(const ir::Node& n, const std::vector<ir::Value>& values) {
  for (const std::vector<int>* ids : {&n.inputs, &n.outputs})
    for (int id : *ids) {
      if (id < 0) continue;
      const int64_t count = NumElements(values[id].shape);
      if (count >= (int64_t{1} << 31))
        return BadModel("tensor '", values[id].name, "' has ", count,
                        " elements; WebGPU kernels take tensors of fewer than 2^31 elements")
            .WithNode(n.op_type, n.name);
    }
  return OkStatus();
}

// Constants uploaded once per session, shared by all of its plans.
struct ConstantCache {
  std::map<const HostTensor*, gpu::BufferPtr> buffers;
};

class GpuPlan : public Plan {
 public:
  GpuPlan(std::shared_ptr<const ir::BoundGraph> bound, std::shared_ptr<gpu::Device> device,
          const ops::KernelTuning& tuning)
      : bound_(std::move(bound)), device_(std::move(device)), tuning_(tuning) {}

  Status Build(ConstantCache* constants, const ProgressFn& progress, FirstRun first_run);

  Result<std::vector<HostTensor>> Execute(const std::map<int, const HostTensor*>& inputs, RunStats* stats,
                                          PlanIo* io) override {
    WC_RETURN_IF_ERROR(AdvanceTier());
    const auto& values = bound_->values;
    const auto t_upload = std::chrono::steady_clock::now();
    // The inputs are written by the run itself (through staging the program keeps between runs); those
    // on the GPU are copied into place ahead of it, in queue order.
    std::vector<gpu::WriteRequest> writes;
    std::vector<std::vector<uint32_t>> converted(uploads_.size());
    for (size_t k = 0; k < uploads_.size(); ++k) {
      const auto& [id, buffer] = uploads_[k];
      if (io) {
        if (auto d = io->inputs.find(id); d != io->inputs.end()) {
          const uint64_t bytes = static_cast<uint64_t>(NumElements(d->second->shape)) * DTypeSize(d->second->dtype);
          WC_RETURN_IF_ERROR(device_->Copy(*d->second->buffer, 0, *buffer, 0, bytes));
          continue;
        }
      }
      auto it = inputs.find(id);
      if (it == inputs.end()) return UsageError("input '", values[id].name, "' was not given");
      WC_ASSIGN_OR_RETURN(const GpuWordBytes bytes, AsGpuWordBytes(*it->second, values[id].name, &converted[k]));
      writes.push_back({buffer.get(), bytes.data, bytes.size});
    }
    std::vector<gpu::DispatchTiming> timings;
    // The outputs are read in the same submission as the dispatches: GPU-word dtypes straight into the
    // output tensors' bytes, the others as words converted afterwards.
    std::vector<HostTensor> out;
    std::vector<std::vector<uint32_t>> words(bound_->graph->outputs.size());
    std::vector<gpu::ReadRequest> reads;
    for (size_t k = 0; k < bound_->graph->outputs.size(); ++k) {
      const int id = bound_->graph->outputs[k];
      const ir::Value& v = values[id];
      const bool keep = io && io->keep.count(id);
      if (keep && !IsGpuWordDType(v.dtype)) {
        return UsageError("output '", v.name, "': ", DTypeName(v.dtype),
                          " tensors cannot be kept on the GPU (float32, int32 and uint32 can)");
      }
      if (!storage_[id]) {
        // Folded when planning (or a constant passed straight through).
        if (!v.constant) return Error(StatusCode::kDevice, "output '", v.name, "' has no storage");
        out.push_back(*v.constant);
        continue;
      }
      if (keep) {  // copied into a buffer of its own after the run (KeepOutputs)
        out.emplace_back();
        continue;
      }
      if (IsGpuWordDType(v.dtype)) {
        out.emplace_back(v.dtype, v.shape);
        if (out.back().byte_size()) reads.push_back({storage_[id].get(), 0, out.back().mutable_data(), out.back().byte_size()});
        continue;
      }
      out.emplace_back();
      words[k].resize(static_cast<size_t>(NumElements(v.shape)));
      if (!words[k].empty()) reads.push_back({storage_[id].get(), 0, words[k].data(), words[k].size() * 4});
    }
    // The index-check words: cleared by the run's writes, read back with the outputs.
    std::vector<uint32_t> index_errors(checks_.size());
    if (!checks_.empty()) {
      writes.push_back({check_words_.get(), zero_words_.data(), zero_words_.size() * 4});
      reads.push_back({check_words_.get(), 0, index_errors.data(), index_errors.size() * 4});
    }
    const auto t_run = std::chrono::steady_clock::now();
    WC_RETURN_IF_ERROR(program_->RunAndRead(writes, stats && stats->timestamps ? &timings : nullptr, reads));
    const auto t_read = std::chrono::steady_clock::now();
    ++runs_;
    if (io) WC_RETURN_IF_ERROR(KeepOutputs(&out, io));
    for (size_t k = 0; k < checks_.size(); ++k)
      if (index_errors[k]) return IndexError(checks_[k], index_errors[k], inputs);
    for (size_t k = 0; k < bound_->graph->outputs.size(); ++k) {
      const ir::Value& v = values[bound_->graph->outputs[k]];
      if (storage_[bound_->graph->outputs[k]] && !IsGpuWordDType(v.dtype)) out[k] = FromGpuWords(words[k], v.dtype, v.shape);
    }
    if (stats) {
      stats->quick = quick_;
      stats->dispatches = std::move(timings);
      stats->upload_ms = std::chrono::duration<double, std::milli>(t_run - t_upload).count();
      stats->gpu_ms = std::chrono::duration<double, std::milli>(t_read - t_run).count();
      stats->readback_ms = MsSince(t_read);
    }
    return out;
  }

  // The outputs io->keep names, each copied on the GPU (queue order: after the run) into a buffer of its
  // own, which the caller owns from here on; one folded to a constant is written into it from the host.
  Status KeepOutputs(std::vector<HostTensor>* out, PlanIo* io) {
    const auto& outputs = bound_->graph->outputs;
    for (size_t k = 0; k < outputs.size(); ++k) {
      const int id = outputs[k];
      if (!io->keep.count(id) || io->outputs.count(id)) continue;
      const ir::Value& v = bound_->values[id];
      const uint64_t bytes = static_cast<uint64_t>(NumElements(v.shape)) * DTypeSize(v.dtype);
      WC_ASSIGN_OR_RETURN(gpu::BufferPtr buffer, device_->CreateBuffer(std::max<uint64_t>(bytes, 4), v.name));
      if (storage_[id]) {
        WC_RETURN_IF_ERROR(device_->Copy(*storage_[id], 0, *buffer, 0, bytes));
      } else {
        WC_RETURN_IF_ERROR(device_->Write(*buffer, 0, (*out)[k].data(), bytes));
        (*out)[k] = HostTensor();
      }
      io->outputs[id] = DeviceTensor{v.dtype, v.shape, std::move(buffer)};
    }
    return OkStatus();
  }

  size_t dispatch_count() const override { return dispatch_count_; }
  bool quick() const override { return quick_; }
  bool quick_only() const override { return quick_only_; }
  double tuned_ready_ms() const override { return tuned_ready_ms_; }

  Status Settle() override {
    if (!quick_ || quick_only_) return OkStatus();
    if (!job_) StartTuned();
    if (job_) WC_RETURN_IF_ERROR(job_->Wait());
    return SwitchToTuned();
  }
  size_t index_checks() const { return checks_.size(); }
  size_t intermediate_values() const override { return intermediate_values_; }
  size_t intermediate_buffers() const override { return intermediate_buffers_; }

 private:
  Result<gpu::BufferPtr> NewBuffer(uint64_t words, const std::string& label) {
    return device_->CreateBuffer(std::max<uint64_t>(words, 1) * 4, label);
  }

  // A kernel's check of runtime indices (ops::GpuIndexCheck), with the node it belongs to.
  struct IndexCheck {
    ops::GpuIndexCheck check;
    std::string op, node;
    int indices = -1;   // value id of the indices
    int64_t count = 0;  // their element count
  };
  // The failure a nonzero check word reports: its first offending position, with the index value when
  // the indices are an input of this run.
  Status IndexError(const IndexCheck& c, uint32_t word, const std::map<int, const HostTensor*>& inputs) const {
    const int64_t position = c.count - static_cast<int64_t>(word);
    auto it = inputs.find(c.indices);
    int64_t value = 0;
    const bool known = it != inputs.end() && position >= 0 && position < it->second->num_elements();
    if (known) value = it->second->GetInt(position);
    return c.check.describe(position, known ? &value : nullptr).WithNode(c.op, c.node);
  }

  // The quick tier (FirstRun::kQuick): from the second run on, the tuned kernels compile in the
  // background; each run first looks, without waiting, whether they are all ready, and switches then.
  Status AdvanceTier() {
    if (!quick_ || quick_only_) return OkStatus();
    if (!job_ && runs_ > 0) StartTuned();
    if (!job_) return OkStatus();
    WC_ASSIGN_OR_RETURN(const bool ready, job_->Poll());
    return ready ? SwitchToTuned() : OkStatus();
  }
  void StartTuned() {
    std::vector<const gpu::Kernel*> kernels;
    for (const gpu::Dispatch& d : tuned_dispatches_) kernels.push_back(d.kernel.get());
    job_started_ = std::chrono::steady_clock::now();
    job_ = device_->StartCompile(kernels);
  }
  // Builds the tuned program (its pipelines are compiled by now, or compile here) and drops the quick one.
  Status SwitchToTuned() {
    job_.reset();
    dispatch_count_ = tuned_dispatches_.size();
    WC_ASSIGN_OR_RETURN(program_, device_->CreateProgram(std::move(tuned_dispatches_)));
    tuned_dispatches_.clear();
    quick_ = false;
    tuned_ready_ms_ = MsSince(job_started_);
    return OkStatus();
  }

  std::shared_ptr<const ir::BoundGraph> bound_;
  std::shared_ptr<gpu::Device> device_;
  const ops::KernelTuning tuning_;  // the session's overrides of the kernels' choices
  bool quick_ = false, quick_only_ = false;  // runs use the quick tier; and never leave it
  std::vector<gpu::Dispatch> tuned_dispatches_;  // while quick_: the tuned program's dispatches
  std::unique_ptr<gpu::CompileJob> job_;         // their compile, once started
  std::chrono::steady_clock::time_point job_started_;
  double tuned_ready_ms_ = 0;
  size_t runs_ = 0;
  std::vector<IndexCheck> checks_;  // slot k is word k of check_words_
  gpu::BufferPtr check_words_;
  std::vector<uint32_t> zero_words_;  // what clears check_words_ before each run
  std::vector<gpu::BufferPtr> storage_;  // per value id
  std::vector<std::pair<int, gpu::BufferPtr>> uploads_;
  std::unique_ptr<gpu::Program> program_;
  size_t dispatch_count_ = 0;
  size_t intermediate_values_ = 0, intermediate_buffers_ = 0;
};

Status GpuPlan::Build(ConstantCache* constants, const ProgressFn& progress, FirstRun first_run) {
  const auto t_start = std::chrono::steady_clock::now();
  const ir::Graph& g = *bound_->graph;
  const auto& values = bound_->values;
  const int never = std::numeric_limits<int>::max();
  storage_.assign(values.size(), nullptr);

  // Aliasing ops (Reshape, ...) share their input's storage: group values by storage root and give
  // each root the last use of any value in its group. Graph outputs live to the end.
  std::vector<int> root(values.size());
  for (size_t id = 0; id < values.size(); ++id) root[id] = static_cast<int>(id);
  // A Concat whose inputs are written in place (ir/rewrite_concat.cc): the inputs live in slices of its
  // output's buffer, so they join its group; the buffer is taken when the first branch runs and held
  // until the output's last reader.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (!bound_->folded[i] && n.inputs_in_place && n.outputs[0] >= 0)
      for (int id : n.inputs)
        if (id >= 0) root[id] = n.outputs[0];
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    if (!bound_->folded[i] && n.schema->output_aliases_input0 && n.outputs[0] >= 0)
      root[n.outputs[0]] = root[n.inputs[0]];
  }
  std::vector<int> last_use(values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (int id : g.nodes[i].inputs)
      if (id >= 0) last_use[root[id]] = std::max(last_use[root[id]], static_cast<int>(i));
  for (size_t id = 0; id < values.size(); ++id)
    if (values[id].is_graph_output) last_use[root[id]] = never;

  // Free buffers by size for reuse (best fit).
  std::multimap<uint64_t, gpu::BufferPtr> free_list;
  auto acquire = [&](uint64_t words, const std::string& label) -> Result<gpu::BufferPtr> {
    auto it = free_list.lower_bound(std::max<uint64_t>(words, 1) * 4);
    if (it != free_list.end() && it->first <= 2 * std::max<uint64_t>(words, 4) * 4) {
      auto b = it->second;
      free_list.erase(it);
      return b;
    }
    ++intermediate_buffers_;
    return NewBuffer(words, label);
  };

  // Constants first seen by this plan: their buffers are made while planning, their bytes written
  // while the pipelines compile.
  struct ConstantWrite {
    gpu::BufferPtr buffer;
    const HostTensor* tensor;
    std::string name;
  };
  std::vector<ConstantWrite> constant_writes;
  // Storage for a value read by a kernel: a constant (uploaded once), a graph input (uploaded per run),
  // or an intermediate already produced.
  auto input_storage = [&](int id, const ir::Node& n) -> Status {
    if (storage_[root[id]]) {
      storage_[id] = storage_[root[id]];
      return OkStatus();
    }
    const ir::Value& v = values[id];
    WC_RETURN_IF_ERROR(CheckGpuDType(v.dtype, "input '" + v.name + "'").WithNode(n.op_type, n.name));
    if (v.constant && !(v.is_graph_input && !v.is_initializer)) {
      auto& cached = constants->buffers[v.constant.get()];
      if (!cached) {
        // Written later, while the pipelines compile.
        WC_ASSIGN_OR_RETURN(cached, NewBuffer(NumElements(v.constant->shape()), v.name));
        constant_writes.push_back({cached, v.constant.get(), v.name});
      }
      storage_[id] = cached;
    } else if (v.is_graph_input) {
      WC_ASSIGN_OR_RETURN(storage_[id], NewBuffer(NumElements(v.shape), v.name));
      uploads_.emplace_back(id, storage_[id]);
    } else {
      return Error(StatusCode::kDevice, "internal: value '", v.name, "' is read before it is written")
          .WithNode(n.op_type, n.name);
    }
    storage_[root[id]] = storage_[id];
    return OkStatus();
  };

  // The tuned tier's dispatches, and (FirstRun::kQuick) the quick tier's: the same buffers, other kernels
  // for the ops that have quick ones.
  // kAuto compares the tiers (first_run.h), so it needs both lists too.
  const bool background = device_->compiles_in_background();
  const bool quick_tier = first_run == FirstRun::kQuickOnly || (background && first_run != FirstRun::kTuned);
  double quick_node_flops = 0;  // of the nodes whose kernels differ between the tiers
  std::vector<gpu::Dispatch> dispatches, quick_dispatches;
  struct CheckSlot {
    std::vector<gpu::Dispatch>* list;
    size_t dispatch, binding;  // where the index-check words are bound
  };
  std::vector<CheckSlot> check_bindings;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (bound_->folded[i]) continue;
    const ir::Node& n = g.nodes[i];
    WC_RETURN_IF_ERROR(CheckElementLimit(n, values));
    if (n.inputs_in_place) {
      // Every input already wrote its slice of this output's buffer: no kernel.
      for (int id : n.inputs)
        if (id < 0 || !storage_[id])
          return Error(StatusCode::kDevice, "internal: an input of an in-place Concat has no storage")
              .WithNode(n.op_type, n.name);
      storage_[n.outputs[0]] = storage_[root[n.outputs[0]]];
      continue;
    }
    // Inputs get storage only when a kernel binds them: host inputs (a Slice's ends, a Reshape's
    // shape) are read while planning and never uploaded.
    if (n.schema->output_aliases_input0) {
      WC_RETURN_IF_ERROR(input_storage(n.inputs[0], n));
      storage_[n.outputs[0]] = storage_[n.inputs[0]];
      continue;
    }
    auto make_context = [&](bool quick) {
      ops::GpuContext ctx;
      ctx.attrs = n.attrs;
      ctx.software_adapter = device_->info().is_software;
      ctx.max_workgroup_storage = device_->info().max_workgroup_storage;
      ctx.max_storage_binding = device_->info().max_storage_binding_size;
      ctx.subgroups = device_->info().has_subgroups;
      ctx.fixed_subgroup_size = device_->info().fixed_subgroup_size;
      ctx.compute_units = device_->info().compute_units;
      ctx.tuning = &tuning_;
      ctx.first_index_check_slot = static_cast<uint32_t>(checks_.size());
      ctx.opset = n.opset;
      ctx.quick = quick;
      for (int id : n.inputs) {
        ops::TensorInfo info;
        if (id >= 0) info = {true, values[id].dtype, values[id].shape, values[id].constant.get()};
        ctx.inputs.push_back(info);
      }
      for (int id : n.outputs) {
        ops::TensorInfo info;
        if (id >= 0) info = {true, values[id].dtype, values[id].shape, nullptr};
        ctx.outputs.push_back(info);
      }
      return ctx;
    };
    for (int id : n.outputs) {
      if (id < 0) continue;
      WC_RETURN_IF_ERROR(CheckGpuDType(values[id].dtype, "output '" + values[id].name + "'").WithNode(n.op_type, n.name));
      // An output written in place into a larger group buffer takes it, whole, from the first writer.
      const int r = root[id];
      if (!storage_[r]) {
        WC_ASSIGN_OR_RETURN(storage_[r], acquire(NumElements(values[r].shape), values[r].name));
        ++intermediate_values_;
      }
      storage_[id] = storage_[r];
    }
    ops::GpuContext ctx = make_context(false);
    Status st = n.schema->gpu(ctx);
    if (!st.ok()) return st.WithNode(n.op_type, n.name);
    for (ops::GpuIndexCheck& c : ctx.index_checks) {
      const int indices = n.inputs.at(static_cast<size_t>(c.indices_input));
      checks_.push_back({std::move(c), n.op_type, n.name, indices, NumElements(values[indices].shape)});
    }
    // The node's dispatches, with their buffers, appended to `list` (scratch buffers into `scratch`).
    std::vector<gpu::BufferPtr> scratch;
    auto record = [&](ops::GpuContext& c, std::vector<gpu::Dispatch>* list) -> Status {
      std::vector<gpu::BufferPtr> own;
      for (uint64_t words : c.scratch_words) {
        WC_ASSIGN_OR_RETURN(auto b, acquire(words, n.name + ":scratch"));
        own.push_back(b);
        scratch.push_back(b);
      }
      for (auto& rec : c.dispatches) {
        gpu::Dispatch d;
        d.kernel = rec.kernel;
        d.uniforms = std::move(rec.uniforms);
        std::copy(rec.groups, rec.groups + 3, d.groups);
        d.label = n.name;
        for (const ops::GpuRef& r : rec.bindings) {
          gpu::BufferPtr b;
          if (r.kind == ops::GpuRef::kIndexCheck) {
            // The check words are made once every node has said how many slots it needs.
            check_bindings.push_back({list, list->size(), d.buffers.size()});
            d.buffers.emplace_back();
            continue;
          }
          if (r.kind == ops::GpuRef::kInput) {
            const int id = n.inputs.at(r.index);
            if (id >= 0) WC_RETURN_IF_ERROR(input_storage(id, n));
            b = id >= 0 ? storage_[id] : nullptr;
          }
          else if (r.kind == ops::GpuRef::kOutput) b = n.outputs.at(r.index) >= 0 ? storage_[n.outputs[r.index]] : nullptr;
          else b = own.at(r.index);
          if (!b) return Error(StatusCode::kDevice, "internal: kernel ", d.kernel->name, " binds a missing tensor")
                     .WithNode(n.op_type, n.name);
          d.buffers.push_back(std::move(b));
        }
        list->push_back(std::move(d));
      }
      return OkStatus();
    };
    if (quick_tier && n.schema->gpu_has_quick) {
      quick_node_flops += NodeFlops(*bound_, i);
      ops::GpuContext q = make_context(true);
      st = n.schema->gpu(q);
      if (!st.ok()) return st.WithNode(n.op_type, n.name);
      if (!q.index_checks.empty())
        return Error(StatusCode::kDevice, "internal: a quick kernel checks indices").WithNode(n.op_type, n.name);
      WC_RETURN_IF_ERROR(record(q, &quick_dispatches));
      WC_RETURN_IF_ERROR(record(ctx, &dispatches));
    } else {
      const size_t first = dispatches.size(), first_slot = check_bindings.size();
      WC_RETURN_IF_ERROR(record(ctx, &dispatches));
      // Kernels without a quick form serve both tiers, with this node's index-check bindings.
      if (quick_tier) {
        const size_t quick_first = quick_dispatches.size();
        quick_dispatches.insert(quick_dispatches.end(), dispatches.begin() + first, dispatches.end());
        for (size_t c = first_slot, end = check_bindings.size(); c < end; ++c) {
          CheckSlot slot = check_bindings[c];
          slot.list = &quick_dispatches;
          slot.dispatch = slot.dispatch - first + quick_first;
          check_bindings.push_back(slot);
        }
      }
    }
    for (auto& b : scratch) free_list.emplace(b->size(), b);
    // An output nothing reads (an unused optional output) is free right away.
    for (int id : n.outputs)
      if (id >= 0 && last_use[root[id]] == -1 && storage_[id]) free_list.emplace(storage_[id]->size(), storage_[id]);
    // Release what this node was the last to read (never graph inputs, constants or outputs).
    for (int id : n.inputs) {
      if (id < 0) continue;
      const int r = root[id];
      const ir::Value& rv = values[r];
      if (last_use[r] == static_cast<int>(i) && rv.producer >= 0 && !rv.constant && storage_[r]) {
        free_list.emplace(storage_[r]->size(), storage_[r]);
        last_use[r] = -2;  // released once even if read twice by this node
      }
    }
  }
  if (!checks_.empty()) {
    WC_ASSIGN_OR_RETURN(check_words_, NewBuffer(checks_.size(), "index checks"));
    zero_words_.assign(checks_.size(), 0);
    for (const CheckSlot& c : check_bindings) (*c.list)[c.dispatch].buffers[c.binding] = check_words_;
  }
  // Tiers only where they differ (some node has a quick kernel); kAuto picks one by the cost model.
  // Each tier's distinct pipelines (gpu/pipeline_cache.h's identity) that the other tier lacks.
  gpu::PipelineIdentitySet quick_ids, tuned_ids;
  for (const gpu::Dispatch& d : quick_dispatches) quick_ids.Add(*d.kernel);
  TierCosts costs;
  costs.flops = quick_node_flops;
  for (const gpu::Dispatch& d : dispatches)
    if (tuned_ids.Add(*d.kernel) && !quick_ids.Contains(*d.kernel)) ++costs.tuned_pipelines;
  gpu::PipelineIdentitySet counted;
  for (const gpu::Dispatch& d : quick_dispatches)
    if (counted.Add(*d.kernel) && !tuned_ids.Contains(*d.kernel)) ++costs.quick_pipelines;
  const bool differ = quick_tier && costs.tuned_pipelines + costs.quick_pipelines > 0;
  FirstRun chosen = first_run;
  if (first_run == FirstRun::kAuto) chosen = ChooseFirstRun(costs, device_->info().is_software, background);
  const bool tiered = differ && (chosen == FirstRun::kQuickOnly || (chosen == FirstRun::kQuick && background));
  quick_ = tiered;
  quick_only_ = tiered && chosen == FirstRun::kQuickOnly;
  if (tiered) {
    timing.first_run = FirstRunName(chosen);
    timing.tuned_pipelines = quick_only_ ? 0 : costs.tuned_pipelines;
    if (!quick_only_) tuned_dispatches_ = std::move(dispatches);
    dispatches = std::move(quick_dispatches);
  }
  dispatch_count_ = dispatches.size();
  timing.plan_ms = MsSince(t_start);

  // Every pipeline at once: identical WGSL compiles once, the rest concurrently, and the constants are
  // written meanwhile.
  auto write_constants = [&]() -> Status {
    const auto tu = std::chrono::steady_clock::now();
    std::vector<uint32_t> scratch;
    for (const ConstantWrite& w : constant_writes) {
      WC_ASSIGN_OR_RETURN(const GpuWordBytes bytes, AsGpuWordBytes(*w.tensor, w.name, &scratch));
      if (bytes.size) WC_RETURN_IF_ERROR(device_->Write(*w.buffer, 0, bytes.data, bytes.size));
    }
    timing.upload_ms = MsSince(tu);
    return OkStatus();
  };
  const auto tc = std::chrono::steady_clock::now();
  const gpu::CompileStats before = device_->compile_stats();
  std::vector<const gpu::Kernel*> kernels;
  for (const gpu::Dispatch& d : dispatches) kernels.push_back(d.kernel.get());
  gpu::ProgressFn compile_progress;
  if (progress) compile_progress = [&progress](size_t done, size_t total) { progress("compile", done, total); };
  WC_RETURN_IF_ERROR(device_->PrepareAll(kernels, compile_progress, write_constants));
  const gpu::CompileStats after = device_->compile_stats();
  timing.pipelines_compiled = after.pipelines_compiled - before.pipelines_compiled;
  timing.pipelines = timing.pipelines_compiled + (after.pipelines_reused - before.pipelines_reused);
  timing.compile_ms = MsSince(tc);

  const auto tp = std::chrono::steady_clock::now();
  WC_ASSIGN_OR_RETURN(program_, device_->CreateProgram(std::move(dispatches)));
  timing.program_ms = MsSince(tp);
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Plan>> MakeGpuPlan(std::shared_ptr<const ir::BoundGraph> bound,
                                          std::shared_ptr<gpu::Device> device, std::shared_ptr<void>* constants,
                                          const ProgressFn& progress, FirstRun first_run,
                                          const ops::KernelTuning& tuning) {
  if (!*constants) *constants = std::make_shared<ConstantCache>();
  auto plan = std::make_unique<GpuPlan>(std::move(bound), std::move(device), tuning);
  WC_RETURN_IF_ERROR(plan->Build(static_cast<ConstantCache*>(constants->get()), progress, first_run));
  return std::unique_ptr<Plan>(std::move(plan));
}

}  // namespace webconv::runtime
