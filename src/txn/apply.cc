#include "txn/apply.h"

#include <algorithm>

#include "common/check.h"
#include "common/coding.h"

namespace strata::txn {

namespace {
Status WriteAppliedOnly(storage::Engine& engine, LogIndex index) {
  storage::WriteBatch batch;
  batch.SetAppliedIndex(index);
  return engine.Write(batch);
}
}  // namespace

Result<ApplyOutcome> ApplyWriteSet(storage::Engine& engine, LogIndex index, const WriteSet& ws,
                                   LogIndex gc_horizon) {
  STRATA_CHECK(ws.start_index < index);  // a snapshot is always older than its commit
  if (ws.start_index < gc_horizon) {
    STRATA_RETURN_IF_ERROR(WriteAppliedOnly(engine, index));
    return ApplyOutcome::kSnapshotTooOld;
  }
  for (const Bytes& key : ws.unchanged) {
    STRATA_ASSIGN_OR_RETURN(LogIndex latest, LatestVersionBefore(engine, key, index));
    if (latest > ws.start_index) {
      STRATA_RETURN_IF_ERROR(WriteAppliedOnly(engine, index));
      return ApplyOutcome::kConflict;
    }
  }
  for (const WriteSet::Range& r : ws.unchanged_ranges) {
    STRATA_ASSIGN_OR_RETURN(bool changed, HasVersionAfter(engine, r.begin, r.end, std::max(ws.start_index, r.base), index));
    if (changed) {
      STRATA_RETURN_IF_ERROR(WriteAppliedOnly(engine, index));
      return ApplyOutcome::kConflict;
    }
  }
  storage::WriteBatch batch;
  batch.SetAppliedIndex(index);
  for (const auto& [key, value] : ws.writes) {
    STRATA_ASSIGN_OR_RETURN(LogIndex latest, LatestVersionBefore(engine, key, index));
    if (latest > ws.BaseOf(key)) {
      STRATA_RETURN_IF_ERROR(WriteAppliedOnly(engine, index));
      return ApplyOutcome::kConflict;
    }
    // The stored value is a live/deleted tag, then the row (mvcc.h).
    Slice tag = value ? Slice("\x01", 1) : Slice("\x00", 1);
    batch.Put(EncodeVersionedKey(key, index), tag, value ? Slice(*value) : Slice());
  }
  STRATA_RETURN_IF_ERROR(engine.Write(batch));
  return ApplyOutcome::kCommitted;
}

Status ApplyEmpty(storage::Engine& engine, LogIndex index) { return WriteAppliedOnly(engine, index); }

Result<LogIndex> ReadGcHorizon(storage::Engine& engine) {
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> value, engine.Get(storage::ReadOptions(), GcHorizonKey()));
  if (!value) return LogIndex{0};
  if (value->size() != 8) return Status::Corruption("GC horizon value is not 8 bytes");
  return DecodeBigEndian64(value->data());
}

Result<LogIndex> ApplyGcHorizon(storage::Engine& engine, LogIndex index, LogIndex current, LogIndex proposed) {
  STRATA_CHECK(current < index);
  LogIndex horizon = std::max(current, std::min(proposed, index));
  storage::WriteBatch batch;
  batch.SetAppliedIndex(index);
  Bytes value;
  PutBigEndian64(&value, horizon);
  batch.Put(GcHorizonKey(), value);
  STRATA_RETURN_IF_ERROR(engine.Write(batch));
  return horizon;
}

Result<Bytes> CollectGarbage(storage::Engine& engine, LogIndex watermark, Slice from, size_t max_keys) {
  storage::ReadOptions ro;
  ro.fill_cache = false;
  auto it = engine.NewIterator(ro);
  storage::WriteBatch deletes;
  Bytes current, key;
  bool have_current = false, seen_visible = false;
  size_t keys = 0;
  LogIndex version = 0;
  for (it->Seek(VersionPrefix(from)); it->Valid(); it->Next()) {
    if (IsMetaKey(it->key())) continue;  // not a version of anything
    STRATA_RETURN_IF_ERROR(DecodeVersionedKey(it->key(), &key, &version));
    if (!have_current || key != current) {
      if (keys == max_keys) {
        STRATA_RETURN_IF_ERROR(engine.Write(deletes));
        return key;  // continue here next time
      }
      current = key;
      have_current = true;
      seen_visible = false;
      keys++;
    }
    if (version > watermark) continue;  // some reader may still need it
    if (seen_visible) {
      deletes.Delete(it->key());  // shadowed for every reader at or above the watermark
      continue;
    }
    seen_visible = true;  // the version readers at the watermark see
    bool is_deletion = !it->value().empty() && it->value()[0] == '\x00';
    if (is_deletion) {
      // Only if no older version exists would it be safe to drop the marker; older ones are
      // deleted in this same pass, so the marker can go too.
      deletes.Delete(it->key());
    }
  }
  STRATA_RETURN_IF_ERROR(it->status());
  STRATA_RETURN_IF_ERROR(engine.Write(deletes));
  return Bytes();
}

}  // namespace strata::txn
