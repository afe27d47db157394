#include "raft/quorum.h"

#include <algorithm>

#include "common/check.h"

namespace strata::raft {

LogIndex QuorumIndex(const std::vector<NodeId>& voters,
                     const std::function<uint64_t(NodeId)>& index_of) {
  STRATA_CHECK(!voters.empty());
  std::vector<uint64_t> indices;
  indices.reserve(voters.size());
  for (NodeId id : voters) indices.push_back(index_of(id));
  std::sort(indices.begin(), indices.end(), std::greater<>());
  return indices[MajorityOf(voters.size()) - 1];
}

VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes) {
  size_t granted = 0;
  size_t rejected = 0;
  for (NodeId id : voters) {
    auto it = votes.find(id);
    if (it == votes.end()) continue;
    (it->second ? granted : rejected)++;
  }
  size_t majority = MajorityOf(voters.size());
  if (granted >= majority) return VoteResult::kWon;
  if (voters.size() - rejected < majority) return VoteResult::kLost;
  return VoteResult::kPending;
}

}  // namespace strata::raft
