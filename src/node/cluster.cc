#include "node/cluster.h"

#include <httplib.h>

#include <thread>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "node/state_machine.h"
#include "obs/json.h"
#include "obs/log.h"
#include "raft/transport.h"

namespace strata::node {

namespace {

std::string ErrorJson(std::string_view message) {
  return obs::JsonObject().Add("error", message).Finish() + "\n";
}

HttpAnswer Error(int status, const Status& s) { return HttpAnswer{status, ErrorJson(s.ToString())}; }

// "learner" for a non-voting member, else the Raft role ("pre_candidate" is a candidate).
std::string_view RoleOf(const raft::RaftNodeInfo& info, uint64_t self) {
  if (info.conf.IsLearner(self)) return "learner";
  if (info.role == raft::Role::kPreCandidate) return "candidate";
  return raft::RoleName(info.role);
}

}  // namespace

Cluster::Cluster(raft::RaftNode* raft, const TxnStateMachine* sm, Member self, std::string cluster_id)
    : raft_(raft), sm_(sm), self_(std::move(self)), cluster_id_(std::move(cluster_id)) {}

HttpAnswer Cluster::NotLeader() const {
  raft::RaftNodeInfo info = raft_->info();
  auto members = sm_->members();
  auto leader = members.find(info.leader);
  if (info.leader == raft::kNoNode || leader == members.end() || leader->second.admin_addr.empty()) {
    return HttpAnswer{503, ErrorJson("no leader known; retry")};
  }
  return HttpAnswer{307, obs::JsonObject()
                             .Add("error", "not leader")
                             .Add("leader_id", info.leader)
                             .Add("leader_admin_addr", std::string_view(leader->second.admin_addr))
                             .Finish() +
                             "\n"};
}

std::string Cluster::JoinReplyJson(std::string_view status, uint64_t lag) const {
  std::string members = "[";
  for (const auto& [id, m] : sm_->members()) {
    if (members.size() > 1) members += ",";
    members += MemberJson(m);
  }
  members += "]";
  return obs::JsonObject()
             .Add("status", status)
             .Add("cluster_id", std::string_view(cluster_id_))
             .Add("leader_id", self_.id)
             .Add("lag", lag)
             .AddRaw("members", members)
             .Finish() +
         "\n";
}

HttpAnswer Cluster::Join(const Member& joiner) {
  if (joiner.id == 0 || joiner.raft_addr.empty() || !raft::ParseHostPort(joiner.raft_addr).ok())
    return HttpAnswer{400, ErrorJson("join needs id=N and raft=HOST:PORT (and admin=, mysql=)")};
  raft::RaftNodeInfo info = raft_->info();
  if (info.role != raft::Role::kLeader) return NotLeader();
  if (joiner.id == self_.id) return HttpAnswer{400, ErrorJson("a node cannot join itself")};
  Bytes context = EncodeMember(joiner);
  if (info.conf.IsVoter(joiner.id)) {
    auto members = sm_->members();
    auto known = members.find(joiner.id);
    if (known == members.end() || !(known->second == joiner)) {
      // A member that restarted on other ports: record where it is now.
      (void)raft_->SetPeerAddress(joiner.id, joiner.raft_addr);
      Result<Bytes> r = raft_->ProposeAndWait(EncodeMemberCommand(joiner));
      if (!r.ok()) return Error(503, r.status());
    }
    return HttpAnswer{200, JoinReplyJson("voter")};
  }
  if (!info.conf.Contains(joiner.id)) {
    Status s = raft_->SetPeerAddress(joiner.id, joiner.raft_addr);
    if (!s.ok()) return Error(400, s);
    Result<Bytes> r = raft_->ConfChangeAndWait({raft::ConfChangeType::kAddLearner, joiner.id, context});
    if (!r.ok()) return Error(r.status().code() == StatusCode::kBusy ? 409 : 503, r.status());
    obs::Info("cluster", "member added as learner", {{"member", joiner.id}, {"raft_addr", joiner.raft_addr},
                                                     {"admin_addr", joiner.admin_addr}});
    return HttpAnswer{200, JoinReplyJson("learner")};
  }
  // A learner: promote it once it has caught up.
  info = raft_->info();
  auto match = info.match.find(joiner.id);
  uint64_t matched = match == info.match.end() ? 0 : match->second;
  // Nothing confirmed yet (matched 0: the learner may still need its snapshot) is never
  // "caught up", however short the log: promoting it would add a voter that cannot vote.
  if (matched == 0 || matched + kPromoteLag < info.commit)
    return HttpAnswer{200, JoinReplyJson("learner", info.commit - matched)};
  Result<Bytes> r = raft_->ConfChangeAndWait({raft::ConfChangeType::kAddVoter, joiner.id, context});
  if (!r.ok()) return Error(r.status().code() == StatusCode::kBusy ? 409 : 503, r.status());
  obs::Info("cluster", "learner promoted to voter", {{"member", joiner.id}});
  return HttpAnswer{200, JoinReplyJson("voter")};
}

HttpAnswer Cluster::Remove(uint64_t id) {
  raft::RaftNodeInfo info = raft_->info();
  if (info.role != raft::Role::kLeader) return NotLeader();
  if (!info.conf.Contains(id)) return HttpAnswer{404, ErrorJson(fmt::format("node {} is not a member", id))};
  if (id == self_.id) {
    return HttpAnswer{409, ErrorJson("the leader cannot remove itself: transfer leadership first "
                                     "(stratadb cluster transfer-leader)")};
  }
  Result<Bytes> r = raft_->ConfChangeAndWait({raft::ConfChangeType::kRemoveNode, id, {}});
  if (!r.ok()) return Error(r.status().code() == StatusCode::kBusy ? 409 : 503, r.status());
  obs::Info("cluster", "member removed", {{"member", id}});
  return HttpAnswer{200, obs::JsonObject().Add("removed", id).Finish() + "\n"};
}

HttpAnswer Cluster::TransferLeader(uint64_t id) {
  raft::RaftNodeInfo info = raft_->info();
  if (info.role != raft::Role::kLeader) return NotLeader();
  if (id == self_.id) return HttpAnswer{200, obs::JsonObject().Add("leader_id", id).Finish() + "\n"};
  if (!info.conf.IsVoter(id)) return HttpAnswer{404, ErrorJson(fmt::format("node {} is not a voter", id))};
  Status s = raft_->TransferLeader(id);
  if (!s.ok()) return Error(409, s);
  // Wait (bounded) for the handover, so the caller's next statement finds the new leader.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    info = raft_->info();
    if (info.leader == id) return HttpAnswer{200, obs::JsonObject().Add("leader_id", id).Finish() + "\n"};
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return HttpAnswer{504, ErrorJson(fmt::format("leadership did not move to {} within 5 s", id))};
}

std::string Cluster::StatusJson() const {
  raft::RaftNodeInfo info = raft_->info();
  auto members = sm_->members();
  auto admin_of = [&](uint64_t id) -> std::string {
    auto it = members.find(id);
    return it == members.end() ? std::string() : it->second.admin_addr;
  };
  std::string list = "[";
  auto add = [&](uint64_t id, std::string_view role) {
    if (list.size() > 1) list += ",";
    obs::JsonObject m;
    m.Add("id", id).Add("admin_addr", admin_of(id)).Add("role", role);
    auto match = info.match.find(id);
    if (match != info.match.end()) {
      m.Add("match_index", match->second).Add("lag", info.commit > match->second ? info.commit - match->second : 0);
    } else {
      m.AddRaw("match_index", "null").AddRaw("lag", "null");  // known to the leader only
    }
    list += m.Finish();
  };
  for (uint64_t id : info.conf.voters) add(id, id == info.leader ? "leader" : "follower");
  for (uint64_t id : info.conf.learners) add(id, "learner");
  list += "]";
  std::string transfers = "[";
  auto transfer = [&](const raft::SnapshotTransfer& t, std::string_view direction) {
    if (transfers.size() > 1) transfers += ",";
    transfers += obs::JsonObject()
                     .Add("direction", direction)
                     .Add("peer", t.peer)
                     .Add("index", t.index)
                     .Add("files_done", uint64_t{t.files_done})
                     .Add("files_total", uint64_t{t.files_total})
                     .Add("bytes_done", t.bytes_done)
                     .Add("bytes_total", t.bytes_total)
                     .Finish();
  };
  for (const raft::SnapshotTransfer& t : info.snapshots_sending) transfer(t, "sending");
  if (info.snapshot_receiving) transfer(*info.snapshot_receiving, "receiving");
  transfers += "]";
  return obs::JsonObject()
      .Add("id", info.id)
      .Add("role", RoleOf(info, info.id))
      .Add("term", info.term)
      .Add("leader_id", info.leader)
      .Add("leader", info.leader)
      .Add("leader_admin_addr", admin_of(info.leader))
      .Add("commit_index", info.commit)
      .Add("applied_index", info.applied)
      .Add("first_index", info.first_index)
      .Add("last_index", info.last_index)
      .Add("compactions", info.compactions)
      .Add("snapshots_installed", info.snapshots_installed)
      .Add("snapshot_bytes_sent", info.snapshot_bytes_sent)
      .AddRaw("snapshot_transfers", transfers)
      .Add("proposals_forwarded", info.proposals_forwarded)
      .Add("lease_reads", info.lease_reads)
      .Add("leader_changes", info.leader_changes)
      .AddRaw("members", list)
      .Add("log_write_error", std::string_view(info.log_write_error))
      .Add("inbox_messages_dropped", info.inbox_messages_dropped)
      .Add("log_cached_bytes", info.log_cached_bytes)
      .Add("log_disk_reads", info.log_disk_reads)
      .Finish();
}

void Cluster::HandOverLeadership() {
  raft::RaftNodeInfo info = raft_->info();
  if (info.role != raft::Role::kLeader || info.conf.voters.size() < 2) return;
  uint64_t best = 0, best_match = 0;
  for (uint64_t id : info.conf.voters) {
    auto m = info.match.find(id);
    if (id == self_.id || m == info.match.end()) continue;
    if (best == 0 || m->second > best_match) best = id, best_match = m->second;
  }
  if (best == 0) return;
  obs::Info("cluster", "shutting down: handing leadership over", {{"to", best}, {"match_index", best_match},
                                                                  {"commit_index", info.commit}});
  if (!raft_->TransferLeader(best).ok()) return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline) {
    if (raft_->info().leader == best) {
      obs::Info("cluster", "leadership handed over", {{"to", best}});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  obs::Warn("cluster", "leadership hand-over did not complete; stopping anyway", {{"to", best}});
}

std::vector<std::vector<std::optional<std::string>>> Cluster::StatusRows() const {
  raft::RaftNodeInfo info = raft_->info();
  auto members = sm_->members();
  std::vector<std::vector<std::optional<std::string>>> rows;
  auto add = [&](uint64_t id, std::string role) {
    auto m = members.find(id);
    auto match = info.match.find(id);
    std::optional<std::string> match_index, lag;
    if (match != info.match.end()) {
      match_index = std::to_string(match->second);
      lag = std::to_string(info.commit > match->second ? info.commit - match->second : 0);
    }
    rows.push_back({std::to_string(id), std::move(role),
                    m == members.end() ? std::nullopt : std::optional<std::string>(m->second.admin_addr),
                    m == members.end() ? std::nullopt : std::optional<std::string>(m->second.mysql_addr), match_index,
                    lag});
  };
  for (uint64_t id : info.conf.voters) add(id, id == info.leader ? "leader" : "follower");
  for (uint64_t id : info.conf.learners) add(id, "learner");
  return rows;
}

Status Cluster::Change(std::string_view action, const Member& member) {
  HttpAnswer answer = action == "add"      ? Join(member)
                      : action == "remove" ? Remove(member.id)
                                           : TransferLeader(member.id);
  std::string via;
  for (int hop = 0; answer.status == 307 && hop < 3; hop++) {
    // Not the leader: ask the one it names, through its admin endpoint.
    nlohmann::json j = nlohmann::json::parse(answer.json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("leader_admin_addr") || !j["leader_admin_addr"].is_string()) break;
    via = j["leader_admin_addr"].get<std::string>();
    auto hp = raft::ParseHostPort(via);
    if (!hp.ok()) break;
    httplib::Client client(hp->first, hp->second);
    client.set_connection_timeout(std::chrono::seconds(2));
    client.set_read_timeout(std::chrono::seconds(30));
    httplib::Params params{{"id", std::to_string(member.id)}, {"raft", member.raft_addr},
                           {"admin", member.admin_addr}, {"mysql", member.mysql_addr}};
    httplib::Result res = client.Post("/cluster/" + std::string(action), params);
    if (!res) {
      return Status::Unavailable(fmt::format("cannot reach the leader at {}: {}", via, httplib::to_string(res.error())))
          .WithMysql(1105, "HY000");
    }
    answer = HttpAnswer{res->status, res->body};
  }
  if (answer.status / 100 == 2) return Status::OK();
  nlohmann::json j = nlohmann::json::parse(answer.json, nullptr, /*allow_exceptions=*/false);
  std::string why = j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>()
                                                                                   : answer.json;
  return Status::InvalidArgument(fmt::format("ALTER CLUSTER failed{}: {}", via.empty() ? "" : " on the leader " + via, why))
      .WithMysql(1105, "HY000");
}

bool Cluster::AnnounceSelf() {
  auto members = sm_->members();
  auto it = members.find(self_.id);
  if (it != members.end() && it->second == self_) return true;
  Result<Bytes> r = raft_->ProposeAndWait(EncodeMemberCommand(self_));
  if (!r.ok()) {
    obs::Debug("cluster", "announcing this member's addresses failed; will retry", {{"error", r.status().ToString()}});
    return false;
  }
  obs::Info("cluster", "recorded this member's addresses", {{"member", self_.id}, {"raft_addr", self_.raft_addr},
                                                            {"admin_addr", self_.admin_addr},
                                                            {"mysql_addr", self_.mysql_addr}});
  return true;
}

uint64_t Cluster::MinMemberWatermark() const {
  uint64_t lowest = UINT64_MAX;
  raft::RaftNodeInfo info = raft_->info();
  for (const auto& [id, m] : sm_->members()) {
    if (id == self_.id || m.admin_addr.empty() || !info.conf.Contains(id)) continue;
    auto hp = raft::ParseHostPort(m.admin_addr);
    if (!hp.ok()) continue;
    httplib::Client client(hp->first, hp->second);
    client.set_connection_timeout(std::chrono::milliseconds(200));
    client.set_read_timeout(std::chrono::milliseconds(200));
    httplib::Result res = client.Get("/cluster/watermark");
    if (!res || res->status != 200) continue;
    nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("gc_watermark") && j["gc_watermark"].is_number_unsigned())
      lowest = std::min(lowest, j["gc_watermark"].get<uint64_t>());
  }
  return lowest;
}

// --- the joining side -------------------------------------------------------------------

namespace {

Result<httplib::Client> ClientFor(const std::string& admin_addr) {
  STRATA_ASSIGN_OR_RETURN(auto hp, raft::ParseHostPort(admin_addr));
  httplib::Client client(hp.first, hp.second);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(10));
  return client;
}

}  // namespace

Result<std::string> Cluster::FetchClusterId(const std::string& admin_addr) {
  STRATA_ASSIGN_OR_RETURN(httplib::Client client, ClientFor(admin_addr));
  httplib::Result res = client.Get("/status");
  if (!res) return Status::Unavailable(fmt::format("cannot reach {}: {}", admin_addr, httplib::to_string(res.error())));
  if (res->status != 200) return Status::Unavailable(fmt::format("{} answered {} to GET /status", admin_addr, res->status));
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("cluster_id") || !j["cluster_id"].is_string())
    return Status::InvalidArgument(fmt::format("{}'s /status names no cluster_id: is it a stratadb admin port?", admin_addr));
  return j["cluster_id"].get<std::string>();
}

Result<JoinReply> Cluster::RequestJoin(const std::string& admin_addr, const Member& self) {
  STRATA_ASSIGN_OR_RETURN(httplib::Client client, ClientFor(admin_addr));
  httplib::Params params{{"id", std::to_string(self.id)}, {"raft", self.raft_addr}, {"admin", self.admin_addr},
                         {"mysql", self.mysql_addr}};
  httplib::Result res = client.Post("/cluster/join", params);
  if (!res) return Status::Unavailable(fmt::format("cannot reach {}: {}", admin_addr, httplib::to_string(res.error())));
  nlohmann::json j = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::Unavailable(fmt::format("{} answered {} without JSON", admin_addr, res->status));
  if (res->status == 307 && j.contains("leader_admin_addr") && j["leader_admin_addr"].is_string()) {
    JoinReply redirect;
    redirect.redirect_to = j["leader_admin_addr"].get<std::string>();
    return redirect;
  }
  if (res->status != 200) {
    std::string error = j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : res->body;
    return Status::Unavailable(fmt::format("{} refused the join ({}): {}", admin_addr, res->status, error));
  }
  JoinReply reply;
  reply.status = j.value("status", "");
  reply.cluster_id = j.value("cluster_id", "");
  reply.leader_id = j.value("leader_id", uint64_t{0});
  if (j.contains("members") && j["members"].is_array()) {
    for (const auto& m : j["members"]) {
      if (!m.is_object()) continue;
      reply.members.push_back(Member{m.value("id", uint64_t{0}), m.value("raft_addr", ""), m.value("admin_addr", ""),
                                     m.value("mysql_addr", "")});
    }
  }
  return reply;
}

}  // namespace strata::node
