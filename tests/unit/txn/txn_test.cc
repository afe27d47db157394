// Snapshot-isolation transactions over the LSM engine, with an in-process proposer that
// applies WriteSets in order (standing in for Raft, which the node wires in).
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "io/io.h"
#include "storage/lsm/engine_impl.h"
#include "txn/transaction.h"
#include "direct_proposer.h"

namespace strata::txn {
namespace {

using DirectProposer = testing::DirectProposer;

class TxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/txn_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    sched_ = std::move(io::Scheduler::Create({})).value();
    storage::lsm::LsmOptions o;
    o.dir = dir_;
    o.scheduler = sched_.get();
    o.memtable_bytes = 256 << 10;
    engine_ = std::move(storage::lsm::OpenLsmEngine(o)).value();
    proposer_ = std::make_unique<DirectProposer>(engine_.get());
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

  std::string dir_;
  std::unique_ptr<io::Scheduler> sched_;
  std::unique_ptr<storage::lsm::LsmEngine> engine_;
  std::unique_ptr<DirectProposer> proposer_;
  std::unique_ptr<TxnManager> txns_;
};

TEST_F(TxnTest, ReadYourOwnWritesAndRollback) {
  Set("a", "1");
  auto t = txns_->Begin();
  ASSERT_TRUE(t->Put("a", "2").ok());
  ASSERT_TRUE(t->Put("b", "new").ok());
  ASSERT_TRUE(t->Delete("a").ok());
  EXPECT_FALSE(t->Get("a")->has_value());
  EXPECT_EQ(**t->Get("b"), "new");
  uint64_t rollbacks = txns_->stats().rollbacks;
  t->Rollback();
  EXPECT_EQ(txns_->stats().rollbacks, rollbacks + 1);
  EXPECT_EQ(*Read("a"), "1");
  EXPECT_FALSE(Read("b").has_value());
}

TEST_F(TxnTest, SnapshotIsolationAndFirstCommitterWins) {
  Set("x", "0");
  auto t1 = txns_->Begin();
  auto t2 = txns_->Begin();
  ASSERT_TRUE(t2->Put("x", "t2").ok());
  ASSERT_TRUE(t2->Commit().ok());
  EXPECT_EQ(**t1->Get("x"), "0");  // t1 still reads its snapshot
  ASSERT_TRUE(t1->Put("x", "t1").ok());
  Status s = t1->Commit();
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(s.mysql_errno(), 1213);
  EXPECT_EQ(s.sqlstate(), "40001");
  EXPECT_EQ(*Read("x"), "t2");  // the loser wrote nothing
  EXPECT_EQ(txns_->stats().conflicts, 1u);
}

TEST_F(TxnTest, DisjointWritesBothCommit) {
  auto t1 = txns_->Begin();
  auto t2 = txns_->Begin();
  ASSERT_TRUE(t1->Put("a", "1").ok());
  ASSERT_TRUE(t2->Put("b", "2").ok());
  EXPECT_TRUE(t1->Commit().ok());
  EXPECT_TRUE(t2->Commit().ok());
  EXPECT_EQ(*Read("a"), "1");
  EXPECT_EQ(*Read("b"), "2");
}

TEST_F(TxnTest, ReadOnlyTransactionsNeverPropose) {
  Set("a", "1");
  LogIndex before = proposer_->AppliedIndex();
  auto t = txns_->Begin();
  EXPECT_EQ(**t->Get("a"), "1");
  EXPECT_TRUE(t->Commit().ok());
  EXPECT_EQ(proposer_->AppliedIndex(), before);
  EXPECT_EQ(txns_->stats().read_only, 1u);
}

TEST_F(TxnTest, ScanMergesSnapshotAndOwnWrites) {
  for (char c = 'a'; c <= 'f'; c++) Set(Bytes(1, c), "v");
  auto t = txns_->Begin();
  ASSERT_TRUE(t->Delete("b").ok());
  ASSERT_TRUE(t->Put("c", "mine").ok());
  ASSERT_TRUE(t->Put("cc", "new").ok());
  auto rows = t->Scan("a", "e", 100);
  ASSERT_TRUE(rows.ok());
  std::vector<Bytes> keys;
  for (const auto& kv : *rows) keys.push_back(kv.key);
  EXPECT_EQ(keys, (std::vector<Bytes>{"a", "c", "cc", "d"}));
  EXPECT_EQ((*rows)[1].value, "mine");
  auto limited = t->Scan("", "", 2);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].key, "c");
}

TEST_F(TxnTest, KeysWithZeroBytesAndPrefixesStayApart) {
  Set(Bytes("k"), "1");
  Set(Bytes("k\0", 2), "2");
  Set(Bytes("k\0\xff", 3), "3");
  Set(Bytes("ka"), "4");
  EXPECT_EQ(*Read("k"), "1");
  EXPECT_EQ(*Read(Bytes("k\0", 2)), "2");
  auto rows = txns_->Begin()->Scan("k", "", 10);
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[1].key, Bytes("k\0", 2));
  EXPECT_EQ((*rows)[2].key, Bytes("k\0\xff", 3));
}

TEST_F(TxnTest, ConcurrentIncrementsWithRetryLoseNoUpdate) {
  Set("counter", "0");
  constexpr int kThreads = 4, kIncrements = 100;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; i++) {
        while (true) {
          auto txn = txns_->Begin();
          int v = std::stoi(**txn->Get("counter"));
          ASSERT_TRUE(txn->Put("counter", std::to_string(v + 1)).ok());
          Status s = txn->Commit();
          if (s.ok()) break;
          ASSERT_EQ(s.mysql_errno(), 1213);
          conflicts++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(*Read("counter"), std::to_string(kThreads * kIncrements));
  EXPECT_EQ(txns_->stats().commits, static_cast<uint64_t>(kThreads * kIncrements + 1));
  RecordProperty("conflicts", conflicts.load());
}

TEST_F(TxnTest, GarbageCollectionKeepsWhatOpenSnapshotsSee) {
  Set("a", "v1");
  auto old_reader = txns_->Begin();
  Set("a", "v2");
  Set("a", "v3");
  auto t = txns_->Begin();
  ASSERT_TRUE(t->Delete("gone").ok());
  ASSERT_TRUE(t->Put("gone", "x").ok());
  ASSERT_TRUE(t->Commit().ok());
  auto d = txns_->Begin();
  ASSERT_TRUE(d->Delete("gone").ok());
  ASSERT_TRUE(d->Commit().ok());
  auto count_versions = [&] {
    auto it = engine_->NewIterator({});
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    return n;
  };
  EXPECT_EQ(count_versions(), 5);  // a@1..3, gone@4 (put), gone@5 (delete)
  auto next = CollectGarbage(*engine_, txns_->GcWatermark(), "", 100);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(**old_reader->Get("a"), "v1");  // its snapshot survives GC
  old_reader->Rollback();
  ASSERT_TRUE(CollectGarbage(*engine_, txns_->GcWatermark(), "", 100).ok());
  EXPECT_EQ(count_versions(), 1);  // only a@3; the deleted key is gone entirely
  EXPECT_EQ(*Read("a"), "v3");
  EXPECT_FALSE(Read("gone").has_value());
}

// A proposer whose commits can be held back: ProposeAndWait then returns "outcome unknown"
// (as RaftProposer does after its timeout) and the WriteSet is applied later by Release().
class DeferringProposer final : public Proposer {
 public:
  explicit DeferringProposer(DirectProposer* direct) : direct_(direct) {}
  Result<ApplyOutcome> ProposeAndWait(Bytes encoded, std::shared_ptr<CommitFate> fate) override {
    if (!defer) return direct_->ProposeAndWait(std::move(encoded), std::move(fate));
    held_.emplace_back(std::move(encoded), std::move(fate));
    return Status::Unavailable("commit interrupted, outcome unknown").WithMysql(1317, "70100");
  }
  LogIndex AppliedIndex() const override { return direct_->AppliedIndex(); }
  // Applies the held WriteSets in order.
  std::vector<ApplyOutcome> Release() {
    std::vector<ApplyOutcome> outcomes;
    for (auto& [encoded, fate] : held_) outcomes.push_back(*direct_->ProposeAndWait(encoded, fate));
    held_.clear();
    return outcomes;
  }
  bool defer = false;

 private:
  DirectProposer* direct_;
  std::vector<std::pair<Bytes, std::shared_ptr<CommitFate>>> held_;
};

// The lost delete the replicated horizon prevents: T1 read "k" and commits an update whose
// outcome is unknown; meanwhile T2 deleted "k". If GC dropped T2's deletion marker before
// T1's entry applied, T1's conflict check would miss it and resurrect the row.
TEST_F(TxnTest, UnknownOutcomeKeepsItsSnapshotPinnedUntilApplied) {
  DeferringProposer deferring(proposer_.get());
  TxnManager txns(engine_.get(), &deferring);
  Set("k", "v0");
  auto t1 = txns.Begin();
  ASSERT_EQ(**t1->Get("k"), "v0");
  LogIndex t1_start = t1->start_index();
  auto t2 = txns.Begin();
  ASSERT_TRUE(t2->Delete("k").ok());
  ASSERT_TRUE(t2->Commit().ok());
  ASSERT_TRUE(t1->Put("k", "v1").ok());
  deferring.defer = true;
  Status s = t1->Commit();
  EXPECT_EQ(s.mysql_errno(), 1317);
  deferring.defer = false;
  // T1 is finished for its session, but its WriteSet may still apply: pinned.
  EXPECT_EQ(txns.GcWatermark(), t1_start);
  ASSERT_TRUE(proposer_->ProposeGcHorizon(txns.GcWatermark()).ok());
  ASSERT_TRUE(CollectGarbage(*engine_, std::min(proposer_->gc_horizon(), txns.GcWatermark()), "", 100).ok());
  EXPECT_EQ(deferring.Release(), std::vector<ApplyOutcome>{ApplyOutcome::kConflict});
  EXPECT_FALSE(Read("k").has_value());  // the delete stands
  EXPECT_EQ(txns.GcWatermark(), proposer_->AppliedIndex());  // settled: the pin is gone
}

// A WriteSet that started below the applied horizon is refused, even without a conflict.
TEST_F(TxnTest, WriteSetBelowTheHorizonIsSnapshotTooOld) {
  Set("a", "1");
  auto old = txns_->Begin();
  Set("b", "2");
  ASSERT_TRUE(proposer_->ProposeGcHorizon(proposer_->AppliedIndex()).ok());  // a leader that ignored `old`
  ASSERT_TRUE(old->Put("c", "3").ok());
  Status s = old->Commit();
  EXPECT_EQ(s.mysql_errno(), 1213);
  EXPECT_EQ(s.sqlstate(), "40001");
  EXPECT_NE(s.message().find("snapshot too old"), std::string_view::npos) << s.ToString();
  EXPECT_FALSE(Read("c").has_value());
}

TEST_F(TxnTest, MaxTxnBytesRefusesTheWriteThatWouldCrossIt) {
  constexpr uint64_t kLimit = 1000;
  TxnManager txns(engine_.get(), proposer_.get(), TxnOptions{.max_txn_bytes = kLimit});
  auto t = txns.Begin();
  Bytes value(100, 'x');
  int accepted = 0;
  Status s;
  for (int i = 0; i < 100 && (s = t->Put("key" + std::to_string(i), value)).ok(); i++) accepted++;
  // 4-5 byte key + 100 byte value + 64 bytes of bookkeeping each: 5 fit, the 6th does not.
  EXPECT_EQ(accepted, 5);
  EXPECT_EQ(s.mysql_errno(), 1197);
  EXPECT_EQ(s.sqlstate(), "HY000");
  EXPECT_NE(s.message().find("max_txn_bytes"), std::string_view::npos) << s.ToString();
  EXPECT_NE(s.message().find("1000"), std::string_view::npos) << s.ToString();
  EXPECT_LE(t->buffered_bytes(), kLimit);
  EXPECT_EQ(t->write_count(), 5u);  // the refused write was not buffered
  // Replacing a value by a smaller one, or deleting, still fits.
  EXPECT_TRUE(t->Put("key0", "small").ok());
  EXPECT_TRUE(t->Put("key5", value).ok());
  EXPECT_FALSE(t->Put("key6", value).ok());
  t->Rollback();
}

// Open transactions together may buffer only what the sessions' memory budget holds: past
// it a write fails with 1041 and is not buffered; finishing a transaction gives its share back.
TEST_F(TxnTest, BufferedWritesAreChargedToTheSessionsMemoryBudget) {
  MemoryBudget budget(3 << 20);
  TxnManager txns(engine_.get(), proposer_.get(), TxnOptions{.max_txn_bytes = 0, .memory = &budget});
  Bytes value(512 << 10, 'v');
  auto a = txns.Begin();
  auto b = txns.Begin();
  for (int i = 0; i < 3; i++) ASSERT_TRUE(a->Put("a" + std::to_string(i), value).ok());  // 1.5 MiB: 2 MiB reserved
  EXPECT_EQ(budget.used(), 2u << 20);
  ASSERT_TRUE(b->Put("b0", value).ok());  // 1 MiB more
  Status s = b->Put("b1", Bytes(1 << 20, 'w'));
  EXPECT_EQ(s.mysql_errno(), 1041) << s.ToString();
  EXPECT_EQ(s.sqlstate(), "HY000");
  EXPECT_EQ(b->write_count(), 1u);
  ASSERT_TRUE(a->Commit().ok());
  EXPECT_EQ(budget.used(), 1u << 20);
  EXPECT_TRUE(b->Put("b1", Bytes(1 << 20, 'w')).ok());
  b->Rollback();
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(*Read("a2"), value);
}

TEST_F(TxnTest, StatementRollbackRestoresWritesAndByteCount) {
  auto t = txns_->Begin();
  ASSERT_TRUE(t->Put("a", "1").ok());
  ASSERT_TRUE(t->Delete("b").ok());
  uint64_t bytes = t->buffered_bytes();
  t->BeginStatement();
  ASSERT_TRUE(t->Put("a", "changed").ok());
  ASSERT_TRUE(t->Put("b", "now live").ok());
  ASSERT_TRUE(t->Put("c", "new").ok());
  ASSERT_TRUE(t->Put("c", "newer").ok());
  ASSERT_TRUE(t->Delete("a").ok());
  t->RollbackStatement();
  EXPECT_EQ(t->buffered_bytes(), bytes);
  EXPECT_EQ(t->write_count(), 2u);
  EXPECT_EQ(**t->Get("a"), "1");
  EXPECT_FALSE(t->Get("b")->has_value());
  EXPECT_FALSE(t->Get("c")->has_value());
  t->BeginStatement();
  ASSERT_TRUE(t->Put("c", "kept").ok());
  t->EndStatement();
  ASSERT_TRUE(t->Commit().ok());
  EXPECT_EQ(*Read("a"), "1");
  EXPECT_EQ(*Read("c"), "kept");
}

// Savepoints nest: rolling back to one restores every key to its state when that savepoint
// was set (keys first written after a later savepoint included), keeps it, drops later ones;
// a statement that fails after a rollback-to still undoes only its own writes.
TEST_F(TxnTest, SavepointsNestAndRollBackToTheirState) {
  auto t = txns_->Begin();
  ASSERT_TRUE(t->Put("a", "0").ok());
  uint64_t bytes_at_sp0 = t->buffered_bytes();
  t->SetSavepoint();  // 0
  ASSERT_TRUE(t->Put("a", "1").ok());
  ASSERT_TRUE(t->Put("b", "1").ok());
  t->SetSavepoint();  // 1
  ASSERT_TRUE(t->Put("c", "2").ok());
  ASSERT_TRUE(t->Delete("a").ok());
  t->RollbackToSavepoint(1);
  EXPECT_EQ(t->savepoint_count(), 2u);
  EXPECT_EQ(**t->Get("a"), "1");
  EXPECT_FALSE(t->Get("c")->has_value());
  t->RollbackToSavepoint(0);  // b and a's second value go; c was never seen by savepoint 0's state
  EXPECT_EQ(t->savepoint_count(), 1u);
  EXPECT_EQ(**t->Get("a"), "0");
  EXPECT_FALSE(t->Get("b")->has_value());
  EXPECT_EQ(t->buffered_bytes(), bytes_at_sp0);
  // A statement after the rollback that fails undoes itself only.
  ASSERT_TRUE(t->Put("d", "kept").ok());
  t->BeginStatement();
  ASSERT_TRUE(t->Put("a", "stmt").ok());
  t->RollbackStatement();
  EXPECT_EQ(**t->Get("a"), "0");
  t->ReleaseSavepoint(0);
  EXPECT_EQ(t->savepoint_count(), 0u);
  ASSERT_TRUE(t->Commit().ok());
  EXPECT_EQ(*Read("a"), "0");
  EXPECT_EQ(*Read("d"), "kept");
  EXPECT_FALSE(Read("b").has_value());
}

RC_GTEST_PROP(MvccKeyProp, VersionedKeysOrderByKeyThenNewestFirst,
              (std::string a, std::string b, uint64_t va, uint64_t vb)) {
  Bytes ea = EncodeVersionedKey(a, va), eb = EncodeVersionedKey(b, vb);
  if (a != b) {
    RC_ASSERT((a < b) == (ea < eb));
  } else {
    RC_ASSERT((va > vb) == (ea < eb));
  }
  Bytes key;
  LogIndex v = 0;
  RC_ASSERT(DecodeVersionedKey(ea, &key, &v).ok());
  RC_ASSERT(key == a);
  RC_ASSERT(v == va);
}

// A key a transaction required unchanged (it read it and depends on it: a table's catalog
// entry) fails its commit once another transaction wrote it after the snapshot, like a
// write-write conflict; it is never written itself, and a transaction that writes nothing
// ignores it.
TEST_F(TxnTest, RequiredUnchangedKeyConflictsWhenWrittenMeanwhile) {
  Set("schema", "v1");
  auto writer = txns_->Begin();
  writer->RequireUnchanged("schema");
  ASSERT_TRUE(writer->Put("row", "x").ok());
  auto reader = txns_->Begin();
  reader->RequireUnchanged("schema");
  Set("schema", "v2");
  Status s = writer->Commit();
  EXPECT_EQ(s.mysql_errno(), 1213u) << s.ToString();
  EXPECT_FALSE(Read("row").has_value());
  EXPECT_TRUE(reader->Commit().ok());  // wrote nothing: nothing to refuse
  auto later = txns_->Begin();
  later->RequireUnchanged("schema");
  ASSERT_TRUE(later->Put("row", "y").ok());
  ASSERT_TRUE(later->Commit().ok());
  EXPECT_EQ(Read("row"), "y");
  EXPECT_EQ(Read("schema"), "v2");  // required, never written by them
}

TEST(WriteSetTest, RoundTripAndMalformed) {
  WriteSet ws;
  ws.start_index = 42;
  ws.writes["a"] = Bytes("1");
  ws.writes["b"] = std::nullopt;
  ws.unchanged = {"c", "d"};
  auto back = WriteSet::Decode(ws.Encode());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->start_index, 42u);
  EXPECT_EQ(back->writes, ws.writes);
  EXPECT_EQ(back->unchanged, ws.unchanged);
  Bytes bad = ws.Encode();
  bad.pop_back();
  EXPECT_FALSE(WriteSet::Decode(bad).ok());
  EXPECT_FALSE(WriteSet::Decode("").ok());
}

}  // namespace
}  // namespace strata::txn

namespace strata::txn {
namespace {

// ScanAt steps over versions with Next() and falls back to Seek after a few: against a
// model of every committed version, a scan at any snapshot returns exactly the keys and
// values ReadAt sees, for keys with 0..30 versions (deletions included).
TEST_F(TxnTest, ScanAtMatchesPointReadsAtEverySnapshot) {
  std::mt19937_64 rng(7);
  std::vector<LogIndex> snapshots;
  for (int commit = 0; commit < 300; commit++) {
    auto t = txns_->Begin();
    int writes = 1 + static_cast<int>(rng() % 3);
    for (int w = 0; w < writes; w++) {
      // Skewed: low keys get many versions, high keys few.
      Bytes key = "k" + std::to_string(std::min(rng() % 40, rng() % 40));
      Status s = rng() % 5 == 0 ? t->Delete(key) : t->Put(key, "v" + std::to_string(commit));
      ASSERT_TRUE(s.ok());
    }
    ASSERT_TRUE(t->Commit().ok());
    if (commit % 10 == 0) snapshots.push_back(proposer_->AppliedIndex());
  }
  snapshots.push_back(proposer_->AppliedIndex());
  for (LogIndex snap : snapshots) {
    auto scanned = ScanAt(*engine_, "", "", snap, 1000);
    ASSERT_TRUE(scanned.ok());
    std::map<Bytes, Bytes> expected;
    for (int k = 0; k < 40; k++) {
      Bytes key = "k" + std::to_string(k);
      auto v = ReadAt(*engine_, key, snap);
      ASSERT_TRUE(v.ok());
      if (*v) expected[key] = **v;
    }
    std::map<Bytes, Bytes> got;
    for (auto& kv : *scanned) got[kv.key] = kv.value;
    EXPECT_EQ(got, expected) << "snapshot " << snap;
    EXPECT_EQ(scanned->size(), got.size()) << "a key was returned twice";
  }
}

}  // namespace
}  // namespace strata::txn
