// The command table (commands.h) and the help printed from it. Option descriptions state defaults and
// behaviour the command code implements; keep them in step when a command changes.
#include "cli/commands.h"

#include <cstring>
#include <iostream>

#include "cli/cli_reference.h"

namespace webconv::cli {
namespace {

// Options every model-running command (run, check, bench) accepts.
OptionSpec InputOption() {
  return {"input", "NAME=FILE", true,
          "feed input NAME from FILE: .npy, or an ONNX TensorProto .pb. An input not given is filled with "
          "seeded random data (floats uniform in [0, 1), integers in [0, 10), bools 0/1), and the command "
          "says so"};
}
OptionSpec ShapeOption() {
  return {"shape", "NAME=d0,d1,...", true,
          "shape of the random data for input NAME (for dynamic dimensions; without it each dynamic "
          "dimension is 1, which the command says)"};
}
OptionSpec BackendOption() {
  return {"backend", "webgpu|cpu|ref", false,
          "where every node runs: webgpu, cpu (the fast float32 CPU backend: oneDNN's convolutions and OpenBLAS's "
          "GEMM, the machine's cores) or ref (the float64 reference). Nothing falls back from one to another. run and bench "
          "default to webgpu on a hardware GPU, else cpu (said); check and test-onnx to webgpu"};
}
OptionSpec AdapterOption() {
  return {"adapter", "gpu|swiftshader|NAME", false,
          "which WebGPU adapter: a hardware GPU, SwiftShader (CPU Vulkan), or one whose name contains NAME. "
          "Default: WEBCONV_ADAPTER, else a hardware GPU when Vulkan offers one, else SwiftShader"};
}
OptionSpec CacheOption() {
  return {"no-pipeline-cache", "", false,
          "do not read or write the persistent pipeline cache (compiled shaders kept between processes, in "
          "WEBCONV_CACHE_DIR, else $XDG_CACHE_HOME/webconv, else ~/.cache/webconv). WEBCONV_PIPELINE_CACHE=0 "
          "does the same"};
}
OptionSpec FirstRunOption() {
  return {"first-run", "auto|tuned|quick|quick-only", false,
          "which kernels serve the first runs on WebGPU: tuned (compiled before the first run: fastest "
          "to run, slowest to compile), quick (a Conv kernel that compiles in a fraction of the time; the "
          "tuned ones compile in the background from the second run on and take over when ready), "
          "quick-only, or auto (the default: whichever a cost model of compile and run time predicts "
          "sooner; WEBCONV_FIRST_RUN sets it too)"};
}
OptionSpec SeedOption() {
  return {"seed", "N", false,
          "seed of the random data for inputs not given (default 1; the k-th input of the model, counting "
          "from 0, uses N + k)"};
}

std::vector<CommandSpec> BuildTable() {
  std::vector<CommandSpec> t;
  t.push_back(
      {"run",
       "MODEL",
       "run MODEL once and write every output as .npy",
       {InputOption(),
        ShapeOption(),
        {"output-dir", "DIR", false,
         "folder for the outputs (default webconv_out), one NAME.npy per output (characters other "
         "than [A-Za-z0-9._-] in NAME become '_'); each file is written whole or not at all, an existing "
         ".npy file is replaced (and the run says so), and a link, a non-regular file, the model or a file "
         "given with --input is never written"},
        {"overwrite", "", false, "replace an existing output file even when it is not a .npy file"},
        BackendOption(),
        AdapterOption(),
        FirstRunOption(),
        SeedOption(),
        {"timing", "", false,
         "print where the time to the first result went (load, device, bind, plan, compile with the "
         "pipeline count, upload, first run; the first result counts from process start, less the time "
         "reading or synthesizing the inputs) and run once more for a warm-run time"},
        CacheOption()},
       "Prints the adapter, a summary of each output and the time of the run (the first run, so it "
       "includes planning and shader compilation). On a terminal, a step that takes over a second "
       "shows a progress line on stderr (load, compile i/N, run)."});
  t.push_back({"check",
               "MODEL",
               "run MODEL on WebGPU (or the CPU backend) and on the float64 reference with the same inputs, "
               "and compare",
               {InputOption(),
                ShapeOption(),
                CacheOption(),
                {"atol", "A", false, "absolute tolerance (default 1e-4)"},
                {"rtol", "R", false, "relative tolerance (default 1e-3)"},
                {"backend", "webgpu|cpu", false,
                 "the backend compared with the float64 reference: webgpu (default) or cpu"},
                AdapterOption(),
                FirstRunOption(),
                SeedOption()},
               "Prints max abs and max relative error per output. An output passes when every element has "
               "|got - ref| <= atol + rtol * |ref|. The reference runs the model as written; WebGPU and the "
               "CPU backend run it after the Conv fusions, so the rewrites are checked too. Exit 0 only when every output "
               "passes, 1 otherwise."});
  t.push_back({"test-onnx",
               "DIR...",
               "run ONNX backend-test case folders and compare with their expected outputs",
               {BackendOption(),
                AdapterOption(),
                {"manifest", "FILE", false,
                 "skip/xfail list: lines 'CASE[@webgpu|@cpu] skip|xfail REASON' ('#' starts a comment; a "
                 "reason is required). xfail cases run and must fail; one that passes counts as a failure"}},
               "Each DIR is a case folder (model.onnx, test_data_set_*/input_*.pb, output_*.pb) or a folder "
               "of such folders. Outputs are compared with the ONNX suite's tolerances (rtol 1e-3, atol "
               "1e-7). Prints one line per case (PASS, FAIL, SKIP, XFAIL, XPASS), then 'N passed, M failed' "
               "(', K skipped' may follow) alone on the last line. Exit 1 when any case failed."});
  t.push_back({"bench",
               "MODEL",
               "time whole-model runs: median, min and max milliseconds, and GFLOP/s",
               {ShapeOption(),
                InputOption(),
                {"runs", "N", false, "timed runs (default 20, 1 to 100000)"},
                {"warmup", "N", false, "untimed runs first (default 3, 0 to 100000; the first one plans)"},
                {"json", "", false,
                 "print one JSON object instead of text; its \"phases\" give the cold start: load, device, "
                 "bind, plan, compile (ms and pipeline counts), upload, first run, warm run"},
                {"per-kernel", "", false,
                 "add each node's median GPU time, share and GFLOP/s (needs timestamp queries)"},
                BackendOption(),
                AdapterOption(),
                FirstRunOption(),
                SeedOption(),
                CacheOption()},
               "Two timings: wall time (host time around a whole run: upload, submit, wait, readback) and, "
               "where the adapter has timestamp queries, GPU time (the sum of per-dispatch timestamps, in "
               "separate runs). The headline median is the GPU time when there is one, else the wall time."});
  t.push_back(
      {"inspect",
       "[MODEL]",
       "list a model's inputs, outputs and nodes, where each node runs, and every problem; or, with "
       "--ops, every op webconv supports",
       {ShapeOption(),
        {"ops", "", false, "instead of a MODEL: print the table of supported ops, read from the op registry"},
        {"markdown", "", false, "with --ops: print the table as Markdown (docs/ops.md)"}},
       "With a MODEL: shapes are inferred (dynamic dimensions are 1 unless --shape) to show each "
       "node's output shapes, which nodes fold away when planning, and the graph after the Conv "
       "fusions ('rewrite:' lines). Every unsupported node and every shape-inference error is listed "
       "on stderr, and the exit code is then 3."});
  t.push_back(
      {"shots",
       "VIDEO",
       "find the shots of a video with TransNetV2: scenes as frame ranges and timecodes, per-frame "
       "probabilities, a plot",
       {{"model", "M.onnx", false,
         "a TransNetV2 export: frames [B,T,H,W,3] or [B,3,T,H,W], uint8 or float32 (0..255), torch-style pads "
         "or SAME_UPPER, one head or two (single-frame, all-frames), probabilities or logits. Default: "
         "WEBCONV_SHOTS_MODEL, else models/transnetv2.onnx beside the build folder"},
        {"threshold", "P", false, "a frame whose single-frame probability is above P is a transition (default 0.5)"},
        {"json", "", false,
         "print one JSON object: frames, fps, scenes ([first_frame, last_frame], inclusive), scenes_seconds, "
         "single_frame and all_frames probabilities, timing"},
        {"csv", "", false, "print one CSV row per scene: frames and timecodes"},
        {"plot", "FILE.svg|FILE.png", false,
         "draw both heads' probabilities over the frames, the threshold and the cuts. An existing file is "
         "replaced only when it is an image of that kind; the video and the model are never written"},
        {"contact-sheet", "FILE.png", false,
         "a PNG of each scene's first frame (192x108, 6 a row, at most 1000 scenes), decoded again by ffmpeg; "
         "replaced only when it is a PNG"},
        {"overwrite", "", false, "let --plot and --contact-sheet replace any existing regular file"},
        {"allow-damaged", "", false,
         "a truncated or damaged video: use the frames that decode, with a warning (default: exit 2)"},
        {"backend", "webgpu|cpu|ref", false,
         "where the model runs: webgpu, cpu (the fast float32 CPU backend) or ref (the float64 reference). "
         "Default: webgpu on a hardware GPU; without one (or when the only adapter is CPU-emulated, "
         "SwiftShader) and without --adapter, cpu (the command says so)"},
        AdapterOption(),
        CacheOption()},
       "Decodes with FFmpeg's ffmpeg program (every container and codec it reads), scaled to the model's "
       "frame size (48x27 for TransNetV2), and follows TransNetV2's published inference: windows of 100 "
       "frames advancing by 50, the first and last frames repeated at the ends, the middle 50 predictions "
       "of each window kept, scenes formed from the single-frame head as its predictions_to_scenes does. "
       "A model with a fixed window of W frames advances by W/2. Streaming: memory stays bounded for any "
       "length; decoding overlaps inference. A progress line with frames per second shows on a terminal. "
       "Without --json or --csv, prints the video, the model, the adapter, the scene table and the speed; "
       "with either, stdout carries only that and the rest goes to stderr. Exit 2 for a file that is not a "
       "video, has no frames, or is truncated; 3 for a model that is not a TransNetV2 export."});
  t.push_back({"help",
               "[COMMAND]",
               "print the usage of every command, or one command's options",
               {{"markdown", "", false, "print the whole CLI reference as Markdown (docs/cli.md)"}},
               "'webconv COMMAND --help' (or -h) prints the same as 'webconv help COMMAND'."});
  return t;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : Commands())
    if (name == c.name) return &c;
  return nullptr;
}

Result<Args> ParseCommandArgs(const CommandSpec& spec, int argc, char** argv) {
  std::vector<std::string> value_options, flags;
  for (const OptionSpec& o : spec.options) (*o.value ? value_options : flags).push_back(o.name);
  return ParseArgs(argc, argv, 2, value_options, flags);
}

Result<Args> ParseCommandArgs(const char* command, int argc, char** argv) {
  const CommandSpec* spec = FindCommand(command);
  if (!spec) return UsageError("internal: no command table entry for '", command, "'");
  return ParseCommandArgs(*spec, argc, argv);
}

bool WantsHelp(int argc, char** argv) {
  for (int i = 2; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return true;
  return false;
}

std::string Synopsis(const CommandSpec& spec) {
  std::string s = std::string("webconv ") + spec.name;
  if (*spec.operands) s += std::string(" ") + spec.operands;
  for (const OptionSpec& o : spec.options) {
    s += std::string(" [--") + o.name + (*o.value ? std::string(" ") + o.value : "") + "]";
    if (o.repeatable) s += "...";
  }
  return s;
}

void PrintUsage(std::ostream& os) {
  os << "usage: webconv COMMAND ...\n";
  // One synopsis per command, wrapped before an option at 100 columns.
  for (const CommandSpec& c : Commands()) {
    const std::string text = Synopsis(c).substr(8);
    std::string line = "  ";
    size_t pos = 0;
    while (pos < text.size()) {
      size_t next = text.find(" [", pos + 1);
      if (next == std::string::npos) next = text.size();
      const std::string piece = text.substr(pos, next - pos);
      if (line.size() + piece.size() > 100 && line.size() > 8) {
        os << line << "\n";
        line = "       ";
      }
      line += piece;
      pos = next;
    }
    os << line << "\n";
  }
  os << "  --version\n"
        "'webconv help COMMAND' or 'webconv COMMAND --help' describes one command.\n";
}

void PrintCommandHelp(const CommandSpec& spec, std::ostream& os) {
  os << "usage: " << Synopsis(spec) << "\n\n" << spec.summary << "\n";
  if (!spec.options.empty()) {
    os << "\noptions:\n";
    for (const OptionSpec& o : spec.options) {
      os << "  --" << o.name << (*o.value ? std::string(" ") + o.value : "")
         << (o.repeatable ? " (repeatable)" : "") << "\n      " << o.help << "\n";
    }
  }
  if (*spec.details) os << "\n" << spec.details << "\n";
}

int CmdHelp(int argc, char** argv) {
  if (WantsHelp(argc, argv)) {
    PrintCommandHelp(*FindCommand("help"), std::cout);
    return 0;
  }
  auto args = ParseCommandArgs("help", argc, argv);
  if (!args.ok()) {
    std::cerr << "error: " << args.status().ToString() << "\n";
    return args.status().exit_code();
  }
  if (args->Has("markdown")) {
    if (!args->positional.empty()) {
      std::cerr << "error: help --markdown takes no COMMAND\n";
      return 2;
    }
    PrintCliReferenceMarkdown(std::cout);
    return 0;
  }
  if (args->positional.empty()) {
    PrintUsage(std::cout);
    return 0;
  }
  if (args->positional.size() > 1) {
    std::cerr << "error: help takes one COMMAND\n";
    return 2;
  }
  const CommandSpec* spec = FindCommand(args->positional[0]);
  if (!spec) {
    std::cerr << "error: unknown command '" << args->positional[0] << "'\n";
    PrintUsage(std::cerr);
    return 2;
  }
  PrintCommandHelp(*spec, std::cout);
  return 0;
}

}  // namespace webconv::cli
