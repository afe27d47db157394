// Metrics registry: counters, gauges and histograms, optionally labelled, rendered in the
// Prometheus text exposition format (version 0.0.4) for the admin endpoint's /metrics.
//
// Thread-safety: every metric is updated with atomics and may be touched from any thread.
// Registering (and looking up labelled children) takes the registry's mutex; hot paths
// should register once and keep the returned reference, which stays valid for the
// registry's lifetime.
//
// Naming follows Prometheus conventions: snake_case, a `stratadb_` prefix, base units in
// the name (`_seconds`, `_bytes`) and `_total` on counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace strata::obs {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double delta);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed-bucket histogram. `bounds` are the inclusive upper bounds, strictly increasing;
// an implicit +Inf bucket holds the rest.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// start, start*factor, ... (count bounds).
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// Latency buckets from 10 µs to ~42 s, in seconds.
const std::vector<double>& LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

// A metric name with its label names; children are created per distinct label values.
template <typename M>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> bounds = {})
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  // Returns the child for these label values (as many as label names), creating it once.
  M& With(const std::vector<std::string>& label_values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(label_values, metric) for every child, in label order.
  void ForEach(const std::function<void(const std::vector<std::string>&, const M&)>& fn) const;

 private:
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry the admin endpoint renders.
  static Registry& Default();

  // Registering the same name twice with the same type returns the same metric; with a
  // different type or label set is a programming error (checked).
  Counter& AddCounter(const std::string& name, const std::string& help);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> bounds = LatencyBuckets());
  Family<Counter>& AddCounterFamily(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names);
  Family<Gauge>& AddGaugeFamily(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names);
  Family<Histogram>& AddHistogramFamily(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds = LatencyBuckets());
  // A counter of fractional amounts (seconds spent waiting): exposed as a Prometheus
  // counter, updated with Gauge::Add(positive) only.
  Family<Gauge>& AddFloatCounterFamily(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names);
  // A value computed at scrape time (process RSS, uptime, queue depth owned elsewhere).
  // The callback must be thread-safe and must outlive the registry or be removed first.
  void AddCallback(const std::string& name, const std::string& help, MetricType type,
                   std::function<double()> fn);
  void RemoveCallback(const std::string& name);

  // The whole registry in Prometheus text format, metrics sorted by name.
  std::string RenderPrometheus() const;

 private:
  struct Entry {
    MetricType type;
    std::string help;
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
    std::function<double()> callback;
  };
  Entry& Find(const std::string& name, const std::string& help, MetricType type,
              const std::vector<std::string>& label_names) /* REQUIRES: mu_ held */;

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// Registers process metrics on `registry`: stratadb_build_info, stratadb_uptime_seconds,
// process_start_time_seconds, process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds.
void RegisterProcessMetrics(Registry& registry, std::string_view version,
                            std::string_view git_sha);

// Escapes a label value for the exposition format (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view v);

}  // namespace strata::obs
