// node::Cluster — a node's part in a multi-node cluster (docs/operations.md, "Cluster"):
// the admin endpoints that change membership, the "raft" section of /status, and the
// joining side of `stratadb start --join HOST:ADMIN_PORT`.
//
// Joining: the new node (fresh data directory) asks the seed for the cluster id, creates
// its directory with it, starts Raft empty (RaftNodeOptions::bootstrap = false) and then
// repeats POST /cluster/join to the leader (a follower answers 307 naming the leader's
// admin address). The leader adds it as a learner, with its addresses in the membership
// entry; the learner receives a snapshot and the log; once it is within kPromoteLag
// entries of the leader's commit index, the next request promotes it to voter. Every step
// is idempotent, so restarting the node with the same flags resumes where it stopped, and a
// member that is a voter already is answered "voter" at once.
//
// A node wiped and restarted gets a new node id (the data directory holds it): it joins as
// a new member and never votes with a lost log. The old id stays a member until removed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "node/members.h"
#include "raft/raft_node.h"

namespace strata::node {

class TxnStateMachine;

struct HttpAnswer {
  int status = 200;
  std::string json;
};

// What a join request answers (the joining side's view of it).
struct JoinReply {
  std::string redirect_to;  // set: not the leader; ask this admin address instead
  std::string status;      // "learner" or "voter"
  std::string cluster_id;  // the cluster's id (node.toml)
  uint64_t leader_id = 0;
  std::vector<Member> members;
};

class Cluster {
 public:
  // A learner this close to the leader's commit index is promoted.
  static constexpr uint64_t kPromoteLag = 64;

  // REQUIRES: raft and sm outlive the Cluster.
  Cluster(raft::RaftNode* raft, const TxnStateMachine* sm, Member self, std::string cluster_id);

  // POST /cluster/join?id=&raft=&admin=&mysql= (leader: adds as learner or promotes; others: 307).
  HttpAnswer Join(const Member& joiner);
  // POST /cluster/add?... — the same as join, for operators (`stratadb cluster add`).
  // POST /cluster/remove?id=N
  HttpAnswer Remove(uint64_t id);
  // POST /cluster/transfer-leader?id=N
  HttpAnswer TransferLeader(uint64_t id);
  // The "raft" object of /status (and GET /cluster/status).
  std::string StatusJson() const;
  // SHOW CLUSTER STATUS: Node_id, Role, Admin_addr, Mysql_addr, Match_index, Lag per member.
  std::vector<std::vector<std::optional<std::string>>> StatusRows() const;
  // ALTER CLUSTER: "add", "remove" or "transfer-leader", run here when this node leads,
  // else sent to the leader's admin endpoint. Failures: MySQL 1105 with the reason.
  Status Change(std::string_view action, const Member& member);

  // Planned shutdown: when this node leads a group with other voters, transfers leadership
  // to the most caught-up one and waits (up to 3 s) until it has taken over.
  void HandOverLeadership();

  // The member record this node should have in the replicated table, if it lacks one or
  // it differs (addresses changed since the last start): proposes it. True once the table
  // holds this node's current record.
  bool AnnounceSelf();

  // The lowest GC watermark the other members report (GET /cluster/watermark), so that the
  // leader's GC horizon never passes a snapshot a transaction on another node still reads
  // at. Members that do not answer within 200 ms are left out (their transactions may then
  // be refused as "snapshot too old", never read wrong data: each node's GC also stays
  // below its own watermark). UINT64_MAX when none answered.
  uint64_t MinMemberWatermark() const;

  // The joining side: one request to `admin_addr` (host:port). Redirects are the caller's
  // to follow (JoinReply::redirect_to).
  static Result<JoinReply> RequestJoin(const std::string& admin_addr, const Member& self);
  // GET /status of `admin_addr`: the cluster id a new member must adopt.
  static Result<std::string> FetchClusterId(const std::string& admin_addr);

 private:
  HttpAnswer NotLeader() const;
  std::string JoinReplyJson(std::string_view status, uint64_t lag = 0) const;

  raft::RaftNode* const raft_;
  const TxnStateMachine* const sm_;
  const Member self_;
  const std::string cluster_id_;
};

}  // namespace strata::node
