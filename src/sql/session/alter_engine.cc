// ALTER TABLE t ENGINE = LSM | BTREE | <MySQL name> (executors.h): moves a table between the
// storage engines while it stays online.
//
// A table's engine is its id (types/schema.h: B+tree tables have ids from
// kFirstBtreeTableId), so moving it means new keys under a new id:
//   1. a new id is taken from the target engine's counter, and the catalog entry records it
//      (TableSchema::moving_to) in the same transaction;
//   2. every key of the table (rows and index entries) is copied as of one snapshot to the
//      new id, in transactions of kCopyBatch keys; nothing names the new id as a table, so
//      nobody else writes there;
//   3. a catch-up transaction brings the copy up to date with what committed since (it
//      writes only the new id's keys: it never conflicts). Its duration sizes the fence;
//   4. the catalog entry gets a write fence (TableSchema::write_fence_until_ms): writers of
//      the table wait (Session::ResolveWriteTable), and one whose transaction began before
//      the fence fails its commit with 1213 on the changed entry (table_writer.h), so after
//      the fence commits nothing more commits to the old keys;
//   5. one transaction catches the copy up again, requires the old keys unchanged until it
//      commits, and points the catalog entry at the new id, fence lifted. Waiting writers
//      then fail with 1213 and an autocommit statement runs again at once, on the new id.
//      If the swap still loses (the fence expired: a catch-up slower than the fence), steps
//      3-5 run again, up to kSwapAttempts times. No acknowledged row is lost either way;
//   6. the old keys are deleted in bounded transactions.
// A failure before the swap lifts the fence and deletes the partial copy. A crash leaves the
// fence to expire and the copy under TableSchema::moving_to, which the next ALTER TABLE …
// ENGINE, TRUNCATE or DROP of the table deletes.
#include <algorithm>
#include <chrono>
#include <functional>

#include "common/coding.h"
#include "sql/execution/table_writer.h"
#include "sql/session/executors.h"

namespace strata::sql {

namespace {

constexpr size_t kCopyBatch = 1024;  // keys per copy transaction and per scan of the catch-up
constexpr int kSwapAttempts = 20;    // swaps lost to concurrent writers before giving up (1213)
// Writers are held for at most max(kMinFence, kFenceFactor × the last unfenced catch-up).
constexpr std::chrono::milliseconds kMinFence{2000};
constexpr int kFenceFactor = 4;

Status ErrTableChanged() {
  return Status::Aborted("the table changed during ALTER TABLE ENGINE").WithMysql(kErLockDeadlock, "40001");
}

// Changes the move state in db.table's catalog entry if the entry still has id `id` and is
// still being moved to `moving_to` (another ALTER of the table may have taken it over: then
// this one has lost, and must not touch the entry).
Status UpdateMoveState(Session& session, const std::string& db, const std::string& name, TableId id,
                       TableId moving_to, const std::function<void(TableSchema&)>& change) {
  return RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    std::shared_ptr<const TableSchema> now = catalog->FindTable(db, name);
    if (!now || now->id != id || now->moving_to != moving_to) return ErrTableChanged();
    TableSchema updated = *now;
    change(updated);
    return session.engine().catalog().UpdateTable(txn, updated);
  });
}

Bytes TablePrefix(TableId id) {
  Bytes prefix;
  PutBigEndian32(&prefix, id);
  return prefix;
}

// `key` (a key of some table) under table `to`.
Bytes Rekey(Slice key, TableId to) {
  STRATA_CHECK(key.size() >= 4);
  Bytes out = TablePrefix(to);
  out.append(key.substr(4));
  return out;
}

// Step 2: every key of `from` as of one snapshot, copied to `to`.
Status CopyTable(Session& session, TableId from, TableId to) {
  std::unique_ptr<txn::Transaction> reader = session.engine().txn().Begin();
  Bytes prefix = TablePrefix(from), end = PrefixSuccessor(prefix), cursor = prefix;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::vector<txn::KeyValue> kvs, reader->Scan(cursor, end, kCopyBatch));
    if (kvs.empty()) return Status::OK();
    std::unique_ptr<txn::Transaction> writer = session.engine().txn().Begin();
    for (const txn::KeyValue& kv : kvs) STRATA_RETURN_IF_ERROR(writer->Put(Rekey(kv.key, to), kv.value));
    STRATA_RETURN_IF_ERROR(writer->Commit());
    if (kvs.size() < kCopyBatch) return Status::OK();
    cursor = kvs.back().key + '\0';
  }
}

// The keys under one prefix in order, read kCopyBatch at a time through `txn`: a whole table
// (table id) for an engine move, its rows (table id | primary index id) for a rebuild.
class PrefixCursor {
 public:
  PrefixCursor(txn::Transaction& txn, Bytes prefix)
      : txn_(txn), prefix_size_(prefix.size()), cursor_(std::move(prefix)), end_(PrefixSuccessor(cursor_)) {}
  Status Load() {
    STRATA_ASSIGN_OR_RETURN(batch_, txn_.Scan(cursor_, end_, kCopyBatch));
    pos_ = 0;
    done_ = batch_.size() < kCopyBatch;
    if (!batch_.empty()) cursor_ = batch_.back().key + '\0';
    return Status::OK();
  }
  bool Valid() const { return pos_ < batch_.size(); }
  Slice suffix() const { return Slice(batch_[pos_].key).substr(prefix_size_); }  // the key past the prefix
  const txn::KeyValue& kv() const { return batch_[pos_]; }
  Status Next() {
    if (++pos_ < batch_.size() || done_) return Status::OK();
    return Load();
  }

 private:
  txn::Transaction& txn_;
  const size_t prefix_size_;
  Bytes cursor_, end_;
  std::vector<txn::KeyValue> batch_;
  size_t pos_ = 0;
  bool done_ = false;
};

// Step 3's catch-up: makes the keys of `to` equal those of `from` as `txn` sees them.
Status CatchUp(txn::Transaction& txn, TableId from, TableId to) {
  PrefixCursor old_keys(txn, TablePrefix(from)), new_keys(txn, TablePrefix(to));
  STRATA_RETURN_IF_ERROR(old_keys.Load());
  STRATA_RETURN_IF_ERROR(new_keys.Load());
  while (old_keys.Valid() || new_keys.Valid()) {
    int order = !old_keys.Valid() ? 1 : !new_keys.Valid() ? -1 : old_keys.suffix().compare(new_keys.suffix());
    if (order > 0) {  // deleted since the copy
      STRATA_RETURN_IF_ERROR(txn.Delete(new_keys.kv().key));
      STRATA_RETURN_IF_ERROR(new_keys.Next());
      continue;
    }
    if (order < 0 || old_keys.kv().value != new_keys.kv().value)  // inserted or changed since
      STRATA_RETURN_IF_ERROR(txn.Put(Rekey(old_keys.kv().key, to), old_keys.kv().value));
    if (order == 0) STRATA_RETURN_IF_ERROR(new_keys.Next());
    STRATA_RETURN_IF_ERROR(old_keys.Next());
  }
  return Status::OK();
}

}  // namespace

std::string_view ResolveEngine(Session& session, std::string_view asked) {
  if (EqualsIgnoreCase(asked, kLsmEngineName)) return kLsmEngineName;
  if (EqualsIgnoreCase(asked, kBtreeEngineName)) return kBtreeEngineName;
  return session.engine().default_btree() ? kBtreeEngineName : kLsmEngineName;
}

namespace {

// How one move copies and catches up (raw keys for an engine move, rows for a rebuild), and
// the definition the swap installs.
struct Mover {
  std::function<Status(TableId from, TableId to)> copy;
  std::function<Status(txn::Transaction& txn, TableId from, TableId to)> catch_up;
  // The catalog entry after the swap, from the entry as it is at the swap (id set by MoveTable).
  std::function<Result<TableSchema>(const TableSchema& now)> reshape;
};

// Steps 1-6 above for db.name, into a new id of the engine `to_btree` names; `force` moves
// even a table that is in that engine already (a rebuild).
Status MoveTable(Session& session, const std::string& db, const std::string& table_name, bool to_btree, bool force,
                 const Mover& mover) {
  std::shared_ptr<const TableSchema> old;
  TableId new_id = 0, leftover = 0;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    old = catalog->FindTable(db, table_name);
    if (!old) return ErrNoSuchTable(db, table_name);
    leftover = old->moving_to;  // an interrupted move's copy
    new_id = 0;
    if (force || old->in_btree() != to_btree) {
      STRATA_ASSIGN_OR_RETURN(new_id, session.engine().catalog().AllocateTableId(txn, to_btree));
    } else if (leftover == 0) {
      return Status::OK();  // there already: nothing to move
    }
    TableSchema marked = *old;
    marked.moving_to = new_id;
    marked.write_fence_until_ms = 0;
    return session.engine().catalog().UpdateTable(txn, marked);
  });
  STRATA_RETURN_IF_ERROR(s);
  if (leftover != 0) STRATA_RETURN_IF_ERROR(DeletePrefix(session, TablePrefix(leftover)));
  if (new_id == 0) return Status::OK();
  const std::string name = old->name;
  s = mover.copy(old->id, new_id);
  bool changed = false;  // dropped, truncated, moved or altered meanwhile: give up at once
  auto swap = [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto now = catalog->FindTable(db, name);
    if (!now || now->id != old->id || now->moving_to != new_id) {
      changed = true;
      return ErrTableChanged();
    }
    STRATA_RETURN_IF_ERROR(mover.catch_up(txn, old->id, new_id));
    Bytes prefix = TablePrefix(old->id);
    txn.RequireRangeUnchanged(prefix, PrefixSuccessor(prefix), 0);
    Result<TableSchema> reshaped = mover.reshape(*now);
    if (!reshaped.ok()) {
      changed = true;
      return reshaped.status();
    }
    TableSchema moved = std::move(*reshaped);
    moved.id = new_id;
    moved.moving_to = 0;
    moved.write_fence_until_ms = 0;
    return session.engine().catalog().UpdateTable(txn, moved);
  };
  for (int attempt = 0; s.ok(); attempt++) {
    auto started = std::chrono::steady_clock::now();
    std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
    s = mover.catch_up(*txn, old->id, new_id);
    if (s.ok()) s = txn->Commit();
    if (!s.ok()) break;
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    uint64_t fence_ms = static_cast<uint64_t>(std::max(kMinFence, kFenceFactor * took).count());
    s = UpdateMoveState(session, db, name, old->id, new_id, [&](TableSchema& t) {
      t.write_fence_until_ms = TableSchema::FenceClockMs() + fence_ms;
    });
    if (!s.ok()) break;
    txn = session.engine().txn().Begin();
    s = swap(*txn);
    if (s.ok()) s = txn->Commit();
    if (s.ok() || changed || s.mysql_errno() != kErLockDeadlock || attempt + 1 >= kSwapAttempts) break;
    s = Status::OK();
  }
  if (!s.ok()) {
    // The table is unchanged: lift the fence, forget the copy, delete it.
    (void)UpdateMoveState(session, db, name, old->id, new_id, [](TableSchema& t) {
      t.moving_to = 0;
      t.write_fence_until_ms = 0;
    });
    (void)DeletePrefix(session, TablePrefix(new_id));
    return s;
  }
  session.engine().auto_increment().Forget(old->id);
  return DeletePrefix(session, TablePrefix(old->id));
}

// The definition without the move state: what must not change while a rebuild runs.
Bytes Definition(TableSchema t) {
  t.moving_to = 0;
  t.write_fence_until_ms = 0;
  return t.Encode();
}

}  // namespace

Status RebuildTable(Session& session, const std::string& db, const std::string& table_name,
                    const std::function<Result<TableSchema>(const TableSchema&)>& reshape,
                    const std::function<Result<Row>(const Row&, uint64_t row_number)>& transform) {
  std::shared_ptr<const TableSchema> before;
  {
    std::unique_ptr<txn::Transaction> reader = session.engine().txn().Begin();
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(*reader));
    before = catalog->FindTable(db, table_name);
    if (!before) return ErrNoSuchTable(db, table_name);
  }
  STRATA_ASSIGN_OR_RETURN(TableSchema after, reshape(*before));
  for (ColumnSchema& c : after.columns) c.added_default = Value::Null();  // every row is rewritten whole
  const Bytes definition = Definition(*before);
  auto schema_at = [&](TableId id) {
    TableSchema t = after;
    t.id = id;
    return t;
  };
  Mover mover;
  mover.copy = [&](TableId from, TableId to) -> Status {
    TableSchema target = schema_at(to);
    std::unique_ptr<txn::Transaction> reader = session.engine().txn().Begin();
    PrefixCursor rows(*reader, IndexPrefix(from, kPrimaryIndexId));
    STRATA_RETURN_IF_ERROR(rows.Load());
    uint64_t row_number = 0;
    while (rows.Valid()) {
      std::unique_ptr<txn::Transaction> writer = session.engine().txn().Begin();
      for (size_t n = 0; n < kCopyBatch && rows.Valid(); n++) {
        STRATA_ASSIGN_OR_RETURN(Row old_row, DecodeRow(rows.kv().value, *before));
        STRATA_ASSIGN_OR_RETURN(Row new_row, transform(old_row, ++row_number));
        STRATA_RETURN_IF_ERROR(PutRow(writer.get(), target, new_row, rows.suffix()));
        STRATA_RETURN_IF_ERROR(rows.Next());
      }
      STRATA_RETURN_IF_ERROR(writer->Commit());
    }
    return Status::OK();
  };
  mover.catch_up = [&](txn::Transaction& txn, TableId from, TableId to) -> Status {
    TableSchema target = schema_at(to);
    PrefixCursor old_rows(txn, IndexPrefix(from, kPrimaryIndexId)), new_rows(txn, IndexPrefix(to, kPrimaryIndexId));
    STRATA_RETURN_IF_ERROR(old_rows.Load());
    STRATA_RETURN_IF_ERROR(new_rows.Load());
    uint64_t row_number = 0;
    while (old_rows.Valid() || new_rows.Valid()) {
      int order = !old_rows.Valid() ? 1 : !new_rows.Valid() ? -1 : old_rows.suffix().compare(new_rows.suffix());
      if (order > 0) {  // deleted since the copy
        STRATA_ASSIGN_OR_RETURN(Row gone, DecodeRow(new_rows.kv().value, target));
        STRATA_RETURN_IF_ERROR(DeleteRow(&txn, target, gone, new_rows.suffix()));
        STRATA_RETURN_IF_ERROR(new_rows.Next());
        continue;
      }
      STRATA_ASSIGN_OR_RETURN(Row old_row, DecodeRow(old_rows.kv().value, *before));
      STRATA_ASSIGN_OR_RETURN(Row want, transform(old_row, ++row_number));
      if (order < 0) {  // inserted since
        STRATA_RETURN_IF_ERROR(PutRow(&txn, target, want, old_rows.suffix()));
      } else {
        STRATA_ASSIGN_OR_RETURN(Row have, DecodeRow(new_rows.kv().value, target));
        if (!RowsEqual(want, have)) {
          // Not ReplaceRow: its uniqueness check would look at a half-updated copy (two rows
          // that swapped unique values). The old table's commits enforced uniqueness, and a
          // rebuild never changes a unique key column (ddl.cc).
          STRATA_RETURN_IF_ERROR(DeleteRow(&txn, target, have, new_rows.suffix()));
          STRATA_RETURN_IF_ERROR(PutRow(&txn, target, want, new_rows.suffix()));
        }
        STRATA_RETURN_IF_ERROR(new_rows.Next());
      }
      STRATA_RETURN_IF_ERROR(old_rows.Next());
    }
    return Status::OK();
  };
  mover.reshape = [&](const TableSchema& now) -> Result<TableSchema> {
    if (Definition(now) != definition) return ErrTableChanged();  // another DDL changed it meanwhile
    return after;
  };
  return MoveTable(session, db, table_name, before->in_btree(), /*force=*/true, mover);
}

Result<QueryResult> AlterTableEngine(Session& session, const ast::AlterTableEngine& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  std::string_view target = ResolveEngine(session, stmt.engine);
  Mover mover;
  mover.copy = [&](TableId from, TableId to) { return CopyTable(session, from, to); };
  mover.catch_up = [](txn::Transaction& txn, TableId from, TableId to) { return CatchUp(txn, from, to); };
  mover.reshape = [&](const TableSchema& now) -> Result<TableSchema> {
    TableSchema moved = now;
    moved.engine = std::string(target);
    return moved;
  };
  STRATA_RETURN_IF_ERROR(MoveTable(session, db, stmt.table.name, target == kBtreeEngineName, false, mover));
  return QueryResult();
}

}  // namespace strata::sql
