#include "cli/phases.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace webconv::cli {
namespace {

const std::chrono::steady_clock::time_point kProcessStart = std::chrono::steady_clock::now();

}  // namespace

double MsSinceProcessStart() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - kProcessStart).count();
}

ColdStart CollectColdStart(const runtime::Session& s, const runtime::RunStats& first, double first_result_ms,
                           double inputs_ms) {
  ColdStart c;
  c.session = s.timing();
  c.first = first;
  c.first_result_ms = first_result_ms - inputs_ms;
  c.inputs_ms = inputs_ms;
  if (s.device()) c.compile = s.device()->compile_stats();
  return c;
}

Status SettleAfterFirstRun(runtime::Session& s, ColdStart* c) {
  if (!c->first.quick) return OkStatus();
  const double t0 = MsSinceProcessStart();
  WC_RETURN_IF_ERROR(s.Settle());
  c->settle_ms = MsSinceProcessStart() - t0;
  c->tuned_ready_ms = s.last_plan() ? s.last_plan()->tuned_ready_ms() : 0;
  return OkStatus();
}

void PrintPhases(const ColdStart& c, std::ostream& os) {
  const runtime::PlanTiming& p = c.first.plan;
  const double planning = c.first.wall_ms - c.first.execute_ms;
  std::ostringstream o;
  o << std::fixed << std::setprecision(1);
  o << "timing (ms, host wall):\n"
    << "  load          " << std::setw(9) << c.session.load_ms << "  read, parse, build the graph\n"
    << "  device        " << std::setw(9) << c.session.device_ms << "  adapter and device\n"
    << "  bind          " << std::setw(9) << p.bind_ms << "  shapes, folding, fusion\n"
    << "  plan          " << std::setw(9) << p.plan_ms << "  kernels generated, buffers assigned\n"
    << "  compile       " << std::setw(9) << p.compile_ms << "  " << p.pipelines_compiled << " of "
    << p.pipelines << " pipelines compiled";
  if (!c.compile.disk_dir.empty()) {
    o << "; persistent cache " << c.compile.disk_hits << " hits, " << c.compile.disk_misses << " misses, "
      << c.compile.disk_stores << " stored";
    if (c.compile.disk_rejected) o << ", " << c.compile.disk_rejected << " rejected";
  }
  if (p.first_run != "tuned") o << " (" << p.first_run << " tier; " << p.tuned_pipelines << " tuned to compile later)";
  o << "\n"
    << "  upload        " << std::setw(9) << p.upload_ms << "  constants (weights)\n"
    << "  program       " << std::setw(9) << p.program_ms << "  bind groups, uniforms\n"
    << "  first run     " << std::setw(9) << c.first.execute_ms << "  inputs up, dispatches, outputs back\n"
    << "  (planning     " << std::setw(9) << planning << "  bind + plan + compile + upload + program)\n"
    << "  first result  " << std::setw(9) << c.first_result_ms << "  from process start, less "
    << c.inputs_ms << " ms preparing the inputs\n";
  if (c.settle_ms >= 0)
    o << "  tuned kernels " << std::setw(9) << c.settle_ms << "  waited for after the first result ("
      << c.tuned_ready_ms << " ms from the start of their compile)\n";
  if (c.warm_run_ms >= 0) o << "  warm run      " << std::setw(9) << c.warm_run_ms << "\n";
  os << o.str();
}

std::string PhasesJson(const ColdStart& c) {
  const runtime::PlanTiming& p = c.first.plan;
  std::ostringstream o;
  o << std::setprecision(6) << "{\"load_ms\": " << c.session.load_ms << ", \"device_ms\": " << c.session.device_ms
    << ", \"bind_ms\": " << p.bind_ms << ", \"plan_ms\": " << p.plan_ms << ", \"compile_ms\": " << p.compile_ms
    << ", \"pipelines\": " << p.pipelines << ", \"pipelines_compiled\": " << p.pipelines_compiled
    << ", \"upload_ms\": " << p.upload_ms << ", \"program_ms\": " << p.program_ms
    << ", \"first_run_ms\": " << c.first.execute_ms << ", \"first_wall_ms\": " << c.first.wall_ms
    << ", \"first_result_ms\": " << c.first_result_ms << ", \"inputs_ms\": " << c.inputs_ms
    << ", \"first_run_tier\": \"" << p.first_run << "\", \"tuned_pipelines\": " << p.tuned_pipelines
    << ", \"settle_ms\": ";
  if (c.settle_ms >= 0) o << c.settle_ms << ", \"tuned_ready_ms\": " << c.tuned_ready_ms;
  else o << "null, \"tuned_ready_ms\": null";
  o << ", \"warm_run_ms\": ";
  if (c.warm_run_ms >= 0) o << c.warm_run_ms;
  else o << "null";
  o << ", \"disk_cache\": " << (c.compile.disk_dir.empty() ? "false" : "true")
    << ", \"disk_hits\": " << c.compile.disk_hits << ", \"disk_misses\": " << c.compile.disk_misses
    << ", \"disk_stores\": " << c.compile.disk_stores << ", \"disk_rejected\": " << c.compile.disk_rejected << "}";
  return o.str();
}

ProgressLine::ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {
  if (enabled_) thread_ = std::thread([this] { Loop(); });
}

ProgressLine::~ProgressLine() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  Draw(true);
}

void ProgressLine::Begin(const std::string& step) { Update(step, 0, 0); }

void ProgressLine::LogFinished() {
  if (enabled_ || !active_) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
  if (s < 1.0) return;
  if (total_) std::fprintf(stderr, "webconv: %s %zu/%zu (%.1f s)\n", step_.c_str(), done_, total_, s);
  else std::fprintf(stderr, "webconv: %s (%.1f s)\n", step_.c_str(), s);
  std::fflush(stderr);
}

void ProgressLine::Update(const std::string& step, size_t done, size_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  if (active_ && step != step_) LogFinished();
  if (!active_ || step != step_) since_ = std::chrono::steady_clock::now();
  active_ = true;
  step_ = step;
  done_ = done;
  total_ = total;
  rate_unit_.clear();
}

void ProgressLine::UpdateWithRate(const std::string& step, size_t done, size_t total, const std::string& rate_unit) {
  Update(step, done, total);
  std::lock_guard<std::mutex> lock(mu_);
  rate_unit_ = rate_unit;
}

void ProgressLine::End() {
  std::lock_guard<std::mutex> lock(mu_);
  LogFinished();
  active_ = false;
  if (shown_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }
}

runtime::ProgressFn ProgressLine::Callback() {
  return [this](const std::string& step, size_t done, size_t total) { Update(step, done, total); };
}

void ProgressLine::Draw(bool clear) {
  if (clear) {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
  } else {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    if (s < 1.0) return;
    std::string rate;
    if (!rate_unit_.empty()) rate = ", " + std::to_string(std::llround(static_cast<double>(done_) / s)) + " " + rate_unit_;
    if (total_) std::fprintf(stderr, "\r\033[Kwebconv: %s %zu/%zu%s (%.1f s)", step_.c_str(), done_, total_, rate.c_str(), s);
    else if (!rate_unit_.empty()) std::fprintf(stderr, "\r\033[Kwebconv: %s %zu%s (%.1f s)", step_.c_str(), done_, rate.c_str(), s);
    else std::fprintf(stderr, "\r\033[Kwebconv: %s (%.1f s)", step_.c_str(), s);
    shown_ = true;
  }
  std::fflush(stderr);
}

void ProgressLine::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (active_ && !stop_) Draw(false);
  }
}

}  // namespace webconv::cli
