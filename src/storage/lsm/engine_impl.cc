#include "storage/lsm/engine_impl.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "common/check.h"
#include "io/file_util.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::storage::lsm {

class LsmEngine::SnapshotImpl final : public Snapshot {
 public:
  SnapshotImpl(LsmEngine* engine, SequenceNumber seq) : engine_(engine), seq_(seq) {}
  ~SnapshotImpl() override { engine_->ReleaseSnapshot(seq_); }
  SequenceNumber seq() const { return seq_; }

 private:
  LsmEngine* engine_;
  SequenceNumber seq_;
};

LsmEngine::LsmEngine(const LsmOptions& options)
    : options_(options), scheduler_(options.scheduler) {
  cache_ = std::make_unique<BlockCache>(CacheBudget(0));
  mem_ = std::make_shared<Memtable>();
  version_ = std::make_shared<Version>();
  if (options.registry) {
    RegisterMetrics(*options.registry);
    auto& files = options.registry->AddGaugeFamily("stratadb_lsm_level_files", "SST files per LSM level.", {"level"});
    auto& bytes = options.registry->AddGaugeFamily("stratadb_lsm_level_bytes", "SST bytes per LSM level.", {"level"});
    for (int l = 0; l < kNumLevels; l++) {
      level_files_gauge_[l] = &files.With({std::to_string(l)});
      level_bytes_gauge_[l] = &bytes.With({std::to_string(l)});
    }
  }
}

Result<std::unique_ptr<LsmEngine>> OpenLsmEngine(const LsmOptions& options) {
  STRATA_CHECK(options.scheduler != nullptr);
  STRATA_RETURN_IF_ERROR(io::CreateDir(options.dir));
  std::unique_ptr<LsmEngine> engine(new LsmEngine(options));
  STRATA_RETURN_IF_ERROR(engine->Recover());
  if (options.background_compaction) {
    engine->flush_thread_ = std::thread([e = engine.get()] { e->BackgroundLoop(LsmEngine::BackgroundJob::kFlush); });
    engine->compaction_thread_ = std::thread([e = engine.get()] { e->BackgroundLoop(LsmEngine::BackgroundJob::kCompaction); });
  }
  return engine;
}

// One callback per scalar property, read at scrape time. One engine per registry: the node
// has one; tests that open several engines pass no registry.
const std::vector<std::tuple<const char*, const char*, obs::MetricType, const char*>>& LsmMetricTable() {
  using T = obs::MetricType;
  static const std::vector<std::tuple<const char*, const char*, obs::MetricType, const char*>> table = {
      {"stratadb_lsm_memtable_bytes", "memtable_bytes", T::kGauge, "Bytes in the active memtable."},
      {"stratadb_lsm_immutable_memtables", "immutable_memtables", T::kGauge, "Sealed memtables waiting for flush."},
      {"stratadb_lsm_immutable_memtable_bytes", "immutable_memtable_bytes", T::kGauge, "Bytes in sealed memtables."},
      {"stratadb_lsm_flush_bytes_total", "flush_bytes", T::kCounter, "Bytes written by memtable flushes."},
      {"stratadb_lsm_flushes_total", "flush_count", T::kCounter, "Memtable flushes."},
      {"stratadb_lsm_flush_seconds_total", "flush_seconds", T::kCounter, "Time spent flushing."},
      {"stratadb_lsm_compaction_read_bytes_total", "compaction_bytes_read", T::kCounter, "Bytes read by compactions."},
      {"stratadb_lsm_compaction_written_bytes_total", "compaction_bytes_written", T::kCounter, "Bytes written by compactions."},
      {"stratadb_lsm_compactions_total", "compaction_count", T::kCounter, "Compactions run."},
      {"stratadb_lsm_compaction_seconds_total", "compaction_seconds", T::kCounter, "Time spent compacting."},
      {"stratadb_lsm_write_stall_seconds_total", "write_stall_seconds", T::kCounter, "Time writers were delayed or stopped."},
      {"stratadb_lsm_bloom_useful_total", "bloom_useful", T::kCounter, "Lookups a bloom filter answered 'absent'."},
      {"stratadb_lsm_bloom_false_positives_total", "bloom_false_positive", T::kCounter, "Bloom 'maybe' answers for absent keys."},
      {"stratadb_lsm_block_cache_hits_total", "block_cache_hits", T::kCounter, "Block cache hits."},
      {"stratadb_lsm_block_cache_misses_total", "block_cache_misses", T::kCounter, "Block cache misses."},
      {"stratadb_lsm_block_cache_bytes", "block_cache_bytes", T::kGauge, "Bytes held by the block cache."},
      {"stratadb_lsm_persisted_applied_index", "persisted_applied_index", T::kGauge, "Highest Raft index durable in the engine."},
  };
  return table;
}

void LsmEngine::RegisterMetrics(obs::Registry& registry) {
  for (const auto& [metric, property, type, help] : LsmMetricTable()) {
    registry.AddCallback(metric, help, type, [this, name = std::string(property)] {
      for (const auto& p : Properties()) {
        if (p.name == name) return p.value;
      }
      return 0.0;
    });
  }
}

LsmEngine::~LsmEngine() {
  if (options_.registry) {
    for (const auto& row : LsmMetricTable()) options_.registry->RemoveCallback(std::get<0>(row));
  }
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  bg_cv_.notify_all();
  if (flush_thread_.joinable()) flush_thread_.join();
  if (compaction_thread_.joinable()) compaction_thread_.join();
  // Unflushed memtables are dropped on purpose: the Raft log replays them (DESIGN D1).
}

Status LsmEngine::OpenTable(FileMeta* f) {
  std::string path = options_.dir + "/" + TableFileName(f->number);
  STRATA_ASSIGN_OR_RETURN(auto file, scheduler_->Open(path, {.read_only = true, .direct = options_.use_direct_io}));
  auto table = Table::Open(std::move(file), f->number, f->size, cache_.get(), &table_stats_);
  if (!table.ok()) return table.status();
  f->table = *table;
  return Status::OK();
}

Status LsmEngine::Recover() {
  std::lock_guard lock(mu_);
  const std::string& dir = options_.dir;
  auto version = std::make_shared<Version>();
  bool manifest_torn = false;
  if (io::FileExists(dir + "/CURRENT")) {
    STRATA_ASSIGN_OR_RETURN(std::string name, ReadCurrentManifest(dir));
    STRATA_ASSIGN_OR_RETURN(ManifestContents contents, ReadManifest(scheduler_, dir + "/" + name));
    manifest_torn = contents.torn_tail;
    if (manifest_torn) obs::Warn("lsm", "ignored a torn MANIFEST tail", {{"manifest", name}});
    std::map<uint64_t, std::pair<int, FileMeta>> files;
    for (VersionEdit& e : contents.edits) {
      if (e.next_file_number) next_file_number_ = *e.next_file_number;
      if (e.last_sequence) last_sequence_ = *e.last_sequence;
      if (e.persisted_applied_index) persisted_applied_index_ = *e.persisted_applied_index;
      for (auto& [level, number] : e.deleted) files.erase(number);
      for (auto& [level, f] : e.added) files[f.number] = {level, f};
      for (auto& t : e.added_tombstones) version->tombstones.push_back(t);
    }
    for (auto& [number, entry] : files) {
      auto& [level, f] = entry;
      STRATA_RETURN_IF_ERROR(OpenTable(&f));
      next_file_number_ = std::max(next_file_number_, number + 1);
      version->levels[level].push_back(std::make_shared<FileMeta>(std::move(f)));
    }
    // L0: newest (highest number) first; deeper levels by smallest key.
    std::sort(version->levels[0].begin(), version->levels[0].end(),
              [](const FileRef& a, const FileRef& b) { return a->number > b->number; });
    for (int l = 1; l < kNumLevels; l++) {
      std::sort(version->levels[l].begin(), version->levels[l].end(), [](const FileRef& a, const FileRef& b) {
        return CompareInternalKeys(a->smallest, b->smallest) < 0;
      });
    }
  }
  visible_sequence_ = last_sequence_.load();
  applied_index_ = persisted_applied_index_.load();
  version_ = version;
  InstallSuperVersion();
  STRATA_RETURN_IF_ERROR(WriteFreshManifest());

  // Files no version names are leftovers of a flush or compaction that crashed before its
  // MANIFEST edit: their data is either elsewhere or will be replayed from the Raft log.
  std::set<uint64_t> live;
  for (const auto& level : version_->levels)
    for (const auto& f : level) live.insert(f->number);
  STRATA_ASSIGN_OR_RETURN(auto names, io::ListDir(dir));
  std::vector<uint64_t> obsolete;
  for (const auto& name : names) {
    uint64_t number = 0;
    if (name.size() == 10 && name.ends_with(".sst") && sscanf(name.c_str(), "%06lu.sst", &number) == 1 &&
        !live.count(number)) {
      obsolete.push_back(number);
    } else if (name.rfind("MANIFEST-", 0) == 0 && name != ManifestFileName(manifest_number_)) {
      (void)io::RemoveFile(dir + "/" + name);
    }
  }
  if (manifest_torn && !obsolete.empty()) {
    // A damaged length field looks like a torn tail; the files the lost records named must
    // then not be deleted. Unreferenced files are kept (garbage at worst) in that case.
    obs::Warn("lsm", "keeping SST files the MANIFEST does not name (its tail was torn)",
              {{"files", static_cast<uint64_t>(obsolete.size())}});
  } else {
    DeleteObsoleteFiles(obsolete);
  }
  UpdateLevelMetrics(*version_);
  obs::Info("lsm", "opened", {{"dir", dir}, {"persisted_applied_index", persisted_applied_index_.load()},
                               {"last_sequence", last_sequence_.load()}});
  return Status::OK();
}

Status LsmEngine::WriteFreshManifest() {
  uint64_t number = next_file_number_++;
  std::string path = options_.dir + "/" + ManifestFileName(number);
  STRATA_ASSIGN_OR_RETURN(auto writer, ManifestWriter::Create(scheduler_, path));
  VersionEdit snapshot;
  snapshot.next_file_number = next_file_number_;
  snapshot.last_sequence = last_sequence_.load();
  snapshot.persisted_applied_index = persisted_applied_index_.load();
  for (int l = 0; l < kNumLevels; l++) {
    for (const auto& f : version_->levels[l]) {
      FileMeta copy = *f;
      copy.table.reset();
      snapshot.added.emplace_back(l, std::move(copy));
    }
  }
  snapshot.added_tombstones = version_->tombstones;
  STRATA_RETURN_IF_ERROR(writer->Append(snapshot));
  STRATA_RETURN_IF_ERROR(io::SyncDir(options_.dir));
  STRATA_RETURN_IF_ERROR(SetCurrentManifest(options_.dir, number));
  manifest_ = std::move(writer);
  manifest_number_ = number;
  return Status::OK();
}

std::shared_ptr<const SuperVersion> LsmEngine::GetSuperVersion() const {
  std::lock_guard lock(mu_);
  return super_;
}

size_t LsmEngine::CacheBudget(size_t sealed_memtable_bytes) const {
  // One memory budget: the active memtable's full size is reserved, sealed memtables count
  // what they hold, and the block cache gets the rest (never less than 8 MiB).
  size_t reserved = options_.memtable_bytes + sealed_memtable_bytes;
  constexpr size_t kMinCache = 8 << 20;
  return options_.memory_budget > reserved + kMinCache ? options_.memory_budget - reserved : kMinCache;
}

void LsmEngine::InstallSuperVersion() {
  size_t sealed = 0;
  for (const auto& m : imm_) sealed += m->ApproximateMemoryUsage();
  cache_->SetCapacity(CacheBudget(sealed));
  auto sv = std::make_shared<SuperVersion>();
  sv->mem = mem_;
  sv->imm.assign(imm_.rbegin(), imm_.rend());
  sv->version = version_;
  sv->frozen_tombstones = version_->tombstones;
  for (const auto& m : sv->imm) {
    auto t = m->RangeTombstones();
    sv->frozen_tombstones.insert(sv->frozen_tombstones.end(), t.begin(), t.end());
  }
  super_ = std::move(sv);
}

SequenceNumber LsmEngine::ReadSequence(const ReadOptions& options) const {
  if (options.snapshot) return static_cast<const SnapshotImpl*>(options.snapshot)->seq();
  return visible_sequence_.load(std::memory_order_acquire);
}

std::shared_ptr<const Snapshot> LsmEngine::GetSnapshot() {
  std::lock_guard lock(mu_);
  SequenceNumber seq = visible_sequence_.load(std::memory_order_acquire);
  snapshots_.insert(seq);
  return std::make_shared<SnapshotImpl>(this, seq);
}

void LsmEngine::ReleaseSnapshot(SequenceNumber seq) {
  std::lock_guard lock(mu_);
  snapshots_.erase(snapshots_.find(seq));
}

SequenceNumber LsmEngine::OldestSnapshot() const {
  return snapshots_.empty() ? visible_sequence_.load() : *snapshots_.begin();
}

namespace {

bool Covered(const std::vector<RangeTombstone>& tombstones, Slice user_key, SequenceNumber entry_seq,
             SequenceNumber read_seq) {
  for (const auto& t : tombstones) {
    if (t.seq > entry_seq && t.seq <= read_seq && Slice(t.begin) <= user_key && user_key < Slice(t.end)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::optional<Bytes>> LsmEngine::Get(const ReadOptions& options, Slice key) {
  SequenceNumber seq = ReadSequence(options);
  std::shared_ptr<const SuperVersion> sv = GetSuperVersion();
  std::vector<RangeTombstone> live_tombstones;
  if (sv->mem->has_range_tombstones()) live_tombstones = sv->mem->RangeTombstones();
  auto answer = [&](ValueType type, Bytes value, SequenceNumber entry_seq) -> std::optional<Bytes> {
    if (type == ValueType::kDeletion || Covered(sv->frozen_tombstones, key, entry_seq, seq) ||
        Covered(live_tombstones, key, entry_seq, seq)) {
      return std::nullopt;
    }
    return value;
  };
  if (auto f = sv->mem->Get(key, seq)) return answer(f->type, std::move(f->value), f->seq);
  for (const auto& m : sv->imm) {
    if (auto f = m->Get(key, seq)) return answer(f->type, std::move(f->value), f->seq);
  }
  const Version& v = *sv->version;
  for (const auto& file : v.levels[0]) {  // newest first; ranges may overlap
    if (!file->Overlaps(key, key)) continue;
    STRATA_ASSIGN_OR_RETURN(auto found, file->table->Get(key, seq, options.fill_cache));
    if (found) return answer(found->type, std::move(found->value), found->seq);
  }
  for (int level = 1; level < kNumLevels; level++) {
    // Deeper levels hold non-overlapping files sorted by key, and a user key never spans
    // two files: binary search for the one file that may hold it.
    const auto& files = v.levels[level];
    auto it = std::lower_bound(files.begin(), files.end(), key,
                               [](const FileRef& f, Slice k) { return f->largest_user() < k; });
    if (it == files.end() || key < (*it)->smallest_user()) continue;
    STRATA_ASSIGN_OR_RETURN(auto found, (*it)->table->Get(key, seq, options.fill_cache));
    if (found) return answer(found->type, std::move(found->value), found->seq);
  }
  return std::optional<Bytes>();
}

Status LsmEngine::Write(const WriteBatch& batch) {
  std::lock_guard write_lock(write_mu_);
  {
    std::unique_lock lock(mu_);
    STRATA_RETURN_IF_ERROR(MakeRoomForWrite(lock));
  }
  uint64_t index = batch.applied_index();
  if (index != 0 && index <= applied_index_.load()) {
    return Status::InvalidArgument(fmt::format("write batch applied index {} is not above {}", index,
                                               applied_index_.load()));
  }
  struct Inserter : WriteBatch::Handler {
    Memtable* mem;
    SequenceNumber seq;
    void Put(Slice k, Slice v) override { mem->Add(++seq, ValueType::kValue, k, v); }
    void Delete(Slice k) override { mem->Add(++seq, ValueType::kDeletion, k, {}); }
    void DeleteRange(Slice b, Slice e) override { mem->AddRangeTombstone(++seq, b, e); }
  } inserter;
  inserter.mem = mem_.get();  // only writers replace mem_, and we are the writer
  inserter.seq = last_sequence_.load();
  STRATA_RETURN_IF_ERROR(batch.Iterate(&inserter));
  if (index != 0) {
    mem_->set_applied_index(index);  // before the store below: Flush reads both
    applied_index_.store(index);
  }
  last_sequence_.store(inserter.seq);
  visible_sequence_.store(inserter.seq, std::memory_order_release);  // the batch appears at once
  return Status::OK();
}

void LsmEngine::SealMemtable() {
  imm_.push_back(mem_);
  memtables_sealed_++;
  mem_ = std::make_shared<Memtable>();
  InstallSuperVersion();
  bg_cv_.notify_all();
}

Status LsmEngine::MakeRoomForWrite(std::unique_lock<std::mutex>& lock) {
  bool slowed = false;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    size_t l0 = version_->levels[0].size();
    if (!slowed && l0 >= static_cast<size_t>(options_.l0_slowdown_trigger) &&
        l0 < static_cast<size_t>(options_.l0_stop_trigger)) {
      // Delay each write a little rather than stopping all of them later.
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      stall_micros_ += 1000;
      lock.lock();
      slowed = true;
      continue;
    }
    if (mem_->ApproximateMemoryUsage() < options_.memtable_bytes) return Status::OK();
    if (imm_.size() >= static_cast<size_t>(options_.max_immutable_memtables) ||
        l0 >= static_cast<size_t>(options_.l0_stop_trigger)) {
      if (!options_.background_compaction) {
        // No background thread: do the work inline so the writer makes progress.
        if (!imm_.empty()) {
          STRATA_RETURN_IF_ERROR(FlushOldestImmutable(lock));
        } else if (auto c = PickCompaction(*version_)) {
          STRATA_RETURN_IF_ERROR(RunCompaction(lock, *c));
        }
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      done_cv_.wait(lock);
      stall_micros_ += std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start).count();
      continue;
    }
    SealMemtable();
    return Status::OK();
  }
}

Status LsmEngine::Flush() {
  uint64_t target = 0;
  {
    // The writer lock only while sealing: the wait below must not stop the Raft apply loop
    // (the single writer) for the length of a flush.
    std::lock_guard write_lock(write_mu_);
    if (!options_.background_compaction) return FlushHoldingWriteLock();
    std::lock_guard lock(mu_);
    if (!mem_->empty() || applied_index_.load() > persisted_applied_index_.load()) SealMemtable();
    target = memtables_sealed_;
  }
  std::unique_lock lock(mu_);
  while (memtables_flushed_ < target) {
    if (!bg_error_.ok()) return bg_error_;
    done_cv_.wait(lock);
  }
  return Status::OK();
}

Status LsmEngine::FlushHoldingWriteLock() {
  std::unique_lock lock(mu_);
  // A memtable with no records but a newer applied index (Raft no-ops) is flushed too, so
  // the persisted index catches up.
  if (!mem_->empty() || applied_index_.load() > persisted_applied_index_.load()) SealMemtable();
  while (!imm_.empty()) {
    if (!bg_error_.ok()) return bg_error_;
    if (!options_.background_compaction) {
      STRATA_RETURN_IF_ERROR(FlushOldestImmutable(lock));
    } else {
      done_cv_.wait(lock);
    }
  }
  return bg_error_;
}

Status LsmEngine::background_error() const {
  std::lock_guard lock(mu_);
  return bg_error_;
}

Result<uint64_t> LsmEngine::Checkpoint(const std::string& dir) {
  STRATA_RETURN_IF_ERROR(Flush());
  if (io::FileExists(dir)) return Status::AlreadyExists("checkpoint directory exists: " + dir);
  STRATA_RETURN_IF_ERROR(io::CreateDir(dir));
  std::unique_lock lock(mu_);
  std::shared_ptr<const Version> v = version_;
  VersionEdit snapshot;
  snapshot.next_file_number = next_file_number_ + 1;
  snapshot.last_sequence = last_sequence_.load();
  snapshot.persisted_applied_index = persisted_applied_index_.load();
  for (int l = 0; l < kNumLevels; l++) {
    for (const auto& f : v->levels[l]) {
      std::string from = options_.dir + "/" + TableFileName(f->number);
      std::string to = dir + "/" + TableFileName(f->number);
      STRATA_RETURN_IF_ERROR(io::LinkFile(from, to));
      FileMeta copy = *f;
      copy.table.reset();
      snapshot.added.emplace_back(l, std::move(copy));
    }
  }
  snapshot.added_tombstones = v->tombstones;
  uint64_t number = next_file_number_;
  STRATA_ASSIGN_OR_RETURN(auto writer, ManifestWriter::Create(scheduler_, dir + "/" + ManifestFileName(number)));
  STRATA_RETURN_IF_ERROR(writer->Append(snapshot));
  STRATA_RETURN_IF_ERROR(SetCurrentManifest(dir, number));
  STRATA_RETURN_IF_ERROR(io::SyncDir(dir));
  return *snapshot.persisted_applied_index;
}

namespace {

// Gives every entry of `input` the sequence `seq` (so the ingested data is newer than all
// existing data and appears at once); rejects a user key that appears twice.
class ResequencingIterator final : public InternalIterator {
 public:
  ResequencingIterator(std::unique_ptr<InternalIterator> input, SequenceNumber seq)
      : input_(std::move(input)), seq_(seq) {}
  bool Valid() const override { return status_.ok() && input_->Valid(); }
  void SeekToFirst() override {
    input_->SeekToFirst();
    Rewrite();
  }
  void Next() override {
    Bytes previous(ExtractUserKey(input_->key()));
    input_->Next();
    if (input_->Valid() && ExtractUserKey(input_->key()) == Slice(previous)) {
      status_ = Status::InvalidArgument("ingested file holds key twice: " + previous);
    }
    Rewrite();
  }
  void SeekToLast() override { STRATA_CHECK_MSG(false, "not used by BuildTables"); }
  void Seek(Slice) override { STRATA_CHECK_MSG(false, "not used by BuildTables"); }
  void Prev() override { STRATA_CHECK_MSG(false, "not used by BuildTables"); }
  Slice key() const override { return key_; }
  Slice value() const override { return input_->value(); }
  Status status() const override { return status_.ok() ? input_->status() : status_; }

 private:
  void Rewrite() {
    if (!input_->Valid()) return;
    key_.clear();
    AppendInternalKey(&key_, ExtractUserKey(input_->key()), seq_, ExtractType(input_->key()));
  }
  std::unique_ptr<InternalIterator> input_;
  SequenceNumber seq_;
  Status status_;
  Bytes key_;
};

}  // namespace

Status LsmEngine::Ingest(const std::vector<std::string>& files) {
  std::lock_guard write_lock(write_mu_);
  // Older writes still in memtables would be found before the ingested L0 files; flush them
  // first so that "newer" and "searched first" stay the same thing.
  STRATA_RETURN_IF_ERROR(FlushHoldingWriteLock());
  std::vector<FileMeta> outputs;
  SequenceNumber seq = last_sequence_.load() + files.size();  // later files get higher sequences
  std::shared_ptr<const Version> base = GetSuperVersion()->version;
  for (size_t i = 0; i < files.size(); i++) {
    STRATA_ASSIGN_OR_RETURN(auto file, scheduler_->Open(files[i], {.read_only = true}));
    STRATA_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    STRATA_ASSIGN_OR_RETURN(auto table, Table::Open(std::move(file), 0, size, nullptr, nullptr));
    ResequencingIterator input(table->NewIterator(false, false), seq - files.size() + 1 + i);
    // Outputs go to L0 (newest first): they shadow every older version of their keys.
    std::vector<FileMeta> built;
    STRATA_RETURN_IF_ERROR(BuildTables(&input, 0, false, *base, 0, {}, &built, io::IoClass::kFlush));
    for (auto it = built.rbegin(); it != built.rend(); ++it) outputs.push_back(std::move(*it));
  }
  std::unique_lock lock(mu_);
  VersionEdit edit;
  for (auto& f : outputs) edit.added.emplace_back(0, std::move(f));
  last_sequence_.store(seq);
  STRATA_RETURN_IF_ERROR(InstallEdit(edit));
  visible_sequence_.store(seq, std::memory_order_release);
  return Status::OK();
}

std::vector<EngineProperty> LsmEngine::Properties() const {
  std::vector<EngineProperty> out;
  std::shared_ptr<const SuperVersion> super = GetSuperVersion();
  const SuperVersion& sv = *super;
  size_t imm_bytes = 0;
  for (const auto& m : sv.imm) imm_bytes += m->ApproximateMemoryUsage();
  out.push_back({"memtable_bytes", static_cast<double>(sv.mem->ApproximateMemoryUsage())});
  out.push_back({"immutable_memtables", static_cast<double>(sv.imm.size())});
  out.push_back({"immutable_memtable_bytes", static_cast<double>(imm_bytes)});
  for (int l = 0; l < kNumLevels; l++) {
    out.push_back({fmt::format("level_files{{level=\"{}\"}}", l), static_cast<double>(sv.version->levels[l].size())});
    out.push_back({fmt::format("level_bytes{{level=\"{}\"}}", l), static_cast<double>(sv.version->LevelBytes(l))});
  }
  out.push_back({"flush_bytes", static_cast<double>(flush_bytes_.load())});
  out.push_back({"flush_count", static_cast<double>(flush_count_.load())});
  out.push_back({"flush_seconds", flush_seconds_.load()});
  out.push_back({"compaction_bytes_read", static_cast<double>(compaction_bytes_read_.load())});
  out.push_back({"compaction_bytes_written", static_cast<double>(compaction_bytes_written_.load())});
  out.push_back({"compaction_count", static_cast<double>(compaction_count_.load())});
  out.push_back({"compaction_seconds", compaction_seconds_.load()});
  out.push_back({"write_stall_seconds", stall_micros_.load() / 1e6});
  out.push_back({"bloom_useful", static_cast<double>(table_stats_.bloom_useful.load())});
  out.push_back({"bloom_false_positive", static_cast<double>(table_stats_.bloom_false_positive.load())});
  out.push_back({"block_cache_hits", static_cast<double>(cache_->hits())});
  out.push_back({"block_cache_misses", static_cast<double>(cache_->misses())});
  out.push_back({"block_cache_bytes", static_cast<double>(cache_->usage())});
  out.push_back({"range_tombstones", static_cast<double>(sv.version->tombstones.size())});
  out.push_back({"applied_index", static_cast<double>(applied_index_.load())});
  out.push_back({"persisted_applied_index", static_cast<double>(persisted_applied_index_.load())});
  return out;
}

void LsmEngine::UpdateLevelMetrics(const Version& v) {
  if (!options_.registry) return;
  for (int l = 0; l < kNumLevels; l++) {
    level_files_gauge_[l]->Set(static_cast<double>(v.levels[l].size()));
    level_bytes_gauge_[l]->Set(static_cast<double>(v.LevelBytes(l)));
  }
}

}  // namespace strata::storage::lsm
