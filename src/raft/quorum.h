// Majority arithmetic over a voter set. Only voters count: learners and nodes outside the
// configuration never make a quorum (fault finding #9: votes from non-voters lost writes).
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "raft/types.h"

namespace strata::raft {

enum class VoteResult : uint8_t { kPending, kWon, kLost };

inline size_t MajorityOf(size_t voters) { return voters / 2 + 1; }

// The largest index that a majority of `voters` has reached, given each voter's index.
// REQUIRES: voters non-empty.
LogIndex QuorumIndex(const std::vector<NodeId>& voters,
                     const std::function<uint64_t(NodeId)>& index_of);

// Counts granted/rejected votes cast by voters; ignores votes from anyone else.
VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes);

}  // namespace strata::raft
