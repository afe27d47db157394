// Raft value types shared by the core, its storage interface, the codec and the drivers.
//
// These are plain data: no behaviour beyond small helpers. A Message is one struct for
// every type (as in etcd raft's raftpb.Message); which fields matter depends on the type
// and is documented next to MessageType and in docs/raft.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/shared_bytes.h"
#include "common/slice.h"

namespace strata::raft {

using NodeId = uint64_t;
using Term = uint64_t;
using LogIndex = uint64_t;

// Id 0 means "no node" (no leader known, no vote cast).
constexpr NodeId kNoNode = 0;

enum class EntryType : uint8_t {
  kNormal = 0,      // opaque client data for the state machine
  kConfChange = 1,  // data is an encoded ConfChange; takes effect when appended
  kNoop = 2,        // appended by every new leader so that it can commit in its own term
};

struct Entry {
  Term term = 0;
  LogIndex index = 0;
  EntryType type = EntryType::kNormal;
  SharedBytes data;  // copies of an entry share its data (a 64 MiB row is not copied)

  bool operator==(const Entry&) const = default;  // data compares by its bytes
};

// A single-server membership change (Raft thesis §4.1).
enum class ConfChangeType : uint8_t {
  kAddVoter = 0,    // adds a voter, or promotes a learner
  kAddLearner = 1,  // adds a non-voting member (cannot demote a voter)
  kRemoveNode = 2,  // removes a voter or a learner
};

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddVoter;
  NodeId node_id = kNoNode;
  // Opaque to Raft, replicated with the change: the database puts the member's addresses
  // here (node/members.h), so every replica learns where a new member listens.
  Bytes context{};
};

// Membership: who votes and who only receives the log. Sorted, disjoint, no duplicates.
struct ConfState {
  std::vector<NodeId> voters;
  std::vector<NodeId> learners;

  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool Contains(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  bool operator==(const ConfState&) const = default;
};

// The state that must be durable before any message that depends on it is sent.
struct HardState {
  Term term = 0;
  NodeId vote = kNoNode;
  LogIndex commit = 0;

  bool operator==(const HardState&) const = default;
};

struct SnapshotMetadata {
  LogIndex index = 0;  // last entry the snapshot covers
  Term term = 0;       // its term
  ConfState conf;      // membership as of `index`

  bool operator==(const SnapshotMetadata&) const = default;
};

// A snapshot as the core sees it. In production `data` is a small descriptor of an engine
// checkpoint (a list of files streamed by the transport in chunks); the core never holds
// a database in memory. In the simulation it is the serialized state machine.
struct Snapshot {
  SnapshotMetadata metadata;
  Bytes data;

  bool empty() const { return metadata.index == 0; }
  bool operator==(const Snapshot&) const = default;
};

enum class MessageType : uint8_t {
  kAppend = 1,            // index/log_term: entry before `entries`; commit: leader commit
  kAppendResponse = 2,    // index: last index now matching (or rejected index); reject_hint
  kVote = 3,              // index/log_term: candidate's last entry; context "transfer" forces
  kVoteResponse = 4,      // reject
  kPreVote = 5,           // like kVote, with term = candidate's next term (not yet adopted)
  kPreVoteResponse = 6,   // reject
  kHeartbeat = 7,         // commit: min(match, leader commit); context: ReadIndex ctx;
                          // send_tick: leader tick at send (for lease reads)
  kHeartbeatResponse = 8, // context and send_tick echoed
  kSnapshot = 9,          // snapshot
  kTimeoutNow = 10,       // leadership transfer: campaign now, skipping pre-vote
  kReadIndex = 11,        // follower -> leader: context; index: kReadLease when a lease answer will do
  kReadIndexResponse = 12,// leader -> follower: index, context (index 0 + reject: dropped)
  kForwardPropose = 13,   // follower -> leader (driver only): entries[0].data, context: request id
  kForwardProposeResponse = 14,  // leader -> follower: index/log_term where it was appended,
                                 // or reject (reject_hint: the leader it knows); context echoed
};
constexpr uint8_t kMaxMessageType = 14;
// kReadIndex's `index` when the reader accepts an answer from the leader's lease.
constexpr LogIndex kReadLease = 1;
// Types above this are the driver's own (RaftNode's proposal forwarding): Core::Step refuses them.
constexpr uint8_t kMaxCoreMessageType = 12;

std::string_view MessageTypeName(MessageType type);

struct Message {
  MessageType type = MessageType::kAppend;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Term log_term = 0;
  LogIndex index = 0;
  LogIndex commit = 0;
  bool reject = false;
  LogIndex reject_hint = 0;
  uint64_t send_tick = 0;
  Bytes context{};
  std::vector<Entry> entries{};
  std::optional<Snapshot> snapshot{};

  bool operator==(const Message&) const = default;
};

// A snapshot stream in progress, as /status shows it. The sender knows the total; the
// receiver learns each file's size only when that file starts (bytes_total = 0: unknown).
struct SnapshotTransfer {
  NodeId peer = kNoNode;  // the receiver (sending) or the sender (receiving)
  LogIndex index = 0;     // the snapshot's last included index
  uint32_t files_done = 0;
  uint32_t files_total = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

}  // namespace strata::raft
