// `webconv bench`: median/min/max milliseconds and GFLOP/s of whole-model runs. GPU time comes from
// timestamp queries when the adapter has them (sum over dispatches), else host time around execution.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/common.h"

namespace webconv::cli {

int CmdBench(int argc, char** argv) {
  auto opts = kModelValueOptions;
  opts.insert(opts.end(), {"runs", "warmup"});
  auto args = ParseArgs(argc, argv, 2, opts, {"json"});
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
  auto session = runtime::Session::Load(args->positional[0], *so);
  if (!session.ok()) return Fail(session.status());
  const bool json = args->Has("json");
  std::ostringstream log;
  auto feeds = PrepareFeeds(**session, *args, log);
  if (!feeds.ok()) return Fail(feeds.status());
  if (!json) {
    PrintAdapter(**session, std::cout);
    std::cout << log.str();
  }
  std::vector<double> host_ms, gpu_ms;
  for (int64_t i = 0; i < *warmup + *runs; ++i) {
    runtime::RunStats stats;
    auto out = (*session)->Run(*feeds, &stats);
    if (!out.ok()) return Fail(out.status());
    if (i < *warmup) continue;
    host_ms.push_back(stats.execute_ms);
    double sum = 0;
    for (const auto& d : stats.dispatches) sum += d.ms;
    if (!stats.dispatches.empty() && (*session)->adapter() && (*session)->adapter()->has_timestamps)
      gpu_ms.push_back(sum);
  }
  const bool use_gpu = gpu_ms.size() == host_ms.size();
  std::vector<double> t = use_gpu ? gpu_ms : host_ms;
  std::sort(t.begin(), t.end());
  const double median = t.size() % 2 ? t[t.size() / 2] : 0.5 * (t[t.size() / 2 - 1] + t[t.size() / 2]);
  const double flops = runtime::CountFlops(*(*session)->last_bound());
  const double gflops = median > 0 ? flops / (median * 1e6) : 0;
  const char* source = use_gpu ? "gpu-timestamps" : "host-wall";
  if (json) {
    std::cout << std::setprecision(6) << "{\"model\": \"" << args->positional[0] << "\", \"backend\": \""
              << runtime::BackendName(so->backend) << "\", \"adapter\": \""
              << ((*session)->adapter() ? (*session)->adapter()->name : "cpu") << "\", \"timing\": \"" << source
              << "\", \"runs\": " << t.size() << ", \"median_ms\": " << median << ", \"min_ms\": " << t.front()
              << ", \"max_ms\": " << t.back() << ", \"gflop\": " << flops / 1e9 << ", \"gflops_per_s\": " << gflops
              << "}\n";
  } else {
    std::cout << std::fixed << std::setprecision(3) << runtime::BackendName(so->backend) << " (" << source << "), "
              << t.size() << " runs: median " << median << " ms, min " << t.front() << " ms, max " << t.back()
              << " ms; " << flops / 1e9 << " GFLOP -> " << gflops << " GFLOP/s\n";
  }
  return 0;
}

}  // namespace webconv::cli
