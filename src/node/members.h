// node::Member — where a cluster member listens, replicated with the log so that every
// replica (and every node restored from a snapshot) knows how to reach every other.
//
// A member's record is written by two kinds of entries (docs/replicated_commands.md):
//   * a membership change (raft ConfChange) that adds the node carries the record in its
//     context; one that removes the node deletes it;
//   * command type 3 (EncodeMemberCommand): a member announces its own addresses (every
//     node does once it serves, when the stored record is missing or differs: the
//     founding member, or a node restarted on other ports).
// Stored in the engine under the metadata key 0x00 0x02 "member/" + fixed64 big-endian id,
// in the batch that records the entry's index as applied.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/slice.h"
#include "common/status.h"
#include "raft/types.h"
#include "storage/engine.h"

namespace strata::node {

struct Member {
  uint64_t id = 0;
  std::string raft_addr;   // host:port of the Raft transport
  std::string admin_addr;  // host:port of the admin HTTP endpoint
  std::string mysql_addr;  // host:port of the MySQL protocol
  bool operator==(const Member&) const = default;
};

// "id=N raft=H:P admin=H:P mysql=H:P": text, so that a log dump stays readable.
Bytes EncodeMember(const Member& m);
std::optional<Member> DecodeMember(Slice data);
std::string MemberJson(const Member& m);

// Engine storage of the member records.
Status ApplyMemberPut(storage::Engine& engine, uint64_t applied_index, const Member& m);
Status ApplyMemberDelete(storage::Engine& engine, uint64_t applied_index, uint64_t id);
Result<std::map<uint64_t, Member>> ReadMembers(storage::Engine& engine);
// Deletes every member record in one batch that records no applied index: for a restore
// (node/backup.h), whose node is not a member of the cluster the records describe.
Status DeleteAllMembers(storage::Engine& engine);

}  // namespace strata::node
