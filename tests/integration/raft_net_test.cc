// In-process tests of the Raft transport and snapshot streaming over real loopback TCP
// (src/raft/transport.h, src/raft/snapshot_stream.h: multi-file snapshots, resume after a
// cut connection). Bounded: every wait has a deadline.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/checksum.h"
#include "io/file_util.h"
#include "io/io.h"
#include "obs/metrics.h"
#include "raft/snapshot_stream.h"
#include "raft/transport.h"
#include "../testing/free_port.h"

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

using strata::testing::FreePort;

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

// What POST /debug/partition relies on: one side's filter cuts both directions, and the
// list it shows is what was set.
TEST(RaftTransport, OneSidedPartitionCutsBothDirectionsUntilHealed) {
  Node a, b;  // each knows the other
  uint16_t port_a = FreePort();
  TransportOptions ob = Opts(2, 7, &b.registry);
  ob.peers[1] = "127.0.0.1:" + std::to_string(port_a);
  auto tb = Transport::Start(ob, [&b](Message m) { b.inbox.Add(std::move(m)); });
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  b.transport = std::move(tb).value();
  TransportOptions oa = Opts(1, 7, &a.registry, port_a);
  oa.peers[2] = "127.0.0.1:" + std::to_string(b.transport->port());
  auto ta = Transport::Start(oa, [&a](Message m) { a.inbox.Add(std::move(m)); });
  ASSERT_TRUE(ta.ok()) << ta.status().ToString();
  a.transport = std::move(ta).value();
  a.transport->SetPartitioned(2, true);
  a.transport->SetPartitioned(7, true);  // a peer it has no connection to: harmless
  EXPECT_EQ(a.transport->partitioned(), (std::vector<NodeId>{2, 7}));
  a.transport->Send(Heartbeat(1));  // a -> b: never leaves a
  // b's first dial may come before a listened: a message queued then is dropped with the
  // failed attempt (Raft resends), so b sends once its connection to a is up.
  ASSERT_TRUE(WaitFor([&] { return b.transport->stats().connects >= 1; }));
  b.transport->Send(Message{.type = MessageType::kHeartbeatResponse, .from = 2, .to = 1, .term = 1});
  ASSERT_TRUE(WaitFor([&] { return a.transport->stats().dropped_filtered == 2; }));
  EXPECT_EQ(a.inbox.size(), 0u);
  EXPECT_EQ(b.inbox.size(), 0u);
  a.transport->HealAll();
  EXPECT_TRUE(a.transport->partitioned().empty());
  a.transport->Send(Heartbeat(2));
  b.transport->Send(Message{.type = MessageType::kHeartbeatResponse, .from = 2, .to = 1, .term = 1});
  ASSERT_TRUE(WaitFor([&] { return a.inbox.size() == 1 && b.inbox.size() == 1; }));
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

// A scratch directory with a scheduler, and a snapshot directory to stream: files of
// several chunks, one empty, one shorter than a chunk.
class SnapshotStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sched_ = std::move(io::Scheduler::Create({.registry = &registry_})).value();
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("raft-net-test-{}-{}", ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/src");
    std::filesystem::create_directories(dir_ + "/snap");
    std::string big(10000, 'x');
    for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>('a' + i % 26);
    files_ = {{"000007.sst", big}, {"000009.sst", big.substr(17, 7001)}, {"CURRENT", "MANIFEST-000010\n"},
              {"EMPTY", ""}, {"MANIFEST-000010", "manifest"}};
    for (const auto& [name, content] : files_) {
      auto f = sched_->Open(dir_ + "/src/" + name, {.create = true, .truncate = true});
      ASSERT_TRUE(f.ok());
      if (!content.empty()) {
        ASSERT_TRUE((*f)->WriteAt(io::IoClass::kSnapshot, 0, content).ok());
      }
      total_ += content.size();
    }
  }
  void TearDown() override {
    sched_.reset();
    std::filesystem::remove_all(dir_);
  }
  Message Template(Term term, LogIndex index) const {
    Message m = Heartbeat(term);
    m.type = MessageType::kSnapshot;
    m.snapshot = Snapshot{};
    m.snapshot->metadata.index = index;
    m.snapshot->metadata.term = 1;
    return m;
  }
  // The received directory holds exactly the source files, byte for byte.
  void ExpectIdentical(const std::string& dir) {
    auto names = io::ListDir(dir);
    ASSERT_TRUE(names.ok());
    ASSERT_EQ(names->size(), files_.size());
    for (const auto& [name, content] : files_) {
      auto back = io::ReadSmallFile(dir + "/" + name);
      ASSERT_TRUE(back.ok()) << name << ": " << back.status().ToString();
      EXPECT_EQ(*back, content) << name;
    }
  }

  obs::Registry registry_;
  std::unique_ptr<io::Scheduler> sched_;
  std::string dir_;
  std::map<std::string, std::string> files_;
  uint64_t total_ = 0;
};

TEST_F(SnapshotStreamTest, DirectoryCrossesInChunksAndWrongPositionsAreNotWritten) {
  SnapshotSender sender(sched_.get(), 3000);
  SnapshotReceiver receiver(sched_.get(), dir_ + "/snap");
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  auto first = sender.NextChunk(2, SnapshotSender::Clock::now());
  ASSERT_TRUE(first.ok());
  // A damaged chunk is refused before anything is written.
  Message damaged = *first;
  damaged.snapshot->data[5] ^= 1;
  EXPECT_EQ(receiver.OnChunk(damaged).status().code(), StatusCode::kCorruption);
  // A chunk ahead of the receiver's position is not written: the ack names the position
  // it needs, and the sender continues from there.
  auto out = receiver.OnChunk(*first);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(DecodeSnapshotAck(out->ack.context), (SnapshotPosition{0, 3000}));
  bool complete = false;
  ASSERT_TRUE(sender.OnAck(out->ack, &complete));
  // Progress, as /status shows it: the sender knows the total, the receiver what it wrote.
  std::vector<SnapshotTransfer> sending = sender.Transfers();
  ASSERT_EQ(sending.size(), 1u);
  EXPECT_EQ(sending[0].peer, 2u);
  EXPECT_EQ(sending[0].index, 42u);
  EXPECT_EQ(sending[0].bytes_done, 3000u);
  EXPECT_EQ(sending[0].bytes_total, total_);
  EXPECT_EQ(sending[0].files_total, files_.size());
  std::optional<SnapshotTransfer> receiving = receiver.Transfer();
  ASSERT_TRUE(receiving.has_value());
  EXPECT_EQ(receiving->bytes_done, 3000u);
  EXPECT_EQ(receiving->files_done, 0u);
  auto second = sender.NextChunk(2, SnapshotSender::Clock::now());
  ASSERT_TRUE(second.ok());
  Message ahead = *second;
  ahead.context = EncodeSnapshotChunkHeader({.position = {0, 6000}, .file_count = 5, .file_size = 10000,
                                             .checksum = Checksum64(ahead.snapshot->data), .file_name = "000007.sst"});
  auto refused = receiver.OnChunk(ahead);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->complete.has_value());
  EXPECT_EQ(DecodeSnapshotAck(refused->ack.context), (SnapshotPosition{0, 3000}));
  // The rest, in order, ends with the message for the core carrying the directory.
  std::optional<Message> whole;
  Result<Message> chunk = std::move(second);
  for (int guard = 0; guard < 100 && !whole; guard++) {
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    auto r = receiver.OnChunk(*chunk);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(sender.OnAck(r->ack, &complete));
    if (r->complete) {
      whole = r->complete;
    } else {
      chunk = sender.NextChunk(2, SnapshotSender::Clock::now());
    }
  }
  ASSERT_TRUE(whole.has_value());
  EXPECT_TRUE(complete);
  EXPECT_EQ(sender.Transfers().at(0).bytes_done, total_);
  EXPECT_EQ(sender.Transfers().at(0).files_done, files_.size());
  EXPECT_FALSE(receiver.Transfer().has_value()) << "a finished stream is no longer in progress";
  sender.End(2);
  EXPECT_TRUE(sender.Transfers().empty());
  EXPECT_TRUE(whole->context.empty());
  EXPECT_EQ(whole->snapshot->metadata.index, 42u);
  ExpectIdentical(whole->snapshot->data);
  EXPECT_EQ(sender.bytes_sent(), total_);  // chunks read from the files, once each
}

TEST_F(SnapshotStreamTest, ResumePositionIsTheLastAckAndOtherSnapshotsDropThePartial) {
  SnapshotSender sender(sched_.get(), 4000);
  SnapshotReceiver receiver(sched_.get(), dir_ + "/snap");
  auto step = [&](SnapshotPosition expect_at) {
    auto chunk = sender.NextChunk(2, SnapshotSender::Clock::now());
    ASSERT_TRUE(chunk.ok());
    EXPECT_EQ(DecodeSnapshotChunkHeader(chunk->context)->position, expect_at);
    auto r = receiver.OnChunk(*chunk);
    ASSERT_TRUE(r.ok());
    bool complete = false;
    sender.OnAck(r->ack, &complete);
  };
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  step({0, 0});
  step({0, 4000});
  step({0, 8000});  // the file's last 2000 bytes: the receiver moves to file 1
  EXPECT_EQ(receiver.position(), (SnapshotPosition{1, 0}));
  // The stream fails (the driver's End); the core's next attempt resumes at the last ack.
  sender.End(2);
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  step({1, 0});
  EXPECT_EQ(receiver.position(), (SnapshotPosition{1, 4000}));
  // A chunk never written (lost) does not move the position; nor does a stale stream.
  sender.End(2);
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  ASSERT_TRUE(sender.NextChunk(2, SnapshotSender::Clock::now()).ok());  // lost
  EXPECT_EQ(sender.Stalled(SnapshotSender::Clock::now() + 3s, 2000ms), std::vector<NodeId>{2});
  sender.End(2);
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  step({1, 4000});
  // Another leader term (or snapshot index) is another stream: from the start, and the
  // old partial directory is deleted — at most one partial snapshot on disk.
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/snap/recv-3-00000000000000000042"));
  sender.End(2);
  ASSERT_TRUE(sender.Begin(Template(4, 42), dir_ + "/src").ok());
  step({0, 0});
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/snap/recv-3-00000000000000000042"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/snap/recv-4-00000000000000000042"));
  receiver.DropPartials();
  EXPECT_FALSE(receiver.position().has_value());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/snap/recv-4-00000000000000000042"));
}

// Over real TCP: the connection is cut twice in the middle of a multi-chunk stream — once
// on the sender's side (the chunk is dropped before it is written), once on the receiver's
// side (the chunk is written but never arrives, so its ack never comes and the stream
// stalls). Each time the stream is begun again, as the driver does when the core resends
// the snapshot, and resumes: the receiver ends with identical files and the bytes sent stay
// well under twice the snapshot's size.
TEST_F(SnapshotStreamTest, ResumesAfterTheConnectionIsCutMidStream) {
  // Both ways: acks travel back from 2 to 1.
  Node a, b;
  uint16_t port_a = FreePort();
  TransportOptions ob = Opts(2, 7, &b.registry);
  ob.peers[1] = fmt::format("127.0.0.1:{}", port_a);
  auto tb = Transport::Start(ob, [&b](Message m) { b.inbox.Add(std::move(m)); });
  ASSERT_TRUE(tb.ok()) << tb.status().ToString();
  b.transport = std::move(tb).value();
  TransportOptions oa = Opts(1, 7, &a.registry, port_a);
  oa.peers[2] = fmt::format("127.0.0.1:{}", b.transport->port());
  auto ta = Transport::Start(oa, [&a](Message m) { a.inbox.Add(std::move(m)); });
  ASSERT_TRUE(ta.ok()) << ta.status().ToString();
  a.transport = std::move(ta).value();
  constexpr size_t kChunk = 1000;  // ~27 chunks
  SnapshotSender sender(sched_.get(), kChunk);
  SnapshotReceiver receiver(sched_.get(), dir_ + "/snap");
  std::atomic<int> dropped{0};
  auto send_next = [&] {
    auto chunk = sender.NextChunk(2, SnapshotSender::Clock::now());
    ASSERT_TRUE(chunk.ok());
    a.transport->Send(*chunk, [&](bool written) { dropped += written ? 0 : 1; });
  };
  ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
  send_next();
  std::optional<Message> whole;
  size_t a_seen = 0, b_seen = 0;
  int acks = 0, restarts = 0;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!whole && std::chrono::steady_clock::now() < deadline) {
    std::vector<Message> to_b, to_a;
    {
      std::lock_guard lock(b.inbox.mu);
      to_b.assign(b.inbox.messages.begin() + static_cast<ptrdiff_t>(b_seen), b.inbox.messages.end());
      b_seen = b.inbox.messages.size();
    }
    {
      std::lock_guard lock(a.inbox.mu);
      to_a.assign(a.inbox.messages.begin() + static_cast<ptrdiff_t>(a_seen), a.inbox.messages.end());
      a_seen = a.inbox.messages.size();
    }
    for (const Message& m : to_b) {
      auto r = receiver.OnChunk(m);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      b.transport->Send(r->ack);
      if (r->complete) whole = r->complete;
    }
    for (const Message& m : to_a) {
      bool complete = false;
      if (!sender.OnAck(m, &complete) || complete) continue;
      acks++;
      if (acks == 8) a.transport->SetPartitioned(2, true);   // cut on the sender's side
      if (acks == 16) b.transport->SetPartitioned(1, true);  // cut on the receiver's side
      send_next();
    }
    bool stalled = !sender.Stalled(SnapshotSender::Clock::now(), 300ms).empty();
    if (dropped.exchange(0) > 0 || stalled) {  // the stream failed: heal, begin again
      a.transport->HealAll();
      b.transport->HealAll();
      restarts++;
      sender.End(2);
      ASSERT_TRUE(sender.Begin(Template(3, 42), dir_ + "/src").ok());
      send_next();
    }
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(whole.has_value()) << "stream did not complete; bytes sent " << sender.bytes_sent();
  ExpectIdentical(whole->snapshot->data);
  EXPECT_EQ(restarts, 2);
  EXPECT_GE(sender.bytes_sent(), total_);
  EXPECT_LT(sender.bytes_sent(), 2 * total_);
  EXPECT_LE(sender.bytes_sent(), total_ + 2 * kChunk);  // at most the two cut chunks again
}

TEST(SnapshotStream, HeadersRoundTripAndRejectOtherContexts) {
  SnapshotChunkHeader h{.position = {2, 5}, .file_count = 3, .file_size = 9, .checksum = 77, .file_name = "x.sst"};
  auto d = DecodeSnapshotChunkHeader(EncodeSnapshotChunkHeader(h));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->position, (SnapshotPosition{2, 5}));
  EXPECT_EQ(d->file_count, 3u);
  EXPECT_EQ(d->file_size, 9u);
  EXPECT_EQ(d->checksum, 77u);
  EXPECT_EQ(d->file_name, "x.sst");
  EXPECT_FALSE(DecodeSnapshotChunkHeader("").has_value());
  EXPECT_FALSE(DecodeSnapshotChunkHeader("transfer").has_value());
  EXPECT_FALSE(DecodeSnapshotChunkHeader(EncodeSnapshotAck({1, 2})).has_value());
  for (const char* bad_name : {"", ".", "..", "a/b"}) {
    SnapshotChunkHeader bad = h;
    bad.file_name = bad_name;
    EXPECT_FALSE(DecodeSnapshotChunkHeader(EncodeSnapshotChunkHeader(bad)).has_value()) << bad_name;
  }
  SnapshotChunkHeader past = h;
  past.position = {3, 0};  // file_index >= file_count
  EXPECT_FALSE(DecodeSnapshotChunkHeader(EncodeSnapshotChunkHeader(past)).has_value());
  auto ack = DecodeSnapshotAck(EncodeSnapshotAck({4, 1234}));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(*ack, (SnapshotPosition{4, 1234}));
  EXPECT_FALSE(DecodeSnapshotAck(EncodeSnapshotChunkHeader(h)).has_value());
}

}  // namespace
}  // namespace strata::raft
