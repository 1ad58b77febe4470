// Pieces shared by the CLI commands: session options from flags, input feeds, printing.
#pragma once

#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include "cli/args.h"
#include "runtime/session.h"

namespace webconv::cli {

// Value options every model command accepts.
extern const std::vector<std::string> kModelValueOptions;

Result<runtime::SessionOptions> SessionOptionsFromArgs(const Args& args);
// The default where none is asked for (no --backend, no --adapter, no WEBCONV_ADAPTER): WebGPU on a
// hardware GPU (the device made to ask is kept as so->shared_device), else the fast CPU backend, with
// the reason in so->backend_why. A CPU-emulated adapter (SwiftShader) is slower than the CPU backend on
// the same cores; --backend webgpu still uses it.
void ChooseDefaultBackend(const Args& args, runtime::SessionOptions* so);
// Feeds for every input: --input NAME=FILE, else seeded random data (said on `log`) shaped by the model
// or by --shape NAME=d0,d1,...; symbolic dims without --shape are 1 (also said).
Result<std::map<std::string, HostTensor>> PrepareFeeds(const runtime::Session& session, const Args& args,
                                                       std::ostream& log);
void PrintAdapter(const runtime::Session& session, std::ostream& os);
std::string Summarize(const HostTensor& t, int max_values = 6);
// Exit code for a failed Status, after printing it as one line on stderr.
int Fail(const Status& s);
// The one-line text of a failure about the model at `model_path`, which it names first (unless the
// message names it already, as the loader's do): "m.onnx: Conv 'c1': input channels 6 != ...".
std::string InModel(const Status& s, const std::string& model_path);
// Fail() for a failure about the model at `model_path`.
int FailModel(const Status& s, const std::string& model_path);

int CmdRun(int argc, char** argv);
int CmdCheck(int argc, char** argv);
int CmdTestOnnx(int argc, char** argv);
int CmdBench(int argc, char** argv);
int CmdInspect(int argc, char** argv);
int CmdShots(int argc, char** argv);

}  // namespace webconv::cli
