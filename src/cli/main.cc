// The `webconv` command line. Contract (DESIGN.md): run, check, test-onnx, bench, inspect; exit codes
// 0 ok, 1 failed check, 2 usage, 3 bad or unsupported model, 4 GPU or device error.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "webconv/version.h"

namespace {

// The usage text is printed from the command table (cli/commands.cc), which the parsers also use.
void Usage(std::ostream& os) {
  webconv::cli::PrintUsage(os);
}

}  // namespace

int main(int argc, char** argv) {
  // A file size limit (`ulimit -f`) must fail the write that passes it, with a message, not kill the
  // process: ignored, SIGXFSZ becomes the write's EFBIG error.
  std::signal(SIGXFSZ, SIG_IGN);
  // Lines appear as they are printed (the adapter before a long first run), also into a pipe or a log.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    Usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  if (cmd == "--version") {
    std::cout << webconv::version_text();  // the library's own report: version and WebGPU library
    return 0;
  }
  if (cmd == "help") return webconv::cli::CmdHelp(argc, argv);
  if (const auto* spec = webconv::cli::FindCommand(cmd); spec && webconv::cli::WantsHelp(argc, argv)) {
    webconv::cli::PrintCommandHelp(*spec, std::cout);
    return 0;
  }
  if (cmd == "run") return webconv::cli::CmdRun(argc, argv);
  if (cmd == "check") return webconv::cli::CmdCheck(argc, argv);
  if (cmd == "test-onnx") return webconv::cli::CmdTestOnnx(argc, argv);
  if (cmd == "bench") return webconv::cli::CmdBench(argc, argv);
  if (cmd == "inspect") return webconv::cli::CmdInspect(argc, argv);
  if (cmd == "shots") return webconv::cli::CmdShots(argc, argv);
  std::cerr << "error: unknown command '" << cmd << "'\n";
  Usage(std::cerr);
  return 2;
}
