#include "progress.h"

#include <newt.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "obs/json.h"

namespace strata::tools {

namespace {

using Clock = std::chrono::steady_clock;

// Rate and time left of one phase, measured from the phase's first report.
class PhaseMeter {
 public:
  // Returns true when `p` starts a new phase.
  bool Update(const node::WorkProgress& p, Clock::time_point now) {
    bool fresh = p.phase != phase_ || p.unit != unit_;
    if (fresh) {
      phase_ = std::string(p.phase);
      unit_ = std::string(p.unit);
      started_ = now;
    }
    done_ = p.done;
    total_ = p.total;
    seconds_ = std::chrono::duration<double>(now - started_).count();
    return fresh;
  }
  double rate() const { return seconds_ > 0 ? static_cast<double>(done_) / seconds_ : 0; }
  std::optional<double> eta() const {
    if (total_ == 0 || done_ > total_) return std::nullopt;
    if (done_ == total_) return 0.0;
    if (rate() <= 0) return std::nullopt;
    return static_cast<double>(total_ - done_) / rate();
  }
  bool finished() const { return total_ != 0 && done_ >= total_; }

 private:
  std::string phase_, unit_;
  Clock::time_point started_;
  uint64_t done_ = 0, total_ = 0;
  double seconds_ = 0;
};

std::string Amount(double n, std::string_view unit) {
  if (unit != "bytes") return fmt::format("{:.0f} {}", n, unit);
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (n >= 1024 && u < 4) {
    n /= 1024;
    u++;
  }
  return u == 0 ? fmt::format("{:.0f} B", n) : fmt::format("{:.1f} {}", n, units[u]);
}

std::string Duration(double seconds) {
  auto s = static_cast<uint64_t>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

// One JSON object per line on stdout, at most every kInterval within a phase.
class JsonProgress final : public ProgressReporter {
 public:
  explicit JsonProgress(std::string task) : task_(std::move(task)) {}
  void Report(const node::WorkProgress& p) override {
    static constexpr auto kInterval = std::chrono::milliseconds(500);
    Clock::time_point now = Clock::now();
    bool fresh = meter_.Update(p, now);
    if (!fresh && !meter_.finished() && now - last_ < kInterval) return;
    last_ = now;
    obs::JsonObject line;
    line.Add("event", "progress").Add("task", std::string_view(task_)).Add("phase", p.phase).Add("unit", p.unit);
    line.Add("done", p.done).Add("total", p.total);
    line.Add("rate_per_second", meter_.rate());
    std::optional<double> eta = meter_.eta();
    if (eta) line.Add("eta_seconds", *eta); else line.AddRaw("eta_seconds", "null");
    std::fputs((line.Finish() + "\n").c_str(), stdout);
    std::fflush(stdout);
  }
  bool json() const override { return true; }

 private:
  std::string task_;
  PhaseMeter meter_;
  Clock::time_point last_;
};

// newt puts the terminal in raw mode, where Ctrl-C and Ctrl-\ are plain keys nobody reads
// here. KeepInterruptKeys turns them back into signals; their handler gives the terminal
// back (newtFinished) and dies of the signal as it would have without the bar. newtFinished
// is not async-signal-safe, but the process ends right after it either way.
extern "C" void RestoreTerminalAndDie(int sig) {
  newtFinished();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// `before`: the terminal's settings before newtInit (which also clears the interrupt keys).
void KeepInterruptKeys(const termios& before) {
  termios t{};
  if (tcgetattr(STDIN_FILENO, &t) != 0) return;
  t.c_lflag |= ISIG;
  t.c_cc[VINTR] = before.c_cc[VINTR];
  t.c_cc[VQUIT] = before.c_cc[VQUIT];
  (void)tcsetattr(STDIN_FILENO, TCSANOW, &t);
  for (int sig : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) ::signal(sig, RestoreTerminalAndDie);
}

// newt's scale in a centred window: the phase above the bar, amounts, rate and ETA below.
class BarProgress final : public ProgressReporter {
 public:
  explicit BarProgress(std::string task) : title_("stratadb " + std::move(task)) {
    termios before{};
    bool known = tcgetattr(STDIN_FILENO, &before) == 0;
    newtInit();
    newtCls();
    open_ = true;
    if (known) KeepInterruptKeys(before);
  }
  ~BarProgress() override { Close(); }

  void Report(const node::WorkProgress& p) override {
    static constexpr auto kInterval = std::chrono::milliseconds(100);
    Clock::time_point now = Clock::now();
    bool fresh = meter_.Update(p, now);
    if (fresh) NewPhase(p);
    if (!fresh && !meter_.finished() && now - last_ < kInterval) return;
    last_ = now;
    std::string line = p.total > 0 ? fmt::format("{} of {}", Amount(static_cast<double>(p.done), p.unit),
                                                  Amount(static_cast<double>(p.total), p.unit))
                                   : Amount(static_cast<double>(p.done), p.unit);
    line += fmt::format("  {}/s", Amount(meter_.rate(), p.unit));
    std::optional<double> eta = meter_.eta();
    line += eta ? "  ETA " + Duration(*eta) : "  ETA --:--";
    newtScaleSet(scale_, p.total > 0 ? p.done : 0);
    newtLabelSetText(amounts_, line.c_str());
    newtDrawForm(form_);
    newtRefresh();
  }

  void Close() override {
    if (!open_) return;
    for (int sig : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
    DestroyWindow();
    newtFinished();
    open_ = false;
  }

 private:
  void NewPhase(const node::WorkProgress& p) {
    DestroyWindow();
    int cols = 80, rows = 24;
    newtGetScreenSize(&cols, &rows);
    width_ = std::clamp(cols - 6, 20, 72);
    newtCenteredWindow(static_cast<unsigned>(width_), 4, title_.c_str());
    form_ = newtForm(nullptr, nullptr, 0);
    phase_label_ = std::string(p.phase);
    phase_ = newtLabel(1, 0, phase_label_.c_str());
    scale_ = newtScale(1, 1, width_ - 2, static_cast<long long>(p.total > 0 ? p.total : 1));
    amounts_ = newtLabel(1, 2, std::string(static_cast<size_t>(width_ - 2), ' ').c_str());
    newtFormAddComponents(form_, phase_, scale_, amounts_, nullptr);
  }
  void DestroyWindow() {
    if (form_ == nullptr) return;
    newtFormDestroy(form_);  // and its components
    newtPopWindow();
    form_ = nullptr;
  }

  std::string title_, phase_label_;
  bool open_ = false;
  int width_ = 60;
  newtComponent form_ = nullptr, phase_ = nullptr, scale_ = nullptr, amounts_ = nullptr;
  PhaseMeter meter_;
  Clock::time_point last_;
};

class NoProgress final : public ProgressReporter {
 public:
  void Report(const node::WorkProgress&) override {}
};

bool OnTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term != nullptr && std::string_view(term) != "dumb" &&
         *term != '\0';
}

}  // namespace

bool ParseProgressStyle(const std::string& name, ProgressStyle* style) {
  if (name == "auto") *style = ProgressStyle::kAuto;
  else if (name == "bar") *style = ProgressStyle::kBar;
  else if (name == "json") *style = ProgressStyle::kJson;
  else if (name == "none") *style = ProgressStyle::kNone;
  else return false;
  return true;
}

std::unique_ptr<ProgressReporter> ProgressReporter::Create(ProgressStyle style, std::string task) {
  if (style == ProgressStyle::kAuto) style = OnTerminal() ? ProgressStyle::kBar : ProgressStyle::kJson;
  switch (style) {
    case ProgressStyle::kBar: return std::make_unique<BarProgress>(std::move(task));
    case ProgressStyle::kJson: return std::make_unique<JsonProgress>(std::move(task));
    default: return std::make_unique<NoProgress>();
  }
}

}  // namespace strata::tools
