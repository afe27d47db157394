// Snapshot streaming for RaftNode: a snapshot file travels as a sequence of chunks, each
// a kSnapshot message whose `context` holds a chunk header and whose snapshot.data holds
// the chunk's bytes (format in docs/raft_transport.md). Neither side holds the whole file
// in memory; the sender keeps one chunk in flight per follower.
//
// The receiver writes chunks to <snap_dir>/recv-<from>-<index> and, once the last one is
// durable, returns the message to step into the core with snapshot.data = that file's path
// (the "small descriptor" core.h's types.h describe). Chunks must arrive in order; a gap or
// a new stream restarts the file. There is no resume: an interrupted stream fails, the
// core is told (ReportSnapshot(false)) and it starts a new stream later.
//
// Thread-safety: none; both are used from the driver thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "raft/types.h"

namespace strata::io {
class File;
class Scheduler;
}  // namespace strata::io

namespace strata::raft {

struct SnapshotChunkHeader {
  uint64_t offset = 0;  // of this chunk's first byte in the file
  uint64_t total = 0;   // the file's size
};
Bytes EncodeSnapshotChunkHeader(const SnapshotChunkHeader& h);
// nullopt when `context` is not a chunk header (e.g. a message of another sender version).
std::optional<SnapshotChunkHeader> DecodeSnapshotChunkHeader(Slice context);

class SnapshotSender {
 public:
  SnapshotSender(io::Scheduler* scheduler, size_t chunk_bytes);
  ~SnapshotSender();
  // Starts streaming `path` to m.to with `m` (from the core, metadata only) as the
  // template of every chunk; replaces any stream to that peer. Returns its generation.
  Result<uint64_t> Begin(const Message& m, const std::string& path);
  // True while `generation` is the live stream to `to`.
  bool Current(NodeId to, uint64_t generation) const;
  // The next chunk of the stream to `to`; *last is set on the final one.
  // REQUIRES: a live stream to `to`.
  Result<Message> NextChunk(NodeId to, bool* last);
  void End(NodeId to);

 private:
  struct Stream;
  io::Scheduler* scheduler_;
  size_t chunk_bytes_;
  uint64_t next_generation_ = 1;
  std::map<NodeId, std::unique_ptr<Stream>> streams_;
};

class SnapshotReceiver {
 public:
  SnapshotReceiver(io::Scheduler* scheduler, std::string snap_dir);
  ~SnapshotReceiver();
  // Takes one chunk. Returns the message to step into the core once the stream is
  // complete and durable, nullopt while more is expected; an error for an unusable chunk
  // (the partial stream is dropped).
  Result<std::optional<Message>> OnChunk(const Message& m);

 private:
  struct Stream;
  io::Scheduler* scheduler_;
  std::string snap_dir_;
  std::map<NodeId, std::unique_ptr<Stream>> streams_;
};

}  // namespace strata::raft
