// docs/cli.md as the program prints it (cli_reference.h). The exit codes mirror common/status.h's
// StatusCode; the environment variables are every getenv() in src/ (tests/docs checks that each
// "WEBCONV_*" name in src/ appears here).
#include "cli/cli_reference.h"

#include <iostream>
#include <string>

#include "cli/commands.h"
#include "common/status.h"

namespace webconv::cli {
namespace {

struct EnvVar {
  const char* name;
  const char* meaning;
};

const EnvVar kEnvVars[] = {
    {"WEBCONV_ADAPTER",
     "default for `--adapter`: `gpu`, `swiftshader`, or part of an adapter's name (the option wins when both "
     "are given)"},
    {"WEBCONV_DAWN_LIB",
     "path of the WebGPU library to load instead of the one chosen at build time (CMake variable "
     "`WEBCONV_DAWN_LIB`, by default npm `bun-webgpu-linux-x64`'s `libwebgpu_wrapper.so`): another Dawn or "
     "wgpu-native build exporting the webgpu.h C API"},
    {"WEBCONV_SWIFTSHADER_ICD",
     "SwiftShader's Vulkan ICD manifest (default `/usr/lib/chromium/vk_swiftshader_icd.json`, from Debian's "
     "chromium)"},
    {"VK_ICD_FILENAMES, VK_DRIVER_FILES",
     "Vulkan loader variables; when either is set, webconv leaves the driver list as it is and does not "
     "point the loader at SwiftShader itself"},
    {"WEBCONV_GPU_TIMEOUT_S",
     "seconds to wait for the GPU (a submit, a readback) before failing with exit 4 (default 60)"},
    {"WEBCONV_GPU_WAIT", "`poll` forces the polling wait instead of timed waits"},
    {"WEBCONV_SHOTS_MODEL", "the TransNetV2 model `webconv shots` uses when `--model` is not given"},
    {"WEBCONV_PIPELINE_CACHE",
     "`0` or `off` turns the persistent pipeline cache off (as `--no-pipeline-cache` does): compiled "
     "shaders are then neither read from nor written to disk"},
    {"WEBCONV_CACHE_DIR, XDG_CACHE_HOME, HOME",
     "where the persistent pipeline cache lives: `WEBCONV_CACHE_DIR`, else `$XDG_CACHE_HOME/webconv`, else "
     "`~/.cache/webconv`; one folder per adapter, driver and WebGPU library, each with an `about.txt`. A "
     "corrupt or truncated entry is refused with a warning and compiled afresh; delete the folder to clear it"},
    {"WEBCONV_FIRST_RUN",
     "`auto`, `tuned`, `quick` or `quick-only`: which kernels serve the first runs on WebGPU when `--first-run` "
     "is not given (as that option says; native build)"},
    {"WEBCONV_SERIAL_COMPILE",
     "`1` creates pipelines one at a time instead of all at once on the WebGPU library's worker threads "
     "(for comparing the two)"},
    {"WEBCONV_COMPILE_TRACE",
     "`1` prints to standard error one line per compiled pipeline (its WGSL size, the time creating it "
     "took on the calling thread, by when its compile had finished) and one per GPU run (inputs staged, "
     "encoded, submitted, GPU wait, outputs read): where a first result waits (native build)"},
    {"WEBCONV_GPU_MAX_BUFFER_BYTES",
     "lowers (never raises) the device's buffer size limits, to test the 'tensor larger than the device "
     "allows' error"},
    {"WEBCONV_CONV_STRIP_ROWS",
     "a benchmark tuning knob of the direct Conv kernel (depthwise and other convolutions with few output "
     "channels per group): a number 1..64 sets how many output rows each thread computes (capped by "
     "the output height and a register budget); unset, the kernel chooses"},
    {"WEBCONV_CONV_STRIP_DEPTHS",
     "the same kind of knob for 3-D windows in that kernel (1..64): how many output depths each thread "
     "computes (used only for small 3-D filters; capped by the output depth); unset, the kernel chooses"},
    {"WEBCONV_CONV_TILE",
     "a benchmark tuning knob of the implicit-GEMM Conv kernel: a tile named as in its kernel names "
     "(`t128x64k16_r8x8`: 128 output pixels x 64 channels per workgroup, K slices of 16, 8x8 outputs per "
     "thread) is used for every such Conv instead of the chosen one; an invalid tile, or one needing more "
     "workgroup memory than the device has, fails with exit 2"},
    {"WEBCONV_CONV_SIZES",
     "`baked` or `uniform`: whether the Conv kernels (implicit GEMM and direct) carry their sizes (batch, "
     "spatial extents, channels) as WGSL constants or read them from their uniform block, for every Conv. "
     "Uniform sizes let layers that differ only in sizes share one compiled pipeline; unset, they are used "
     "on software adapters and for layers under 64 MFLOP, and baked sizes elsewhere"},
    {"WEBCONV_CONV_SPLITS",
     "a benchmark tuning knob of the implicit-GEMM Conv kernel: how many ranges its reduction is split "
     "into (split-K; 1..4096, capped by the reduction's depth; 1 turns splitting off); unset, the "
     "kernel chooses from the number of output tiles. A Conv with a fused AveragePool is never split"},
    {"WEBCONV_CONV_F16",
     "`tiles` stages the implicit-GEMM Conv's K slices in workgroup memory as f16 pairs (half the bytes; "
     "FMAs and tensors stay f32, inputs and weights round to f16's 11 significant bits); `0`, `off` or "
     "unset: f32. Off by default: slower on the H100 where measured (NOTES.md)"},
    {"WEBCONV_CONV_SUBGROUPS",
     "`1` makes the direct Conv kernel take the taps along W from neighbouring lanes (subgroup shuffles; "
     "needs the device's `subgroups` feature, else exit 2); `0` or unset: plain loads. Off by default: "
     "slower on the H100 where measured (NOTES.md)"},
    {"WEBCONV_QUAD_GEMM",
     "`0` keeps the workgroup-memory GEMM kernels (Conv, MatMul, Gemm) on a software adapter; `1` runs them "
     "as quads of four subgroup lanes on any device whose subgroups are exactly four lanes (else exit 2); "
     "unset: quads on a software adapter with such subgroups (SwiftShader), 2-4x faster there (NOTES.md). A "
     "forced WEBCONV_CONV_TILE, WEBCONV_CONV_SPLITS or WEBCONV_CONV_F16 keeps the Conv on the workgroup-memory "
     "kernel"},
    {"WEBCONV_NO_FUSION",
     "any value other than empty or `0` turns the Conv fusions off (BatchNorm folding, activation and "
     "residual-Add epilogues, in-place Concat, pooled stores, sibling and branch Convs merged); every command, both "
     "backends"},
    {"WEBCONV_NO_BRANCH_MERGE",
     "any value other than empty or `0` keeps Concat branch Convs that differ only in dilations and pads "
     "apart (instead of one grouped Conv with per-group windows) while the other fusions stay on; for A/B "
     "timing of that one rewrite"},
    {"WEBCONV_NO_SIBLING_MERGE",
     "any value other than empty or `0` keeps sibling Convs (same input, same window) apart while the other "
     "fusions stay on; for A/B timing of that one rewrite"},
};

std::string Code(const std::string& s) {
  return "`" + s + "`";
}

// A Markdown table cell: '|' would end the cell, even inside a code span.
std::string TableCell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

void PrintCliReferenceMarkdown(std::ostream& os) {
  os << "# `webconv` command line\n\n"
        "<!-- Generated by `webconv help --markdown` from the CLI's command table (src/cli/commands.cc); do "
        "not edit. -->\n"
        "This file is generated by `webconv help --markdown` from the same command table the option parser "
        "uses. To regenerate it after changing a command:\n\n"
        "```sh\nbuild/webconv help --markdown > docs/cli.md\n```\n\n"
        "`ctest -L docs` fails while this file differs from the command's output. `webconv help COMMAND` "
        "and `webconv COMMAND --help` print one command's part of it.\n\n"
        "Options take their value as `--name VALUE` or `--name=VALUE`. An unknown option is a usage error "
        "(exit 2). `webconv --version` prints the version.\n\n"
        "## Commands\n\n";
  for (const CommandSpec& c : Commands())
    os << "- [" << c.name << "](#" << c.name << "): " << c.summary << "\n";
  for (const CommandSpec& c : Commands()) {
    os << "\n## " << c.name << "\n\n```\n" << Synopsis(c) << "\n```\n\n" << c.summary << ".\n";
    if (!c.options.empty()) {
      os << "\n| option | description |\n|---|---|\n";
      for (const OptionSpec& o : c.options) {
        os << "| "
           << TableCell(Code(std::string("--") + o.name + (*o.value ? std::string(" ") + o.value : "")))
           << (o.repeatable ? " (repeatable)" : "") << " | " << TableCell(o.help) << " |\n";
      }
    }
    if (*c.details) os << "\n" << c.details << "\n";
  }
  os << "\n## Exit codes\n\n"
        "Every failure prints one line starting with `error:` on stderr; a failure about a model names the "
        "model file, and the node (op type and name) with the reason when one node is at fault. A signal "
        "is never an exit status.\n\n"
        "| code | meaning |\n|---|---|\n"
        "| 0 | success |\n"
     << "| " << static_cast<int>(StatusCode::kCheckFailed)
     << " | a failed check: `check` outside tolerance, `test-onnx` with a failed case |\n"
     << "| " << static_cast<int>(StatusCode::kUsage)
     << " | usage error: bad command line, unknown option, unreadable or malformed input file (for `shots`: "
        "a file that is not a video, has no frames, or is truncated) |\n"
     << "| " << static_cast<int>(StatusCode::kBadModel)
     << " | bad or unsupported model (malformed file, unsupported op or opset, invalid attributes or shapes) "
        "|\n"
     << "| " << static_cast<int>(StatusCode::kDevice)
     << " | GPU or device error: no adapter, WebGPU library not loadable, device lost, timeout, tensor "
        "larger than the device allows |\n"
     << "\n## Environment variables\n\n"
        "The tuning variables below (`WEBCONV_CONV_*`, `WEBCONV_NO_*`) are read once, when a command builds its\n"
        "session's options (`runtime/tuning_env.h`): they become the session's `KernelTuning` and fusion switches,\n"
        "which its plans keep. The library's kernel and graph code never reads the environment; the public C++ API\n"
        "applies the same variables when it makes a session, and the browser build has none. A malformed value\n"
        "fails with exit 2 naming the variable.\n\n"
        "| variable | effect |\n|---|---|\n";
  for (const EnvVar& v : kEnvVars) os << "| `" << v.name << "` | " << v.meaning << " |\n";
}

}  // namespace webconv::cli
