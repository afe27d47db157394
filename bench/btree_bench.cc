// db_bench-style comparison of StrataDB's B+tree engine with LMDB and SQLite (and StrataDB's
// own LSM, for the LSM vs B+tree trade-off table in docs/performance.md), run side by side
// in one process, one thread, 16-byte keys.
//
// Matching settings: writes go in transactions (WriteBatches) of --batch operations; no
// engine syncs per transaction, each syncs once at the end of a fill (B+tree: Flush, a
// checkpoint; LMDB: MDB_NOSYNC then mdb_env_sync; SQLite: WAL with synchronous=NORMAL, then
// a checkpoint; LSM: Flush) and that final sync is inside the fill's time. Caches: the
// B+tree's buffer pool and SQLite's page cache get --cache_mb; LMDB reads through mmap, so
// the kernel's page cache is its cache. Reads see the latest state: a read transaction per
// Get for LMDB (reset/renew) and SQLite (autocommit SELECT); the B+tree takes its shared
// lock per Get.
//
// Besides ops/s it prints, per engine: read latency p50/p99 of readrandom, write
// amplification (bytes the process wrote to storage, /proc/self/io, over the key+value
// bytes written by fillrandom + overwrite) and space amplification (bytes on disk after
// overwrite over the live key+value bytes).
//
//   btree_bench [--num=1000000] [--value_size=100] [--reads=200000] [--batch=100]
//               [--engines=btree,lmdb,sqlite,lsm] [--cache_mb=256] [--dir=/tmp]
//               [--benchmarks=fillrandom,overwrite,readrandom,readseq,seekrandom]
#include <lmdb.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/io.h"
#include "obs/log.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/engine_impl.h"

namespace {

size_t g_cache_bytes = 256 << 20;

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "btree_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

// The surface each engine offers the benchmarks.
class Db {
 public:
  virtual ~Db() = default;
  virtual void PutBatch(const std::vector<std::pair<std::string, std::string>>& kvs) = 0;
  virtual bool Get(const std::string& k, std::string* v) = 0;
  virtual uint64_t ScanAll() = 0;
  virtual uint64_t SeekAndNext(const std::string& k, int nexts) = 0;
  virtual void Sync() = 0;  // make everything durable
};

class StrataDb final : public Db {
 public:
  StrataDb(const std::string& dir, bool btree) {
    sched_ = std::move(strata::io::Scheduler::Create({})).value();
    if (btree) {
      auto e = strata::storage::btree::OpenBtreeEngine(
          {.dir = dir, .scheduler = sched_.get(), .memory_budget = g_cache_bytes});
      Check(e.ok(), e.status().ToString());
      engine_ = std::move(e).value();
    } else {
      strata::storage::lsm::LsmOptions o;
      o.dir = dir;
      o.scheduler = sched_.get();
      o.memory_budget = g_cache_bytes + (64 << 20);  // the active memtable is reserved
      auto e = strata::storage::lsm::OpenLsmEngine(o);
      Check(e.ok(), e.status().ToString());
      engine_ = std::move(e).value();
    }
  }
  void PutBatch(const std::vector<std::pair<std::string, std::string>>& kvs) override {
    strata::storage::WriteBatch b;
    for (const auto& [k, v] : kvs) b.Put(k, v);
    b.SetAppliedIndex(++index_);
    Check(engine_->Write(b).ok(), "strata write");
  }
  bool Get(const std::string& k, std::string* v) override {
    auto r = engine_->Get({}, k);
    Check(r.ok(), "strata get: " + r.status().ToString());
    if (!r->has_value()) return false;
    *v = std::move(**r);
    return true;
  }
  uint64_t ScanAll() override {
    auto it = engine_->NewIterator({});
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n += it->value().size() > 0;
    return n;
  }
  uint64_t SeekAndNext(const std::string& k, int nexts) override {
    auto it = engine_->NewIterator({});
    uint64_t n = 0;
    for (it->Seek(k); it->Valid() && n < static_cast<uint64_t>(nexts); it->Next()) n++;
    return n;
  }
  void Sync() override { Check(engine_->Flush().ok(), "strata flush"); }

 private:
  std::unique_ptr<strata::io::Scheduler> sched_;
  std::unique_ptr<strata::storage::Engine> engine_;
  uint64_t index_ = 0;
};

class LmdbDb final : public Db {
 public:
  explicit LmdbDb(const std::string& dir) {
    Check(mdb_env_create(&env_) == 0, "mdb_env_create");
    Check(mdb_env_set_mapsize(env_, size_t{32} << 30) == 0, "mdb_env_set_mapsize");
    Check(mdb_env_open(env_, dir.c_str(), MDB_NOSYNC | MDB_NOMETASYNC, 0644) == 0, "mdb_env_open");
    MDB_txn* txn;
    Check(mdb_txn_begin(env_, nullptr, 0, &txn) == 0, "mdb_txn_begin");
    Check(mdb_dbi_open(txn, nullptr, 0, &dbi_) == 0, "mdb_dbi_open");
    Check(mdb_txn_commit(txn) == 0, "mdb_txn_commit");
  }
  ~LmdbDb() override {
    if (read_txn_) mdb_txn_abort(read_txn_);
    mdb_env_close(env_);
  }
  void PutBatch(const std::vector<std::pair<std::string, std::string>>& kvs) override {
    MDB_txn* txn;
    Check(mdb_txn_begin(env_, nullptr, 0, &txn) == 0, "mdb_txn_begin");
    for (const auto& [k, v] : kvs) {
      MDB_val key{k.size(), const_cast<char*>(k.data())}, val{v.size(), const_cast<char*>(v.data())};
      Check(mdb_put(txn, dbi_, &key, &val, 0) == 0, "mdb_put");
    }
    Check(mdb_txn_commit(txn) == 0, "mdb_txn_commit");
  }
  bool Get(const std::string& k, std::string* v) override {
    MDB_txn* txn = ReadTxn();
    MDB_val key{k.size(), const_cast<char*>(k.data())}, val;
    int rc = mdb_get(txn, dbi_, &key, &val);
    if (rc == 0) v->assign(static_cast<char*>(val.mv_data), val.mv_size);
    mdb_txn_reset(txn);
    return rc == 0;
  }
  uint64_t ScanAll() override { return Scan(nullptr, UINT64_MAX); }
  uint64_t SeekAndNext(const std::string& k, int nexts) override { return Scan(&k, nexts); }
  void Sync() override { Check(mdb_env_sync(env_, 1) == 0, "mdb_env_sync"); }

 private:
  // One read transaction, reset after each use and renewed before the next: the cheap way
  // to read the latest state.
  MDB_txn* ReadTxn() {
    if (!read_txn_) {
      Check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &read_txn_) == 0, "mdb_txn_begin ro");
    } else {
      Check(mdb_txn_renew(read_txn_) == 0, "mdb_txn_renew");
    }
    return read_txn_;
  }
  uint64_t Scan(const std::string* from, uint64_t limit) {
    MDB_txn* txn = ReadTxn();
    MDB_cursor* c;
    Check(mdb_cursor_open(txn, dbi_, &c) == 0, "mdb_cursor_open");
    MDB_val key, val;
    if (from) key = MDB_val{from->size(), const_cast<char*>(from->data())};
    uint64_t n = 0;
    int rc = mdb_cursor_get(c, &key, &val, from ? MDB_SET_RANGE : MDB_FIRST);
    for (; rc == 0 && n < limit; rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) n += val.mv_size > 0;
    mdb_cursor_close(c);
    mdb_txn_reset(txn);
    return n;
  }
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  MDB_txn* read_txn_ = nullptr;
};

class SqliteDb final : public Db {
 public:
  explicit SqliteDb(const std::string& dir) {
    Check(sqlite3_open((dir + "/kv.db").c_str(), &db_) == SQLITE_OK, "sqlite3_open");
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=NORMAL");
    Exec(fmt::format("PRAGMA cache_size=-{}", g_cache_bytes >> 10));
    Exec("CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID");
    put_ = Prepare("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)");
    get_ = Prepare("SELECT v FROM kv WHERE k = ?");
    scan_ = Prepare("SELECT k, v FROM kv ORDER BY k");
    seek_ = Prepare("SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?");
  }
  ~SqliteDb() override {
    for (sqlite3_stmt* s : {put_, get_, scan_, seek_}) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  void PutBatch(const std::vector<std::pair<std::string, std::string>>& kvs) override {
    Exec("BEGIN");
    for (const auto& [k, v] : kvs) {
      sqlite3_bind_blob(put_, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
      sqlite3_bind_blob(put_, 2, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
      Check(sqlite3_step(put_) == SQLITE_DONE, "sqlite insert");
      sqlite3_reset(put_);
    }
    Exec("COMMIT");
  }
  bool Get(const std::string& k, std::string* v) override {
    sqlite3_bind_blob(get_, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
    bool found = sqlite3_step(get_) == SQLITE_ROW;
    if (found) v->assign(static_cast<const char*>(sqlite3_column_blob(get_, 0)), sqlite3_column_bytes(get_, 0));
    sqlite3_reset(get_);
    return found;
  }
  uint64_t ScanAll() override {
    uint64_t n = 0;
    while (sqlite3_step(scan_) == SQLITE_ROW) n += sqlite3_column_bytes(scan_, 1) > 0;
    sqlite3_reset(scan_);
    return n;
  }
  uint64_t SeekAndNext(const std::string& k, int nexts) override {
    sqlite3_bind_blob(seek_, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
    sqlite3_bind_int(seek_, 2, nexts);
    uint64_t n = 0;
    while (sqlite3_step(seek_) == SQLITE_ROW) n++;
    sqlite3_reset(seek_);
    return n;
  }
  void Sync() override { Exec("PRAGMA wal_checkpoint(TRUNCATE)"); }

 private:
  void Exec(const std::string& sql) {
    char* err = nullptr;
    Check(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK, sql + ": " + (err ? err : ""));
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    Check(sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) == SQLITE_OK, sql);
    return s;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt *put_ = nullptr, *get_ = nullptr, *scan_ = nullptr, *seek_ = nullptr;
};

std::unique_ptr<Db> Make(const std::string& engine, const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  if (engine == "btree") return std::make_unique<StrataDb>(dir, true);
  if (engine == "lsm") return std::make_unique<StrataDb>(dir, false);
  if (engine == "lmdb") return std::make_unique<LmdbDb>(dir);
  if (engine == "sqlite") return std::make_unique<SqliteDb>(dir);
  Check(false, "unknown engine " + engine);
  return nullptr;
}

// Bytes this process caused to be written to storage so far (Linux /proc/self/io).
uint64_t ProcessWriteBytes() {
  std::ifstream in("/proc/self/io");
  std::string name;
  uint64_t value = 0;
  while (in >> name >> value) {
    if (name == "write_bytes:") return value;
  }
  return 0;
}

uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st;
    if (f.is_regular_file() && ::stat(f.path().c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

struct Config {
  uint64_t num = 1000000;
  size_t value_size = 100;
  uint64_t reads = 200000;
  size_t batch = 100;
  std::vector<std::string> engines = {"btree", "lmdb", "sqlite", "lsm"};
  std::vector<std::string> benchmarks = {"fillrandom", "overwrite", "readrandom", "readseq", "seekrandom"};
  std::string dir = "/tmp";
};

struct EngineResult {
  std::map<std::string, double> ops_per_sec;
  double p50_us = 0, p99_us = 0, write_amp = 0, space_amp = 0;
};

std::string Key(uint64_t i) { return fmt::format("{:016}", i); }

EngineResult RunEngine(const Config& c, const std::string& engine) {
  EngineResult result;
  std::string dir = c.dir + "/btree_bench_" + engine;
  std::unique_ptr<Db> db;
  std::mt19937_64 rng(42);
  // Values are slices of 1 MiB of random bytes (as db_bench's), so compression gains nothing.
  std::string random_bytes(1 << 20, '\0');
  for (auto& ch : random_bytes) ch = static_cast<char>(rng());
  uint64_t write_start = 0, user_bytes = 0, live = 0;
  std::vector<bool> seen;
  for (const auto& bench : c.benchmarks) {
    if (!db || bench == "fillrandom") {
      db.reset();
      db = Make(engine, dir);
      write_start = ProcessWriteBytes();
      user_bytes = 0;
      live = 0;
      seen.assign(c.num, false);
    }
    auto start = std::chrono::steady_clock::now();
    uint64_t ops = 0, found = 0;
    if (bench == "fillrandom" || bench == "overwrite") {
      std::vector<std::pair<std::string, std::string>> kvs;
      for (uint64_t i = 0; i < c.num; i++) {
        uint64_t k = rng() % c.num;
        live += !seen[k];
        seen[k] = true;
        kvs.emplace_back(Key(k), random_bytes.substr(rng() % (random_bytes.size() - c.value_size), c.value_size));
        if (kvs.size() == c.batch || i + 1 == c.num) {
          db->PutBatch(kvs);
          kvs.clear();
        }
      }
      db->Sync();
      ops = c.num;
      user_bytes += c.num * (16 + c.value_size);
      result.write_amp = static_cast<double>(ProcessWriteBytes() - write_start) / user_bytes;
      result.space_amp = static_cast<double>(DiskBytes(dir)) / static_cast<double>(live * (16 + c.value_size));
    } else if (bench == "readrandom") {
      std::string v;
      std::vector<double> micros;
      micros.reserve(c.reads);
      for (uint64_t i = 0; i < c.reads; i++) {
        auto t = std::chrono::steady_clock::now();
        found += db->Get(Key(rng() % c.num), &v);
        micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count());
      }
      std::sort(micros.begin(), micros.end());
      result.p50_us = micros[micros.size() / 2];
      result.p99_us = micros[micros.size() * 99 / 100];
      ops = c.reads;
    } else if (bench == "readseq") {
      ops = found = db->ScanAll();
    } else if (bench == "seekrandom") {
      for (uint64_t i = 0; i < c.reads; i++) found += db->SeekAndNext(Key(rng() % c.num), 10) > 0;
      ops = c.reads;
    } else {
      Check(false, "unknown benchmark " + bench);
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.ops_per_sec[bench] = ops / secs;
    std::fprintf(stderr, "  %-7s %-10s %12.0f ops/s  (%lu found)\n", engine.c_str(), bench.c_str(), ops / secs, found);
  }
  db.reset();
  std::filesystem::remove_all(dir);
  return result;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) out.push_back(part);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  strata::obs::InitLogging(strata::obs::LogFormat::kText, strata::obs::LogLevel::kWarn);
  Config c;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = a.substr(a.find('=') + 1);
    if (a.rfind("--num=", 0) == 0) c.num = std::stoull(val);
    else if (a.rfind("--value_size=", 0) == 0) c.value_size = std::stoull(val);
    else if (a.rfind("--reads=", 0) == 0) c.reads = std::stoull(val);
    else if (a.rfind("--batch=", 0) == 0) c.batch = std::stoull(val);
    else if (a.rfind("--engines=", 0) == 0) c.engines = Split(val);
    else if (a.rfind("--benchmarks=", 0) == 0) c.benchmarks = Split(val);
    else if (a.rfind("--dir=", 0) == 0) c.dir = val;
    else if (a.rfind("--cache_mb=", 0) == 0) g_cache_bytes = std::stoull(val) << 20;
    else Check(false, "unknown flag " + a);
  }
  std::map<std::string, EngineResult> results;
  for (const auto& e : c.engines) results[e] = RunEngine(c, e);
  const std::string& base = c.engines.front();
  std::printf("\nnum=%lu value_size=%zu reads=%lu batch=%zu\n\n| benchmark |", c.num, c.value_size, c.reads, c.batch);
  for (const auto& e : c.engines) std::printf(" %s ops/s |", e.c_str());
  for (const auto& e : c.engines) if (e != base) std::printf(" %s/%s |", base.c_str(), e.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < c.engines.size() * 2 - 1; i++) std::printf("---|");
  std::printf("\n");
  for (const auto& b : c.benchmarks) {
    std::printf("| %s |", b.c_str());
    for (const auto& e : c.engines) std::printf(" %.0f |", results[e].ops_per_sec[b]);
    for (const auto& e : c.engines) {
      if (e != base) std::printf(" %.2f |", results[base].ops_per_sec[b] / results[e].ops_per_sec[b]);
    }
    std::printf("\n");
  }
  std::printf("\n| engine | write amp | space amp | readrandom p50 us | readrandom p99 us |\n|---|---|---|---|---|\n");
  for (const auto& e : c.engines) {
    const EngineResult& r = results[e];
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", e.c_str(), r.write_amp, r.space_amp, r.p50_us, r.p99_us);
  }
  return 0;
}
