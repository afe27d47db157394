// The replicated register/KV used by the simulation: commands are Raft entry data; every
// replica applies them deterministically (STYLE: no clock, no randomness, ordered map).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/slice.h"
#include "raft/testing/linearizability.h"

namespace strata::raft::sim {

struct KvCommand {
  testing::OpKind kind = testing::OpKind::kWrite;  // kWrite or kCas (reads use ReadIndex)
  uint64_t op_id = 0;  // the client operation (unique per run)
  std::string key;
  int64_t value = 0;
  int64_t expected = 0;
};

Bytes EncodeKvCommand(const KvCommand& c);
std::optional<KvCommand> DecodeKvCommand(Slice data);

struct KvResult {
  uint64_t op_id = 0;
  bool cas_ok = false;
};

class KvStateMachine {
 public:
  // Applies one committed command; returns what the client is told.
  KvResult Apply(const KvCommand& c);
  int64_t Read(const std::string& key) const;
  Bytes Serialize() const;
  bool Restore(Slice data);
  bool operator==(const KvStateMachine&) const = default;

 private:
  std::map<std::string, int64_t> values_;
};

}  // namespace strata::raft::sim
