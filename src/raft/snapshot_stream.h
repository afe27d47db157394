// Snapshot streaming for RaftNode: a snapshot is a directory of files (the state machine's
// checkpoint); it travels as a sequence of chunks, each a kSnapshot message whose `context`
// holds a chunk header and whose snapshot.data holds the chunk's bytes (format in
// docs/raft_transport.md). Neither side holds a whole file in memory.
//
// Flow control and resume: one chunk is in flight per follower. The receiver answers every
// chunk with an ack — a kSnapshot message back to the sender whose context holds the
// position (file index, offset) it needs next; everything before that position has been
// written to its partial directory. The sender always continues from the position of the
// last ack, so after a lost chunk, a lost ack or a broken connection a new stream of the
// same snapshot resumes where the receiver stands instead of starting over. A stream is
// identified by (leader term, snapshot index): a chunk of another stream never extends a
// partial directory of an older one, and starting a new stream deletes the old partial.
//
// The receiver writes to <snap_dir>/recv-<term>-<index>/ and, once the last file is written,
// fsyncs every file and the directory and returns the message to step into the core with
// snapshot.data = that directory's path (the "small descriptor" types.h describes).
// Partial directories live only as long as the process: a restarted receiver deletes them
// (DropPartials) and the sender, told by the first ack, starts from the beginning.
//
// Thread-safety: none; both are used from the driver thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "raft/types.h"

namespace strata::io {
class File;
class Scheduler;
}  // namespace strata::io

namespace strata::raft {

// Limits: a snapshot directory holds at most this many files, named by at most this many
// bytes (a plain name: no '/', not "." or ".."); beyond them a chunk is refused.
inline constexpr uint32_t kMaxSnapshotFiles = 1u << 16;
inline constexpr size_t kMaxSnapshotFileName = 255;

// A position in a snapshot stream: file `file_index` (in name order) at byte `offset`.
// file_index == file count means the whole snapshot.
struct SnapshotPosition {
  uint32_t file_index = 0;
  uint64_t offset = 0;
  bool operator==(const SnapshotPosition&) const = default;
};

struct SnapshotChunkHeader {
  SnapshotPosition position;  // of this chunk's first byte
  uint32_t file_count = 0;
  uint64_t file_size = 0;     // of file position.file_index
  uint64_t checksum = 0;      // Checksum64 of the chunk's bytes
  std::string file_name;
};
Bytes EncodeSnapshotChunkHeader(const SnapshotChunkHeader& h);
// nullopt when `context` is not a well-formed chunk header (e.g. an ack, another version).
std::optional<SnapshotChunkHeader> DecodeSnapshotChunkHeader(Slice context);
// The ack's context: the position the receiver needs next.
Bytes EncodeSnapshotAck(const SnapshotPosition& next);
std::optional<SnapshotPosition> DecodeSnapshotAck(Slice context);

// fsyncs every file in `dir` and the directory itself (snapshot I/O class).
Status SyncSnapshotDir(io::Scheduler* scheduler, const std::string& dir);

// A snapshot directory read as a sequence of checksummed chunks: its files in name order,
// read in the snapshot I/O class. SnapshotSender streams a follower's snapshot through it;
// the node's backup endpoint serves a backup's checkpoint with it (node/backup_source.h).
// Thread-safety: none.
class SnapshotFileReader {
 public:
  struct File {
    std::string name;
    uint64_t size = 0;
  };
  // Lists `dir` (files only, at most kMaxSnapshotFiles, each name sendable). NotFound when
  // it is empty.
  static Result<std::unique_ptr<SnapshotFileReader>> Open(io::Scheduler* scheduler, std::string dir);
  ~SnapshotFileReader();

  const std::vector<File>& files() const { return files_; }
  uint64_t total_bytes() const;
  // The bytes of the stream before `p` (progress). REQUIRES: p.file_index <= files().size().
  uint64_t BytesBefore(const SnapshotPosition& p) const;
  // Reads the chunk at `p`: at most `max_bytes`, fewer at the end of its file, into *data,
  // and returns its header (checksum of *data). InvalidArgument when `p` lies outside the
  // snapshot.
  Result<SnapshotChunkHeader> Read(const SnapshotPosition& p, size_t max_bytes, Bytes* data);

 private:
  SnapshotFileReader(io::Scheduler* scheduler, std::string dir);
  io::Scheduler* scheduler_;
  std::string dir_;
  std::vector<File> files_;
  std::unique_ptr<io::File> open_;  // files_[open_index_], opened lazily
  uint32_t open_index_ = 0;
};

class SnapshotSender {
 public:
  using Clock = std::chrono::steady_clock;
  SnapshotSender(io::Scheduler* scheduler, size_t chunk_bytes);
  ~SnapshotSender();
  // Starts streaming the snapshot directory `dir` to m.to with `m` (from the core, metadata
  // only) as the template of every chunk; replaces any stream to that peer. Starts at the
  // position the peer last acknowledged for the same (term, index), else at the beginning.
  // Returns the stream's generation.
  Result<uint64_t> Begin(const Message& m, const std::string& dir);
  // True while `generation` is the live stream to `to`.
  bool Current(NodeId to, uint64_t generation) const;
  // The live stream's generation. REQUIRES: a live stream to `to`.
  uint64_t generation(NodeId to) const;
  // The chunk at the stream's position (one in flight: call again only after OnAck).
  // REQUIRES: a live stream to `to`.
  Result<Message> NextChunk(NodeId to, Clock::time_point now);
  // An ack from m.from. Returns true when the live stream to m.from should send its next
  // chunk, and sets *complete when the receiver has the whole snapshot (the stream stays
  // until End). Acks of another stream only update the resume position.
  bool OnAck(const Message& m, bool* complete);
  // Peers whose chunk in flight has waited longer than `timeout` for its ack.
  std::vector<NodeId> Stalled(Clock::time_point now, std::chrono::milliseconds timeout) const;
  void End(NodeId to);
  // Snapshot bytes sent so far (every chunk's data, resent ones included): tests and metrics.
  uint64_t bytes_sent() const { return bytes_sent_; }
  // Every live stream, positioned at the last ack.
  std::vector<SnapshotTransfer> Transfers() const;

 private:
  struct Stream;
  struct Resume {
    Term term = 0;
    LogIndex index = 0;
    SnapshotPosition position;
  };
  io::Scheduler* scheduler_;
  size_t chunk_bytes_;
  uint64_t next_generation_ = 1;
  uint64_t bytes_sent_ = 0;
  std::map<NodeId, std::unique_ptr<Stream>> streams_;
  std::map<NodeId, Resume> resume_;  // the last ack of each peer, kept across streams
};

class SnapshotReceiver {
 public:
  SnapshotReceiver(io::Scheduler* scheduler, std::string snap_dir);
  ~SnapshotReceiver();
  // Deletes every partial directory in snap_dir (at start: partials do not survive a restart).
  void DropPartials();

  struct Outcome {
    Message ack;                      // always sent back to the chunk's sender
    std::optional<Message> complete;  // the message to step into the core, once durable
  };
  // Takes one chunk. A chunk at another position than the one needed is not written (the
  // ack tells the sender where to continue); an error for a malformed chunk or an I/O
  // failure (the partial stream is dropped).
  Result<Outcome> OnChunk(const Message& m);
  // The position needed next, when a stream is in progress (tests).
  std::optional<SnapshotPosition> position() const;
  // The stream in progress, if any (bytes_done: bytes written to its partial directory).
  std::optional<SnapshotTransfer> Transfer() const;

 private:
  struct Stream;
  Result<Outcome> Write(const Message& m, const SnapshotChunkHeader& h);
  Message Ack(const Message& chunk, const SnapshotPosition& next) const;
  void Drop();
  io::Scheduler* scheduler_;
  std::string snap_dir_;
  std::unique_ptr<Stream> stream_;  // at most one partial snapshot on disk
};

}  // namespace strata::raft
