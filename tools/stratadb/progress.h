// Progress of long CLI work (backup, restore): on a terminal, a bar drawn by newt's scale
// widget (Debian libnewt-dev, the library behind whiptail --gauge) with the phase, the
// amount done, the rate and the time left; otherwise one JSON object per line on stdout,
// for scripts and logs (docs/operations.md, "Backup and restore").
#pragma once

#include <memory>
#include <string>

#include "node/backup.h"

namespace strata::tools {

enum class ProgressStyle { kAuto, kBar, kJson, kNone };

// Parses "auto", "bar", "json" or "none".
bool ParseProgressStyle(const std::string& name, ProgressStyle* style);

class ProgressReporter {
 public:
  // kAuto: the bar when stdin and stdout are terminals (and TERM is not "dumb"), else JSON.
  static std::unique_ptr<ProgressReporter> Create(ProgressStyle style, std::string task);
  virtual ~ProgressReporter() = default;
  // Takes one report (node::WorkProgressFn); shows it unless the last was shown moments ago
  // (a phase's first and last reports are always shown).
  virtual void Report(const node::WorkProgress& p) = 0;
  // Ends the display (the bar's screen is restored) before the summary is printed.
  virtual void Close() {}
  // True when the summary should be one JSON line (the JSON style).
  virtual bool json() const { return false; }
};

}  // namespace strata::tools
