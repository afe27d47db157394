// Device advisor: which block device holds the data directory, and is its Linux I/O
// scheduler a good one for a database (DESIGN D8)?
//
// Path: stat(data_dir).st_dev -> /sys/dev/block/MAJ:MIN (a symlink into /sys/devices/...)
// -> the whole disk (a partition's parent directory) -> /sys/block/<disk>/queue/{scheduler,
// rotational}. Virtual filesystems (overlay, tmpfs) have no block device: the advice then
// says so and is ok.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "io/io.h"
#include "obs/json.h"
#include "obs/log.h"

namespace strata::io {
namespace {

namespace fs = std::filesystem;

std::string ReadLine(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

// "none [mq-deadline] kyber bfq" -> "mq-deadline"; a single name without brackets is active.
std::string ActiveScheduler(const std::string& line) {
  size_t open = line.find('[');
  size_t close = line.find(']');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return line.substr(open + 1, close - open - 1);
  }
  size_t end = line.find_first_of(" \n");
  return line.substr(0, end);
}

void Recommend(DeviceAdvice* a) {
  const std::string& s = a->scheduler;
  if (s.empty()) {
    a->recommendation = "I/O scheduler unknown (no queue/scheduler in sysfs)";
    return;
  }
  std::string path = fmt::format("/sys/block/{}/queue/scheduler", a->device);
  if (!a->rotational) {
    a->ok = s == "none" || s == "mq-deadline";
    a->recommendation = a->ok
        ? fmt::format("{} is a good scheduler for a non-rotational device", s)
        : fmt::format("non-rotational device uses '{}': use 'none' or 'mq-deadline' (echo none > {})", s, path);
  } else {
    a->ok = s == "mq-deadline" || s == "bfq";
    a->recommendation = a->ok
        ? fmt::format("{} is a good scheduler for a rotational device", s)
        : fmt::format("rotational device uses '{}': use 'mq-deadline' (throughput) or 'bfq' (latency) "
                      "(echo mq-deadline > {})", s, path);
  }
}

}  // namespace

DeviceAdvice AdviseDeviceNumber(unsigned major, unsigned minor, const std::string& sysfs_root) {
  DeviceAdvice a;
  std::error_code ec;
  fs::path link = fs::path(sysfs_root) / "dev/block" / fmt::format("{}:{}", major, minor);
  fs::path dev = fs::canonical(link, ec);
  if (ec) {
    a.recommendation = fmt::format("no block device for {}:{} (virtual filesystem?)", major, minor);
    return a;
  }
  // A partition's directory sits inside its disk's and has a "partition" file.
  if (fs::exists(dev / "partition", ec)) dev = dev.parent_path();
  a.device = dev.filename().string();
  fs::path queue = fs::path(sysfs_root) / "block" / a.device / "queue";
  a.scheduler = ActiveScheduler(ReadLine(queue / "scheduler"));
  a.rotational = ReadLine(queue / "rotational") == "1";
  Recommend(&a);
  return a;
}

DeviceAdvice AdviseDevice(const std::string& data_dir, const std::string& sysfs_root) {
  struct stat st;
  if (::stat(data_dir.c_str(), &st) != 0) {
    DeviceAdvice a;
    a.recommendation = "cannot stat " + data_dir;
    return a;
  }
  return AdviseDeviceNumber(major(st.st_dev), minor(st.st_dev), sysfs_root);
}

void LogDeviceAdvice(const DeviceAdvice& a) {
  obs::LogFields fields = {{"device", a.device}, {"scheduler", a.scheduler},
                           {"rotational", a.rotational}, {"recommendation", a.recommendation}};
  if (a.ok) {
    obs::Info("io", "block device I/O scheduler", fields);
  } else {
    obs::Warn("io", "block device I/O scheduler is not recommended", fields);
  }
}

std::string DeviceAdviceJson(const DeviceAdvice& a) {
  obs::JsonObject o;
  o.Add("device", a.device).Add("scheduler", a.scheduler).Add("rotational", a.rotational);
  o.Add("ok", a.ok).Add("recommendation", a.recommendation);
  return o.Finish();
}

}  // namespace strata::io
