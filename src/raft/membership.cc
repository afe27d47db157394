#include "raft/membership.h"

#include <algorithm>
#include <utility>

#include "common/check.h"
#include "common/coding.h"

namespace strata::raft {

bool ConfState::IsVoter(NodeId id) const {
  return std::binary_search(voters.begin(), voters.end(), id);
}
bool ConfState::IsLearner(NodeId id) const {
  return std::binary_search(learners.begin(), learners.end(), id);
}

Bytes EncodeConfChange(const ConfChange& cc) {
  Bytes out;
  out.push_back(static_cast<char>(cc.type));
  PutFixed64(&out, cc.node_id);
  out += cc.context;  // the rest of the entry (none in entries written before it existed)
  return out;
}

std::optional<ConfChange> DecodeConfChange(Slice data) {
  if (data.size() < 9) return std::nullopt;
  auto type = static_cast<uint8_t>(data[0]);
  if (type > static_cast<uint8_t>(ConfChangeType::kRemoveNode)) return std::nullopt;
  return ConfChange{static_cast<ConfChangeType>(type), DecodeFixed64(data.data() + 1), Bytes(data.substr(9))};
}

namespace {
void Insert(std::vector<NodeId>* ids, NodeId id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it == ids->end() || *it != id) ids->insert(it, id);
}
void Erase(std::vector<NodeId>* ids, NodeId id) {
  auto it = std::lower_bound(ids->begin(), ids->end(), id);
  if (it != ids->end() && *it == id) ids->erase(it);
}
}  // namespace

ConfState ApplyConfChange(const ConfState& conf, const ConfChange& cc) {
  ConfState out = conf;
  if (cc.node_id == kNoNode) return out;
  switch (cc.type) {
    case ConfChangeType::kAddVoter:
      Erase(&out.learners, cc.node_id);
      Insert(&out.voters, cc.node_id);
      break;
    case ConfChangeType::kAddLearner:
      if (!out.IsVoter(cc.node_id)) Insert(&out.learners, cc.node_id);
      break;
    case ConfChangeType::kRemoveNode:
      Erase(&out.voters, cc.node_id);
      Erase(&out.learners, cc.node_id);
      break;
  }
  return out;
}

void MembershipHistory::Reset(LogIndex index, ConfState conf) {
  history_.clear();
  history_.emplace(index, std::move(conf));
}

void MembershipHistory::TruncateFrom(LogIndex index) {
  STRATA_CHECK_MSG(index > history_.begin()->first, "truncating below the membership base");
  history_.erase(history_.lower_bound(index), history_.end());
}

void MembershipHistory::Append(LogIndex index, const ConfChange& cc) {
  STRATA_CHECK(index > LastChangeIndex());
  ConfState next = ApplyConfChange(Current(), cc);
  history_.emplace(index, std::move(next));
}

void MembershipHistory::CompactTo(LogIndex index) {
  auto keep = history_.upper_bound(index);  // first change after index
  if (keep == history_.begin()) return;
  --keep;  // the change in effect at index
  history_.erase(history_.begin(), keep);
}

std::optional<ConfState> MembershipHistory::At(LogIndex index) const {
  auto it = history_.upper_bound(index);
  if (it == history_.begin()) return std::nullopt;
  return std::prev(it)->second;
}

}  // namespace strata::raft
