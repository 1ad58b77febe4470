// `webconv shots VIDEO`: shot boundaries with TransNetV2 (src/shots/).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/phases.h"
#include "cli/shots_output.h"
#include "common/file_output.h"
#include "gpu/device.h"
#include "shots/detector.h"

namespace webconv::cli {
namespace fs = std::filesystem;

namespace {

// The model when --model is not given: WEBCONV_SHOTS_MODEL, else models/transnetv2.onnx beside the build
// folder or the installed share folder.
Result<std::string> DefaultShotModel() {
  if (const char* env = std::getenv("WEBCONV_SHOTS_MODEL"); env && *env) return std::string(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> tried;
  if (!ec) {
    const fs::path dir = exe.parent_path();
    tried = {dir / "../models/transnetv2.onnx", dir / "../share/webconv/transnetv2.onnx", dir / "models/transnetv2.onnx"};
  }
  for (const fs::path& p : tried)
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
  return UsageError("no TransNetV2 model: pass --model M.onnx, or set WEBCONV_SHOTS_MODEL (looked for ",
                    tried.empty() ? std::string("models/transnetv2.onnx") : tried[0].lexically_normal().string(), ")");
}

// An existing --plot or --contact-sheet file is replaced only when it is an image of the same kind (an SVG
// or PNG an earlier run wrote), unless --overwrite: a mistyped name never clobbers another file.
Status CheckImageTarget(const char* option, const std::string& path, bool png, bool overwrite) {
  std::error_code ec;
  if (overwrite || !fs::exists(fs::symlink_status(path, ec))) return OkStatus();
  std::ifstream f(path, std::ios::binary);
  char head[64] = {};
  f.read(head, sizeof(head));
  const std::string h(head, static_cast<size_t>(f.gcount()));
  const bool same_kind = png ? h.rfind("\x89PNG\r\n\x1a\n", 0) == 0
                             : (h.rfind("<?xml", 0) == 0 || h.rfind("<svg", 0) == 0);
  if (!same_kind)
    return UsageError(option, " ", path, ": the file exists and is not ", png ? "a PNG" : "an SVG",
                      " image; --overwrite replaces it");
  return OkStatus();
}

}  // namespace

int CmdShots(int argc, char** argv) {
  auto args = ParseCommandArgs("shots", argc, argv);
  if (!args.ok()) return Fail(args.status());
  if (args->positional.size() != 1) return Fail(UsageError("shots expects one VIDEO"));
  const std::string video_path = args->positional[0];
  const bool json = args->Has("json"), csv = args->Has("csv");
  if (json && csv) return Fail(UsageError("--json and --csv both print to stdout: choose one"));
  // With --json or --csv stdout carries only that; the rest goes to stderr.
  std::ostream& info = (json || csv) ? std::cerr : std::cout;

  shots::ShotOptions options;
  if (args->Has("threshold")) {
    auto t = ParseDouble(args->Get("threshold"), "--threshold");
    if (!t.ok()) return Fail(t.status());
    if (!(*t >= 0 && *t <= 1)) return Fail(UsageError("--threshold ", *t, " is not in [0, 1]"));
    options.threshold = static_cast<float>(*t);
  }
  options.allow_damaged = args->Has("allow-damaged");
  std::string plot = args->Get("plot");
  bool png = false;
  if (!plot.empty()) {
    const std::string ext = fs::path(plot).extension().string();
    if (ext != ".svg" && ext != ".png") return Fail(UsageError("--plot ", plot, ": the name must end in .svg or .png"));
    png = ext == ".png";
    Status s = CheckImageTarget("--plot", plot, png, args->Has("overwrite"));
    if (!s.ok()) return Fail(s);
  }
  const std::string sheet = args->Get("contact-sheet");
  if (!sheet.empty()) {
    if (fs::path(sheet).extension() != ".png")
      return Fail(UsageError("--contact-sheet ", sheet, ": the name must end in .png"));
    Status s = CheckImageTarget("--contact-sheet", sheet, true, args->Has("overwrite"));
    if (!s.ok()) return Fail(s);
  }
  std::string model_path = args->Get("model");
  if (model_path.empty()) {
    auto m = DefaultShotModel();
    if (!m.ok()) return Fail(m.status());
    model_path = *m;
  }
  auto so = SessionOptionsFromArgs(*args);
  if (!so.ok()) return Fail(so.status());

  // The video first: a file that is not a video fails before a model loads or a GPU starts.
  auto video = shots::ProbeVideo(video_path);
  if (!video.ok()) return Fail(video.status());
  ProgressLine progress;
  so->progress = progress.Callback();
  progress.Begin("load");
  // Without --backend or --adapter, no hardware GPU means the fast CPU backend (NOTES.md, "Shot detection"
  // has the frames per second of each backend on a 2-core machine).
  ChooseDefaultBackend(*args, &*so);
  auto model = shots::ShotModel::Load(model_path, *so);
  progress.End();
  if (!model.ok()) return FailModel(model.status(), model_path);
  const shots::ShotModelInfo& mi = (*model)->info();
  info << "video: " << video_path << " (" << video->codec << ", " << video->width << "x" << video->height << ", ";
  if (video->fps > 0) info << std::setprecision(5) << video->fps << " fps";
  else info << "frame rate unknown";
  if (video->declared_frames > 0) info << ", " << video->declared_frames << " frames";
  info << ")\n";
  info << "model: " << model_path << " (window " << mi.window << " frames of " << mi.width << "x" << mi.height
       << "; single-frame head '" << mi.single_output << "'"
       << (mi.all_output.empty() ? std::string() : ", all-frames head '" + mi.all_output + "'") << ")\n";
  if (!mi.weights_note.empty())
    std::cerr << "warning: " << model_path << " has " << mi.weights_note << " weights: its scenes mean nothing\n";
  if (mi.window != 100)
    info << "note: the model's window is " << mi.window << " frames (the reference's is 100): windows advance by "
         << mi.window / 2 << " frames\n";
  PrintAdapter((*model)->session(), info);
  info.flush();

  auto result = shots::DetectShots(**model, *video, options, [&](int64_t done, int64_t declared) {
    progress.UpdateWithRate("shots", static_cast<size_t>(done), static_cast<size_t>(std::max<int64_t>(0, declared)),
                            "fps");
  });
  progress.End();
  if (!result.ok()) {
    // A model that fails to run is the model's problem (exit 3, named); the video's errors name the video.
    const Status& s = result.status();
    return s.code == StatusCode::kBadModel ? FailModel(s, model_path) : Fail(s);
  }
  if (!result->warning.empty()) std::cerr << "warning: " << video_path << ": " << result->warning << "\n";
  ShotsReport report{&*result, model_path, options.threshold};
  if (json) std::cout << ShotsJson(report);
  else if (csv) std::cout << ShotsCsv(report);
  else std::cout << ShotsText(report);
  const double s = result->wall_ms / 1000.0;
  info << std::fixed << std::setprecision(2) << result->frames << " frames in " << s << " s: "
       << std::setprecision(0) << (s > 0 ? static_cast<double>(result->frames) / s : 0.0)
       << " fps end to end (decoding included); model " << std::setprecision(2) << result->model_ms / 1000.0
       << " s over " << result->windows << " windows, the first " << result->first_window_ms / 1000.0
       << " s (it plans and compiles)\n";
  FileWriteOptions fo;  // the files the user gave are never written
  for (const std::string& p : {video_path, model_path}) {
    auto id = IdentifyFile(p);
    if (id.ok()) fo.protect.push_back({*id, "'" + p + "'"});
  }
  auto write = [&](const std::string& path, const std::string& bytes, const char* option) -> Status {
    auto written = WriteFileReplacing(path, {bytes}, fo);
    if (!written.ok()) return written.status().Prefixed(std::string(option) + ": ");
    info << (*written == FileWriteOutcome::kReplaced ? "replaced " : "wrote ") << path << "\n";
    return OkStatus();
  };
  if (!plot.empty()) {
    Status s = write(plot, png ? ShotsPng(report) : ShotsSvg(report), "--plot");
    if (!s.ok()) return Fail(s);
  }
  if (!sheet.empty()) {
    std::vector<int64_t> starts;
    for (const auto& scene : result->scenes) starts.push_back(scene[0]);
    auto bytes = shots::ContactSheetPng(*video, starts, 192, 108, 6);
    if (!bytes.ok()) return Fail(bytes.status().Prefixed("--contact-sheet: "));
    Status s = write(sheet, *bytes, "--contact-sheet");
    if (!s.ok()) return Fail(s);
  }
  return 0;
}

}  // namespace webconv::cli
