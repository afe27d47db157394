#include "obs/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <sys/resource.h>

#include "common/check.h"

namespace strata::obs {
namespace {

void AtomicAdd(std::atomic<double>& target, double delta) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// `{a="x",b="y"}` with an optional extra label (histogram `le`); empty when no labels.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); i++) {
    if (i) out += ',';
    out += fmt::format("{}=\"{}\"", names[i], EscapeLabelValue(values[i]));
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += fmt::format("{}=\"{}\"", extra_name, extra_value);
  }
  return out + "}";
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

bool ValidName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
  }
  return true;
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i + 1 < bounds_.size(); i++) STRATA_CHECK(bounds_[i] < bounds_[i + 1]);
  for (size_t i = 0; i <= bounds_.size(); i++) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.bounds = bounds_;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); i++) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative_counts.push_back(running);
  }
  // The +Inf bucket must equal the count; take the count from the buckets themselves so a
  // scrape racing an Observe never shows count < bucket.
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  STRATA_CHECK(start > 0 && factor > 1 && count > 0);
  std::vector<double> out;
  double b = start;
  for (int i = 0; i < count; i++, b *= factor) out.push_back(b);
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = ExponentialBuckets(10e-6, 2, 23);
  return buckets;
}

template <typename M>
M& Family<M>::With(const std::vector<std::string>& label_values) {
  STRATA_CHECK_MSG(label_values.size() == label_names_.size(), "label value count mismatch");
  std::lock_guard lock(mu_);
  auto& slot = children_[label_values];
  if (!slot) {
    if constexpr (std::is_same_v<M, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<M>();
    }
  }
  return *slot;
}

template <typename M>
void Family<M>::ForEach(
    const std::function<void(const std::vector<std::string>&, const M&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, metric] : children_) fn(values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry& Registry::Default() {
  static Registry* registry = new Registry();  // never destroyed: threads may scrape at exit
  return *registry;
}

Registry::Entry& Registry::Find(const std::string& name, const std::string& help, MetricType type,
                                const std::vector<std::string>& label_names) {
  STRATA_CHECK_MSG(ValidName(name), name.c_str());
  for (const auto& l : label_names) STRATA_CHECK_MSG(ValidName(l) && l != "le", l.c_str());
  auto [it, inserted] = entries_.try_emplace(name);
  Entry& e = it->second;
  if (inserted) {
    e.type = type;
    e.help = help;
    return e;
  }
  STRATA_CHECK_MSG(e.type == type && !e.callback, "metric re-registered with another type");
  return e;
}

Family<Counter>& Registry::AddCounterFamily(const std::string& name, const std::string& help,
                                            std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kCounter, label_names);
  STRATA_CHECK_MSG(!e.gauges, "integer counter re-registered as a float counter");
  if (!e.counters) e.counters = std::make_unique<Family<Counter>>(std::move(label_names));
  STRATA_CHECK(e.counters->label_names() == label_names || label_names.empty());
  return *e.counters;
}

Family<Gauge>& Registry::AddGaugeFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kGauge, label_names);
  if (!e.gauges) e.gauges = std::make_unique<Family<Gauge>>(std::move(label_names));
  return *e.gauges;
}

Family<Gauge>& Registry::AddFloatCounterFamily(const std::string& name, const std::string& help,
                                               std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kCounter, label_names);
  STRATA_CHECK_MSG(!e.counters, "float counter re-registered as an integer counter");
  if (!e.gauges) e.gauges = std::make_unique<Family<Gauge>>(std::move(label_names));
  return *e.gauges;
}

Family<Histogram>& Registry::AddHistogramFamily(const std::string& name, const std::string& help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, MetricType::kHistogram, label_names);
  if (!e.histograms) {
    e.histograms = std::make_unique<Family<Histogram>>(std::move(label_names), std::move(bounds));
  }
  return *e.histograms;
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help) {
  return AddCounterFamily(name, help, {}).With({});
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  return AddGaugeFamily(name, help, {}).With({});
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> bounds) {
  return AddHistogramFamily(name, help, {}, std::move(bounds)).With({});
}

void Registry::AddCallback(const std::string& name, const std::string& help, MetricType type,
                           std::function<double()> fn) {
  STRATA_CHECK(type != MetricType::kHistogram);
  std::lock_guard lock(mu_);
  STRATA_CHECK_MSG(ValidName(name), name.c_str());
  Entry& e = entries_[name];
  STRATA_CHECK_MSG(!e.counters && !e.gauges && !e.histograms, "callback name already used");
  e.type = type;
  e.help = help;
  e.callback = std::move(fn);
}

void Registry::RemoveCallback(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end() && it->second.callback) entries_.erase(it);
}

std::string Registry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  // Not a structured binding: clang 14 cannot capture one in the lambdas below.
  for (const auto& entry : entries_) {
    const auto& name = entry.first;
    const auto& e = entry.second;
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(e.help), name,
                       TypeName(e.type));
    if (e.callback) {
      out += fmt::format("{} {}\n", name, FormatValue(e.callback()));
    } else if (e.counters) {
      const auto& names = e.counters->label_names();
      e.counters->ForEach([&](const auto& values, const Counter& c) {
        out += fmt::format("{}{} {}\n", name, LabelSet(names, values), c.Value());
      });
    } else if (e.gauges) {
      const auto& names = e.gauges->label_names();
      e.gauges->ForEach([&](const auto& values, const Gauge& g) {
        out += fmt::format("{}{} {}\n", name, LabelSet(names, values), FormatValue(g.Value()));
      });
    } else if (e.histograms) {
      const auto& names = e.histograms->label_names();
      e.histograms->ForEach([&](const auto& values, const Histogram& h) {
        Histogram::Snapshot s = h.Read();
        for (size_t i = 0; i <= s.bounds.size(); i++) {
          std::string le = i < s.bounds.size() ? FormatValue(s.bounds[i]) : "+Inf";
          out += fmt::format("{}_bucket{} {}\n", name, LabelSet(names, values, "le", le),
                             s.cumulative_counts[i]);
        }
        out += fmt::format("{}_sum{} {}\n", name, LabelSet(names, values), FormatValue(s.sum));
        out += fmt::format("{}_count{} {}\n", name, LabelSet(names, values), s.count);
      });
    }
  }
  return out;
}

namespace {

double ProcessStatField(int field) {  // 1-based field of /proc/self/stat
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string token;
  for (int i = 3; i <= field && rest >> token; i++) {
    if (i == field) return std::stod(token);
  }
  return 0;
}

}  // namespace

void RegisterProcessMetrics(Registry& registry, std::string_view version,
                            std::string_view git_sha) {
  auto& info = registry.AddGaugeFamily("stratadb_build_info",
                                       "Build information; the value is always 1.",
                                       {"version", "git_sha"});
  info.With({std::string(version), std::string(git_sha)}).Set(1);

  const auto start_steady = std::chrono::steady_clock::now();
  const double start_wall =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  registry.AddCallback("stratadb_uptime_seconds", "Seconds since the process started.",
                       MetricType::kGauge, [start_steady] {
                         return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                              start_steady).count();
                       });
  registry.AddCallback("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.",
                       MetricType::kGauge, [start_wall] { return start_wall; });
  registry.AddCallback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                       MetricType::kCounter, [] {
                         rusage ru{};
                         getrusage(RUSAGE_SELF, &ru);
                         return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
                                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
                       });
  registry.AddCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                       MetricType::kGauge,
                       [] { return ProcessStatField(24) * static_cast<double>(sysconf(_SC_PAGESIZE)); });
  registry.AddCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                       MetricType::kGauge, [] { return ProcessStatField(23); });
  registry.AddCallback("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, [] {
    std::error_code ec;
    double n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      n++;
    }
    return n;
  });
}

}  // namespace strata::obs
