// db_bench-style comparison of StrataDB's LSM engine with RocksDB and LevelDB, run side by
// side in one process with matching settings: no WAL for RocksDB (DESIGN D1: our engine has
// none), LevelDB's log unsynced (LevelDB cannot turn its log off), the same block cache
// size, 10 bloom bits per key, 64 MiB write buffers, one thread. `rocksdb_direct` is RocksDB
// with direct I/O like StrataDB: the buffered peers also read from the kernel page cache,
// which is an extra cache as large as free memory. `strata_buffered` is StrataDB with
// `use_direct_io = false` (page-cache reads, like RocksDB's default); the ratio columns
// compare the first engine listed with each of the others.
//
//   lsm_bench [--num=1000000] [--value_size=100] [--reads=200000]
//             [--engines=strata,rocksdb,leveldb]  (also: rocksdb_direct, strata_buffered)
//             [--benchmarks=fillseq,fillrandom,overwrite,readrandom,readseq,seekrandom] [--dir=/tmp]
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/io.h"
#include "obs/log.h"
#include "storage/lsm/engine_impl.h"

namespace {

size_t kCacheBytes = 256 << 20;  // --cache_mb
size_t kStrataBlockSize = 0;      // --strata_block_size (0: the engine's default)
bool g_stats = false;             // --stats: print the engine's shape after each benchmark
constexpr size_t kWriteBuffer = 64 << 20;

struct Config {
  uint64_t num = 1000000;
  size_t value_size = 100;
  uint64_t reads = 200000;
  std::vector<std::string> engines = {"strata", "rocksdb", "leveldb"};
  std::vector<std::string> benchmarks = {"fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "seekrandom"};
  std::string dir = "/tmp";
};

// The minimal surface each engine provides to the benchmarks.
class Db {
 public:
  virtual ~Db() = default;
  virtual void Put(const std::string& k, const std::string& v) = 0;
  virtual bool Get(const std::string& k, std::string* v) = 0;
  virtual uint64_t ScanAll() = 0;
  virtual uint64_t SeekAndNext(const std::string& k, int nexts) = 0;
  virtual void WaitForBackground() {}
  virtual std::string Shape() { return ""; }  // files per level etc., for --stats
};

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "lsm_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

class StrataDb final : public Db {
 public:
  // `direct`: O_DIRECT SST I/O (the default); false reads through the page cache.
  StrataDb(const std::string& dir, bool direct) {
    sched_ = std::move(strata::io::Scheduler::Create({})).value();
    strata::storage::lsm::LsmOptions o;
    o.dir = dir;
    o.scheduler = sched_.get();
    o.memtable_bytes = kWriteBuffer;
    o.memory_budget = kCacheBytes + kWriteBuffer;  // the active memtable is reserved
    o.use_direct_io = direct;
    if (kStrataBlockSize) o.table.block_size = kStrataBlockSize;
    auto e = strata::storage::lsm::OpenLsmEngine(o);
    Check(e.ok(), e.status().ToString());
    engine_ = std::move(e).value();
  }
  void Put(const std::string& k, const std::string& v) override {
    strata::storage::WriteBatch b;
    b.Put(k, v);
    Check(engine_->Write(b).ok(), "strata write");
  }
  bool Get(const std::string& k, std::string* v) override {
    auto r = engine_->Get({}, k);
    Check(r.ok(), "strata get");
    if (!r->has_value()) return false;
    *v = std::move(**r);
    return true;
  }
  uint64_t ScanAll() override {
    auto it = engine_->NewIterator({});
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    return n;
  }
  std::string Shape() override {
    std::string out;
    for (const auto& p : engine_->Properties()) {
      if (p.name.rfind("level_files", 0) == 0 && p.value > 0) out += fmt::format(" {}={}", p.name.substr(12), p.value);
      if (p.name == "block_cache_hits" || p.name == "block_cache_misses" || p.name == "immutable_memtables") {
        out += fmt::format(" {}={}", p.name, p.value);
      }
    }
    return out;
  }
  uint64_t SeekAndNext(const std::string& k, int nexts) override {
    auto it = engine_->NewIterator({});
    uint64_t n = 0;
    for (it->Seek(k); it->Valid() && n < static_cast<uint64_t>(nexts); it->Next()) n++;
    return n;
  }

 private:
  std::unique_ptr<strata::io::Scheduler> sched_;
  std::unique_ptr<strata::storage::lsm::LsmEngine> engine_;
};

class RocksDb final : public Db {
 public:
  // `direct`: O_DIRECT reads, flushes and compactions, as StrataDB does, so neither engine
  // gets a free second cache from the kernel's page cache.
  RocksDb(const std::string& dir, bool direct) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.use_direct_reads = direct;
    o.use_direct_io_for_flush_and_compaction = direct;
    o.write_buffer_size = kWriteBuffer;
    o.compression = rocksdb::kLZ4Compression;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = rocksdb::NewLRUCache(kCacheBytes);
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    rocksdb::DB* db;
    rocksdb::Status s = rocksdb::DB::Open(o, dir, &db);
    Check(s.ok(), "rocksdb open: " + s.ToString());
    db_.reset(db);
    wo_.disableWAL = true;
  }
  void Put(const std::string& k, const std::string& v) override { Check(db_->Put(wo_, k, v).ok(), "rocksdb put"); }
  std::string Shape() override {
    std::string out;
    for (int l = 0; l < 7; l++) {
      std::string n;
      if (db_->GetProperty("rocksdb.num-files-at-level" + std::to_string(l), &n) && n != "0") {
        out += fmt::format(" level=\"{}\"}}={}", l, n);
      }
    }
    return out;
  }
  bool Get(const std::string& k, std::string* v) override { return db_->Get({}, k, v).ok(); }
  uint64_t ScanAll() override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    return n;
  }
  uint64_t SeekAndNext(const std::string& k, int nexts) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
    uint64_t n = 0;
    for (it->Seek(k); it->Valid() && n < static_cast<uint64_t>(nexts); it->Next()) n++;
    return n;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions wo_;
};

class LevelDb final : public Db {
 public:
  explicit LevelDb(const std::string& dir) {
    leveldb::Options o;
    o.create_if_missing = true;
    o.write_buffer_size = kWriteBuffer;
    cache_.reset(leveldb::NewLRUCache(kCacheBytes));
    filter_.reset(leveldb::NewBloomFilterPolicy(10));
    o.block_cache = cache_.get();
    o.filter_policy = filter_.get();
    leveldb::DB* db;
    leveldb::Status s = leveldb::DB::Open(o, dir, &db);
    Check(s.ok(), "leveldb open: " + s.ToString());
    db_.reset(db);
  }
  ~LevelDb() override { db_.reset(); }
  void Put(const std::string& k, const std::string& v) override { Check(db_->Put({}, k, v).ok(), "leveldb put"); }
  bool Get(const std::string& k, std::string* v) override { return db_->Get({}, k, v).ok(); }
  uint64_t ScanAll() override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator({}));
    uint64_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
    return n;
  }
  uint64_t SeekAndNext(const std::string& k, int nexts) override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator({}));
    uint64_t n = 0;
    for (it->Seek(k); it->Valid() && n < static_cast<uint64_t>(nexts); it->Next()) n++;
    return n;
  }

 private:
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
};

std::string Key(uint64_t i) { return fmt::format("{:016}", i); }

std::unique_ptr<Db> Make(const std::string& engine, const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  if (engine == "strata") return std::make_unique<StrataDb>(dir, true);
  if (engine == "strata_buffered") return std::make_unique<StrataDb>(dir, false);
  if (engine == "rocksdb") return std::make_unique<RocksDb>(dir, false);
  if (engine == "rocksdb_direct") return std::make_unique<RocksDb>(dir, true);
  if (engine == "leveldb") return std::make_unique<LevelDb>(dir);
  Check(false, "unknown engine " + engine);
  return nullptr;
}

// Runs the benchmark list on one engine; returns ops/s per benchmark.
std::map<std::string, double> RunEngine(const Config& c, const std::string& engine) {
  std::map<std::string, double> result;
  std::string dir = c.dir + "/lsm_bench_" + engine;
  std::unique_ptr<Db> db;
  std::mt19937_64 rng(42);
  std::string value(c.value_size, 'v');
  for (size_t i = 0; i < value.size(); i++) value[i] = static_cast<char>('a' + (i * 7) % 26);
  for (const auto& bench : c.benchmarks) {
    if (!db || bench == "fillseq" || bench == "fillrandom") {
      db.reset();  // close before the directory is wiped
      db = Make(engine, dir);
    }
    auto start = std::chrono::steady_clock::now();
    uint64_t ops = 0, found = 0;
    if (bench == "fillseq") {
      for (uint64_t i = 0; i < c.num; i++) db->Put(Key(i), value);
      ops = c.num;
    } else if (bench == "fillrandom" || bench == "overwrite") {
      for (uint64_t i = 0; i < c.num; i++) db->Put(Key(rng() % c.num), value);
      ops = c.num;
    } else if (bench == "readrandom") {
      std::string v;
      for (uint64_t i = 0; i < c.reads; i++) found += db->Get(Key(rng() % c.num), &v);
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
    result[bench] = ops / secs;
    std::fprintf(stderr, "  %-8s %-10s %12.0f ops/s  (%lu found)%s\n", engine.c_str(), bench.c_str(), ops / secs, found,
                 g_stats ? db->Shape().c_str() : "");
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
    else if (a.rfind("--engines=", 0) == 0) c.engines = Split(val);
    else if (a.rfind("--benchmarks=", 0) == 0) c.benchmarks = Split(val);
    else if (a.rfind("--dir=", 0) == 0) c.dir = val;
    else if (a.rfind("--cache_mb=", 0) == 0) kCacheBytes = std::stoull(val) << 20;
    else if (a == "--stats") g_stats = true;
    else if (a.rfind("--strata_block_size=", 0) == 0) kStrataBlockSize = std::stoull(val);
    else Check(false, "unknown flag " + a);
  }
  std::map<std::string, std::map<std::string, double>> results;
  for (const auto& e : c.engines) results[e] = RunEngine(c, e);
  std::printf("\nnum=%lu value_size=%zu reads=%lu\n\n| benchmark |", c.num, c.value_size, c.reads);
  for (const auto& e : c.engines) std::printf(" %s ops/s |", e.c_str());
  const std::string& base = c.engines.front();
  for (const auto& e : c.engines) if (e != base) std::printf(" %s/%s |", base.c_str(), e.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < c.engines.size() * 2 - 1; i++) std::printf("---|");
  std::printf("\n");
  for (const auto& b : c.benchmarks) {
    std::printf("| %s |", b.c_str());
    for (const auto& e : c.engines) std::printf(" %.0f |", results[e][b]);
    for (const auto& e : c.engines) if (e != base) std::printf(" %.2f |", results[base][b] / results[e][b]);
    std::printf("\n");
  }
  return 0;
}
