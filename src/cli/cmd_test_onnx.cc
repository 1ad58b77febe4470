// `webconv test-onnx`: runs ONNX backend-test case folders (model.onnx + test_data_set_*/) and compares
// every output with the ONNX suite's own tolerances (rtol 1e-3, atol 1e-7).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "onnx/loader.h"
#include "runtime/compare.h"

namespace webconv::cli {
namespace fs = std::filesystem;

namespace {

struct ManifestEntry {
  std::string kind;  // "skip": not run; "xfail": run, expected to fail
  std::string reason;
};

// Lines: CASE_NAME[@BACKEND] skip|xfail REASON...  ('#' starts a comment). A reason is required.
// An entry with @webgpu, @cpu or @ref applies to that backend only.
Result<std::map<std::string, ManifestEntry>> ReadManifest(const std::string& path, const std::string& backend) {
  std::map<std::string, ManifestEntry> m;
  std::ifstream f(path);
  if (!f) return UsageError("cannot open manifest '", path, "'");
  std::string line;
  int lineno = 0;
  while (std::getline(f, line)) {
    ++lineno;
    const size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream ss(line);
    std::string name, kind, reason;
    if (!(ss >> name)) continue;
    ss >> kind;
    std::getline(ss, reason);
    reason.erase(0, reason.find_first_not_of(' '));
    if ((kind != "skip" && kind != "xfail") || reason.empty())
      return UsageError(path, ":", lineno, ": expected 'CASE[@BACKEND] skip|xfail REASON'");
    const size_t at = name.find('@');
    if (at != std::string::npos) {
      const std::string only = name.substr(at + 1);
      if (only != "webgpu" && only != "cpu" && only != "ref") return UsageError(path, ":", lineno, ": unknown backend '", only, "'");
      if (only != backend) continue;
      name.resize(at);
    }
    m[name] = {kind, reason};
  }
  return m;
}

std::vector<fs::path> SortedGlob(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  // input_10.pb sorts after input_9.pb: compare by the number after the prefix.
  std::sort(out.begin(), out.end(), [&](const fs::path& a, const fs::path& b) {
    auto num = [&](const fs::path& p) {
      const std::string s = p.stem().string().substr(prefix.size());
      return s.empty() || !std::isdigit(static_cast<unsigned char>(s[0])) ? -1L : std::stol(s);
    };
    return num(a) != num(b) ? num(a) < num(b) : a < b;
  });
  return out;
}

// Runs one case folder; returns "" on success or the failure message.
Status RunCase(const fs::path& dir, const runtime::SessionOptions& options, std::string* detail) {
  WC_ASSIGN_OR_RETURN(auto session, runtime::Session::Load((dir / "model.onnx").string(), options));
  const auto sets = SortedGlob(dir, "test_data_set_");
  if (sets.empty()) return UsageError("no test_data_set_* folders in ", dir.string());
  std::vector<std::string> feedable;
  for (const auto& spec : session->inputs())
    if (!spec.has_default) feedable.push_back(spec.name);
  const auto output_names = session->output_names();
  for (const fs::path& set : sets) {
    std::map<std::string, HostTensor> feeds;
    const auto inputs = SortedGlob(set, "input_");
    for (size_t k = 0; k < inputs.size(); ++k) {
      std::string name;
      WC_ASSIGN_OR_RETURN(HostTensor t, onnx::LoadTensorProtoFile(inputs[k].string(), &name));
      bool named = false;
      for (const auto& spec : session->inputs()) named = named || spec.name == name;
      if (!named) {
        if (k >= feedable.size()) return UsageError(inputs[k].string(), " has no matching model input");
        name = feedable[k];
      }
      feeds[name] = std::move(t);
    }
    WC_ASSIGN_OR_RETURN(auto got, session->Run(feeds));
    const auto outputs = SortedGlob(set, "output_");
    if (outputs.size() != output_names.size())
      return Error(StatusCode::kCheckFailed, set.filename().string(), " has ", outputs.size(),
                   " expected outputs, the model ", output_names.size());
    for (size_t k = 0; k < outputs.size(); ++k) {
      WC_ASSIGN_OR_RETURN(HostTensor want, onnx::LoadTensorProtoFile(outputs[k].string()));
      const auto c = runtime::Compare(got.at(output_names[k]), want, runtime::Tolerance{});
      if (!c.ok)
        return Error(StatusCode::kCheckFailed, set.filename().string(), " output '", output_names[k], "': ", c.message);
    }
  }
  *detail = StrCat(sets.size(), " data set", sets.size() > 1 ? "s" : "");
  return OkStatus();
}

}  // namespace

int CmdTestOnnx(int argc, char** argv) {
  auto args = ParseCommandArgs("test-onnx", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->positional.empty()) return Fail(UsageError("test-onnx expects one or more case folders"));
  auto options = SessionOptionsFromArgs(*args);
  if (!options.ok()) return Fail(options.status());
  std::map<std::string, ManifestEntry> manifest;
  if (args->Has("manifest")) {
    auto m = ReadManifest(args->Get("manifest"), runtime::BackendName(options->backend));
    if (!m.ok()) return Fail(m.status());
    manifest = std::move(m).value();
  }
  // A folder without model.onnx is taken as a folder of cases.
  std::vector<fs::path> cases;
  for (const std::string& p : args->positional) {
    if (fs::exists(fs::path(p) / "model.onnx")) {
      cases.emplace_back(p);
      continue;
    }
    std::vector<fs::path> sub;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(p, ec))
      if (fs::exists(e.path() / "model.onnx")) sub.push_back(e.path());
    if (sub.empty()) return Fail(UsageError("'", p, "' holds no model.onnx"));
    std::sort(sub.begin(), sub.end());
    cases.insert(cases.end(), sub.begin(), sub.end());
  }
  if (options->backend == runtime::Backend::kWebGpu) {
    auto dev = gpu::Device::Create(options->device);
    if (!dev.ok()) return Fail(dev.status());
    options->shared_device = std::move(dev).value();
    const auto& a = options->shared_device->info();
    std::cout << "adapter: " << a.name << " (" << a.backend << ") — " << a.why << "\n";
  }
  const std::string backend = runtime::BackendName(options->backend);
  int passed = 0, failed = 0, skipped = 0;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    auto m = manifest.find(name);
    if (m != manifest.end() && m->second.kind == "skip") {
      std::cout << "SKIP  " << name << " [" << backend << "]: " << m->second.reason << "\n";
      ++skipped;
      continue;
    }
    std::string detail;
    const Status s = RunCase(dir, *options, &detail);
    const bool xfail = m != manifest.end();
    if (s.ok() && !xfail) {
      std::cout << "PASS  " << name << " [" << backend << "] " << detail << "\n";
      ++passed;
    } else if (s.ok()) {
      std::cout << "XPASS " << name << " [" << backend << "]: passes but the manifest expects a failure ("
                << m->second.reason << ")\n";
      ++failed;
    } else if (xfail) {
      std::cout << "XFAIL " << name << " [" << backend << "]: " << m->second.reason << " (" << s.ToString() << ")\n";
      ++skipped;
    } else {
      std::cout << "FAIL  " << name << " [" << backend << "]: " << s.ToString() << "\n";
      ++failed;
    }
  }
  std::cout << passed << " passed, " << failed << " failed";
  if (skipped) std::cout << ", " << skipped << " skipped";
  std::cout << "\n";
  return failed ? 1 : 0;
}

}  // namespace webconv::cli
