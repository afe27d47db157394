// Device advisor against fake sysfs trees.
#include <filesystem>
#include <fstream>

#include "io_test_util.h"

namespace strata::io {
namespace {

namespace fs = std::filesystem;

class DeviceAdvisorTest : public ::testing::Test {
 protected:
  // Builds /sys/devices/.../<disk>[/<part>], /sys/dev/block/MAJ:MIN -> it, and
  // /sys/block/<disk>/queue/{scheduler,rotational}.
  void AddDevice(const std::string& disk, const std::string& part, const std::string& majmin,
                 const std::string& scheduler_line, bool rotational) {
    fs::path devdir = fs::path(root_.path()) / "devices/virtual/block" / disk;
    fs::path target = devdir;
    fs::create_directories(devdir);
    if (!part.empty()) {
      target = devdir / part;
      fs::create_directories(target);
      std::ofstream(target / "partition") << "1\n";
    }
    fs::create_directories(fs::path(root_.path()) / "dev/block");
    fs::create_symlink(target, fs::path(root_.path()) / "dev/block" / majmin);
    fs::path queue = fs::path(root_.path()) / "block" / disk / "queue";
    fs::create_directories(queue);
    std::ofstream(queue / "scheduler") << scheduler_line << "\n";
    std::ofstream(queue / "rotational") << (rotational ? "1" : "0") << "\n";
  }
  testing::ScratchDir root_;
};

TEST_F(DeviceAdvisorTest, NvmeWithNoneIsOk) {
  AddDevice("nvme0n1", "nvme0n1p2", "259:2", "[none] mq-deadline kyber bfq", false);
  DeviceAdvice a = AdviseDeviceNumber(259, 2, root_.path());
  EXPECT_EQ(a.device, "nvme0n1");
  EXPECT_EQ(a.scheduler, "none");
  EXPECT_FALSE(a.rotational);
  EXPECT_TRUE(a.ok) << a.recommendation;
}

TEST_F(DeviceAdvisorTest, SsdWithBfqGetsAWarning) {
  AddDevice("sda", "", "8:0", "mq-deadline kyber [bfq] none", false);
  DeviceAdvice a = AdviseDeviceNumber(8, 0, root_.path());
  EXPECT_EQ(a.device, "sda");
  EXPECT_EQ(a.scheduler, "bfq");
  EXPECT_FALSE(a.ok);
  EXPECT_NE(a.recommendation.find("'none' or 'mq-deadline'"), std::string::npos) << a.recommendation;
  std::string json = DeviceAdviceJson(a);
  EXPECT_NE(json.find("\"device\":\"sda\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"ok\":false"), std::string::npos) << json;
  LogDeviceAdvice(a);
}

TEST_F(DeviceAdvisorTest, RotationalDiskAdvice) {
  AddDevice("sdb", "sdb1", "8:17", "[none] mq-deadline", true);
  DeviceAdvice a = AdviseDeviceNumber(8, 17, root_.path());
  EXPECT_TRUE(a.rotational);
  EXPECT_FALSE(a.ok);
  EXPECT_NE(a.recommendation.find("mq-deadline"), std::string::npos);
  AddDevice("sdc", "", "8:32", "none [mq-deadline]", true);
  EXPECT_TRUE(AdviseDeviceNumber(8, 32, root_.path()).ok);
}

TEST_F(DeviceAdvisorTest, NoBlockDeviceIsReportedNotWarned) {
  DeviceAdvice a = AdviseDeviceNumber(0, 45, root_.path());
  EXPECT_TRUE(a.device.empty());
  EXPECT_TRUE(a.ok);
  EXPECT_NE(a.recommendation.find("no block device"), std::string::npos);
}

TEST_F(DeviceAdvisorTest, RealSysfsDoesNotCrash) {
  DeviceAdvice a = AdviseDevice(".");
  // Whatever this machine has, the advice names a device or says why not.
  EXPECT_FALSE(a.recommendation.empty());
}

}  // namespace
}  // namespace strata::io
