// ALTER TABLE t ENGINE = LSM | BTREE | <MySQL name> (executors.h): moves a table between the
// storage engines while it stays online.
//
// A table's engine is its id (types/schema.h: B+tree tables have ids from
// kFirstBtreeTableId), so moving it means new keys under a new id:
//   1. a new id is taken from the target engine's counter (its own transaction);
//   2. every key of the table (rows and index entries) is copied as of one snapshot to the
//      new id, in transactions of kCopyBatch keys; nothing names the new id yet, so
//      nobody else writes there;
//   3. one transaction brings the copy up to date with what committed since that snapshot,
//      requires the old table's keys unchanged until it commits, and points the catalog
//      entry at the new id. Row writers name the catalog entry as unchanged
//      (execution/table_writer.h), so a writer of the old table that commits after the swap
//      fails with 1213 and retries against the new id; one that committed before it makes
//      the swap fail with 1213, and the swap is tried again (kSwapAttempts times, each after
//      a catch-up of its own). No acknowledged row is lost either way;
//   4. the old keys are deleted in bounded transactions.
// A failure before the swap deletes the partial copy. A crash before the swap leaves the
// copied keys under an id the catalog never names (garbage, not data).
#include "common/coding.h"
#include "sql/session/executors.h"

namespace strata::sql {

namespace {

constexpr size_t kCopyBatch = 1024;  // keys per copy transaction and per scan of the catch-up
constexpr int kSwapAttempts = 20;    // swaps lost to concurrent writers before giving up (1213)

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

// The keys of one table in order, read kCopyBatch at a time through `txn`.
class TableCursor {
 public:
  TableCursor(txn::Transaction& txn, TableId id)
      : txn_(txn), cursor_(TablePrefix(id)), end_(PrefixSuccessor(cursor_)) {}
  Status Load() {
    STRATA_ASSIGN_OR_RETURN(batch_, txn_.Scan(cursor_, end_, kCopyBatch));
    pos_ = 0;
    done_ = batch_.size() < kCopyBatch;
    if (!batch_.empty()) cursor_ = batch_.back().key + '\0';
    return Status::OK();
  }
  bool Valid() const { return pos_ < batch_.size(); }
  Slice suffix() const { return Slice(batch_[pos_].key).substr(4); }  // the key without the table id
  const txn::KeyValue& kv() const { return batch_[pos_]; }
  Status Next() {
    if (++pos_ < batch_.size() || done_) return Status::OK();
    return Load();
  }

 private:
  txn::Transaction& txn_;
  Bytes cursor_, end_;
  std::vector<txn::KeyValue> batch_;
  size_t pos_ = 0;
  bool done_ = false;
};

// Step 3's catch-up: makes the keys of `to` equal those of `from` as `txn` sees them.
Status CatchUp(txn::Transaction& txn, TableId from, TableId to) {
  TableCursor old_keys(txn, from), new_keys(txn, to);
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

Result<QueryResult> AlterTableEngine(Session& session, const ast::AlterTableEngine& stmt) {
  STRATA_ASSIGN_OR_RETURN(std::string db, DatabaseFor(session, stmt.table.schema));
  std::string_view target = ResolveEngine(session, stmt.engine);
  bool to_btree = target == kBtreeEngineName;
  std::shared_ptr<const TableSchema> old;
  TableId new_id = 0;
  Status s = RunDdl(session, [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    old = catalog->FindTable(db, stmt.table.name);
    if (!old) return ErrNoSuchTable(db, stmt.table.name);
    if (old->in_btree() == to_btree) return Status::OK();  // there already: nothing to move
    STRATA_ASSIGN_OR_RETURN(new_id, session.engine().catalog().AllocateTableId(txn, to_btree));
    return Status::OK();
  });
  STRATA_RETURN_IF_ERROR(s);
  if (new_id == 0) return QueryResult();
  s = CopyTable(session, old->id, new_id);
  auto swap = [&](txn::Transaction& txn) -> Status {
    STRATA_ASSIGN_OR_RETURN(auto catalog, session.engine().catalog().Load(txn));
    auto now = catalog->FindTable(db, stmt.table.name);
    if (!now || now->id != old->id)  // dropped, truncated or moved meanwhile
      return Status::Aborted("the table changed during ALTER TABLE ENGINE").WithMysql(kErLockDeadlock, "40001");
    STRATA_RETURN_IF_ERROR(CatchUp(txn, old->id, new_id));
    Bytes prefix = TablePrefix(old->id);
    txn.RequireRangeUnchanged(prefix, PrefixSuccessor(prefix), 0);
    TableSchema moved = *now;
    moved.id = new_id;
    moved.engine = std::string(target);
    return session.engine().catalog().UpdateTable(txn, moved);
  };
  // Each attempt first catches the copy up in a transaction of its own (it writes only the
  // new id's keys: it never conflicts), so that the swap's own catch-up is short and
  // writers have little time to commit in between.
  for (int attempt = 0; s.ok(); attempt++) {
    std::unique_ptr<txn::Transaction> txn = session.engine().txn().Begin();
    s = CatchUp(*txn, old->id, new_id);
    if (s.ok()) s = txn->Commit();
    if (!s.ok()) break;
    txn = session.engine().txn().Begin();
    s = swap(*txn);
    if (s.ok()) s = txn->Commit();
    if (s.ok() || s.mysql_errno() != kErLockDeadlock || attempt + 1 >= kSwapAttempts) break;
    s = Status::OK();
  }
  if (!s.ok()) {
    (void)DeletePrefix(session, TablePrefix(new_id));  // the partial copy; the table is unchanged
    return s;
  }
  session.engine().auto_increment().Forget(old->id);
  STRATA_RETURN_IF_ERROR(DeletePrefix(session, TablePrefix(old->id)));
  return QueryResult();
}

}  // namespace strata::sql
