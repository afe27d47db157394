// In-process tests of the Raft transport and snapshot streaming over real loopback TCP
// (src/raft/transport.h, src/raft/snapshot_stream.h). Bounded: every wait has a deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "io/io.h"
#include "obs/metrics.h"
#include "raft/snapshot_stream.h"
#include "raft/transport.h"

namespace strata::raft {
namespace {

using namespace std::chrono_literals;

// Collects received messages; safe to read from the test thread.
struct Inbox {
  std::mutex mu;
  std::vector<Message> messages;
  void Add(Message m) {
    std::lock_guard lock(mu);
    messages.push_back(std::move(m));
  }
  size_t size() {
    std::lock_guard lock(mu);
    return messages.size();
  }
};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

struct Node {
  obs::Registry registry;
  Inbox inbox;
  std::unique_ptr<Transport> transport;
};

TransportOptions Opts(NodeId self, uint64_t cluster, obs::Registry* registry, uint16_t port = 0) {
  TransportOptions o;
  o.self = self;
  o.cluster_id = cluster;
  o.registry = registry;
  o.listen_port = port;
  return o;
}

// Starts transports 1 and 2 that know each other (ports from the kernel).
void StartPair(Node* a, Node* b, uint64_t cluster_a = 7, uint64_t cluster_b = 7) {
  TransportOptions ob = Opts(2, cluster_b, &b->registry);
  auto tb = Transport::Start(ob, [b](Message m) { b->inbox.Add(std::move(m)); });
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  b->transport = std::move(tb).value();
  TransportOptions oa = Opts(1, cluster_a, &a->registry);
  oa.peers[2] = "127.0.0.1:" + std::to_string(b->transport->port());
  auto ta = Transport::Start(oa, [a](Message m) { a->inbox.Add(std::move(m)); });
  ASSERT_TRUE(ta.ok()) << ta.status().ToString();
  a->transport = std::move(ta).value();
}

Message Heartbeat(uint64_t term) {
  return Message{.type = MessageType::kHeartbeat, .from = 1, .to = 2, .term = term};
}

TEST(RaftTransport, DeliversInOrderAndBatches) {
  Node a, b;
  StartPair(&a, &b);
  constexpr int kCount = 2000;
  for (int i = 1; i <= kCount; i++) a.transport->Send(Heartbeat(i));
  ASSERT_TRUE(WaitFor([&] { return b.inbox.size() == kCount; }));
  std::lock_guard lock(b.inbox.mu);
  for (int i = 0; i < kCount; i++) ASSERT_EQ(b.inbox.messages[i].term, static_cast<uint64_t>(i + 1));
  Transport::Stats s = a.transport->stats();
  EXPECT_EQ(s.frames_sent, static_cast<uint64_t>(kCount));
  // Messages queued while a write was in flight left together: fewer writes than frames.
  EXPECT_LT(s.writes, s.frames_sent);
}

TEST(RaftTransport, FaultFilterDropsBothWaysUntilHealed) {
  Node a, b;
  StartPair(&a, &b);
  a.transport->SetPartitioned(2, true);
  std::atomic<int> dropped{0};
  a.transport->Send(Heartbeat(1), [&](bool written) { dropped += written ? 0 : 1; });
  EXPECT_EQ(dropped.load(), 1);
  a.transport->HealAll();
  b.transport->SetPartitioned(1, true);  // inbound side drops after decoding
  a.transport->Send(Heartbeat(2));
  ASSERT_TRUE(WaitFor([&] { return b.transport->stats().dropped_filtered == 1; }));
  EXPECT_EQ(b.inbox.size(), 0u);
  b.transport->SetPartitioned(1, false);
  a.transport->Send(Heartbeat(3));
  ASSERT_TRUE(WaitFor([&] { return b.inbox.size() == 1; }));
}

TEST(RaftTransport, AnotherClusterIsRefusedAndCounted) {
  Node a, b;
  StartPair(&a, &b, /*cluster_a=*/1, /*cluster_b=*/2);
  a.transport->Send(Heartbeat(1));
  ASSERT_TRUE(WaitFor([&] { return b.transport->stats().bad_frames >= 1; }));
  EXPECT_EQ(b.inbox.size(), 0u);
  // The sender reconnects and keeps trying (as Raft retransmits); the receiver keeps
  // refusing and never crashes. A frame written just after the receiver closed is lost
  // (the sender learns of the close on its next write), hence the repeated sends.
  ASSERT_TRUE(WaitFor([&] {
    a.transport->Send(Heartbeat(2));
    return b.transport->stats().bad_frames >= 2;
  }));
  EXPECT_GE(a.transport->stats().connects, 2u);
  EXPECT_NE(b.registry.RenderPrometheus().find("strata_raft_transport_bad_frames_total{node=\"2\"}"), std::string::npos);
}

TEST(RaftTransport, ReconnectsWhenThePeerComesBack) {
  Node a, b;
  StartPair(&a, &b);
  uint16_t port = b.transport->port();
  a.transport->Send(Heartbeat(1));
  ASSERT_TRUE(WaitFor([&] { return b.inbox.size() == 1; }));
  b.transport->Stop();
  // Sends while the peer is down fail (dropped); none blocks.
  for (int i = 0; i < 10; i++) a.transport->Send(Heartbeat(100 + i));
  Node b2;
  TransportOptions ob = Opts(2, 7, &b2.registry, port);
  auto tb = Transport::Start(ob, [&b2](Message m) { b2.inbox.Add(std::move(m)); });
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  b2.transport = std::move(tb).value();
  // Keep sending (Raft retransmits) until the backoff lets a connection through.
  ASSERT_TRUE(WaitFor([&] {
    a.transport->Send(Heartbeat(5));
    return b2.inbox.size() > 0;
  }));
  EXPECT_GE(a.transport->stats().connects, 2u);
}

TEST(RaftTransport, StopFailsQueuedSendsAndJoins) {
  Node a;
  TransportOptions oa = Opts(1, 7, &a.registry);
  oa.peers[2] = "127.0.0.1:1";  // nothing listens: connects fail, backoff runs
  auto ta = Transport::Start(oa, [](Message) {});
  ASSERT_TRUE(ta.ok());
  std::atomic<int> failed{0};
  for (int i = 0; i < 100; i++) (*ta)->Send(Heartbeat(i), [&](bool written) { failed += written ? 0 : 1; });
  (*ta)->Stop();
  EXPECT_EQ(failed.load(), 100);
  (*ta)->Send(Heartbeat(1), [&](bool written) { failed += written ? 0 : 1; });  // after Stop: refused
  EXPECT_EQ(failed.load(), 101);
}

TEST(SnapshotStream, ChunksReassembleAndGapsAreRefused) {
  obs::Registry registry;
  auto sched = io::Scheduler::Create({.registry = &registry});
  ASSERT_TRUE(sched.ok());
  std::string dir = std::filesystem::temp_directory_path() / ("raft-net-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string src = dir + "/source";
  std::string content(10000, 'x');
  for (size_t i = 0; i < content.size(); i++) content[i] = static_cast<char>('a' + i % 26);
  {
    auto f = (*sched)->Open(src, {.create = true, .truncate = true});
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->WriteAt(io::IoClass::kSnapshot, 0, content).ok());
  }
  Message templ = Heartbeat(3);
  templ.type = MessageType::kSnapshot;
  templ.snapshot = Snapshot{};
  templ.snapshot->metadata.index = 42;
  templ.snapshot->metadata.term = 3;
  SnapshotSender sender(sched->get(), 3000);
  SnapshotReceiver receiver(sched->get(), dir);
  auto gen = sender.Begin(templ, src);
  ASSERT_TRUE(gen.ok());
  std::vector<Message> chunks;
  bool last = false;
  while (!last) {
    auto c = sender.NextChunk(2, &last);
    ASSERT_TRUE(c.ok());
    chunks.push_back(std::move(c).value());
  }
  ASSERT_EQ(chunks.size(), 4u);  // 3000 + 3000 + 3000 + 1000
  // A gap (chunk 2 before chunk 1) drops the partial stream.
  ASSERT_TRUE(receiver.OnChunk(chunks[0]).ok());
  EXPECT_FALSE(receiver.OnChunk(chunks[2]).ok());
  // A full, ordered stream yields the core's message with the file's path as data.
  std::optional<Message> whole;
  for (const Message& c : chunks) {
    auto r = receiver.OnChunk(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (r->has_value()) whole = **r;
  }
  ASSERT_TRUE(whole.has_value());
  EXPECT_TRUE(whole->context.empty());
  EXPECT_EQ(whole->snapshot->metadata.index, 42u);
  auto f = (*sched)->Open(whole->snapshot->data, {.read_only = true});
  ASSERT_TRUE(f.ok());
  std::string back(content.size(), '\0');
  ASSERT_TRUE((*f)->ReadExact(io::IoClass::kSnapshot, 0, back.data(), back.size()).ok());
  EXPECT_EQ(back, content);
  f->reset();
  std::filesystem::remove_all(dir);
}

TEST(SnapshotStream, ChunkHeaderRoundTripsAndRejectsOtherContexts) {
  Bytes h = EncodeSnapshotChunkHeader({.offset = 5, .total = 9});
  auto d = DecodeSnapshotChunkHeader(h);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->offset, 5u);
  EXPECT_EQ(d->total, 9u);
  EXPECT_FALSE(DecodeSnapshotChunkHeader("").has_value());
  EXPECT_FALSE(DecodeSnapshotChunkHeader("transfer").has_value());
  EXPECT_FALSE(DecodeSnapshotChunkHeader(EncodeSnapshotChunkHeader({.offset = 10, .total = 9})).has_value());
}

}  // namespace
}  // namespace strata::raft
