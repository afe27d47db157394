// Row, key and schema codecs: round trips, and corrupt input rejected as Corruption.
#include <random>

#include <gtest/gtest.h>

#include "sql/catalog/accounts.h"

#include "sql/types/codec.h"
#include "sql/types/schema.h"

namespace strata::sql {
namespace {

using ast::TypeKind;

void ExpectSameValue(const Value& a, const Value& b) {
  ASSERT_EQ(a.kind(), b.kind());
  if (a.kind() == ValueKind::kDecimal) {
    EXPECT_EQ(a.decimal_value().unscaled, b.decimal_value().unscaled);
    EXPECT_EQ(a.decimal_value().scale, b.decimal_value().scale);
  } else if (a.kind() == ValueKind::kDouble) {
    EXPECT_EQ(std::signbit(a.double_value()), std::signbit(b.double_value()));
    EXPECT_EQ(a.double_value(), b.double_value());
  }
  EXPECT_EQ(a.ToText(), b.ToText());
}

Row EveryKind() {
  return Row{Value::Null(),
             Value::Int(0),
             Value::Int(-5),
             Value::Int(INT64_MIN),
             Value::Int(INT64_MAX),
             Value::Uint(UINT64_MAX),
             Value::Double(-0.0),
             Value::Double(1e300),
             Value::Dec(Decimal{-12345, 2}),
             Value::Dec(Decimal{(static_cast<__int128>(1) << 120), 30}),
             Value::Dec(Decimal{-Int256::Pow10(64), 0}),
             Value::String(""),
             Value::String(std::string("a\0b\xff", 4)),
             Value::String(std::string(1000, 'x')),
             Value::Null()};
}

// A table of `n` columns (their types do not matter to the row codec).
TableSchema TableOf(size_t n) {
  TableSchema t;
  t.columns.resize(n);
  return t;
}

TEST(RowCodecTest, RoundTripsEveryKind) {
  Row row = EveryKind();
  Bytes enc = EncodeRow(row);
  auto decoded = DecodeRow(enc, TableOf(row.size()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), row.size());
  for (size_t i = 0; i < row.size(); i++) ExpectSameValue((*decoded)[i], row[i]);
  // Columns added after the row was written read as their added_default (NULL unless set).
  TableSchema wider_table = TableOf(row.size() + 2);
  wider_table.columns[row.size() + 1].added_default = Value::Int(7);
  auto wider = DecodeRow(enc, wider_table);
  ASSERT_TRUE(wider.ok());
  EXPECT_TRUE((*wider)[row.size()].is_null());
  EXPECT_EQ((*wider)[row.size() + 1].int_value(), 7);
  auto empty = DecodeRow(EncodeRow(Row{}), TableOf(0));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(RowCodecTest, EveryTruncationIsCorruption) {
  Bytes enc = EncodeRow(EveryKind());
  for (size_t n = 0; n < enc.size(); n++) {
    auto r = DecodeRow(Slice(enc).substr(0, n), TableOf(EveryKind().size()));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  auto trailing = DecodeRow(enc + "x", TableOf(EveryKind().size()));
  EXPECT_EQ(trailing.status().code(), StatusCode::kCorruption);
}

TEST(RowCodecTest, RandomGarbageNeverCrashes) {
  std::mt19937 rng(20260101);
  Bytes valid = EncodeRow(EveryKind());
  int ok = 0, corrupt = 0;
  for (int i = 0; i < 20000; i++) {
    Bytes in;
    if (i % 2 == 0) {
      in = valid;  // flip a few bytes of a valid row
      for (int f = 0; f < 1 + static_cast<int>(rng() % 4); f++) in[rng() % in.size()] = static_cast<char>(rng());
    } else {
      in.resize(rng() % 64);
      for (char& c : in) c = static_cast<char>(rng());
      if (!in.empty() && rng() % 2) in[0] = 1;  // get past the version byte
    }
    auto r = DecodeRow(in, TableOf(14));
    if (r.ok()) {
      ok++;
    } else {
      ASSERT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
      corrupt++;
    }
  }
  EXPECT_GT(corrupt, 0);
}

TableSchema SampleSchema() {
  TableSchema t;
  t.id = 1234;
  t.database = "shop";
  t.name = "Orders";
  t.comment = "order lines";
  t.auto_increment_start = 77;
  auto add = [&](std::string name, TypeKind kind, uint32_t length = 0, uint32_t scale = 0) -> ColumnSchema& {
    ColumnSchema c;
    c.name = std::move(name);
    c.type.kind = kind;
    c.type.length = length;
    c.type.scale = scale;
    t.columns.push_back(std::move(c));
    return t.columns.back();
  };
  ColumnSchema& id = add("id", TypeKind::kBigInt);
  id.type.is_unsigned = true;
  id.nullable = false;
  id.auto_increment = true;
  ColumnSchema& name = add("name", TypeKind::kVarchar, 40);
  name.default_kind = DefaultKind::kValue;
  name.default_value = Value::String("anon");
  name.comment = "who";
  ColumnSchema& price = add("price", TypeKind::kDecimal, 10, 2);
  price.default_kind = DefaultKind::kValue;
  price.default_value = Value::Dec(Decimal{150, 2});
  ColumnSchema& flag = add("flag", TypeKind::kTinyInt, 1);
  flag.type.is_boolean = true;
  flag.default_kind = DefaultKind::kNull;
  ColumnSchema& size = add("size", TypeKind::kEnum);
  size.type.enum_values = {"s", "m", "l"};
  ColumnSchema& ts = add("ts", TypeKind::kTimestamp);
  ts.default_kind = DefaultKind::kCurrentTimestamp;
  ts.on_update_current_timestamp = true;
  t.primary = IndexSchema{kPrimaryIndexId, "PRIMARY", {0}, true};
  t.indexes.push_back(IndexSchema{2, "name", {1, 2}, true});
  t.indexes.push_back(IndexSchema{3, "k_size", {4}, false});
  return t;
}

TEST(SchemaCodecTest, RoundTrip) {
  TableSchema t = SampleSchema();
  auto d = TableSchema::Decode(t.Encode());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, t.id);
  EXPECT_EQ(d->database, t.database);
  EXPECT_EQ(d->name, t.name);
  EXPECT_EQ(d->engine, t.engine);
  EXPECT_EQ(d->comment, t.comment);
  EXPECT_EQ(d->auto_increment_start, t.auto_increment_start);
  ASSERT_EQ(d->columns.size(), t.columns.size());
  for (size_t i = 0; i < t.columns.size(); i++) {
    const ColumnSchema &a = d->columns[i], &b = t.columns[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.type.kind, b.type.kind);
    EXPECT_EQ(a.type.length, b.type.length);
    EXPECT_EQ(a.type.scale, b.type.scale);
    EXPECT_EQ(a.type.is_unsigned, b.type.is_unsigned);
    EXPECT_EQ(a.type.is_boolean, b.type.is_boolean);
    EXPECT_EQ(a.type.enum_values, b.type.enum_values);
    EXPECT_EQ(a.nullable, b.nullable);
    EXPECT_EQ(a.auto_increment, b.auto_increment);
    EXPECT_EQ(a.default_kind, b.default_kind);
    ExpectSameValue(a.default_value, b.default_value);
    EXPECT_EQ(a.on_update_current_timestamp, b.on_update_current_timestamp);
    EXPECT_EQ(a.comment, b.comment);
  }
  EXPECT_EQ(d->primary.columns, t.primary.columns);
  EXPECT_EQ(d->primary.name, "PRIMARY");
  ASSERT_EQ(d->indexes.size(), 2u);
  EXPECT_EQ(d->indexes[0].name, "name");
  EXPECT_EQ(d->indexes[0].columns, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(d->indexes[0].unique);
  EXPECT_EQ(d->indexes[1].id, 3u);
  EXPECT_FALSE(d->indexes[1].unique);
  EXPECT_EQ(d->NextIndexId(), 4u);
  EXPECT_EQ(d->AutoIncrementColumn(), 0u);
  EXPECT_EQ(d->FindColumn("PRICE"), 2u);
  EXPECT_EQ(d->columns[2].type.ToSql(), "decimal(10,2)");
}

// ALTER TABLE … ENGINE's state travels in an optional trailer; a schema without it (every
// schema written before it existed) decodes with none.
TEST(SchemaCodecTest, MoveStateRoundTripsAndIsOptional) {
  TableSchema t = SampleSchema();
  EXPECT_EQ(TableSchema::Decode(t.Encode())->moving_to, 0u);
  t.moving_to = 0x80000003;
  t.write_fence_until_ms = 1'800'000'000'123;
  Bytes enc = t.Encode();
  auto d = TableSchema::Decode(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->moving_to, t.moving_to);
  EXPECT_EQ(d->write_fence_until_ms, t.write_fence_until_ms);
  EXPECT_EQ(d->indexes.size(), 2u);
  EXPECT_FALSE(TableSchema::Decode(Slice(enc).substr(0, enc.size() - 1)).ok());  // a cut trailer
  // Added defaults (ALTER TABLE ... ADD COLUMN) follow the move state.
  t.moving_to = 0;
  t.write_fence_until_ms = 0;
  t.columns[3].added_default = Value::String("dflt");
  auto e = TableSchema::Decode(t.Encode());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->columns[3].added_default.string_value(), "dflt");
  EXPECT_TRUE(e->columns[2].added_default.is_null());
}

// Collations travel in the last trailer: the table's default and each text column's. A schema
// without it (every one written before collations) keeps its columns binary, NO PAD, as
// their keys were built; an unknown collation id is corruption, not a silent binary.
TEST(SchemaCodecTest, CollationsRoundTripAndOldSchemasStayBinary) {
  TableSchema t = SampleSchema();
  auto legacy = TableSchema::Decode(t.Encode());
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->columns[1].type.collation, 0u);
  EXPECT_EQ(legacy->columns[1].type.CollationId(), kCollationUtf8mb4Bin);  // what it shows
  EXPECT_EQ(legacy->columns[1].type.Collation(), CollationKind::kBinary);  // what it does
  EXPECT_EQ(legacy->DefaultCollationId(), kCollationUtf8mb4Bin);

  t.default_collation = kCollationUtf8mb4_0900AiCi;
  t.columns[1].type.collation = kCollationUtf8mb4GeneralCi;
  Bytes enc = t.Encode();
  auto d = TableSchema::Decode(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->default_collation, kCollationUtf8mb4_0900AiCi);
  EXPECT_EQ(d->columns[1].type.collation, kCollationUtf8mb4GeneralCi);
  EXPECT_EQ(d->columns[1].type.Collation(), CollationKind::kUcaPadSpace);
  EXPECT_EQ(d->columns[0].type.collation, 0u);
  for (size_t n = enc.size() - 4; n < enc.size(); n++)
    EXPECT_FALSE(TableSchema::Decode(Slice(enc).substr(0, n)).ok()) << n;  // a cut trailer
  // The last byte is the column's collation id (45 fits one varint byte): 44 is no collation.
  ASSERT_EQ(static_cast<uint8_t>(enc.back()), kCollationUtf8mb4GeneralCi);
  enc.back() = 44;
  EXPECT_EQ(TableSchema::Decode(enc).status().code(), StatusCode::kCorruption);
}

// A _ci column's key is its weights: spellings the collation calls equal share one key (a
// UNIQUE or PRIMARY KEY refuses the second), and its decoded values carry the collation.
TEST(SchemaCodecTest, CollatedKeysAndRows) {
  TableSchema t = SampleSchema();
  t.columns[1].type.collation = kCollationUtf8mb4GeneralCi;
  const ColumnType& ci = t.columns[1].type;
  auto key = [](const Value& v, const ColumnType& type) {
    Bytes out;
    AppendKeyValue(v, type, &out);
    return out;
  };
  EXPECT_EQ(key(Value::String("Résumé  "), ci), key(Value::String("resume"), ci));
  EXPECT_LT(key(Value::String("apple"), ci), key(Value::String("Banana"), ci));
  ColumnType bin = ci;
  bin.collation = kCollationUtf8mb4Bin;
  EXPECT_EQ(key(Value::String("a  "), bin), key(Value::String("a"), bin));  // PAD SPACE
  EXPECT_NE(key(Value::String("a"), bin), key(Value::String("A"), bin));
  bin.collation = 0;  // a column from before collations: bytes, NO PAD
  EXPECT_NE(key(Value::String("a  "), bin), key(Value::String("a"), bin));

  Row row(t.columns.size());
  row[1] = Value::String("Apple");
  auto decoded = DecodeRow(EncodeRow(row), t);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[1].string_value(), "Apple");  // the bytes as written
  EXPECT_EQ((*decoded)[1].collation(), MakeStringCollation(CollationKind::kUcaPadSpace, Coercibility::kImplicit));
  EXPECT_EQ(CompareValues((*decoded)[1], Value::String("APPLE")), 0);
}

// A FLOAT/DOUBLE column's length counts only with fixed_decimals (FLOAT(M,D)): schemas
// written before (M,D) was honoured hold FLOAT(p)'s p there and must stay plain FLOAT.
TEST(SchemaCodecTest, FloatLengthWithoutFixedDecimalsIsPlain) {
  TableSchema t = SampleSchema();
  ColumnSchema& f = t.columns[2];
  f.type = ColumnType{};
  f.type.kind = ast::TypeKind::kDouble;
  f.type.length = 10;  // a legacy DOUBLE(10,2) lost its scale: length 10, scale 0
  auto legacy = TableSchema::Decode(t.Encode());
  ASSERT_TRUE(legacy.ok());
  EXPECT_FALSE(legacy->columns[2].type.fixed_decimals);
  EXPECT_EQ(legacy->columns[2].type.ToSql(), "double");
  auto v = ConvertForColumn(legacy->columns[2], Value::Double(12.34), 1);
  ASSERT_TRUE(v.ok());
  EXPECT_DOUBLE_EQ(v->double_value(), 12.34);  // not rounded to a whole number
  f.type.scale = 2;
  f.type.fixed_decimals = true;
  auto fixed = TableSchema::Decode(t.Encode());
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->columns[2].type.ToSql(), "double(10,2)");
  EXPECT_DOUBLE_EQ(ConvertForColumn(fixed->columns[2], Value::Double(12.346), 1)->double_value(), 12.35);
}

TEST(SchemaCodecTest, CorruptSchemasAreRejected) {
  Bytes enc = SampleSchema().Encode();
  for (size_t n = 0; n < enc.size(); n++)
    ASSERT_FALSE(TableSchema::Decode(Slice(enc).substr(0, n)).ok()) << n;
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; i++) {
    Bytes in = enc;
    in[rng() % in.size()] = static_cast<char>(rng());
    (void)TableSchema::Decode(in);  // must not crash
  }
  // An index naming a column the table does not have.
  TableSchema bad = SampleSchema();
  bad.indexes[1].columns = {99};
  EXPECT_EQ(TableSchema::Decode(bad.Encode()).status().code(), StatusCode::kCorruption);
}

TEST(KeyCodecTest, PkSuffixFromIndexKeyWithZeroBytes) {
  TableSchema t;
  t.id = 2000;
  for (auto [name, kind] : {std::pair{"name", TypeKind::kVarchar}, std::pair{"n", TypeKind::kBigInt},
                            std::pair{"tag", TypeKind::kVarbinary}, std::pair{"price", TypeKind::kDecimal},
                            std::pair{"d", TypeKind::kDate}}) {
    ColumnSchema c;
    c.name = name;
    c.type.kind = kind;
    c.type.length = 20;
    t.columns.push_back(c);
  }
  t.primary = IndexSchema{kPrimaryIndexId, "PRIMARY", {0, 1}, true};  // (varchar, bigint)
  IndexSchema by_tag{2, "k_tag", {2}, false};
  IndexSchema by_tag_price_date{3, "k_multi", {2, 3, 4}, false};
  t.indexes = {by_tag, by_tag_price_date};
  std::vector<std::string> strings = {"",
                                      std::string("\0", 1),
                                      std::string("\0\0", 2),
                                      std::string("a\0\x01", 3),
                                      std::string("\0\xff", 2),
                                      std::string("\x01\x00\x01", 3),
                                      "plain"};
  for (const std::string& name : strings) {
    for (const std::string& tag : strings) {
      for (bool null_tag : {false, true}) {
        Row row{Value::String(name), Value::Int(-42), null_tag ? Value::Null() : Value::String(tag),
                Value::Dec(Decimal{-1999, 2}), Value::String("2026-01-02")};
        Bytes pk = PrimaryKeySuffix(t, row, 0);
        for (const IndexSchema& index : t.indexes) {
          Bytes key = IndexKey(t, index, row, pk);
          auto got = PkSuffixFromIndexKey(t, index, key);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          EXPECT_EQ(*got, pk);
          // Truncated keys are errors, never out-of-bounds reads.
          for (size_t n = 0; n < key.size() - pk.size(); n++)
            EXPECT_FALSE(PkSuffixFromIndexKey(t, index, Slice(key).substr(0, n)).ok()) << n;
        }
      }
    }
  }
}

TEST(KeyCodecTest, HiddenRowIds) {
  TableSchema t;
  t.id = 3000;
  ColumnSchema c;
  c.name = "v";
  c.type.kind = TypeKind::kVarchar;
  c.type.length = 10;
  t.columns.push_back(c);
  t.indexes.push_back(IndexSchema{2, "k_v", {0}, false});
  ASSERT_TRUE(t.has_hidden_key());
  Row row{Value::String(std::string("x\0y", 3))};
  for (uint64_t id : {uint64_t{1}, uint64_t{255}, uint64_t{1} << 40, UINT64_MAX}) {
    Bytes pk = PrimaryKeySuffix(t, row, id);
    EXPECT_EQ(*HiddenRowIdFromKey(RowKey(t, pk)), id);
    EXPECT_EQ(*PkSuffixFromIndexKey(t, t.indexes[0], IndexKey(t, t.indexes[0], row, pk)), pk);
  }
  EXPECT_LT(RowKey(t, PrimaryKeySuffix(t, row, 2)), RowKey(t, PrimaryKeySuffix(t, row, 10)));
  EXPECT_FALSE(HiddenRowIdFromKey("short").ok());
  EXPECT_EQ(IndexPrefix(3000, 2).size(), 8u);
}

TEST(AccountRecordTest, RolesRoundTripAndOldRecordsStayFormatOne) {
  UserAccount a;
  a.user = "u";
  a.host = "%";
  a.plugin = "caching_sha2_password";
  a.global = kPrivSelect;
  Bytes plain = a.Encode();
  EXPECT_EQ(static_cast<uint8_t>(plain[0]), 1);  // no roles: the format older binaries read
  a.roles = {{"r1", "%", false}, {"r2", "localhost", true}};
  a.default_roles = {{"r1", "%"}};
  Bytes with_roles = a.Encode();
  EXPECT_EQ(static_cast<uint8_t>(with_roles[0]), 2);
  auto back = UserAccount::Decode(Slice(with_roles));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->roles.size(), 2u);
  EXPECT_EQ(back->roles[1].user, "r2");
  EXPECT_TRUE(back->roles[1].admin);
  EXPECT_EQ(back->default_roles, a.default_roles);
  UserAccount role;
  role.user = "r";
  role.is_role = role.locked = true;
  auto role_back = UserAccount::Decode(Slice(role.Encode()));
  ASSERT_TRUE(role_back.ok());
  EXPECT_TRUE(role_back->is_role);
  // Damage: an admin flag other than 0/1, trailing bytes after format 1, an unknown format.
  Bytes bad_flag = with_roles;
  bad_flag[bad_flag.size() - 1 - (1 + 2 + 1 + 1 + 1)] = 7;  // r2's admin byte (before the default-roles section)
  EXPECT_FALSE(UserAccount::Decode(Slice(bad_flag)).ok());
  Bytes trailing = plain;
  trailing.push_back('\0');
  EXPECT_FALSE(UserAccount::Decode(Slice(trailing)).ok());
  Bytes future = plain;
  future[0] = 9;
  EXPECT_FALSE(UserAccount::Decode(Slice(future)).ok());
}

}  // namespace
}  // namespace strata::sql
