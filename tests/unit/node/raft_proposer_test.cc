// How Raft's refusals reach a MySQL client: nothing-was-proposed errors must not claim
// "outcome unknown" (1317), and must say that nothing was committed.
#include "node/raft_proposer.h"

#include <gtest/gtest.h>

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
