// raft::Transport over standalone Asio with C++20 coroutines. See transport.h for the
// contract and docs/raft_transport.md for the frame format and connection lifecycle.
//
// Coroutines here are member functions taking what they need by value (never capturing
// lambdas: STYLE "Coroutines"); every one is started through Spawn(), which counts it, and
// all of them return once Stop() has closed sockets and cancelled timers — io.run() then
// returns and the thread is joined. Errors are values: every async operation uses
// redirect_error, so no exception crosses out of this file.
#include "raft/transport.h"

#include <asio.hpp>
#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <shared_mutex>
#include <thread>

#include <fmt/format.h>

#include "common/check.h"
#include "common/coding.h"
#include "obs/log.h"
#include "raft/message_codec.h"

namespace strata::raft {

namespace {
using asio::awaitable;
using asio::ip::tcp;
constexpr size_t kFrameHeaderBytes = 4;
constexpr size_t kMaxFramesPerWrite = 1024;  // bounds one write's gather list
}  // namespace

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == address.size())
    return Status::InvalidArgument(fmt::format("address '{}' is not host:port", address));
  unsigned long port = 0;
  for (char c : address.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535)
      return Status::InvalidArgument(fmt::format("bad port in '{}'", address));
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port == 0 || port > 65535) return Status::InvalidArgument(fmt::format("bad port in '{}'", address));
  return std::pair<std::string, uint16_t>(std::string(address.substr(0, colon)), static_cast<uint16_t>(port));
}

// Inbound frames are read in pieces of at most this much.
constexpr size_t kReadPieceBytes = 4 << 20;

struct Transport::Impl {
  struct Frame {
    Bytes bytes;  // length prefix + record
    SendDone done;
  };
  // One outbound connection. `queue` is shared with Send() callers (under mu); the
  // socket and timer belong to the io thread.
  struct Peer {
    Peer(asio::io_context& io, NodeId id_, tcp::endpoint ep)
        : id(id_), endpoint(ep), socket(io), wake(io), backoff(io) {}
    NodeId id;
    tcp::endpoint endpoint;
    tcp::socket socket;
    asio::steady_timer wake;     // the idle writer sleeps here; Send() cancels it
    asio::steady_timer backoff;  // reconnect backoff (not woken by Send: that is the point)
    std::mutex mu;
    std::deque<Frame> queue;  // guarded by mu
    uint64_t queued_bytes = 0;  // guarded by mu
    std::atomic<bool> wake_posted{false};
    uint64_t connection = 0;  // io thread only; bumped when a connection ends
  };

  TransportOptions options;
  MessageHandler on_message;
  UnreachableHandler on_unreachable;
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  // Added (never removed) by SetPeerAddress from any thread; Peer objects never move.
  mutable std::shared_mutex peers_mu;
  std::map<NodeId, std::unique_ptr<Peer>> peers;  // guarded by peers_mu
  std::set<std::shared_ptr<tcp::socket>> inbound;  // io thread only
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  std::mutex filter_mu;
  std::set<NodeId> cut_out;  // messages to these peers are dropped; guarded by filter_mu
  std::set<NodeId> cut_in;   // messages from these peers are dropped; guarded by filter_mu
  std::atomic<bool> any_partition{false};
  std::mt19937_64 rng{std::random_device{}()};  // backoff jitter; io thread only
  uint16_t port = 0;

  std::atomic<uint64_t> frames_sent{0}, writes{0}, frames_received{0}, dropped_full{0}, dropped_filtered{0},
      bad_frames{0}, connects{0};
  obs::Counter* m_sent = nullptr;
  obs::Counter* m_writes = nullptr;
  obs::Counter* m_received = nullptr;
  obs::Counter* m_dropped = nullptr;
  obs::Counter* m_bad = nullptr;
  obs::Counter* m_connects = nullptr;

  void InitMetrics() {
    obs::Registry& r = options.registry ? *options.registry : obs::Registry::Default();
    std::vector<std::string> node{std::to_string(options.self)};
    m_sent = &r.AddCounterFamily("strata_raft_transport_frames_sent_total", "Raft frames written", {"node"}).With(node);
    m_writes = &r.AddCounterFamily("strata_raft_transport_writes_total", "Socket writes (each carries a batch of frames)", {"node"}).With(node);
    m_received = &r.AddCounterFamily("strata_raft_transport_frames_received_total", "Raft frames decoded", {"node"}).With(node);
    m_dropped = &r.AddCounterFamily("strata_raft_transport_dropped_total",
                                    "Raft messages dropped (queue full, partitioned, connection lost)", {"node"}).With(node);
    m_bad = &r.AddCounterFamily("strata_raft_transport_bad_frames_total",
                                "Inbound frames refused (damaged, wrong cluster, oversized); connection closed", {"node"}).With(node);
    m_connects = &r.AddCounterFamily("strata_raft_transport_connects_total", "Outbound connections established", {"node"}).With(node);
  }

  bool Filtered(NodeId peer, Direction d) {
    if (!any_partition.load(std::memory_order_relaxed)) return false;
    std::lock_guard lock(filter_mu);
    return (d == Direction::kOut ? cut_out : cut_in).count(peer) > 0;
  }

  void Spawn(awaitable<void> task) {
    // The completion handler is a plain lambda, not a coroutine: capturing is safe here.
    asio::co_spawn(io, std::move(task), [](std::exception_ptr e) {
      if (e) obs::Error("raft", "transport task ended with an exception");
    });
  }

  // Takes up to kMaxFramesPerWrite queued frames (everything queued while the previous
  // write was in flight goes out in this one write).
  std::vector<Frame> TakeBatch(Peer* p) {
    std::vector<Frame> batch;
    std::lock_guard lock(p->mu);
    while (!p->queue.empty() && batch.size() < kMaxFramesPerWrite) {
      p->queued_bytes -= p->queue.front().bytes.size();
      batch.push_back(std::move(p->queue.front()));
      p->queue.pop_front();
    }
    return batch;
  }

  void FailAll(Peer* p) {
    std::vector<Frame> dropped;
    {
      std::lock_guard lock(p->mu);
      dropped.assign(std::make_move_iterator(p->queue.begin()), std::make_move_iterator(p->queue.end()));
      p->queue.clear();
      p->queued_bytes = 0;
    }
    for (Frame& f : dropped) {
      m_dropped->Inc();
      if (f.done) f.done(false);
    }
  }

  std::chrono::milliseconds Jitter(std::chrono::milliseconds backoff) {
    // Full jitter in [backoff/2, backoff]: peers restarting together do not reconnect in step.
    auto half = backoff.count() / 2;
    std::uniform_int_distribution<int64_t> d(0, std::max<int64_t>(half, 1));
    return std::chrono::milliseconds(half + d(rng));
  }

  awaitable<void> RunPeer(Peer* p) {
    std::chrono::milliseconds backoff = options.backoff_initial;
    while (!stopping) {
      asio::error_code ec;
      co_await p->socket.async_connect(p->endpoint, asio::redirect_error(asio::use_awaitable, ec));
      if (stopping) break;
      if (ec) {
        asio::error_code ignored;
        p->socket.close(ignored);
        FailAll(p);  // stale by the time we reconnect; Raft retransmits what still matters
        if (on_unreachable) on_unreachable(p->id);
        p->backoff.expires_after(Jitter(backoff));
        co_await p->backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        backoff = std::min(backoff * 2, options.backoff_max);
        continue;
      }
      backoff = options.backoff_initial;
      connects++;
      m_connects->Inc();
      p->socket.set_option(tcp::no_delay(true), ec);
      Spawn(WatchClose(p, ++p->connection));
      co_await WriteLoop(p);
      p->connection++;  // the watcher of this connection must no longer touch the socket
      asio::error_code ignored;
      p->socket.close(ignored);
      if (!stopping && on_unreachable) on_unreachable(p->id);
    }
    FailAll(p);
  }

  // Peers never write on our outbound connection, so a read completes only when the peer
  // closed it (or refused a frame): close our side and wake the writer at once, rather
  // than losing the next batch into a dead socket.
  awaitable<void> WatchClose(Peer* p, uint64_t connection) {
    char scratch[64];
    asio::error_code ec;
    while (!ec) {
      co_await p->socket.async_read_some(asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
    }
    if (p->connection == connection && !stopping) {
      asio::error_code ignored;
      p->socket.close(ignored);
      p->wake.cancel();
    }
  }

  awaitable<void> WriteLoop(Peer* p) {
    std::vector<asio::const_buffer> buffers;
    while (!stopping && p->socket.is_open()) {
      std::vector<Frame> batch = TakeBatch(p);
      asio::error_code ec;
      if (batch.empty()) {
        // No lost wake-up: Send()'s posted cancel runs on this thread, so either before
        // TakeBatch (the frame is seen) or after the wait started (the wait ends).
        p->wake.expires_at(asio::steady_timer::time_point::max());
        co_await p->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      buffers.clear();
      for (const Frame& f : batch) buffers.emplace_back(asio::buffer(f.bytes));
      co_await asio::async_write(p->socket, buffers, asio::redirect_error(asio::use_awaitable, ec));
      writes++;
      m_writes->Inc();
      for (Frame& f : batch) {
        if (!ec) {
          frames_sent++;
          m_sent->Inc();
        } else {
          m_dropped->Inc();
        }
        if (f.done) f.done(!ec);
      }
      if (ec) {
        obs::Debug("raft", "peer connection lost", {{"peer", p->id}, {"error", ec.message()}});
        co_return;
      }
    }
  }

  void RefuseFrame(const std::shared_ptr<tcp::socket>& s, const std::string& why) {
    bad_frames++;
    m_bad->Inc();
    asio::error_code ec;
    auto remote = s->remote_endpoint(ec);
    obs::Warn("raft", "refused inbound frame, closing connection",
              {{"node", options.self}, {"remote", ec ? std::string("?") : fmt::format("{}:{}", remote.address().to_string(), remote.port())},
               {"reason", why}});
  }

  awaitable<void> RunReader(std::shared_ptr<tcp::socket> s) {
    char header[kFrameHeaderBytes];
    Bytes record;
    while (!stopping) {
      asio::error_code ec;
      co_await asio::async_read(*s, asio::buffer(header), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      uint32_t len = DecodeFixed32(header);
      if (len > kMaxMessageBytes) {
        RefuseFrame(s, fmt::format("frame length {} exceeds kMaxMessageBytes {}", len, kMaxMessageBytes));
        break;
      }
      // In pieces: memory grows with the bytes that arrive, not with what the header claims.
      record.clear();
      while (!ec && record.size() < len) {
        size_t old = record.size(), piece = std::min<size_t>(len - old, kReadPieceBytes);
        record.resize(old + piece);
        co_await asio::async_read(*s, asio::buffer(record.data() + old, piece), asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) break;
      Result<Message> m = DecodeMessage(record, options.cluster_id);
      if (!m.ok()) {
        RefuseFrame(s, m.status().ToString());
        break;
      }
      if (Filtered(m->from, Direction::kIn)) {
        dropped_filtered++;
        m_dropped->Inc();
        continue;
      }
      frames_received++;
      m_received->Inc();
      on_message(std::move(m).value());
    }
    asio::error_code ignored;
    s->close(ignored);
    inbound.erase(s);
  }

  awaitable<void> RunAcceptor() {
    while (!stopping) {
      auto s = std::make_shared<tcp::socket>(io);
      asio::error_code ec;
      co_await acceptor.async_accept(*s, asio::redirect_error(asio::use_awaitable, ec));
      if (stopping) break;
      if (ec) {
        // EMFILE and friends: pause instead of spinning.
        obs::Warn("raft", "accept failed", {{"error", ec.message()}});
        asio::steady_timer t(io, std::chrono::milliseconds(100));
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      s->set_option(tcp::no_delay(true), ec);
      inbound.insert(s);
      Spawn(RunReader(s));
    }
  }

  // On the io thread: makes every coroutine return.
  void Shutdown() {
    stopping = true;
    asio::error_code ignored;
    acceptor.close(ignored);
    std::shared_lock lock(peers_mu);
    for (auto& [id, p] : peers) {
      p->socket.close(ignored);
      p->wake.cancel();
      p->backoff.cancel();
    }
    for (const auto& s : inbound) s->close(ignored);
  }
};

Result<std::unique_ptr<Transport>> Transport::Start(const TransportOptions& options, MessageHandler on_message,
                                                    UnreachableHandler on_unreachable) {
  STRATA_CHECK(options.self != kNoNode && on_message);
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->on_message = std::move(on_message);
  impl->on_unreachable = std::move(on_unreachable);
  impl->InitMetrics();
  asio::error_code ec;
  asio::ip::address listen_addr = asio::ip::make_address(options.listen_host, ec);
  if (ec) return Status::InvalidArgument(fmt::format("listen host '{}': {}", options.listen_host, ec.message()));
  tcp::endpoint listen_ep(listen_addr, options.listen_port);
  impl->acceptor.open(listen_ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(listen_ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError(fmt::format("raft transport listen on {}:{}: {}", options.listen_host, options.listen_port, ec.message()));
  impl->port = impl->acceptor.local_endpoint().port();
  for (const auto& [id, address] : options.peers) {
    if (id == options.self) continue;
    STRATA_ASSIGN_OR_RETURN(auto hp, ParseHostPort(address));
    asio::ip::address addr = asio::ip::make_address(hp.first, ec);
    if (ec) return Status::InvalidArgument(fmt::format("peer {} address '{}': need an IP literal", id, address));
    impl->peers.emplace(id, std::make_unique<Impl::Peer>(impl->io, id, tcp::endpoint(addr, hp.second)));
  }
  Impl* raw = impl.get();
  raw->Spawn(raw->RunAcceptor());
  for (auto& [id, p] : raw->peers) raw->Spawn(raw->RunPeer(p.get()));
  raw->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() { Stop(); }

void Transport::Stop() {
  if (impl_->stopped.exchange(true)) return;
  Impl* raw = impl_.get();
  asio::post(raw->io, [raw] { raw->Shutdown(); });
  raw->work.reset();
  raw->thread.join();  // io.run() returns once every coroutine has returned
}

uint16_t Transport::port() const { return impl_->port; }

void Transport::Send(const Message& m, SendDone done) {
  Impl* raw = impl_.get();
  Impl::Peer* p = nullptr;
  {
    std::shared_lock lock(raw->peers_mu);
    auto it = raw->peers.find(m.to);
    if (it != raw->peers.end()) p = it->second.get();
  }
  if (raw->stopped || p == nullptr || raw->Filtered(m.to, Direction::kOut)) {
    if (p != nullptr && !raw->stopped) raw->dropped_filtered++;
    raw->m_dropped->Inc();
    if (done) done(false);
    return;
  }
  Bytes record = EncodeMessage(m, raw->options.cluster_id);
  if (record.size() > kMaxMessageBytes) {  // RaftNode refuses entries this large before they reach the log
    obs::Error("raft", "dropped a message larger than kMaxMessageBytes", {{"to", m.to}, {"bytes", uint64_t{record.size()}}});
    raw->m_dropped->Inc();
    if (done) done(false);
    return;
  }
  Bytes frame;
  frame.reserve(kFrameHeaderBytes + record.size());
  PutFixed32(&frame, static_cast<uint32_t>(record.size()));
  frame.append(record);
  bool full = false;
  {
    std::lock_guard lock(p->mu);
    full = p->queue.size() >= raw->options.max_queue_messages ||
           p->queued_bytes + frame.size() > raw->options.max_queue_bytes;
    if (!full) {
      p->queued_bytes += frame.size();
      p->queue.push_back(Impl::Frame{std::move(frame), std::move(done)});
    }
  }
  if (full) {  // the callback runs outside the queue lock: it may take other locks
    raw->dropped_full++;
    raw->m_dropped->Inc();
    if (done) done(false);
    return;
  }
  // One wake-up in flight per peer is enough: the writer drains the whole queue.
  if (!p->wake_posted.exchange(true)) {
    asio::post(raw->io, [p] {
      p->wake_posted = false;
      p->wake.cancel();
    });
  }
}

Status Transport::SetPeerAddress(NodeId id, std::string_view address) {
  Impl* raw = impl_.get();
  if (id == raw->options.self || id == kNoNode) return Status::OK();
  STRATA_ASSIGN_OR_RETURN(auto hp, ParseHostPort(address));
  asio::error_code ec;
  asio::ip::address addr = asio::ip::make_address(hp.first, ec);
  if (ec) return Status::InvalidArgument(fmt::format("peer {} address '{}': need an IP literal", id, address));
  tcp::endpoint ep(addr, hp.second);
  std::unique_lock lock(raw->peers_mu);
  if (raw->stopped) return Status::OK();
  auto it = raw->peers.find(id);
  if (it == raw->peers.end()) {
    Impl::Peer* p = raw->peers.emplace(id, std::make_unique<Impl::Peer>(raw->io, id, ep)).first->second.get();
    asio::post(raw->io, [raw, p] {
      if (!raw->stopping) raw->Spawn(raw->RunPeer(p));
    });
    return Status::OK();
  }
  Impl::Peer* p = it->second.get();
  // A member that moved: the io thread points the connection at the new address.
  asio::post(raw->io, [p, ep] {
    if (p->endpoint == ep) return;
    p->endpoint = ep;
    asio::error_code ignored;
    p->socket.close(ignored);
    p->backoff.cancel();
  });
  return Status::OK();
}

void Transport::SetPartitioned(NodeId peer, bool on, Direction direction) {
  std::lock_guard lock(impl_->filter_mu);
  auto apply = [&](std::set<NodeId>& cut) {
    if (on) cut.insert(peer); else cut.erase(peer);
  };
  if (direction != Direction::kIn) apply(impl_->cut_out);
  if (direction != Direction::kOut) apply(impl_->cut_in);
  impl_->any_partition = !impl_->cut_out.empty() || !impl_->cut_in.empty();
}

void Transport::HealAll() {
  std::lock_guard lock(impl_->filter_mu);
  impl_->cut_out.clear();
  impl_->cut_in.clear();
  impl_->any_partition = false;
}

std::vector<NodeId> Transport::partitioned() const {
  std::lock_guard lock(impl_->filter_mu);
  std::set<NodeId> any = impl_->cut_out;
  any.insert(impl_->cut_in.begin(), impl_->cut_in.end());
  return std::vector<NodeId>(any.begin(), any.end());
}

Transport::Stats Transport::stats() const {
  return Stats{impl_->frames_sent, impl_->writes, impl_->frames_received, impl_->dropped_full,
               impl_->dropped_filtered, impl_->bad_frames, impl_->connects};
}

}  // namespace strata::raft
