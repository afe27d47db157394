// Row locks (txn/lock_manager.h) and the locking reads built on them
// (Transaction::GetForUpdate / ScanForUpdate, the WriteSet's bases and unchanged ranges).
#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "io/io.h"
#include "storage/lsm/engine_impl.h"
#include "txn/lock_manager.h"
#include "txn/read_set.h"
#include "txn/transaction.h"
#include "direct_proposer.h"

namespace strata::txn {
namespace {

using namespace std::chrono_literals;

LockWait Wait(std::chrono::milliseconds timeout = 10s) {
  LockWait w;
  w.timeout = timeout;
  return w;
}

// Whether `f` is still running after a while (it is waiting for a lock).
template <typename T>
bool StillWaiting(std::future<T>& f) {
  return f.wait_for(150ms) == std::future_status::timeout;
}

TEST(LockManagerTest, SharedLocksShareExclusiveWaitsInOrder) {
  LockManager locks;
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kShared, Wait()).ok());
  ASSERT_TRUE(locks.Acquire(2, "k", LockMode::kShared, Wait()).ok());
  EXPECT_FALSE(locks.TryAcquire(3, "k", LockMode::kExclusive));
  auto writer = std::async(std::launch::async, [&] { return locks.Acquire(3, "k", LockMode::kExclusive, Wait()); });
  ASSERT_TRUE(StillWaiting(writer));
  // A shared request behind a waiting writer queues too (no starvation of the writer).
  auto reader = std::async(std::launch::async, [&] { return locks.Acquire(4, "k", LockMode::kShared, Wait()); });
  ASSERT_TRUE(StillWaiting(reader));
  locks.ReleaseAll(1);
  ASSERT_TRUE(StillWaiting(writer));
  locks.ReleaseAll(2);
  EXPECT_TRUE(writer.get().ok());
  ASSERT_TRUE(StillWaiting(reader));
  locks.ReleaseAll(3);
  EXPECT_TRUE(reader.get().ok());
  locks.ReleaseAll(4);
  EXPECT_EQ(locks.stats().locks_held, 0u);
  EXPECT_EQ(locks.stats().waits, 2u);
}

TEST(LockManagerTest, ReentrantAndUpgrade) {
  LockManager locks;
  bool newly = false;
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kExclusive, Wait(), &newly).ok());
  EXPECT_TRUE(newly);
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kShared, Wait(), &newly).ok());  // already stronger
  EXPECT_FALSE(newly);
  locks.ReleaseAll(1);
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kShared, Wait()).ok());
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kExclusive, Wait(), &newly).ok());  // sole holder upgrades
  EXPECT_FALSE(newly);
  EXPECT_FALSE(locks.TryAcquire(2, "k", LockMode::kShared));
  locks.ReleaseAll(1);
  EXPECT_TRUE(locks.TryAcquire(2, "k", LockMode::kShared));
  locks.ReleaseAll(2);
}

TEST(LockManagerTest, TimeoutIs1205AndLeavesTheQueue) {
  LockManager locks;
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kExclusive, Wait()).ok());
  Status s = locks.Acquire(2, "k", LockMode::kExclusive, Wait(50ms));
  EXPECT_EQ(s.mysql_errno(), 1205) << s.ToString();
  EXPECT_EQ(locks.stats().timeouts, 1u);
  LockWait nowait = Wait();
  nowait.nowait = true;
  EXPECT_EQ(locks.Acquire(3, "k", LockMode::kShared, nowait).mysql_errno(), 3572);
  locks.ReleaseAll(1);
  EXPECT_TRUE(locks.TryAcquire(3, "k", LockMode::kExclusive));  // nobody left waiting
  locks.ReleaseAll(3);
  EXPECT_EQ(locks.stats().waiting, 0u);
}

TEST(LockManagerTest, InterruptEndsTheWait) {
  LockManager locks;
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kExclusive, Wait()).ok());
  std::atomic<bool> killed{false};
  LockWait w = Wait();
  w.interrupted = [&]() -> Status {
    return killed ? Status::Aborted("interrupted").WithMysql(1317, "70100") : Status::OK();
  };
  auto waiter = std::async(std::launch::async, [&] { return locks.Acquire(2, "k", LockMode::kShared, w); });
  ASSERT_TRUE(StillWaiting(waiter));
  killed = true;
  EXPECT_EQ(waiter.get().mysql_errno(), 1317);
  locks.ReleaseAll(1);
}

TEST(LockManagerTest, DeadlockOfTwoIsRefusedToTheRequester) {
  LockManager locks;
  ASSERT_TRUE(locks.Acquire(1, "a", LockMode::kExclusive, Wait()).ok());
  ASSERT_TRUE(locks.Acquire(2, "b", LockMode::kExclusive, Wait()).ok());
  auto one = std::async(std::launch::async, [&] { return locks.Acquire(1, "b", LockMode::kExclusive, Wait()); });
  ASSERT_TRUE(StillWaiting(one));
  Status s = locks.Acquire(2, "a", LockMode::kExclusive, Wait());
  EXPECT_EQ(s.mysql_errno(), 1213) << s.ToString();
  EXPECT_EQ(locks.stats().deadlocks, 1u);
  locks.ReleaseAll(2);  // the victim rolls back
  EXPECT_TRUE(one.get().ok());
  locks.ReleaseAll(1);
}

TEST(LockManagerTest, DeadlockOfThreeAndOfTwoUpgrades) {
  LockManager locks;
  for (LockManager::TxnId t : {1, 2, 3}) ASSERT_TRUE(locks.Acquire(t, std::string(1, char('a' + t)), LockMode::kExclusive, Wait()).ok());
  auto one = std::async(std::launch::async, [&] { return locks.Acquire(1, "c", LockMode::kExclusive, Wait()); });
  ASSERT_TRUE(StillWaiting(one));
  auto two = std::async(std::launch::async, [&] { return locks.Acquire(2, "d", LockMode::kExclusive, Wait()); });
  ASSERT_TRUE(StillWaiting(two));
  EXPECT_EQ(locks.Acquire(3, "b", LockMode::kShared, Wait()).mysql_errno(), 1213);
  locks.ReleaseAll(3);
  EXPECT_TRUE(two.get().ok());
  locks.ReleaseAll(2);
  EXPECT_TRUE(one.get().ok());
  locks.ReleaseAll(1);

  // Two shared holders that both want to upgrade wait for each other.
  ASSERT_TRUE(locks.Acquire(1, "k", LockMode::kShared, Wait()).ok());
  ASSERT_TRUE(locks.Acquire(2, "k", LockMode::kShared, Wait()).ok());
  auto up = std::async(std::launch::async, [&] { return locks.Acquire(1, "k", LockMode::kExclusive, Wait()); });
  ASSERT_TRUE(StillWaiting(up));
  EXPECT_EQ(locks.Acquire(2, "k", LockMode::kExclusive, Wait()).mysql_errno(), 1213);
  locks.ReleaseAll(2);
  EXPECT_TRUE(up.get().ok());
  locks.ReleaseAll(1);
  EXPECT_EQ(locks.stats().locks_held, 0u);
}

TEST(ReadSetTest, PointsAndMergedRanges) {
  ReadSet r;
  r.AddPoint("p");
  r.AddRange("b", "d");
  r.AddRange("c", "f");  // overlaps: [b, f)
  r.AddRange("f", "g");  // touches:  [b, g)
  r.AddRange("x", "");   // unbounded
  EXPECT_TRUE(r.Contains("p"));
  EXPECT_FALSE(r.Contains("a"));
  EXPECT_TRUE(r.Contains("b"));
  EXPECT_TRUE(r.Contains("e"));
  EXPECT_TRUE(r.Contains("f\xff"));
  EXPECT_FALSE(r.Contains("g"));
  EXPECT_FALSE(r.Contains("q"));
  EXPECT_TRUE(r.Contains("zzz"));
  r.AddRange("a", "z");  // swallows everything before x
  EXPECT_TRUE(r.Contains("q"));
  ReadSet full;
  for (size_t i = 0; i <= ReadSet::kMaxEntries; i++) full.AddPoint("k" + std::to_string(i));
  EXPECT_TRUE(full.overflowed());
  EXPECT_TRUE(full.Contains("never read"));  // past the cap every key counts as read
}

TEST(WriteSetTest, BasesAndRangesRoundTrip) {
  WriteSet ws;
  ws.start_index = 7;
  ws.writes["a"] = "1";
  ws.writes["b"] = std::nullopt;
  ws.bases["a"] = 9;
  ws.unchanged_ranges.push_back({"u1", "u2", 11});
  auto back = WriteSet::Decode(ws.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->bases, ws.bases);
  ASSERT_EQ(back->unchanged_ranges.size(), 1u);
  EXPECT_EQ(back->unchanged_ranges[0].end, "u2");
  EXPECT_EQ(back->unchanged_ranges[0].base, 11u);
  EXPECT_EQ(back->BaseOf("a"), 9u);
  EXPECT_EQ(back->BaseOf("b"), 7u);
  WriteSet plain;  // without bases: the version-1 encoding older nodes wrote
  plain.writes["a"] = "1";
  EXPECT_EQ(plain.Encode()[0], '\x01');
  EXPECT_EQ(ws.Encode()[0], '\x02');
}

class LockingTxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/locktxn_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({})).value();
    storage::lsm::LsmOptions o;
    o.dir = dir_;
    o.scheduler = sched_.get();
    engine_ = std::move(storage::lsm::OpenLsmEngine(o)).value();
    proposer_ = std::make_unique<testing::DirectProposer>(engine_.get());
    txns_ = std::make_unique<TxnManager>(engine_.get(), proposer_.get());
  }
  void TearDown() override {
    txns_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Set(const Bytes& k, const Bytes& v) {
    auto t = txns_->Begin();
    ASSERT_TRUE(t->Put(k, v).ok());
    ASSERT_TRUE(t->Commit().ok());
  }
  std::optional<Bytes> Read(const Bytes& k) { return *txns_->Begin()->Get(k); }
  // Adds `delta` to the number stored under `key` through a locking read.
  Status Increment(Transaction& t, const Bytes& key, int delta) {
    STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> v, t.GetForUpdate(key, LockMode::kExclusive));
    return t.Put(key, std::to_string(std::stoi(v.value_or("0")) + delta));
  }

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<storage::lsm::LsmEngine> engine_;
  std::unique_ptr<testing::DirectProposer> proposer_;
  std::unique_ptr<TxnManager> txns_;
};

TEST_F(LockingTxnTest, AWaiterReadsTheLatestVersionAndCommits) {
  Set("n", "0");
  auto a = txns_->Begin();
  auto b = txns_->Begin();  // b's snapshot sees n = 0
  ASSERT_TRUE(Increment(*a, "n", 1).ok());
  auto waiter = std::async(std::launch::async, [&] {
    Status s = Increment(*b, "n", 10);
    return s.ok() ? b->Commit() : s;
  });
  ASSERT_TRUE(StillWaiting(waiter));
  ASSERT_TRUE(a->Commit().ok());
  Status s = waiter.get();
  EXPECT_TRUE(s.ok()) << s.ToString();  // no 1213: b wrote from a's version
  EXPECT_EQ(Read("n"), "11");
}

TEST_F(LockingTxnTest, ReadThroughTheSnapshotFirstStillConflicts) {
  Set("n", "0");
  auto b = txns_->Begin();
  ASSERT_EQ(*b->Get("n"), "0");  // a snapshot read of the row
  auto a = txns_->Begin();
  ASSERT_TRUE(Increment(*a, "n", 1).ok());
  ASSERT_TRUE(a->Commit().ok());
  ASSERT_TRUE(Increment(*b, "n", 10).ok());
  EXPECT_EQ(b->Commit().mysql_errno(), 1213);  // a lost update stays refused
  EXPECT_EQ(Read("n"), "1");
}

TEST_F(LockingTxnTest, ReadThenLockedReadOfAChangedRowFailsEvenWritingNothing) {
  // The client read n = 0, meant to write 1, and finds 1 there: an UPDATE that changes
  // nothing. The increment it stood for would be lost, so the commit fails.
  Set("n", "0");
  auto b = txns_->Begin();
  ASSERT_EQ(*b->Get("n"), "0");
  Set("n", "1");
  auto v = b->GetForUpdate("n", LockMode::kExclusive);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "1");
  ASSERT_TRUE(b->DependOn("n").ok());  // the UPDATE matched the row and changed nothing
  EXPECT_EQ(b->Commit().mysql_errno(), 1213);
  // Unchanged since the snapshot: the same sequence commits.
  auto c = txns_->Begin();
  ASSERT_EQ(*c->Get("n"), "1");
  ASSERT_TRUE(c->GetForUpdate("n", LockMode::kExclusive).ok());
  ASSERT_TRUE(c->DependOn("n").ok());
  EXPECT_TRUE(c->Commit().ok());
  // A locked row the statement did not act on (filtered out by its WHERE) dooms nothing.
  auto d = txns_->Begin();
  ASSERT_EQ(*d->Get("n"), "1");
  Set("n", "2");
  ASSERT_TRUE(d->GetForUpdate("n", LockMode::kExclusive).ok());
  EXPECT_TRUE(d->Commit().ok());
}

TEST_F(LockingTxnTest, ASnapshotReadAfterALockingReadConflictsFromTheSnapshot) {
  // FOR UPDATE saw the latest value, then the transaction read the row through its
  // snapshot (a multi-table UPDATE does) and wrote from that older value: refused.
  Set("n", "0");
  auto b = txns_->Begin();
  Set("n", "5");
  auto locked = b->GetForUpdate("n", LockMode::kExclusive);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(*locked, "5");
  ASSERT_EQ(*b->Get("n"), "0");
  ASSERT_TRUE(b->Put("n", "-10").ok());
  EXPECT_EQ(b->Commit().mysql_errno(), 1213);
  EXPECT_EQ(Read("n"), "5");
}

TEST_F(LockingTxnTest, AWriterThatBypassesTheLocksMakesTheLockedCommitFail) {
  // The lock orders writers on this node only; a write that did not take it (another
  // leader's) after the locking read still conflicts at apply.
  Set("n", "0");
  auto b = txns_->Begin();
  ASSERT_TRUE(Increment(*b, "n", 10).ok());
  Set("n", "5");  // no lock taken
  EXPECT_EQ(b->Commit().mysql_errno(), 1213);
  EXPECT_EQ(Read("n"), "5");
}

TEST_F(LockingTxnTest, ScanForUpdateRereadsRowsChangedWhileWaiting) {
  Set("r1", "1");
  Set("r2", "2");
  Set("r3", "3");
  auto a = txns_->Begin();
  ASSERT_TRUE(a->GetForUpdate("r2", LockMode::kExclusive).ok());
  ASSERT_TRUE(a->Delete("r2").ok());
  ASSERT_TRUE(a->GetForUpdate("r3", LockMode::kExclusive).ok());
  ASSERT_TRUE(a->Put("r3", "30").ok());
  auto b = txns_->Begin();
  auto scan = std::async(std::launch::async, [&] { return b->ScanForUpdate("r", "s", 10, LockMode::kExclusive); });
  ASSERT_TRUE(StillWaiting(scan));
  ASSERT_TRUE(a->Commit().ok());
  auto rows = scan.get();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 2u);  // r2 is gone
  EXPECT_EQ(rows->rows[1].key, "r3");
  EXPECT_EQ(rows->rows[1].value, "30");
  EXPECT_TRUE(rows->resume.empty());
  ASSERT_TRUE(b->Put("r3", "31").ok());
  EXPECT_TRUE(b->Commit().ok());
}

TEST_F(LockingTxnTest, UnchangedRangeRefusesANewEntry) {
  auto a = txns_->Begin();
  LogIndex at = 0;
  auto hits = a->ScanLatest("u/5/", "u/5/\xff", 2, &at);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  a->RequireRangeUnchanged("u/5/", "u/5/\xff", at);
  ASSERT_TRUE(a->Put("u/5/pk1", "").ok());
  Set("u/5/pk2", "");  // another row claims the value meanwhile
  EXPECT_EQ(a->Commit().mysql_errno(), 1213);
  // An entry outside the range does not matter.
  auto c = txns_->Begin();
  ASSERT_TRUE(c->ScanLatest("u/6/", "u/6/\xff", 2, &at).ok());
  c->RequireRangeUnchanged("u/6/", "u/6/\xff", at);
  ASSERT_TRUE(c->Put("u/6/pk1", "").ok());
  Set("u/7/pk2", "");
  EXPECT_TRUE(c->Commit().ok());
}

TEST_F(LockingTxnTest, ConcurrentLockedIncrementsNeverConflict) {
  Set("n", "0");
  constexpr int kThreads = 4, kEach = 50;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; i++) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; j++) {
        auto t = txns_->Begin();
        Status s = Increment(*t, "n", 1);
        if (s.ok()) s = t->Commit();
        if (!s.ok()) conflicts++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(conflicts.load(), 0);
  EXPECT_EQ(Read("n"), std::to_string(kThreads * kEach));
}

}  // namespace
}  // namespace strata::txn
