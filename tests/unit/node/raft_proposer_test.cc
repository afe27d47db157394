// How Raft's refusals reach a MySQL client: nothing-was-proposed errors must not claim
// "outcome unknown" (1317), and must say that nothing was committed. And the DiskMonitor
// that refuses writes with 1021 while the disk is full.
#include "node/raft_proposer.h"

#include <atomic>
#include <mutex>

#include <gtest/gtest.h>

#include "node/disk_monitor.h"

namespace strata::node {
namespace {

TEST(RaftProposerErrorTest, RefusalsBeforeTheLogSayNothingWasCommitted) {
  struct Case {
    Status raft;
    StatusCode code;
    uint16_t mysql;
  };
  for (const Case& c : {
           Case{Status::Busy("Raft proposal queue is full (max_inbox_proposals=16384)"), StatusCode::kBusy,
                kErTooManyConcurrentTrxs},
           Case{Status::ResourceExhausted("max_uncommitted_bytes (67108864) reached"), StatusCode::kBusy,
                kErTooManyConcurrentTrxs},
           Case{Status::NoSpace("the Raft log cannot be written ... /data/raft/log-1.seg"), StatusCode::kNoSpace,
                kErDiskFull},
           Case{Status::IOError("the Raft log cannot be written ... EIO"), StatusCode::kIOError, kErErrorOnWrite},
       }) {
    Status s = MapProposeError(c.raft);
    SCOPED_TRACE(s.ToString());
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.mysql_errno(), c.mysql);
    EXPECT_EQ(s.sqlstate(), "HY000");
    EXPECT_NE(s.message().find("nothing was committed"), std::string::npos);
    EXPECT_EQ(s.message().find("outcome unknown"), std::string::npos);
    EXPECT_NE(s.message().find(c.raft.message()), std::string::npos);  // the cause is kept
  }
  EXPECT_EQ(MapProposeError(Status::NoSpace("x")).message().rfind("Disk full (", 0), 0u);
}

}  // namespace
}  // namespace strata::node

namespace strata::node {
namespace {

TEST(DiskMonitorTest, FullWhenFreeSpaceIsLowOrAWriteFailsAndClearsWithoutRestart) {
  std::atomic<uint64_t> free{1ull << 30};
  Status log_error, engine_error;
  std::mutex mu;  // guards the two errors
  DiskMonitorOptions o;
  o.data_dir = "/data";
  o.min_free_bytes = 64 << 20;
  o.check_interval = std::chrono::milliseconds(0);
  o.free_bytes = [&](const std::string& path) -> Result<uint64_t> {
    EXPECT_EQ(path, "/data");
    return free.load();
  };
  o.log_error = [&] {
    std::lock_guard lock(mu);
    return log_error;
  };
  o.engine_error = [&] {
    std::lock_guard lock(mu);
    return engine_error;
  };
  DiskMonitor disk(o);
  EXPECT_FALSE(disk.Check().full);
  EXPECT_TRUE(disk.AdmitWrite().ok());

  free = 1 << 20;  // someone filled the disk
  DiskStatus d = disk.Check();
  EXPECT_TRUE(d.full);
  EXPECT_EQ(d.path, "/data");
  Status refused = MapProposeError(disk.AdmitWrite());
  EXPECT_EQ(refused.mysql_errno(), kErDiskFull);
  EXPECT_EQ(refused.sqlstate(), "HY000");
  EXPECT_NE(refused.message().find("Disk full (/data: 1048576 bytes free"), std::string::npos) << refused.ToString();

  free = 1ull << 30;  // space returns
  EXPECT_TRUE(disk.AdmitWrite().ok());

  {
    std::lock_guard lock(mu);
    engine_error = Status::NoSpace("write /data/lsm/000012.sst: No space left on device");
  }
  EXPECT_EQ(disk.Check().path, "/data/lsm");
  {
    std::lock_guard lock(mu);
    log_error = Status::IOError("write /data/raft/log-1.seg: Input/output error");
  }
  d = disk.Check();
  EXPECT_EQ(d.path, "/data/raft");  // the log's failure is reported first
  EXPECT_NE(d.reason.find("Input/output error"), std::string::npos);
  {
    std::lock_guard lock(mu);
    log_error = engine_error = Status::OK();
  }
  EXPECT_FALSE(disk.Check().full);
}

TEST(DiskMonitorTest, FreeBytesOfARealFileSystem) {
  Result<uint64_t> free = FileSystemFreeBytes(".");
  ASSERT_TRUE(free.ok()) << free.status().ToString();
  EXPECT_FALSE(FileSystemFreeBytes("/no/such/dir").ok());
}

}  // namespace
}  // namespace strata::node
