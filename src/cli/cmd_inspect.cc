// `webconv inspect`: the model's inputs, outputs and nodes, where each node runs, and every problem
// at once (exit 3 when any node cannot run). `inspect --ops` prints the supported-ops table instead.
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/ops_table.h"
#include "ir/rewrite.h"
#include "onnx/loader.h"
#include "runtime/tuning_env.h"

namespace webconv::cli {
namespace {

std::string ValueText(const ir::Value& v) {
  std::string dims = "[";
  for (size_t d = 0; d < v.shape.size(); ++d) {
    if (d) dims += ",";
    dims += v.shape[d] >= 0 ? std::to_string(v.shape[d]) : (v.dim_names[d].empty() ? "?" : v.dim_names[d]);
  }
  return v.name + ": " + (v.dtype == DType::kUndefined ? "?" : DTypeName(v.dtype)) +
         (v.has_shape ? dims + "]" : "[?]");
}

}  // namespace

int CmdInspect(int argc, char** argv) {
  auto args = ParseCommandArgs("inspect", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->Has("ops")) {
    if (!args->positional.empty() || args->Has("shape"))
      return Fail(UsageError("inspect --ops takes no MODEL and no --shape"));
    PrintOpsTable(std::cout, args->Has("markdown"));
    return 0;
  }
  if (args->Has("markdown")) return Fail(UsageError("--markdown goes with inspect --ops"));
  if (args->positional.size() != 1) return Fail(UsageError("inspect expects one MODEL (or --ops)"));
  auto model = onnx::LoadModelFile(args->positional[0]);
  if (!model.ok()) return FailModel(model.status(), args->positional[0]);
  auto graph = ir::BuildGraph(*model);
  if (!graph.ok()) return FailModel(graph.status(), args->positional[0]);
  ir::RunShapeFreeRewrites(graph->get());  // as a session does: inspect lists what runs
  const ir::Graph& g = **graph;
  const auto& p = (*model)->proto;
  std::cout << "model: " << args->positional[0] << "\n  ir_version " << p.ir_version << ", producer '"
            << p.producer_name << "' " << p.producer_version << "\n  opsets:";
  for (const auto& [domain, v] : g.opsets)
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << v;
  std::cout << "\ninputs:\n";
  for (int id : g.inputs)
    std::cout << "  " << ValueText(g.values[id])
              << (g.values[id].is_initializer ? " (initializer, optional)" : "") << "\n";
  std::cout << "outputs:\n";
  for (int id : g.outputs) std::cout << "  " << ValueText(g.values[id]) << "\n";

  // With every node supported, bind shapes (dynamic dims 1 unless --shape) to show inferred shapes and
  // which nodes fold away.
  const auto problems = g.Problems();
  std::shared_ptr<const ir::BoundGraph> bound;
  std::vector<std::string> bind_errors;  // every shape-inference failure, not just the first
  if (problems.empty()) {
    runtime::SessionOptions so;
    so.backend = runtime::Backend::kReference;
    auto session = runtime::Session::FromModel(*model, so);
    std::ostringstream quiet;
    auto feeds = session.ok() ? PrepareFeeds(**session, *args, quiet)
                              : Result<std::map<std::string, HostTensor>>(session.status());
    if (feeds.ok()) {
      std::map<int, ir::InputBinding> bindings;
      const auto value_inputs = ir::ValueDependentInputs(g);
      for (const auto& [name, t] : *feeds) {
        const int id = g.FindValue(name);
        ir::InputBinding b{t.dtype(), t.shape(), nullptr};
        for (int v : value_inputs)
          if (v == id) b.value = std::make_shared<const HostTensor>(t);
        bindings[id] = b;
      }
      std::vector<Status> shape_problems;
      ir::BindOptions bind_options;
      bind_options.problems = &shape_problems;
      // The fusions a session would run here (WEBCONV_NO_FUSION and the merges' switches).
      runtime::SessionOptions tuned;
      if (Status st = runtime::ApplyTuningEnvironment(&tuned); !st.ok()) return Fail(st);
      bind_options.fuse = tuned.fuse;
      bind_options.fusion = tuned.fusion;
      auto r = ir::Bind(*graph, bindings, bind_options);
      if (r.ok())
        bound = *r;
      else
        bind_errors.push_back(InModel(r.status(), args->positional[0]));
      for (const Status& s : shape_problems) bind_errors.push_back(InModel(s, args->positional[0]));
    } else {
      bind_errors.push_back(InModel(feeds.status(), args->positional[0]));
    }
  }
  // Once bound, the graph shown is the one that runs: after the Conv fusions (ir/rewrite.h).
  const ir::Graph& shown = bound ? *bound->graph : g;
  std::cout << "nodes:\n";
  int kernels = 0, folded = 0, aliases = 0;
  for (size_t i = 0; i < shown.nodes.size(); ++i) {
    const ir::Node& n = shown.nodes[i];
    std::string where;
    if (!n.problem.ok())
      where = "UNSUPPORTED: " + n.problem.message;
    else if (bound && bound->folded[i])
      where = "folded when planning (float64 reference)", ++folded;
    else if (n.inputs_in_place)
      where = "webgpu: no kernel (inputs written in place)", ++aliases;
    else if (n.schema->output_aliases_input0)
      where = "webgpu: no kernel (output aliases input)", ++aliases;
    else
      where = "webgpu kernel", ++kernels;
    std::cout << "  #" << i << " " << n.op_type << " '" << n.name << "' opset " << n.opset << ": " << where
              << "\n";
    if (bound) {
      for (int id : n.outputs)
        if (id >= 0) std::cout << "      -> " << ValueText(bound->values[id]) << "\n";
    }
  }
  for (const std::string& r : shown.rewrites) std::cout << "rewrite: " << r << "\n";
  if (shown.nodes.size() != g.nodes.size())
    std::cout << "rewrites: " << g.nodes.size() << " nodes as loaded, " << shown.nodes.size() << " after\n";
  std::cout << shown.nodes.size() << " nodes: " << kernels << " webgpu kernels, " << aliases
            << " without kernel, " << folded << " folded, " << problems.size() << " unsupported\n";
  for (const Status& s : problems) std::cerr << "error: " << InModel(s, args->positional[0]) << "\n";
  for (const std::string& e : bind_errors) std::cerr << "error: " << e << "\n";
  if (!bind_errors.empty()) return 3;
  return problems.empty() ? 0 : 3;
}

}  // namespace webconv::cli
