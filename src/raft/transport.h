// raft::Transport — Raft messages between processes over TCP (DESIGN D10).
//
// One persistent outbound connection per peer, (re)connected with capped, jittered
// exponential backoff. Frames (docs/raft_transport.md):
//
//   frame := length:fixed32  record      record = EncodeMessage(m, cluster_id)
//
// Messages queued for a peer while a write is in flight leave together in the next write
// (batching). Each peer queue is bounded: when full the message is dropped and counted —
// Raft retransmits. Inbound connections are accepted on one port; every decoded message
// is handed to the callback. A frame of another cluster, a damaged frame or an oversized
// length closes that connection (counted in a metric and logged); it never crashes.
//
// Threading: the transport runs its own thread with an asio::io_context; every coroutine
// runs there and is owned by the transport (Stop() closes sockets, cancels timers and
// joins the thread once every coroutine has returned). Send() and the fault filter are
// safe to call from any thread. The callbacks run on the transport's thread and must be
// quick (hand the message to another thread's queue).
//
// Asio stays inside transport.cc: this header is cheap to include (STYLE: heavy headers).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "obs/metrics.h"
#include "raft/types.h"

namespace strata::raft {

struct TransportOptions {
  NodeId self = kNoNode;
  uint64_t cluster_id = 0;
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;                      // 0: the kernel picks (see port())
  std::map<NodeId, std::string> peers;           // id -> "host:port" (self is ignored)
  size_t max_queue_messages = 4096;              // per peer; beyond: drop + count
  uint64_t max_queue_bytes = 256u << 20;         // per peer; beyond: drop + count
  std::chrono::milliseconds backoff_initial{20};
  std::chrono::milliseconds backoff_max{1000};   // cap of the exponential backoff
  obs::Registry* registry = nullptr;             // nullptr: obs::Registry::Default()
};

class Transport {
 public:
  using MessageHandler = std::function<void(Message)>;
  // Fired once per Send() that asked for it: true once the frame was written to the
  // socket, false when it was dropped (queue full, filtered, connection lost).
  using SendDone = std::function<void(bool written)>;

  // Binds the listener and starts the transport's thread. `on_message` must stay valid
  // until Stop() returns.
  // Fired (on the transport's thread) when a connection to `peer` fails or breaks, so the
  // driver can tell the core (Core::ReportUnreachable): the leader then probes that
  // follower instead of pipelining appends into a dead connection.
  using UnreachableHandler = std::function<void(NodeId peer)>;

  static Result<std::unique_ptr<Transport>> Start(const TransportOptions& options,
                                                  MessageHandler on_message,
                                                  UnreachableHandler on_unreachable = nullptr);
  ~Transport();  // Stop()s
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Queues `m` for m.to. Thread-safe; never blocks on the network.
  void Send(const Message& m, SendDone done = nullptr);
  // Closes every connection and joins the thread. Idempotent.
  void Stop();
  uint16_t port() const;

  // Where `id`'s Raft port is (a member that joined, or moved). Adds the peer, or points
  // its connection at the new address. Thread-safe.
  Status SetPeerAddress(NodeId id, std::string_view address);

  // Fault filter (tests; DESIGN D13 wants it behind the admin endpoint): while on, every
  // message to `peer` (kOut), from it (kIn) or both is dropped silently, as a network
  // partition would; one direction alone is a one-way partition. Behind POST
  // /debug/partition and /debug/heal (stratadb start --fault-injection).
  enum class Direction { kBoth, kOut, kIn };
  void SetPartitioned(NodeId peer, bool partitioned, Direction direction = Direction::kBoth);
  void HealAll();
  std::vector<NodeId> partitioned() const;  // sorted; cut off in either direction

  struct Stats {
    uint64_t frames_sent = 0;
    uint64_t writes = 0;  // socket writes: frames_sent / writes is the batching factor
    uint64_t frames_received = 0;
    uint64_t dropped_queue_full = 0;
    uint64_t dropped_filtered = 0;
    uint64_t bad_frames = 0;  // damaged, wrong cluster, oversized: connection closed
    uint64_t connects = 0;
  };
  Stats stats() const;

  struct Impl;

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "host:port" -> (host, port); InvalidArgument when malformed.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view address);

}  // namespace strata::raft
