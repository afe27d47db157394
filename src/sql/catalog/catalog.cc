#include "sql/catalog/catalog.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/ascii.h"
#include "common/coding.h"
#include "common/key_encoding.h"
#include "sql/types/codec.h"

namespace strata::sql {
namespace {

constexpr IndexId kDatabasesIndex = 1;
constexpr IndexId kTablesIndex = 2;
constexpr IndexId kNextTableIdIndex = 3;
constexpr IndexId kNextBtreeTableIdIndex = 8;  // the B+tree tables' counter (ids from kFirstBtreeTableId)
constexpr IndexId kVersionIndex = 4;
constexpr IndexId kViewsIndex = 5;
constexpr IndexId kTriggersIndex = 6;
constexpr IndexId kAccountsIndex = 7;
constexpr size_t kMaxCatalogEntries = 1 << 20;

Bytes DatabaseKey(std::string_view name) {
  Bytes key = IndexPrefix(kCatalogTableId, kDatabasesIndex);
  KeyEncoder(&key).PutBytes(ToLower(name));
  return key;
}

// A schema object's key: index | db | name (both lower-cased).
Bytes ObjectKey(IndexId index, std::string_view db, std::string_view name) {
  Bytes key = IndexPrefix(kCatalogTableId, index);
  KeyEncoder enc(&key);
  enc.PutBytes(ToLower(db));
  enc.PutBytes(ToLower(name));
  return key;
}

Bytes TableKey(std::string_view db, std::string_view table) { return ObjectKey(kTablesIndex, db, table); }
Bytes ViewKey(std::string_view db, std::string_view view) { return ObjectKey(kViewsIndex, db, view); }
Bytes TriggerKey(std::string_view db, std::string_view trigger) { return ObjectKey(kTriggersIndex, db, trigger); }
Bytes AccountKey(std::string_view user, std::string_view host) {
  Bytes key = IndexPrefix(kCatalogTableId, kAccountsIndex);
  KeyEncoder enc(&key);
  enc.PutBytes(user);
  enc.PutBytes(ToLower(host));
  return key;
}

}  // namespace

Bytes CatalogTableKey(std::string_view db, std::string_view table) { return TableKey(db, table); }

namespace {

// Decodes every catalog entry of one kind (tables, views, triggers: each has Decode and a
// database and name) into `out`, keyed by lower-cased (database, name).
template <typename T>
Status LoadObjects(txn::Transaction& txn, IndexId index,
                   std::map<std::pair<std::string, std::string>, std::shared_ptr<const T>>* out) {
  Bytes prefix = IndexPrefix(kCatalogTableId, index);
  STRATA_ASSIGN_OR_RETURN(auto entries, txn.Scan(prefix, PrefixSuccessor(prefix), kMaxCatalogEntries));
  for (auto& kv : entries) {
    STRATA_ASSIGN_OR_RETURN(T object, T::Decode(kv.value));
    auto key = std::make_pair(ToLower(object.database), ToLower(object.name));
    (*out)[key] = std::make_shared<const T>(std::move(object));
  }
  return Status::OK();
}

Result<uint64_t> ReadCounter(txn::Transaction& txn, const Bytes& key) {
  STRATA_ASSIGN_OR_RETURN(std::optional<Bytes> v, txn.Get(key));
  if (!v) return uint64_t{0};
  Slice in(*v);
  uint64_t n;
  if (!GetVarint64(&in, &n)) return Status::Corruption("catalog counter");
  return n;
}

Status WriteCounter(txn::Transaction& txn, const Bytes& key, uint64_t n) {
  Bytes v;
  PutVarint64(&v, n);
  return txn.Put(key, v);
}

}  // namespace

Bytes ViewDefinition::Encode() const {
  Bytes out;
  PutLengthPrefixed(&out, database);
  PutLengthPrefixed(&out, name);
  PutVarint64(&out, columns.size());
  for (const std::string& c : columns) PutLengthPrefixed(&out, c);
  PutLengthPrefixed(&out, query);
  if (!check_option.empty()) PutLengthPrefixed(&out, check_option);  // absent in older entries
  return out;
}

Result<ViewDefinition> ViewDefinition::Decode(Slice in) {
  ViewDefinition view;
  Slice database, name, query;
  uint64_t n = 0;
  if (!GetLengthPrefixed(&in, &database) || !GetLengthPrefixed(&in, &name) || !GetVarint64(&in, &n) ||
      n > kMaxCatalogEntries) {
    return Status::Corruption("view definition");
  }
  view.database = std::string(database);
  view.name = std::string(name);
  for (uint64_t i = 0; i < n; i++) {
    Slice column;
    if (!GetLengthPrefixed(&in, &column)) return Status::Corruption("view definition column");
    view.columns.push_back(std::string(column));
  }
  if (!GetLengthPrefixed(&in, &query)) return Status::Corruption("view definition query");
  view.query = std::string(query);
  Slice check;
  if (!in.empty() && !GetLengthPrefixed(&in, &check)) return Status::Corruption("view definition check option");
  view.check_option = std::string(check);
  return view;
}

Bytes TriggerDefinition::Encode() const {
  Bytes out;
  PutLengthPrefixed(&out, database);
  PutLengthPrefixed(&out, name);
  PutLengthPrefixed(&out, table);
  out.push_back(static_cast<char>(timing));
  out.push_back(static_cast<char>(event));
  PutLengthPrefixed(&out, body);
  PutVarint64(&out, order);
  // The definer follows: older binaries read up to `order` and ignore it.
  if (!definer_user.empty()) {
    PutLengthPrefixed(&out, definer_user);
    PutLengthPrefixed(&out, definer_host);
  }
  return out;
}

Result<TriggerDefinition> TriggerDefinition::Decode(Slice in) {
  TriggerDefinition t;
  Slice database, name, table, body;
  if (!GetLengthPrefixed(&in, &database) || !GetLengthPrefixed(&in, &name) || !GetLengthPrefixed(&in, &table) ||
      in.size() < 2) {
    return Status::Corruption("trigger definition");
  }
  uint8_t timing = static_cast<uint8_t>(in[0]), event = static_cast<uint8_t>(in[1]);
  in.remove_prefix(2);
  if (timing > 1 || event > 2 || !GetLengthPrefixed(&in, &body) || !GetVarint64(&in, &t.order))
    return Status::Corruption("trigger definition");
  t.database = std::string(database);
  t.name = std::string(name);
  t.table = std::string(table);
  t.timing = static_cast<TriggerTiming>(timing);
  t.event = static_cast<TriggerEvent>(event);
  t.body = std::string(body);
  if (!in.empty()) {
    Slice user, host;
    if (!GetLengthPrefixed(&in, &user) || !GetLengthPrefixed(&in, &host))  // later fields: ignored
      return Status::Corruption("trigger definition");
    t.definer_user = std::string(user);
    t.definer_host = std::string(host);
  }
  return t;
}

std::shared_ptr<const TriggerDefinition> CatalogSnapshot::FindTrigger(std::string_view db, std::string_view trigger) const {
  auto it = triggers.find({ToLower(db), ToLower(trigger)});
  return it == triggers.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const TriggerDefinition>> CatalogSnapshot::TriggersOn(std::string_view db,
                                                                                  std::string_view table) const {
  std::vector<std::shared_ptr<const TriggerDefinition>> out;
  std::string lower = ToLower(db);
  for (auto it = triggers.lower_bound({lower, ""}); it != triggers.end() && it->first.first == lower; ++it)
    if (EqualsIgnoreCase(it->second->table, table)) out.push_back(it->second);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->order < b->order; });
  return out;
}

std::shared_ptr<const ViewDefinition> CatalogSnapshot::FindView(std::string_view db, std::string_view view) const {
  auto it = views.find({ToLower(db), ToLower(view)});
  return it == views.end() ? nullptr : it->second;
}

std::shared_ptr<const TableSchema> CatalogSnapshot::FindTable(std::string_view db, std::string_view table) const {
  auto it = tables.find({ToLower(db), ToLower(table)});
  return it == tables.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const TableSchema>> CatalogSnapshot::TablesOf(std::string_view db) const {
  std::vector<std::shared_ptr<const TableSchema>> out;
  std::string lower = ToLower(db);
  for (auto it = tables.lower_bound({lower, ""}); it != tables.end() && it->first.first == lower; ++it)
    out.push_back(it->second);
  return out;
}

Result<std::shared_ptr<const CatalogSnapshot>> Catalog::Load(txn::Transaction& txn) {
  STRATA_ASSIGN_OR_RETURN(uint64_t version, ReadCounter(txn, IndexPrefix(kCatalogTableId, kVersionIndex)));
  {
    std::lock_guard lock(mu_);
    if (cached_ && cached_->version == version && !txn.HasWritesIn(IndexPrefix(kCatalogTableId, 0)))
      return cached_;
  }
  auto snap = std::make_shared<CatalogSnapshot>();
  snap->version = version;
  Bytes db_prefix = IndexPrefix(kCatalogTableId, kDatabasesIndex);
  STRATA_ASSIGN_OR_RETURN(auto dbs, txn.Scan(db_prefix, PrefixSuccessor(db_prefix), kMaxCatalogEntries));
  for (auto& kv : dbs) snap->databases[ToLower(kv.value)] = kv.value;
  STRATA_RETURN_IF_ERROR(LoadObjects(txn, kTablesIndex, &snap->tables));
  STRATA_RETURN_IF_ERROR(LoadObjects(txn, kViewsIndex, &snap->views));
  STRATA_RETURN_IF_ERROR(LoadObjects(txn, kTriggersIndex, &snap->triggers));
  Bytes account_prefix = IndexPrefix(kCatalogTableId, kAccountsIndex);
  STRATA_ASSIGN_OR_RETURN(auto accounts, txn.Scan(account_prefix, PrefixSuccessor(account_prefix), kMaxCatalogEntries));
  for (auto& kv : accounts) {
    STRATA_ASSIGN_OR_RETURN(UserAccount account, UserAccount::Decode(kv.value));
    auto key = std::make_pair(account.user, ToLower(account.host));
    snap->accounts[key] = std::make_shared<const UserAccount>(std::move(account));
  }
  std::lock_guard lock(mu_);
  if (!txn.HasWritesIn(IndexPrefix(kCatalogTableId, 0)) && (!cached_ || cached_->version <= version))
    cached_ = snap;
  return std::shared_ptr<const CatalogSnapshot>(snap);
}

Status Catalog::BumpVersion(txn::Transaction& txn) {
  Bytes key = IndexPrefix(kCatalogTableId, kVersionIndex);
  STRATA_ASSIGN_OR_RETURN(uint64_t version, ReadCounter(txn, key));
  return WriteCounter(txn, key, version + 1);
}

// lower_case_table_names = 1 (what StrataDB reports): database, table and view names are
// stored in lower case, as MySQL stores them, and compared case-insensitively (the keys).
Status Catalog::CreateDatabase(txn::Transaction& txn, std::string_view name) {
  STRATA_RETURN_IF_ERROR(txn.Put(DatabaseKey(name), ToLower(name)));
  return BumpVersion(txn);
}

Status Catalog::DropDatabase(txn::Transaction& txn, std::string_view name) {
  STRATA_RETURN_IF_ERROR(txn.Delete(DatabaseKey(name)));
  return BumpVersion(txn);
}

Result<TableId> Catalog::AllocateTableId(txn::Transaction& txn, bool btree) {
  // Each engine has its own range of ids (schema.h) and counter.
  Bytes counter_key = IndexPrefix(kCatalogTableId, btree ? kNextBtreeTableIdIndex : kNextTableIdIndex);
  STRATA_ASSIGN_OR_RETURN(uint64_t next, ReadCounter(txn, counter_key));
  uint64_t first = btree ? kFirstBtreeTableId : kFirstUserTableId;
  uint64_t limit = btree ? UINT32_MAX : kFirstBtreeTableId;
  if (next < first) next = first;
  if (next >= limit) return Status::ResourceExhausted("table ids exhausted");
  STRATA_RETURN_IF_ERROR(WriteCounter(txn, counter_key, next + 1));
  return static_cast<TableId>(next);
}

Status Catalog::CreateTable(txn::Transaction& txn, TableSchema* schema) {
  STRATA_ASSIGN_OR_RETURN(schema->id, AllocateTableId(txn, EqualsIgnoreCase(schema->engine, kBtreeEngineName)));
  schema->database = ToLower(schema->database);  // names are stored lower-case (lower_case_table_names = 1)
  schema->name = ToLower(schema->name);
  STRATA_RETURN_IF_ERROR(txn.Put(TableKey(schema->database, schema->name), schema->Encode()));
  return BumpVersion(txn);
}

Status Catalog::DropTable(txn::Transaction& txn, const TableSchema& schema) {
  STRATA_RETURN_IF_ERROR(txn.Delete(TableKey(schema.database, schema.name)));
  return BumpVersion(txn);
}

Status Catalog::UpdateTable(txn::Transaction& txn, const TableSchema& schema) {
  if (schema.name != ToLower(schema.name) || schema.database != ToLower(schema.database)) {  // RENAME TABLE
    TableSchema lower = schema;
    lower.database = ToLower(schema.database);
    lower.name = ToLower(schema.name);
    STRATA_RETURN_IF_ERROR(txn.Put(TableKey(lower.database, lower.name), lower.Encode()));
    return BumpVersion(txn);
  }
  STRATA_RETURN_IF_ERROR(txn.Put(TableKey(schema.database, schema.name), schema.Encode()));
  return BumpVersion(txn);
}

Status Catalog::PutView(txn::Transaction& txn, const ViewDefinition& view) {
  if (view.name != ToLower(view.name) || view.database != ToLower(view.database)) {
    ViewDefinition lower = view;
    lower.database = ToLower(view.database);
    lower.name = ToLower(view.name);
    STRATA_RETURN_IF_ERROR(txn.Put(ViewKey(lower.database, lower.name), lower.Encode()));
    return BumpVersion(txn);
  }
  STRATA_RETURN_IF_ERROR(txn.Put(ViewKey(view.database, view.name), view.Encode()));
  return BumpVersion(txn);
}

Status Catalog::DropView(txn::Transaction& txn, const ViewDefinition& view) {
  STRATA_RETURN_IF_ERROR(txn.Delete(ViewKey(view.database, view.name)));
  return BumpVersion(txn);
}

Status Catalog::PutTrigger(txn::Transaction& txn, TriggerDefinition* trigger) {
  STRATA_ASSIGN_OR_RETURN(trigger->order, ReadCounter(txn, IndexPrefix(kCatalogTableId, kVersionIndex)));
  STRATA_RETURN_IF_ERROR(txn.Put(TriggerKey(trigger->database, trigger->name), trigger->Encode()));
  return BumpVersion(txn);
}

Status Catalog::DropTrigger(txn::Transaction& txn, const TriggerDefinition& trigger) {
  STRATA_RETURN_IF_ERROR(txn.Delete(TriggerKey(trigger.database, trigger.name)));
  return BumpVersion(txn);
}

Status Catalog::PutAccount(txn::Transaction& txn, const UserAccount& account) {
  STRATA_RETURN_IF_ERROR(txn.Put(AccountKey(account.user, account.host), account.Encode()));
  return BumpVersion(txn);
}

Status Catalog::DropAccount(txn::Transaction& txn, const UserAccount& account) {
  STRATA_RETURN_IF_ERROR(txn.Delete(AccountKey(account.user, account.host)));
  return BumpVersion(txn);
}

std::shared_ptr<const UserAccount> CatalogSnapshot::FindAccount(std::string_view user, std::string_view host) const {
  auto it = accounts.find({std::string(user), ToLower(host)});
  return it == accounts.end() ? nullptr : it->second;
}

std::shared_ptr<const UserAccount> CatalogSnapshot::MatchAccount(std::string_view user, std::string_view peer) const {
  std::shared_ptr<const UserAccount> best;
  auto rank = [](const std::string& host) {
    bool wildcard = host.find_first_of("%_") != std::string::npos;
    return std::make_pair(wildcard ? 0 : 1, host.size());
  };
  for (auto it = accounts.lower_bound({std::string(user), ""}); it != accounts.end() && it->first.first == user; ++it) {
    if (!HostMatches(it->second->host, peer)) continue;
    if (!best || rank(it->second->host) > rank(best->host)) best = it->second;
  }
  return best;
}

}  // namespace strata::sql
