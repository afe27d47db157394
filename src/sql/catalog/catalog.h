// The catalog: databases and table schemas, stored in the replicated key space (table id
// kCatalogTableId) so that DDL is a transaction through Raft like any other write
// (DESIGN D9). Catalog keys:
//
//   1 | 1 | name(lowercase)              → database record (name as written)
//   1 | 2 | db(lowercase) | table(lower) → TableSchema::Encode()
//   1 | 3                                → next table id (u32 varint)
//   1 | 4                                → catalog version (u64 varint), bumped by every DDL
//   1 | 5 | db(lowercase) | view(lower)  → ViewDefinition::Encode()
//   1 | 6 | db(lowercase) | trigger(lower) → TriggerDefinition::Encode()
//   1 | 7 | user | host(lowercase)      → UserAccount::Encode() (accounts.h)
//   1 | 8                                → next B+tree table id (from kFirstBtreeTableId)
//
// Readers load the catalog as of their transaction's snapshot. A loaded catalog is cached
// per version: a statement reads one key (the version) and reuses the parsed schemas.
// Names compare case-insensitively (lower_case_table_names = 1 behaviour).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/ascii.h"
#include "sql/catalog/accounts.h"
#include "sql/expression/expr.h"
#include "sql/types/schema.h"
#include "txn/transaction.h"

namespace strata::sql {

// A view: its name, the column names it gives (empty: the query's), and its query as
// written, parsed again where the view is used.
struct ViewDefinition {
  std::string database;
  std::string name;
  std::vector<std::string> columns;
  std::string query;
  std::string check_option;  // "", "CASCADED" or "LOCAL"; stored after the query when set

  Bytes Encode() const;
  static Result<ViewDefinition> Decode(Slice in);
};

// A trigger: for each row of `table` that an `event` statement writes, `body` (one
// statement, or BEGIN ... END, as written) runs `timing` (before or after) the write.
// Triggers of one table, timing and event fire in creation order (`order`).
struct TriggerDefinition {
  std::string database;
  std::string name;
  std::string table;
  TriggerTiming timing = TriggerTiming::kBefore;
  TriggerEvent event = TriggerEvent::kInsert;
  std::string body;
  uint64_t order = 0;
  // The account whose privileges the body runs with (CREATE DEFINER = …; the creator by
  // default). Empty user: a trigger from before definers were kept, run as the invoker.
  std::string definer_user, definer_host;

  Bytes Encode() const;
  static Result<TriggerDefinition> Decode(Slice in);
};

struct CatalogSnapshot {
  uint64_t version = 0;
  std::map<std::string, std::string> databases;  // lower-case name → name as written
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const TableSchema>> tables;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const ViewDefinition>> views;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const TriggerDefinition>> triggers;  // (db, name)
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const UserAccount>> accounts;  // (user, lower host)

  // The account `user`@`host` exactly (host compared case-insensitively), or nullptr.
  std::shared_ptr<const UserAccount> FindAccount(std::string_view user, std::string_view host) const;
  // The account a client `user` connecting from `peer` logs in as: among the accounts of
  // that user whose host pattern admits the peer, the most specific (no wildcard first,
  // then the longest pattern), as MySQL sorts them. nullptr when none admits it.
  std::shared_ptr<const UserAccount> MatchAccount(std::string_view user, std::string_view peer) const;

  bool HasDatabase(std::string_view db) const { return databases.count(ToLower(db)) > 0; }
  // nullptr when absent.
  std::shared_ptr<const TableSchema> FindTable(std::string_view db, std::string_view table) const;
  std::vector<std::shared_ptr<const TableSchema>> TablesOf(std::string_view db) const;
  std::shared_ptr<const ViewDefinition> FindView(std::string_view db, std::string_view view) const;
  std::shared_ptr<const TriggerDefinition> FindTrigger(std::string_view db, std::string_view trigger) const;
  // The triggers of db.table, in creation order.
  std::vector<std::shared_ptr<const TriggerDefinition>> TriggersOn(std::string_view db, std::string_view table) const;
};

// The key of table db.table's catalog entry. Every DDL that drops, truncates, renames or
// changes the table writes it; a transaction that writes the table's rows names it as
// unchanged (txn::Transaction::RequireUnchanged, table_writer.cc), so it cannot commit rows
// under a table definition that changed after it began.
Bytes CatalogTableKey(std::string_view db, std::string_view table);

class Catalog {
 public:
  // The catalog as `txn` sees it (its snapshot plus its own writes).
  Result<std::shared_ptr<const CatalogSnapshot>> Load(txn::Transaction& txn);

  // DDL writes, into `txn` (the caller commits). Each bumps the catalog version, so two
  // concurrent DDL transactions conflict (1213) instead of interleaving.
  Status CreateDatabase(txn::Transaction& txn, std::string_view name);
  Status DropDatabase(txn::Transaction& txn, std::string_view name);
  // Assigns schema.id from the table-id counter of schema.engine (kBtreeEngineName: the
  // B+tree's range, anything else the LSM's).
  Status CreateTable(txn::Transaction& txn, TableSchema* schema);
  // Takes the next id of the engine's range (ALTER TABLE … ENGINE copies rows to it before
  // the schema names it). Does not bump the catalog version.
  Result<TableId> AllocateTableId(txn::Transaction& txn, bool btree);
  Status DropTable(txn::Transaction& txn, const TableSchema& schema);
  Status UpdateTable(txn::Transaction& txn, const TableSchema& schema);
  // Creates or replaces the view.
  Status PutView(txn::Transaction& txn, const ViewDefinition& view);
  Status DropView(txn::Transaction& txn, const ViewDefinition& view);
  // Creates the trigger; its `order` is set from the catalog version (later triggers fire later).
  Status PutTrigger(txn::Transaction& txn, TriggerDefinition* trigger);
  Status DropTrigger(txn::Transaction& txn, const TriggerDefinition& trigger);
  // Creates or replaces the account.
  Status PutAccount(txn::Transaction& txn, const UserAccount& account);
  Status DropAccount(txn::Transaction& txn, const UserAccount& account);

 private:
  Status BumpVersion(txn::Transaction& txn);
  std::mutex mu_;
  std::shared_ptr<const CatalogSnapshot> cached_;  // the newest version loaded
};

}  // namespace strata::sql
