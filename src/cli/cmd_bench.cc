// `webconv bench`: median/min/max milliseconds and GFLOP/s of whole-model runs, two ways:
//   wall time  host time around one whole Session::Run (input upload, one submit of every dispatch in
//              one compute pass, wait, output readback), without timestamp queries. This is what ONNX
//              Runtime's `session.run` wall time measures, so the two compare like for like.
//   GPU time   the sum of per-dispatch timestamp queries (when the adapter has them). Timing each dispatch
//              puts each in its own compute pass, so these runs are separate from the wall-time runs.
// The headline `median_ms` is the GPU time when there is one, else the wall time. --per-kernel adds a
// per-node breakdown of the GPU time (median over runs) with each node's FLOPs.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/phases.h"
#include "common/json.h"
#include "runtime/node_flops.h"

namespace webconv::cli {
namespace {

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary Summarize(std::vector<double> t) {
  Summary s;
  if (t.empty()) return s;
  std::sort(t.begin(), t.end());
  s.median = t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  s.min = t.front();
  s.max = t.back();
  return s;
}

// One node's share of a timed run: its consecutive dispatches (a node may use several kernels).
struct NodeTime {
  std::string label;
  std::vector<std::string> kernels;
  std::vector<double> ms;  // per run, the sum over the node's dispatches
};

// Groups each run's dispatches into nodes by consecutive labels. The dispatch list is the same every
// run (one prepared program), so group k is the same node in every run.
void AddRun(const std::vector<gpu::DispatchTiming>& dispatches, std::vector<NodeTime>* nodes) {
  size_t g = 0;
  for (size_t i = 0; i < dispatches.size();) {
    size_t j = i;
    double sum = 0;
    std::vector<std::string> kernels;
    while (j < dispatches.size() && dispatches[j].label == dispatches[i].label) {
      sum += dispatches[j].ms;
      kernels.push_back(dispatches[j].kernel);
      ++j;
    }
    if (g == nodes->size()) nodes->push_back({dispatches[i].label, kernels, {}});
    (*nodes)[g].ms.push_back(sum);
    ++g;
    i = j;
  }
}

}  // namespace

int CmdBench(int argc, char** argv) {
  auto args = ParseCommandArgs("bench", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->positional.size() != 1) return Fail(UsageError("bench expects one MODEL"));
  auto runs = ParseInt(args->Get("runs", "20"), "--runs");
  auto warmup = ParseInt(args->Get("warmup", "3"), "--warmup");
  if (!runs.ok()) return Fail(runs.status());
  if (!warmup.ok()) return Fail(warmup.status());
  if (*runs < 1 || *runs > 100000 || *warmup < 0 || *warmup > 100000)
    return Fail(UsageError("--runs must be in 1..100000 and --warmup in 0..100000"));
  auto so = SessionOptionsFromArgs(*args);
  if (!so.ok()) return Fail(so.status());
  so->profile = true;
  ChooseDefaultBackend(*args, &*so);
  ProgressLine progress;
  so->progress = progress.Callback();
  progress.Begin("load");
  auto session = runtime::Session::Load(args->positional[0], *so);
  progress.End();
  if (!session.ok()) return FailModel(session.status(), args->positional[0]);
  runtime::Session& s = **session;
  const bool json = args->Has("json"), per_kernel = args->Has("per-kernel");
  std::ostringstream log;
  const double inputs_from = MsSinceProcessStart();
  auto feeds = PrepareFeeds(s, *args, log);
  const double inputs_ms = MsSinceProcessStart() - inputs_from;
  if (!feeds.ok()) return FailModel(feeds.status(), args->positional[0]);
  if (!json) {
    PrintAdapter(s, std::cout);
    std::cout << log.str();
  }

  // The cold start: the first run plans and compiles, untimed per dispatch, as a user's first run is.
  runtime::RunStats first;
  progress.Begin("run");
  auto first_out = s.Run(*feeds, &first);
  const double first_result_ms = MsSinceProcessStart();
  progress.End();
  if (!first_out.ok()) return FailModel(first_out.status(), args->positional[0]);
  ColdStart cold = CollectColdStart(s, first, first_result_ms, inputs_ms);
  // After a first run on the quick tier the timed runs are the tuned kernels'.
  if (Status st = SettleAfterFirstRun(s, &cold); !st.ok()) return FailModel(st, args->positional[0]);

  // Wall time: the other warm-up runs, then timed runs without timestamp queries.
  std::vector<double> wall_ms, upload_ms, submit_wait_ms, readback_ms;
  if (*warmup == 0) wall_ms.push_back(first.wall_ms);
  for (int64_t i = 1; i < *warmup + *runs; ++i) {
    runtime::RunStats rs;
    const auto t0 = std::chrono::steady_clock::now();
    auto out = s.Run(*feeds, &rs);
    const auto t1 = std::chrono::steady_clock::now();
    if (!out.ok()) return FailModel(out.status(), args->positional[0]);
    if (i >= *warmup) {
      wall_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      upload_ms.push_back(rs.upload_ms);
      submit_wait_ms.push_back(rs.gpu_ms);
      readback_ms.push_back(rs.readback_ms);
    }
    if (i == 1) cold.warm_run_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  }

  // GPU time: one extra warm-up run creates the query sets, then the timed runs.
  // On the CPU backends --per-kernel times each node on the host instead (the runs' own clock).
  const bool timestamps = s.adapter() && s.adapter()->has_timestamps;
  const bool host_nodes = !s.adapter() && per_kernel;
  std::vector<double> gpu_ms;
  std::vector<NodeTime> nodes;
  size_t dispatch_count = 0;
  if (timestamps || host_nodes) {
    for (int64_t i = -1; i < *runs; ++i) {
      runtime::RunStats stats;
      stats.timestamps = true;
      auto out = s.Run(*feeds, &stats);
      if (!out.ok()) return FailModel(out.status(), args->positional[0]);
      if (i < 0 || stats.dispatches.empty()) continue;
      if (host_nodes) {
        AddRun(stats.dispatches, &nodes);
        continue;
      }
      double sum = 0;
      for (const auto& d : stats.dispatches) sum += d.ms;
      gpu_ms.push_back(sum);
      dispatch_count = stats.dispatches.size();
      AddRun(stats.dispatches, &nodes);
    }
  }
  const bool use_gpu = !gpu_ms.empty() && gpu_ms.size() == static_cast<size_t>(*runs);
  const Summary wall = Summarize(wall_ms), gpu = Summarize(gpu_ms);
  const Summary& head = use_gpu ? gpu : wall;
  const ir::BoundGraph& bound = *s.last_bound();
  const double flops = runtime::CountFlops(bound);
  auto rate = [&](double ms) { return ms > 0 ? flops / (ms * 1e6) : 0.0; };
  const char* source = use_gpu ? "gpu-timestamps" : "host-wall";

  // Per-node FLOPs by node name, for the breakdown.
  std::map<std::string, double> node_flops;
  if (per_kernel)
    for (size_t i = 0; i < bound.graph->nodes.size(); ++i)
      node_flops[bound.graph->nodes[i].name] += runtime::NodeFlops(bound, i);

  if (json) {
    std::ostringstream o;
    o << std::setprecision(6) << "{\"model\": " << JsonString(args->positional[0]) << ", \"backend\": \""
      << runtime::BackendName(so->backend) << "\", \"adapter\": "
      << JsonString(s.adapter() ? s.adapter()->name : "cpu") << ", \"timing\": \"" << source
      << "\", \"runs\": " << *runs << ", \"warmup\": " << *warmup << ", \"median_ms\": " << head.median
      << ", \"min_ms\": " << head.min << ", \"max_ms\": " << head.max << ", \"gflop\": " << flops / 1e9
      << ", \"gflops_per_s\": " << rate(head.median) << ", \"wall_median_ms\": " << wall.median
      << ", \"wall_min_ms\": " << wall.min << ", \"wall_max_ms\": " << wall.max
      << ", \"wall_gflops_per_s\": " << rate(wall.median) << ", \"phases\": " << PhasesJson(cold)
      << ", \"wall_parts\": {\"upload_ms\": " << Summarize(upload_ms).median
      << ", \"submit_wait_ms\": " << Summarize(submit_wait_ms).median
      << ", \"readback_ms\": " << Summarize(readback_ms).median << "}";
    if (use_gpu) {
      o << ", \"gpu_median_ms\": " << gpu.median << ", \"gpu_min_ms\": " << gpu.min
        << ", \"gpu_max_ms\": " << gpu.max << ", \"gpu_gflops_per_s\": " << rate(gpu.median)
        << ", \"dispatches\": " << dispatch_count;
    } else {
      o << ", \"gpu_median_ms\": null, \"gpu_min_ms\": null, \"gpu_max_ms\": null, \"gpu_gflops_per_s\": "
           "null";
    }
    if (per_kernel) {
      o << ", \"kernels\": [";
      for (size_t k = 0; k < nodes.size(); ++k) {
        const Summary n = Summarize(nodes[k].ms);
        std::string names;
        for (const auto& kn : nodes[k].kernels) names += (names.empty() ? "" : "+") + kn;
        const double nf = node_flops[nodes[k].label];
        o << (k ? ", " : "") << "{\"node\": " << JsonString(nodes[k].label) << ", \"kernels\": "
          << JsonString(names) << ", \"median_ms\": " << n.median << ", \"gflop\": " << nf / 1e9
          << ", \"gflops_per_s\": " << (n.median > 0 ? nf / (n.median * 1e6) : 0.0) << "}";
      }
      o << "]";
    }
    o << "}\n";
    std::cout << o.str();
    return 0;
  }
  std::cout << std::fixed << std::setprecision(3) << runtime::BackendName(so->backend) << " (" << source
            << "), " << *runs << " runs: median " << head.median << " ms, min " << head.min << " ms, max "
            << head.max << " ms; " << flops / 1e9 << " GFLOP -> " << rate(head.median) << " GFLOP/s\n";
  if (use_gpu)
    std::cout << "  GPU time (sum of " << dispatch_count << " dispatch timestamps): median " << gpu.median
              << " ms, min " << gpu.min << " ms, max " << gpu.max << " ms -> " << rate(gpu.median)
              << " GFLOP/s\n";
  std::cout << "  wall time (host, upload + submit + wait + readback, after " << *warmup
            << " warm-up runs): median " << wall.median << " ms, min " << wall.min << " ms, max " << wall.max
            << " ms -> " << rate(wall.median) << " GFLOP/s\n";
  if (per_kernel) {
    if (nodes.empty()) {
      std::cout << "  per-kernel breakdown: no GPU timestamps on this "
                << (s.adapter() ? "adapter" : "backend") << "\n";
      return 0;
    }
    std::cout << "  per node (median " << (host_nodes ? "host" : "GPU") << " ms over " << *runs
              << " runs, program order):\n";
    for (const auto& n : nodes) {
      const double ms = Summarize(n.ms).median;
      const double nf = node_flops[n.label];
      std::string names;
      for (const auto& kn : n.kernels) names += (names.empty() ? "" : "+") + kn;
      std::cout << "    " << std::setw(9) << ms << " ms " << std::setw(5) << std::setprecision(1)
                << (gpu.median > 0 ? 100.0 * ms / gpu.median : 0.0) << "%  " << std::setprecision(3);
      if (nf > 0)
        std::cout << std::setw(9) << nf / (ms > 0 ? ms * 1e6 : 1) << " GFLOP/s  ";
      else
        std::cout << std::string(20, ' ');
      std::cout << n.label << "  [" << names << "]\n";
    }
  }
  return 0;
}

}  // namespace webconv::cli
