// The `webconv` command line. Contract (DESIGN.md): run, check, test-onnx, bench, inspect; exit codes
// 0 ok, 1 failed check, 2 usage, 3 bad or unsupported model, 4 GPU or device error.
#include <cstring>
#include <iostream>

#include "cli/common.h"

namespace {

void Usage(std::ostream& os) {
  os << "usage: webconv COMMAND ...\n"
        "  run MODEL [--input NAME=FILE]... [--shape NAME=d0,d1,...]... [--output-dir DIR] [--backend webgpu|cpu]\n"
        "  check MODEL [--input NAME=FILE]... [--shape NAME=d0,...]... [--atol A] [--rtol R]\n"
        "  test-onnx DIR... [--backend webgpu|cpu] [--manifest FILE]\n"
        "  bench MODEL [--shape NAME=d0,...]... [--runs N] [--warmup N] [--json] [--per-kernel]\n"
        "        [--backend webgpu|cpu]\n"
        "  inspect MODEL [--shape NAME=d0,...]...\n"
        "options for all model commands: --adapter gpu|swiftshader|NAME (or env WEBCONV_ADAPTER), --seed N\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    Usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  if (cmd == "--version") {
    std::cout << "webconv 0.1.0\n";
    return 0;
  }
  if (cmd == "run") return webconv::cli::CmdRun(argc, argv);
  if (cmd == "check") return webconv::cli::CmdCheck(argc, argv);
  if (cmd == "test-onnx") return webconv::cli::CmdTestOnnx(argc, argv);
  if (cmd == "bench") return webconv::cli::CmdBench(argc, argv);
  if (cmd == "inspect") return webconv::cli::CmdInspect(argc, argv);
  std::cerr << "error: unknown command '" << cmd << "'\n";
  Usage(std::cerr);
  return 2;
}
