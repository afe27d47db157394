// LOAD DATA LOCAL INFILE (ast_load.h): the client streams a file (mariadb-import --local,
// the CLI's --local-infile, PyMySQL's local_infile); its rows are split by the statement's
// FIELDS / LINES options and inserted in batches through INSERT's own machinery (types,
// defaults, IGNORE / REPLACE, privileges, triggers), in the statement's transaction.
#include <fmt/format.h>

#include "sql/errors.h"
#include "sql/parser/ast_load.h"
#include "sql/session/executors.h"

namespace strata::sql {
namespace {

constexpr size_t kRowsPerInsert = 1000;
constexpr size_t kMaxFieldBytes = size_t{64} << 20;  // one field: at most a packet's worth

using Field = std::optional<std::string>;  // nullopt: NULL (\N)

// Splits the client's bytes into rows of fields, reading chunks as it goes.
class FieldReader {
 public:
  FieldReader(const ast::LoadData& o, std::function<Result<std::string>()> next) : o_(o), next_(std::move(next)) {}

  // The next row, or nullopt at the end of the file.
  Result<std::optional<std::vector<Field>>> Next() {
    if (!o_.lines_starting.empty()) {  // skip to the prefix; text before it is not data
      while (true) {
        STRATA_ASSIGN_OR_RETURN(bool more, Ensure(o_.lines_starting.size()));
        if (!more) return std::optional<std::vector<Field>>();
        if (At(o_.lines_starting)) {
          pos_ += o_.lines_starting.size();
          break;
        }
        pos_++;
      }
    }
    STRATA_ASSIGN_OR_RETURN(bool any, Ensure(1));
    if (!any) return std::optional<std::vector<Field>>();
    std::vector<Field> row;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(Field field, ReadField());
      row.push_back(std::move(field));
      STRATA_ASSIGN_OR_RETURN(bool more, Ensure(std::max(o_.fields_terminated.size(), o_.lines_terminated.size())));
      if (!more) return std::optional<std::vector<Field>>(std::move(row));
      if (At(o_.lines_terminated)) {
        pos_ += o_.lines_terminated.size();
        return std::optional<std::vector<Field>>(std::move(row));
      }
      if (At(o_.fields_terminated)) pos_ += o_.fields_terminated.size();
    }
  }

 private:
  // Whether at least `n` more bytes are buffered (reading chunks until they are or the
  // file ends); false only when nothing at all is left.
  Result<bool> Ensure(size_t n) {
    while (buffer_.size() - pos_ < n && !eof_) {
      if (pos_ > (1u << 20)) {
        buffer_.erase(0, pos_);
        pos_ = 0;
      }
      STRATA_ASSIGN_OR_RETURN(std::string chunk, next_());
      if (chunk.empty()) eof_ = true;
      buffer_ += chunk;
    }
    return buffer_.size() > pos_;
  }
  bool At(std::string_view s) const { return Slice(buffer_).substr(pos_, s.size()) == s; }
  bool AtTerminator() const { return At(o_.fields_terminated) || At(o_.lines_terminated); }

  static char Unescape(char c) {
    switch (c) {
      case '0': return '\0';
      case 'b': return '\b';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'Z': return '\x1a';
      default: return c;
    }
  }

  Result<Field> ReadField() {
    const char escape = o_.escaped.empty() ? '\0' : o_.escaped[0];
    const char quote = o_.enclosed.empty() ? '\0' : o_.enclosed[0];
    std::string out;
    size_t terminators = std::max(o_.fields_terminated.size(), o_.lines_terminated.size());
    STRATA_ASSIGN_OR_RETURN(bool more, Ensure(2));
    bool quoted = more && quote != '\0' && buffer_[pos_] == quote;
    if (quoted) pos_++;
    // \N (unquoted, alone) is NULL.
    if (!quoted && escape != '\0' && At(std::string{escape, 'N'})) {
      size_t saved = pos_;
      pos_ += 2;
      STRATA_ASSIGN_OR_RETURN(bool rest, Ensure(terminators));
      if (!rest || AtTerminator()) return Field();
      pos_ = saved;
    }
    while (true) {
      STRATA_ASSIGN_OR_RETURN(bool rest, Ensure(std::max<size_t>(terminators, 2)));
      if (!rest) break;
      char c = buffer_[pos_];
      if (quoted && c == quote) {
        if (pos_ + 1 < buffer_.size() && buffer_[pos_ + 1] == quote) {  // "" inside quotes
          out.push_back(quote);
          pos_ += 2;
          continue;
        }
        pos_++;
        quoted = false;  // what follows up to the terminator is kept as written
        continue;
      }
      if (!quoted && AtTerminator()) break;
      if (escape != '\0' && c == escape && pos_ + 1 < buffer_.size()) {
        out.push_back(Unescape(buffer_[pos_ + 1]));
        pos_ += 2;
      } else {
        out.push_back(c);
        pos_++;
      }
      if (out.size() > kMaxFieldBytes) return ErrTooManyRows("a LOAD DATA field's bytes", kMaxFieldBytes);
    }
    return Field(std::move(out));
  }

  const ast::LoadData& o_;
  std::function<Result<std::string>()> next_;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
};

ast::ExprPtr Literal(const Field& f) {
  auto e = std::make_unique<ast::Expr>();
  e->kind = ast::ExprKind::kLiteral;
  e->literal_kind = f ? ast::LiteralKind::kString : ast::LiteralKind::kNull;
  if (f) e->text = *f;
  e->source = f ? "'" + *f + "'" : "NULL";
  return e;
}

Status ErrLocalInfileDisabled() {
  return Status::InvalidArgument("Loading local data is disabled; this must be enabled on both the client and server sides")
      .WithMysql(3948, "42000");
}

}  // namespace

Result<QueryResult> ExecuteLoadData(Session& session, const ast::LoadData& stmt) {
  if (!stmt.local) return ErrNotSupportedYet("LOAD DATA INFILE of a server-side file (use LOAD DATA LOCAL INFILE)");
  std::optional<Value> enabled = session.SystemVariable("local_infile", /*global=*/true);
  if (!enabled || !enabled->ToBool().value_or(false) || !session.local_files()) return ErrLocalInfileDisabled();
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const TableSchema> table, session.ResolveWriteTable(stmt.table, stmt.replace ? "REPLACE" : "INSERT"));
  STRATA_ASSIGN_OR_RETURN(auto next_chunk, session.local_files()(stmt.file));
  FieldReader reader(stmt, std::move(next_chunk));

  std::vector<std::string> columns = stmt.columns;
  if (columns.empty())
    for (const ColumnSchema& c : table->columns) columns.push_back(c.name);
  ast::Insert batch;
  auto reset = [&] {
    batch = ast::Insert();
    batch.table = stmt.table;
    batch.replace = stmt.replace;
    batch.ignore = stmt.ignore;
    for (const std::string& c : columns)
      if (c.empty() || c[0] != '@') batch.columns.push_back(c);
  };
  reset();
  QueryResult result;
  uint64_t records = 0, warnings = 0, skipped_lines = 0;
  auto flush = [&]() -> Status {
    if (batch.rows.empty()) return Status::OK();
    STRATA_ASSIGN_OR_RETURN(QueryResult r, ExecuteInsert(session, batch));
    result.affected_rows += r.affected_rows;
    warnings += r.warnings;
    reset();
    return Status::OK();
  };
  while (true) {
    STRATA_ASSIGN_OR_RETURN(std::optional<std::vector<Field>> row, reader.Next());
    if (!row) break;
    if (skipped_lines < stmt.ignore_lines) {
      skipped_lines++;
      continue;
    }
    records++;
    std::vector<ast::ExprPtr> values;
    for (size_t i = 0; i < columns.size(); i++) {
      if (!columns[i].empty() && columns[i][0] == '@') continue;
      // A short row: the missing columns get their defaults (1261 in MySQL's warnings).
      values.push_back(i < row->size() ? Literal((*row)[i]) : nullptr);
    }
    if (row->size() != columns.size()) warnings++;
    batch.rows.push_back(std::move(values));
    if (batch.rows.size() == kRowsPerInsert) STRATA_RETURN_IF_ERROR(flush());
  }
  STRATA_RETURN_IF_ERROR(flush());
  uint64_t skipped = stmt.ignore && records > result.affected_rows ? records - result.affected_rows : 0;
  result.warnings = static_cast<uint16_t>(std::min<uint64_t>(warnings + skipped, 65535));
  result.info = fmt::format("Records: {}  Deleted: 0  Skipped: {}  Warnings: {}", records, skipped, result.warnings);
  return result;
}

}  // namespace strata::sql
