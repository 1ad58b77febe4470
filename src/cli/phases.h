// Where the time to a first result goes, as `webconv run --timing` prints it and `webconv bench --json`
// reports it ("phases"), and the progress line the CLI shows on a terminal while a step is slow.
#pragma once

#include <chrono>
#include <condition_variable>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/session.h"

namespace webconv::cli {

// Milliseconds since the process started (its static initialisation: before main, after the loader).
double MsSinceProcessStart();

// The phases of one cold start: the session's load, the first run (which plans and compiles) and, when
// measured, a warm run.
struct ColdStart {
  runtime::SessionTiming session;
  runtime::RunStats first;        // the first run's stats (its `plan` says where planning went)
  double first_result_ms = 0;     // process start to the first run's outputs on the host, less inputs_ms
  double inputs_ms = 0;           // reading or synthesizing the inputs: the caller's data, not webconv's cost
  double warm_run_ms = -1;        // a later run of the same shapes; < 0 when not measured
  // With the quick tier (runtime FirstRun): the wait for the tuned kernels after the first result, and the
  // host time from the start of their compile to the switch; < 0 when the plan had no quick tier.
  double settle_ms = -1, tuned_ready_ms = -1;
  gpu::CompileStats compile;      // the device's, after the first run (zero on the CPU backend)
};

// `inputs_ms`, the time spent preparing the inputs before the first run, is left out of the first result,
// as bench/ort_cold.mjs leaves out creating ONNX Runtime's inputs: both count what the runtime costs.
ColdStart CollectColdStart(const runtime::Session& s, const runtime::RunStats& first, double first_result_ms,
                           double inputs_ms);
// When the first run was on the quick tier (runtime FirstRun): waits for the tuned kernels, so later runs
// are theirs, and records the wait in `c` (settle_ms, tuned_ready_ms). Nothing otherwise.
Status SettleAfterFirstRun(runtime::Session& s, ColdStart* c);
void PrintPhases(const ColdStart& c, std::ostream& os);
// A JSON object (no trailing newline) with every field in milliseconds or counts.
std::string PhasesJson(const ColdStart& c);

// A one-line progress display on stderr: "webconv: compile 12/48 (3.1 s)". On a terminal it appears once a
// step has taken over a second, is redrawn in place, and is cleared when the step ends. Elsewhere (a log, a
// pipe) a step that took over a second gets one line when it ends, so a slow run is not silent until done.
class ProgressLine {
 public:
  ProgressLine();
  ~ProgressLine();
  void Begin(const std::string& step);  // a step with no count yet ("load", "run")
  void Update(const std::string& step, size_t done, size_t total);
  // Same, and the line also shows the rate since the step began: "webconv: shots 1200/5000, 850 fps (1.4 s)".
  void UpdateWithRate(const std::string& step, size_t done, size_t total, const std::string& rate_unit);
  void End();                           // the step is over: the line is cleared
  // A session progress callback that feeds this line.
  runtime::ProgressFn Callback();

 private:
  void Loop();
  void Draw(bool clear);
  void LogFinished();  // not a terminal: the line of the step now left, if it was slow; needs mu_
  const bool enabled_;  // stderr is a terminal
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, active_ = false, shown_ = false;
  std::string step_;
  size_t done_ = 0, total_ = 0;
  std::string rate_unit_;  // "" for no rate
  std::chrono::steady_clock::time_point since_;
  std::thread thread_;
};

}  // namespace webconv::cli
