#include "obs/metrics.h"

#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace strata::obs {
namespace {

// Checks every line against the exposition grammar (comment or sample) and that each
// sample's metric family was declared by a preceding # TYPE line.
void ExpectValidExposition(const std::string& text) {
  static const std::regex kComment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN))");
  std::istringstream in(text);
  std::string line, declared;
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(std::regex_match(line, kComment)) << line;
    } else if (line.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, kComment)) << line;
    } else {
      ASSERT_TRUE(std::regex_match(line, m, kSample)) << line;
      EXPECT_EQ(m[1].str().rfind(declared, 0), 0u) << line << " not under " << declared;
    }
  }
}

TEST(MetricsTest, CounterGaugeRender) {
  Registry r;
  Counter& c = r.AddCounter("stratadb_test_ops_total", "Operations.");
  c.Inc();
  c.Inc(4);
  Gauge& g = r.AddGauge("stratadb_test_depth", "Queue depth.");
  g.Set(3);
  g.Add(-1.5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE stratadb_test_ops_total counter\nstratadb_test_ops_total 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_test_depth 1.5\n"), std::string::npos) << text;
  ExpectValidExposition(text);
}

TEST(MetricsTest, SameNameReturnsSameMetric) {
  Registry r;
  Counter& a = r.AddCounter("stratadb_x_total", "x");
  Counter& b = r.AddCounter("stratadb_x_total", "x");
  EXPECT_EQ(&a, &b);
}

TEST(MetricsDeathTest, TypeClashIsABug) {
  Registry r;
  r.AddCounter("stratadb_x_total", "x");
  EXPECT_DEATH(r.AddGauge("stratadb_x_total", "x"), "another type");
  EXPECT_DEATH(r.AddCounter("bad name", "x"), "bad name");
}

TEST(MetricsTest, LabelsAreEscapedAndSorted) {
  Registry r;
  auto& fam = r.AddCounterFamily("stratadb_req_total", "Requests.", {"path", "code"});
  fam.With({"/b", "200"}).Inc();
  fam.With({"/a\"x\\\n", "500"}).Inc(2);
  std::string text = r.RenderPrometheus();
  auto a = text.find(R"(stratadb_req_total{path="/a\"x\\\n",code="500"} 2)");
  auto b = text.find(R"(stratadb_req_total{path="/b",code="200"} 1)");
  ASSERT_NE(a, std::string::npos) << text;
  ASSERT_NE(b, std::string::npos) << text;
  EXPECT_LT(a, b);
  ExpectValidExposition(text);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram& h = r.AddHistogram("stratadb_lat_seconds", "Latency.", {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative_counts, (std::vector<uint64_t>{2, 3, 4, 5}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 55.65);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_lat_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_lat_seconds_bucket{le=\"+Inf\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_lat_seconds_count 5\n"), std::string::npos) << text;
  ExpectValidExposition(text);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Registry r;
  Counter& c = r.AddCounter("stratadb_c_total", "c");
  Histogram& h = r.AddHistogram("stratadb_h_seconds", "h", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; i++) {
        c.Inc();
        h.Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 40000u);
  EXPECT_EQ(h.Read().count, 40000u);
  EXPECT_DOUBLE_EQ(h.Read().sum, 20000.0);
}

TEST(MetricsTest, ProcessMetricsAreReal) {
  Registry r;
  RegisterProcessMetrics(r, "1.2.3", "abc");
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("stratadb_build_info{version=\"1.2.3\",git_sha=\"abc\"} 1"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(process_resident_memory_bytes (\d+))")));
  EXPECT_GT(std::stod(m[1]), 1e5);
  ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(process_open_fds (\d+))")));
  EXPECT_GE(std::stod(m[1]), 3);
  ExpectValidExposition(text);
}

TEST(MetricsTest, FloatCounterRendersAsCounter) {
  Registry r;
  auto& f = r.AddFloatCounterFamily("stratadb_wait_seconds_total", "Waiting.", {"class"});
  f.With({"a"}).Add(0.25);
  f.With({"a"}).Add(0.5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE stratadb_wait_seconds_total counter\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stratadb_wait_seconds_total{class=\"a\"} 0.75\n"), std::string::npos) << text;
  ExpectValidExposition(text);
}

TEST(MetricsTest, CallbackGauge) {
  Registry r;
  double v = 7;
  r.AddCallback("stratadb_cb", "cb", MetricType::kGauge, [&v] { return v; });
  EXPECT_NE(r.RenderPrometheus().find("stratadb_cb 7\n"), std::string::npos);
  v = 8.25;
  EXPECT_NE(r.RenderPrometheus().find("stratadb_cb 8.25\n"), std::string::npos);
  r.RemoveCallback("stratadb_cb");
  EXPECT_EQ(r.RenderPrometheus().find("stratadb_cb"), std::string::npos);
}

}  // namespace
}  // namespace strata::obs
