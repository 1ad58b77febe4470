// `webconv run` and `webconv check`.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/phases.h"
#include "cli/tensor_io.h"
#include "common/file_output.h"
#include "common/npy.h"
#include "runtime/compare.h"

namespace webconv::cli {
namespace fs = std::filesystem;

namespace {

// Output names may contain characters a file name cannot ('/', ':'): keep [A-Za-z0-9._-], map the rest to '_'.
std::string FileNameFor(const std::string& output) {
  std::string s;
  for (char c : output) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (s.empty() || s[0] == '.') s = "_" + s;
  return s + ".npy";
}

// The files an output run must never replace: every --input file and the model, by identity, so that
// another name for one of them (a hard link) is recognized too.
std::vector<ProtectedFile> ProtectedInputs(const Args& args, const std::string& model) {
  std::vector<ProtectedFile> files;
  for (const std::string& s : args.GetAll("input")) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos) continue;
    auto id = IdentifyFile(s.substr(eq + 1));
    if (id.ok()) files.push_back({*id, "input file '" + s.substr(eq + 1) + "'"});
  }
  auto id = IdentifyFile(model);
  if (id.ok()) files.push_back({*id, "the model '" + model + "'"});
  return files;
}

// Every output's file, checked before anything is written: two outputs whose names map to one file
// name (or to names that differ only in case, one file on case-insensitive file systems) are an error.
Result<std::vector<std::pair<std::string, fs::path>>> OutputFiles(const std::map<std::string, HostTensor>& outputs,
                                                                  const std::string& dir) {
  std::vector<std::pair<std::string, fs::path>> files;
  std::map<std::string, std::string> taken;  // lower-cased file name -> output name
  for (const auto& [name, t] : outputs) {
    const std::string file = FileNameFor(name);
    std::string folded = file;
    for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto [it, fresh] = taken.emplace(folded, name);
    if (!fresh)
      return UsageError("outputs '", it->second, "' and '", name, "' would both be written to ",
                        (fs::path(dir) / file).string(), " (characters other than [A-Za-z0-9._-] become '_', "
                        "and file names may ignore case); nothing was written");
    files.emplace_back(name, fs::path(dir) / file);
  }
  return files;
}

Status WriteOutputs(const std::map<std::string, HostTensor>& outputs, const std::string& dir, const Args& args,
                    const std::string& model) {
  WC_ASSIGN_OR_RETURN(const auto files, OutputFiles(outputs, dir));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return UsageError("cannot create output directory '", dir, "': ", ec.message());
  FileWriteOptions options;
  options.protect = ProtectedInputs(args, model);
  options.existing = args.Has("overwrite") ? ExistingFile::kReplace : ExistingFile::kReplaceIfNpy;
  for (const auto& [name, path] : files)  // every target refused before any is written
    WC_RETURN_IF_ERROR(CheckReplaceable(path.string(), options).Prefixed("output '" + name + "': "));
  for (const auto& [name, path] : files) {
    const HostTensor& t = outputs.at(name);
    const std::string_view bytes(reinterpret_cast<const char*>(t.data()), t.byte_size());
    auto written = WriteNpyFile(path.string(), t.dtype(), t.shape(), bytes, options);
    if (!written.ok()) return written.status().Prefixed("output '" + name + "': ");
    std::cout << (*written == FileWriteOutcome::kReplaced ? "replaced " : "wrote ") << path.string() << "\n";
  }
  return OkStatus();
}

}  // namespace

int CmdRun(int argc, char** argv) {
  auto args = ParseCommandArgs("run", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->positional.size() != 1) return Fail(UsageError("run expects one MODEL"));
  auto so = SessionOptionsFromArgs(*args);
  if (!so.ok()) return Fail(so.status());
  ChooseDefaultBackend(*args, &*so);
  ProgressLine progress;
  so->progress = progress.Callback();
  progress.Begin("load");
  auto session = runtime::Session::Load(args->positional[0], *so);
  progress.End();
  if (!session.ok()) return FailModel(session.status(), args->positional[0]);
  PrintAdapter(**session, std::cout);
  std::cout.flush();
  const double inputs_from = MsSinceProcessStart();
  auto feeds = PrepareFeeds(**session, *args, std::cout);
  const double inputs_ms = MsSinceProcessStart() - inputs_from;
  if (!feeds.ok()) return Fail(feeds.status());
  runtime::RunStats stats;
  progress.Begin("run");
  auto outputs = (*session)->Run(*feeds, &stats);
  const double first_result_ms = MsSinceProcessStart();
  progress.End();
  if (!outputs.ok()) return FailModel(outputs.status(), args->positional[0]);
  for (const auto& [name, t] : *outputs) std::cout << "output '" << name << "': " << Summarize(t) << "\n";
  std::cout << std::fixed << std::setprecision(3) << "time: " << stats.wall_ms << " ms (first run, includes planning)\n";
  if (args->Has("timing")) {
    ColdStart cold = CollectColdStart(**session, stats, first_result_ms, inputs_ms);
    // After a first run on the quick tier the warm run is the tuned kernels'.
    if (Status st = SettleAfterFirstRun(**session, &cold); !st.ok()) return FailModel(st, args->positional[0]);
    runtime::RunStats warm;
    auto again = (*session)->Run(*feeds, &warm);
    if (!again.ok()) return FailModel(again.status(), args->positional[0]);
    cold.warm_run_ms = warm.wall_ms;
    PrintPhases(cold, std::cout);
  }
  Status s = WriteOutputs(*outputs, args->Get("output-dir", "webconv_out"), *args, args->positional[0]);
  if (!s.ok()) return Fail(s);
  return 0;
}

int CmdCheck(int argc, char** argv) {
  auto args = ParseCommandArgs("check", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->positional.size() != 1) return Fail(UsageError("check expects one MODEL"));
  runtime::Tolerance tol{1e-4, 1e-3};
  if (args->Has("atol")) {
    auto v = ParseDouble(args->Get("atol"), "--atol");
    if (!v.ok()) return Fail(v.status());
    tol.atol = *v;
  }
  if (args->Has("rtol")) {
    auto v = ParseDouble(args->Get("rtol"), "--rtol");
    if (!v.ok()) return Fail(v.status());
    tol.rtol = *v;
  }
  auto so = SessionOptionsFromArgs(*args);
  if (!so.ok()) return Fail(so.status());
  // The backend under test: webgpu (the default) or cpu; the oracle is always the float64 reference.
  if (so->backend == runtime::Backend::kReference)
    return Fail(UsageError("check compares a backend with the float64 reference: --backend webgpu or cpu"));
  const std::string tested = runtime::BackendName(so->backend);
  auto gpu = runtime::Session::Load(args->positional[0], *so);
  if (!gpu.ok()) return FailModel(gpu.status(), args->positional[0]);
  so->backend = runtime::Backend::kReference;
  so->fuse = false;  // the oracle runs the model as written, not the fused graph WebGPU runs
  auto ref = runtime::Session::Load(args->positional[0], *so);
  if (!ref.ok()) return FailModel(ref.status(), args->positional[0]);
  PrintAdapter(**gpu, std::cout);
  auto feeds = PrepareFeeds(**gpu, *args, std::cout);
  if (!feeds.ok()) return Fail(feeds.status());
  runtime::RunStats gs, rs;
  auto got = (*gpu)->Run(*feeds, &gs);
  if (!got.ok()) return FailModel(got.status(), args->positional[0]);
  auto want = (*ref)->Run(*feeds, &rs);
  if (!want.ok()) return FailModel(want.status(), args->positional[0]);
  bool all_ok = true;
  auto compare = [&](const std::map<std::string, HostTensor>& outputs, const std::string& tier) {
    if (!tier.empty()) std::cout << tier << ":\n";
    for (const auto& [name, expected] : *want) {
      const auto c = runtime::Compare(outputs.at(name), expected, tol);
      all_ok = all_ok && c.ok;
      std::cout << (c.ok ? "ok   " : "FAIL ") << "output '" << name << "' " << DTypeName(expected.dtype())
                << ShapeString(expected.shape()) << std::scientific << std::setprecision(3)
                << ": max abs err " << c.max_abs << ", max rel err " << c.max_rel << "\n";
      if (!c.ok) std::cout << "     " << c.message << "\n";
    }
  };
  // A first run on the quick tier (runtime FirstRun): the tuned kernels that serve later runs are checked too.
  const bool both = gs.quick && !(*gpu)->last_plan()->quick_only();
  compare(*got, gs.quick ? "quick tier (the first run)" : "");
  if (both) {
    if (Status st = (*gpu)->Settle(); !st.ok()) return FailModel(st, args->positional[0]);
    runtime::RunStats ts;
    auto tuned = (*gpu)->Run(*feeds, &ts);
    if (!tuned.ok()) return FailModel(tuned.status(), args->positional[0]);
    compare(*tuned, "tuned kernels (later runs)");
  }
  std::cout << std::fixed << std::setprecision(3) << tested << " " << gs.wall_ms << " ms, float64 reference "
            << rs.wall_ms << " ms (first runs, include planning)\n"
            << (all_ok ? "check passed" : "check FAILED") << std::defaultfloat << std::setprecision(6)
            << " (atol " << tol.atol << ", rtol " << tol.rtol << ")\n";  // 1e-05, not a fixed-point 0.000
  return all_ok ? 0 : 1;
}

}  // namespace webconv::cli
