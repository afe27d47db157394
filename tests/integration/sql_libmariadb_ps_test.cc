// Prepared statements through the real C client library (libmariadb) against the real
// binary: the binary protocol's parameter and row encodings for every type, NULLs, result
// metadata at prepare time, cursors (COM_STMT_FETCH), long data, reset and close, the
// max_prepared_stmt_count limit, unknown statement ids, re-execution after DDL, and the SQL
// statements PREPARE / EXECUTE / DEALLOCATE PREPARE.
#include <errmsg.h>
#include <mysql.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libmariadb_harness.h"

namespace {

using namespace strata::testing;

struct StmtCloser {
  void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
};
using Stmt = std::unique_ptr<MYSQL_STMT, StmtCloser>;

// Parameters to bind, kept alive (with their lengths and NULL flags) until the execute.
class Params {
 public:
  Params& Int(enum_field_types type, int64_t v, bool is_unsigned = false) {
    Slot& s = Add(type);
    std::memcpy(s.bytes, &v, sizeof v);  // little-endian: the low bytes hold narrower types
    s.bind.is_unsigned = is_unsigned;
    return *this;
  }
  Params& Float(float v) {
    Slot& s = Add(MYSQL_TYPE_FLOAT);
    std::memcpy(s.bytes, &v, sizeof v);
    return *this;
  }
  Params& Double(double v) {
    Slot& s = Add(MYSQL_TYPE_DOUBLE);
    std::memcpy(s.bytes, &v, sizeof v);
    return *this;
  }
  Params& Text(enum_field_types type, std::string v) {
    Slot& s = Add(type);
    s.text = std::move(v);
    s.length = s.text.size();
    return *this;
  }
  Params& Time(enum_field_types type, MYSQL_TIME t) {
    Slot& s = Add(type);
    s.time = t;
    return *this;
  }
  Params& Null() {
    Slot& s = Add(MYSQL_TYPE_NULL);
    s.is_null = 1;
    return *this;
  }
  MYSQL_BIND* Bind() {
    binds_.clear();
    for (Slot& s : slots_) {
      MYSQL_BIND b = s.bind;
      if (!s.text.empty() || s.bind.buffer_type == MYSQL_TYPE_STRING || s.bind.buffer_type == MYSQL_TYPE_BLOB ||
          s.bind.buffer_type == MYSQL_TYPE_NEWDECIMAL || s.bind.buffer_type == MYSQL_TYPE_VAR_STRING) {
        b.buffer = s.text.data();
        b.buffer_length = s.text.size();
        b.length = &s.length;
      } else if (s.bind.buffer_type == MYSQL_TYPE_DATE || s.bind.buffer_type == MYSQL_TYPE_DATETIME ||
                 s.bind.buffer_type == MYSQL_TYPE_TIME || s.bind.buffer_type == MYSQL_TYPE_TIMESTAMP) {
        b.buffer = &s.time;
      } else {
        b.buffer = s.bytes;
      }
      b.is_null = &s.is_null;
      binds_.push_back(b);
    }
    return binds_.data();
  }
  size_t size() const { return slots_.size(); }

 private:
  struct Slot {
    MYSQL_BIND bind{};
    char bytes[8] = {};
    std::string text;
    unsigned long length = 0;
    MYSQL_TIME time{};
    my_bool is_null = 0;
  };
  Slot& Add(enum_field_types type) {
    slots_.emplace_back();
    slots_.back().bind.buffer_type = type;
    return slots_.back();
  }
  std::vector<Slot> slots_;
  std::vector<MYSQL_BIND> binds_;
};

MYSQL_TIME MakeTime(enum_mysql_timestamp_type type, unsigned year, unsigned month, unsigned day, unsigned hour = 0,
                    unsigned minute = 0, unsigned second = 0, unsigned long micros = 0, bool neg = false) {
  MYSQL_TIME t{};
  t.year = year;
  t.month = month;
  t.day = day;
  t.hour = hour;
  t.minute = minute;
  t.second = second;
  t.second_part = micros;
  t.neg = neg;
  t.time_type = type;
  return t;
}

class PreparedTest : public AppDatabaseTest {
 protected:
  Stmt Prepare(const std::string& sql) {
    Stmt s(mysql_stmt_init(m()));
    if (mysql_stmt_prepare(s.get(), sql.c_str(), sql.size()) != 0) {
      ADD_FAILURE() << sql << ": " << mysql_stmt_error(s.get());
      return nullptr;
    }
    return s;
  }

  // Executes `s` with `params`; returns every row with each value fetched as a string
  // (libmariadb converts the binary values), "NULL" for NULL.
  static Rows Run(MYSQL_STMT* s, Params* params = nullptr) {
    Rows out;
    if (params && params->size() && mysql_stmt_bind_param(s, params->Bind()) != 0) {
      ADD_FAILURE() << "bind: " << mysql_stmt_error(s);
      return out;
    }
    if (mysql_stmt_execute(s) != 0) {
      ADD_FAILURE() << "execute: " << mysql_stmt_error(s);
      return out;
    }
    return FetchAll(s);
  }
  static Rows FetchAll(MYSQL_STMT* s) {
    Rows out;
    unsigned n = mysql_stmt_field_count(s);
    if (n == 0) return out;
    std::vector<MYSQL_BIND> binds(n);
    std::vector<std::vector<char>> buffers(n, std::vector<char>(256));
    std::vector<unsigned long> lengths(n);
    std::vector<my_bool> nulls(n);
    for (unsigned i = 0; i < n; i++) {
      binds[i] = MYSQL_BIND{};
      binds[i].buffer_type = MYSQL_TYPE_STRING;
      binds[i].buffer = buffers[i].data();
      binds[i].buffer_length = buffers[i].size();
      binds[i].length = &lengths[i];
      binds[i].is_null = &nulls[i];
    }
    EXPECT_EQ(mysql_stmt_bind_result(s, binds.data()), 0) << mysql_stmt_error(s);
    int rc;
    while ((rc = mysql_stmt_fetch(s)) == 0) {
      std::vector<std::string> row;
      for (unsigned i = 0; i < n; i++) row.push_back(nulls[i] ? "NULL" : std::string(buffers[i].data(), lengths[i]));
      out.push_back(std::move(row));
    }
    EXPECT_EQ(rc, MYSQL_NO_DATA) << mysql_stmt_error(s);
    return out;
  }

};

TEST_F(PreparedTest, EveryParameterTypeRoundTrips) {
  Exec(m(), "CREATE TABLE ty (id INT PRIMARY KEY, ti TINYINT, si SMALLINT, i INT, bi BIGINT, ub BIGINT UNSIGNED, "
            "f DOUBLE, d DOUBLE, dec_ DECIMAL(12,3), s VARCHAR(40), b BLOB, da DATE, dt DATETIME, tm TIME, ts TIMESTAMP)");
  Stmt ins = Prepare("INSERT INTO ty VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ASSERT_TRUE(ins);
  EXPECT_EQ(mysql_stmt_param_count(ins.get()), 15u);
  EXPECT_EQ(mysql_stmt_field_count(ins.get()), 0u);
  Params p;
  p.Int(MYSQL_TYPE_LONG, 1)
      .Int(MYSQL_TYPE_TINY, -5)
      .Int(MYSQL_TYPE_SHORT, -300)
      .Int(MYSQL_TYPE_LONG, -70000)
      .Int(MYSQL_TYPE_LONGLONG, -9000000000LL)
      .Int(MYSQL_TYPE_LONGLONG, static_cast<int64_t>(18446744073709551615ULL), /*is_unsigned=*/true)
      .Float(1.5f)
      .Double(-2.25e10)
      .Text(MYSQL_TYPE_NEWDECIMAL, "-12345.678")
      .Text(MYSQL_TYPE_STRING, "héllo")
      .Text(MYSQL_TYPE_BLOB, std::string("a\0b", 3))
      .Time(MYSQL_TYPE_DATE, MakeTime(MYSQL_TIMESTAMP_DATE, 2026, 11, 25))
      .Time(MYSQL_TYPE_DATETIME, MakeTime(MYSQL_TIMESTAMP_DATETIME, 2026, 11, 25, 10, 20, 30))
      .Time(MYSQL_TYPE_TIME, MakeTime(MYSQL_TIMESTAMP_TIME, 0, 0, 0, 10, 2, 3))
      .Time(MYSQL_TYPE_TIMESTAMP, MakeTime(MYSQL_TIMESTAMP_DATETIME, 2001, 2, 3, 4, 5, 6));
  EXPECT_EQ(Run(ins.get(), &p), Rows{});
  EXPECT_EQ(mysql_stmt_affected_rows(ins.get()), 1u);

  // Text protocol view of what was stored.
  EXPECT_EQ(Query(m(), "SELECT ti, si, i, bi, ub, f, d, dec_, s, HEX(b), da, dt, tm, ts FROM ty"),
            (Rows{{"-5", "-300", "-70000", "-9000000000", "18446744073709551615", "1.5", "-22500000000", "-12345.678",
                   "héllo", "610062", "2026-11-25", "2026-11-25 10:20:30", "10:02:03", "2001-02-03 04:05:06"}}));

  // Binary rows, each converted to text by libmariadb.
  Stmt sel = Prepare("SELECT ti, si, i, bi, ub, d, dec_, s, da, dt, tm, ts FROM ty WHERE id = ?");
  ASSERT_TRUE(sel);
  Params key;
  key.Int(MYSQL_TYPE_LONG, 1);
  EXPECT_EQ(Run(sel.get(), &key),
            (Rows{{"-5", "-300", "-70000", "-9000000000", "18446744073709551615", "-22500000000", "-12345.678", "héllo",
                   "2026-11-25", "2026-11-25 10:20:30", "10:02:03", "2001-02-03 04:05:06"}}));

  // Typed result binds: the exact binary values.
  ASSERT_EQ(mysql_stmt_bind_param(sel.get(), key.Bind()), 0);
  ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << mysql_stmt_error(sel.get());
  int64_t bi = 0;
  uint64_t ub = 0;
  double d = 0;
  MYSQL_TIME dt{}, tm{};
  std::vector<MYSQL_BIND> out(12);
  for (auto& b : out) b = MYSQL_BIND{};
  out[3].buffer_type = MYSQL_TYPE_LONGLONG;
  out[3].buffer = &bi;
  out[4].buffer_type = MYSQL_TYPE_LONGLONG;
  out[4].buffer = &ub;
  out[4].is_unsigned = 1;
  out[5].buffer_type = MYSQL_TYPE_DOUBLE;
  out[5].buffer = &d;
  out[9].buffer_type = MYSQL_TYPE_DATETIME;
  out[9].buffer = &dt;
  out[10].buffer_type = MYSQL_TYPE_TIME;
  out[10].buffer = &tm;
  char skipped[7][64];
  int k = 0;
  for (int i : {0, 1, 2, 6, 7, 8, 11}) {  // checked above as text
    out[i].buffer_type = MYSQL_TYPE_STRING;
    out[i].buffer = skipped[k++];
    out[i].buffer_length = sizeof skipped[0];
  }
  ASSERT_EQ(mysql_stmt_bind_result(sel.get(), out.data()), 0) << mysql_stmt_error(sel.get());
  ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << mysql_stmt_error(sel.get());
  EXPECT_EQ(bi, -9000000000LL);
  EXPECT_EQ(ub, 18446744073709551615ULL);
  EXPECT_EQ(d, -2.25e10);
  EXPECT_EQ(dt.year, 2026u);
  EXPECT_EQ(dt.second, 30u);
  EXPECT_EQ(tm.neg, 0);
  EXPECT_EQ(tm.hour, 10u);
  EXPECT_EQ(tm.minute, 2u);
  EXPECT_EQ(mysql_stmt_fetch(sel.get()), MYSQL_NO_DATA);
}

TEST_F(PreparedTest, ExpressionsFractionsAndNulls) {
  Stmt s = Prepare("SELECT ? + 1, CONCAT(?, 'x'), ?, ?, ? IS NULL");
  ASSERT_TRUE(s);
  Params p;
  p.Int(MYSQL_TYPE_LONGLONG, 41)
      .Text(MYSQL_TYPE_STRING, "a")
      .Time(MYSQL_TYPE_DATETIME, MakeTime(MYSQL_TIMESTAMP_DATETIME, 2026, 1, 2, 3, 4, 5, 123456))
      .Time(MYSQL_TYPE_TIME, MakeTime(MYSQL_TIMESTAMP_TIME, 0, 0, 0, 1, 2, 3, 500000))
      .Null();
  EXPECT_EQ(Run(s.get(), &p), (Rows{{"42", "ax", "2026-01-02 03:04:05.123456", "01:02:03.500000", "1"}}));
  // A TIME result beyond a day and negative: TIMEDIFF's column is TIME, sent in binary.
  Stmt diff = Prepare("SELECT TIMEDIFF(?, ?)");
  ASSERT_TRUE(diff);
  Params days;
  days.Text(MYSQL_TYPE_STRING, "2026-01-01 00:00:00").Text(MYSQL_TYPE_STRING, "2026-01-05 04:02:03");
  EXPECT_EQ(Run(diff.get(), &days), (Rows{{"-100:02:03"}}));
  Params nulls;
  nulls.Null().Null().Null().Null().Null();
  EXPECT_EQ(Run(s.get(), &nulls), (Rows{{"NULL", "NULL", "NULL", "NULL", "1"}}));
}

// mysql-compat.md item 23 (also test_mysql_compat.py test_23_*).
TEST_F(PreparedTest, MetadataAtPrepareTime) {
  Exec(m(), "CREATE TABLE md (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, amount DECIMAL(8,2), at DATETIME)");
  Stmt s = Prepare("SELECT * FROM md WHERE id > ? LIMIT ?");
  ASSERT_TRUE(s);
  EXPECT_EQ(mysql_stmt_param_count(s.get()), 2u);
  ASSERT_EQ(mysql_stmt_field_count(s.get()), 4u);
  Res meta(mysql_stmt_result_metadata(s.get()));
  ASSERT_TRUE(meta);
  MYSQL_FIELD* f = mysql_fetch_fields(meta.get());
  EXPECT_STREQ(f[0].name, "id");
  EXPECT_STREQ(f[0].table, "md");
  EXPECT_EQ(f[0].type, MYSQL_TYPE_LONG);
  EXPECT_TRUE(f[0].flags & PRI_KEY_FLAG);
  EXPECT_STREQ(f[1].name, "name");
  EXPECT_EQ(f[1].type, MYSQL_TYPE_VAR_STRING);
  EXPECT_TRUE(f[1].flags & NOT_NULL_FLAG);
  EXPECT_EQ(f[2].type, MYSQL_TYPE_NEWDECIMAL);
  EXPECT_EQ(f[2].decimals, 2u);
  EXPECT_EQ(f[3].type, MYSQL_TYPE_DATETIME);

  Stmt e = Prepare("SELECT id * 2 AS twice, UPPER(name) FROM md");
  ASSERT_TRUE(e);
  Res emeta(mysql_stmt_result_metadata(e.get()));
  ASSERT_TRUE(emeta);
  ASSERT_EQ(mysql_num_fields(emeta.get()), 2u);
  EXPECT_STREQ(mysql_fetch_fields(emeta.get())[0].name, "twice");
  EXPECT_STREQ(mysql_fetch_fields(emeta.get())[1].name, "UPPER(name)");

  // Statements without a result set have no columns; errors come at prepare time.
  Stmt u = Prepare("UPDATE md SET name = ? WHERE id = ?");
  ASSERT_TRUE(u);
  EXPECT_EQ(mysql_stmt_field_count(u.get()), 0u);
  Stmt bad(mysql_stmt_init(m()));
  EXPECT_NE(mysql_stmt_prepare(bad.get(), "SELECT * FROM nope", 18), 0);
  EXPECT_EQ(mysql_stmt_errno(bad.get()), 1146u);
  EXPECT_NE(mysql_stmt_prepare(bad.get(), "SELECT 1; SELECT 2", 18), 0);
  EXPECT_EQ(mysql_stmt_errno(bad.get()), 1064u);
}

TEST_F(PreparedTest, DmlAffectedRowsAndInsertId) {
  Exec(m(), "CREATE TABLE dm (id INT PRIMARY KEY AUTO_INCREMENT, n INT)");
  Stmt ins = Prepare("INSERT INTO dm (n) VALUES (?), (?)");
  ASSERT_TRUE(ins);
  Params p;
  p.Int(MYSQL_TYPE_LONG, 10).Int(MYSQL_TYPE_LONG, 20);
  Run(ins.get(), &p);
  EXPECT_EQ(mysql_stmt_affected_rows(ins.get()), 2u);
  EXPECT_EQ(mysql_stmt_insert_id(ins.get()), 1u);
  Stmt upd = Prepare("UPDATE dm SET n = n + ? WHERE n >= ?");
  ASSERT_TRUE(upd);
  Params q;
  q.Int(MYSQL_TYPE_LONG, 1).Int(MYSQL_TYPE_LONG, 15);
  Run(upd.get(), &q);
  EXPECT_EQ(mysql_stmt_affected_rows(upd.get()), 1u);
  EXPECT_EQ(Query(m(), "SELECT n FROM dm ORDER BY id"), (Rows{{"10"}, {"21"}}));
}

// mysql-compat.md item 25 (also test_mysql_compat.py test_25_*).
TEST_F(PreparedTest, CursorFetchesInBatches) {
  Exec(m(), "CREATE TABLE cu (id INT PRIMARY KEY, s VARCHAR(10))");
  Exec(m(), "INSERT INTO cu VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,NULL)");
  Stmt s = Prepare("SELECT id, s FROM cu WHERE id >= ? ORDER BY id");
  ASSERT_TRUE(s);
  unsigned long cursor = CURSOR_TYPE_READ_ONLY, prefetch = 2;
  ASSERT_EQ(mysql_stmt_attr_set(s.get(), STMT_ATTR_CURSOR_TYPE, &cursor), 0);
  ASSERT_EQ(mysql_stmt_attr_set(s.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch), 0);
  Params p;
  p.Int(MYSQL_TYPE_LONG, 2);
  ASSERT_EQ(mysql_stmt_bind_param(s.get(), p.Bind()), 0);
  ASSERT_EQ(mysql_stmt_execute(s.get()), 0) << mysql_stmt_error(s.get());
  EXPECT_TRUE(s->upsert_status.server_status & SERVER_STATUS_CURSOR_EXISTS);
  // The connection serves other statements while the cursor is open.
  EXPECT_EQ(Query(m(), "SELECT COUNT(*) FROM cu"), (Rows{{"5"}}));
  EXPECT_EQ(FetchAll(s.get()), (Rows{{"2", "b"}, {"3", "c"}, {"4", "d"}, {"5", "NULL"}}));
  // Executed again, the statement opens a new cursor; an empty result too.
  ASSERT_EQ(mysql_stmt_execute(s.get()), 0) << mysql_stmt_error(s.get());
  EXPECT_EQ(FetchAll(s.get()).size(), 4u);
  Params none;
  none.Int(MYSQL_TYPE_LONG, 100);
  ASSERT_EQ(mysql_stmt_bind_param(s.get(), none.Bind()), 0);
  ASSERT_EQ(mysql_stmt_execute(s.get()), 0) << mysql_stmt_error(s.get());
  EXPECT_EQ(FetchAll(s.get()), Rows{});
}

// mysql-compat.md item 25 (also test_mysql_compat.py test_25_*).
TEST_F(PreparedTest, LongDataResetAndClose) {
  Exec(m(), "CREATE TABLE ld (id INT PRIMARY KEY, body MEDIUMBLOB)");
  Stmt s = Prepare("INSERT INTO ld VALUES (?, ?)");
  ASSERT_TRUE(s);
  Params p;
  p.Int(MYSQL_TYPE_LONG, 1).Text(MYSQL_TYPE_BLOB, "");
  ASSERT_EQ(mysql_stmt_bind_param(s.get(), p.Bind()), 0);
  std::string big(100000, 'x');
  ASSERT_EQ(mysql_stmt_send_long_data(s.get(), 1, big.data(), big.size()), 0);
  ASSERT_EQ(mysql_stmt_send_long_data(s.get(), 1, "tail", 4), 0);
  ASSERT_EQ(mysql_stmt_execute(s.get()), 0) << mysql_stmt_error(s.get());
  EXPECT_EQ(Query(m(), "SELECT LENGTH(body), RIGHT(body, 5) FROM ld"), (Rows{{"100004", "xtail"}}));
  // Long data sent and then reset is forgotten: the next execute uses the bound value.
  ASSERT_EQ(mysql_stmt_send_long_data(s.get(), 1, "zzz", 3), 0);
  ASSERT_EQ(mysql_stmt_reset(s.get()), 0) << mysql_stmt_error(s.get());
  Params q;
  q.Int(MYSQL_TYPE_LONG, 2).Text(MYSQL_TYPE_BLOB, "plain");
  ASSERT_EQ(mysql_stmt_bind_param(s.get(), q.Bind()), 0);
  ASSERT_EQ(mysql_stmt_execute(s.get()), 0) << mysql_stmt_error(s.get());
  EXPECT_EQ(Query(m(), "SELECT body FROM ld WHERE id = 2"), (Rows{{"plain"}}));
  // Closed, its id is unknown to the server.
  unsigned long id = s->stmt_id;
  mysql_stmt_close(s.release());
  Stmt other = Prepare("SELECT 1");
  ASSERT_TRUE(other);
  other->stmt_id = id;
  EXPECT_NE(mysql_stmt_execute(other.get()), 0);
  EXPECT_EQ(mysql_stmt_errno(other.get()), 1243u);
  EXPECT_EQ(std::string(mysql_stmt_error(other.get())),
            "Unknown prepared statement handler (" + std::to_string(id) + ") given to mysqld_stmt_execute");
}

TEST_F(PreparedTest, StatementCountLimit) {
  // Server-wide (MySQL's rule): SET SESSION is 1229; the global counts every session's.
  EXPECT_NE(mysql_query(m(), "SET max_prepared_stmt_count = 3"), 0);
  EXPECT_EQ(mysql_errno(m()), 1229u);
  Exec(m(), "SET GLOBAL max_prepared_stmt_count = 3");
  std::vector<Stmt> kept;
  for (int i = 0; i < 3; i++) {
    kept.push_back(Prepare("SELECT 1"));
    ASSERT_TRUE(kept.back());
  }
  Stmt over(mysql_stmt_init(m()));
  EXPECT_NE(mysql_stmt_prepare(over.get(), "SELECT 1", 8), 0);
  EXPECT_EQ(mysql_stmt_errno(over.get()), 1461u);
  EXPECT_STREQ(mysql_stmt_error(over.get()),
               "Can't create more than max_prepared_stmt_count statements (current value: 3)");
  kept.pop_back();  // closing one makes room
  EXPECT_EQ(mysql_stmt_prepare(over.get(), "SELECT 1", 8), 0) << mysql_stmt_error(over.get());
  Exec(m(), "SET GLOBAL max_prepared_stmt_count = 16382");
}

TEST_F(PreparedTest, ReExecuteAfterDdl) {
  Exec(m(), "CREATE TABLE dd (id INT PRIMARY KEY, v INT)");
  Exec(m(), "INSERT INTO dd VALUES (1, 10), (2, 20)");
  Stmt s = Prepare("SELECT v FROM dd WHERE id = ?");
  ASSERT_TRUE(s);
  Params p;
  p.Int(MYSQL_TYPE_LONG, 2);
  EXPECT_EQ(Run(s.get(), &p), (Rows{{"20"}}));
  Exec(m(), "CREATE INDEX dd_v ON dd (v)");
  EXPECT_EQ(Run(s.get(), &p), (Rows{{"20"}}));
  Exec(m(), "DROP TABLE dd");
  EXPECT_NE(mysql_stmt_execute(s.get()), 0);
  EXPECT_EQ(mysql_stmt_errno(s.get()), 1146u);
  Exec(m(), "CREATE TABLE dd (id INT PRIMARY KEY, v INT)");
  Exec(m(), "INSERT INTO dd VALUES (2, 200)");
  EXPECT_EQ(Run(s.get(), &p), (Rows{{"200"}}));
}

TEST_F(PreparedTest, SqlPrepareExecuteDeallocate) {
  Exec(m(), "CREATE TABLE sq (id INT PRIMARY KEY, s VARCHAR(10))");
  Exec(m(), "PREPARE ins FROM 'INSERT INTO sq VALUES (?, ?)'");
  Exec(m(), "SET @a = 1, @b = 'one'");
  Exec(m(), "EXECUTE ins USING @a, @b");
  EXPECT_EQ(mysql_affected_rows(m()), 1u);
  Exec(m(), "SET @q = 'SELECT s FROM sq WHERE id = ?'");
  Exec(m(), "PREPARE sel FROM @q");
  EXPECT_EQ(Query(m(), "EXECUTE sel USING @a"), (Rows{{"one"}}));
  EXPECT_NE(mysql_query(m(), "EXECUTE sel"), 0);
  EXPECT_EQ(mysql_errno(m()), 1210u);
  EXPECT_STREQ(mysql_error(m()), "Incorrect arguments to EXECUTE");
  Exec(m(), "DEALLOCATE PREPARE sel");
  EXPECT_NE(mysql_query(m(), "EXECUTE sel USING @a"), 0);
  EXPECT_EQ(mysql_errno(m()), 1243u);
  EXPECT_STREQ(mysql_error(m()), "Unknown prepared statement handler (sel) given to EXECUTE");
  // ? outside a prepared statement stays an error.
  EXPECT_NE(mysql_query(m(), "SELECT ?"), 0);
  EXPECT_EQ(mysql_errno(m()), 1235u);
}

}  // namespace
