// The binary protocol's codecs (server/mysql/binary_protocol.h): COM_STMT_EXECUTE parameter
// decoding for every type, NULL bitmaps and remembered types, long data, and the binary row
// and temporal encodings. Byte-exact, against the layouts in docs/mysql_protocol.md.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/mysql/binary_protocol.h"

namespace strata::server::mysql {
namespace {

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// stmt id 7, flags, iteration count 1.
std::string Header(uint8_t flags = 0) { return Bytes({7, 0, 0, 0, flags, 1, 0, 0, 0}); }

ParamValue DecodeOne(uint8_t type, bool is_unsigned, const std::string& value) {
  std::string args = Header() + Bytes({0, 1, type, is_unsigned ? 0x80 : 0}) + value;
  std::vector<ParamType> types;
  ExecuteRequest req;
  Status s = DecodeExecute(args, 1, &types, {}, &req);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(req.statement_id, 7u);
  return req.params.empty() ? ParamValue() : req.params[0];
}

TEST(BinaryParams, Integers) {
  ParamValue v = DecodeOne(0x01, false, Bytes({0xfb}));
  EXPECT_EQ(v.kind, ParamValue::Kind::kInt);
  EXPECT_EQ(v.int_value, -5);
  v = DecodeOne(0x01, true, Bytes({0xfb}));
  EXPECT_EQ(v.kind, ParamValue::Kind::kUint);
  EXPECT_EQ(v.uint_value, 251u);
  EXPECT_EQ(DecodeOne(0x02, false, Bytes({0xd4, 0xfe})).int_value, -300);
  EXPECT_EQ(DecodeOne(0x03, false, Bytes({0x90, 0xee, 0xfe, 0xff})).int_value, -70000);
  EXPECT_EQ(DecodeOne(0x08, true, std::string(8, '\xff')).uint_value, ~0ull);
  EXPECT_EQ(DecodeOne(0x08, false, std::string(8, '\xff')).int_value, -1);
}

TEST(BinaryParams, FloatingPointDecimalAndStrings) {
  float f = 1.5f;
  std::string fb(4, '\0');
  std::memcpy(fb.data(), &f, 4);
  ParamValue v = DecodeOne(0x04, false, fb);
  EXPECT_EQ(v.kind, ParamValue::Kind::kDouble);
  EXPECT_EQ(v.double_value, 1.5);
  double d = -2.25e10;
  std::string db(8, '\0');
  std::memcpy(db.data(), &d, 8);
  EXPECT_EQ(DecodeOne(0x05, false, db).double_value, d);
  v = DecodeOne(0xf6, false, "\x06-12.50");
  EXPECT_EQ(v.kind, ParamValue::Kind::kDecimal);
  EXPECT_EQ(v.text, "-12.50");
  for (uint8_t t : {0x0f, 0xfc, 0xfd, 0xfe, 0xf5}) {
    v = DecodeOne(t, false, std::string("\x03" "a\0b", 4));
    EXPECT_EQ(v.kind, ParamValue::Kind::kString) << int(t);
    EXPECT_EQ(v.text, std::string("a\0b", 3));
  }
}

TEST(BinaryParams, Temporals) {
  EXPECT_EQ(DecodeOne(0x0a, false, Bytes({4, 0xea, 0x07, 11, 25})).text, "2026-11-25");
  EXPECT_EQ(DecodeOne(0x0c, false, Bytes({4, 0xea, 0x07, 11, 25})).text, "2026-11-25 00:00:00");
  EXPECT_EQ(DecodeOne(0x0c, false, Bytes({7, 0xea, 0x07, 11, 25, 10, 20, 30})).text, "2026-11-25 10:20:30");
  EXPECT_EQ(DecodeOne(0x07, false, Bytes({11, 0xea, 0x07, 11, 25, 10, 20, 30, 0x40, 0xe2, 0x01, 0})).text,
            "2026-11-25 10:20:30.123456");
  EXPECT_EQ(DecodeOne(0x0c, false, Bytes({0})).text, "0000-00-00 00:00:00");
  ParamValue t = DecodeOne(0x0b, false, Bytes({8, 1, 4, 0, 0, 0, 4, 2, 3}));
  EXPECT_EQ(t.kind, ParamValue::Kind::kTemporal);
  EXPECT_EQ(t.text, "-100:02:03");
  EXPECT_EQ(DecodeOne(0x0b, false, Bytes({12, 0, 0, 0, 0, 0, 1, 2, 3, 0x20, 0xa1, 0x07, 0})).text, "01:02:03.500000");
  EXPECT_EQ(DecodeOne(0x0b, false, Bytes({0})).text, "00:00:00");
}

TEST(BinaryParams, NullBitmapRememberedTypesAndLongData) {
  // Three parameters: #0 NULL (bitmap bit 0), #1 long data, #2 a LONG.
  std::string args = Header() + Bytes({0x01, 1, 0x03, 0, 0xfc, 0, 0x03, 0}) + Bytes({9, 0, 0, 0});
  std::vector<ParamType> types;
  std::vector<std::optional<std::string>> long_data = {std::nullopt, std::string("big"), std::nullopt};
  ExecuteRequest req;
  ASSERT_TRUE(DecodeExecute(args, 3, &types, long_data, &req).ok());
  ASSERT_EQ(req.params.size(), 3u);
  EXPECT_EQ(req.params[0].kind, ParamValue::Kind::kNull);
  EXPECT_EQ(req.params[1].kind, ParamValue::Kind::kString);
  EXPECT_EQ(req.params[1].text, "big");
  EXPECT_EQ(req.params[2].int_value, 9);
  // The next execute sends no types (new-params-bound 0): the remembered ones apply.
  args = Header() + Bytes({0x00, 0}) + Bytes({0x7b, 0, 0, 0}) + Bytes({0x02, 'h', 'i'}) + Bytes({1, 0, 0, 0});
  ASSERT_TRUE(DecodeExecute(args, 3, &types, {}, &req).ok());
  EXPECT_EQ(req.params[0].int_value, 123);
  EXPECT_EQ(req.params[1].text, "hi");
  EXPECT_EQ(req.params[2].int_value, 1);
}

TEST(BinaryParams, MalformedRequestsAreErrors) {
  std::vector<ParamType> types;
  ExecuteRequest req;
  EXPECT_FALSE(DecodeExecute(Bytes({7, 0, 0}), 0, &types, {}, &req).ok());                // short header
  EXPECT_FALSE(DecodeExecute(Header(), 1, &types, {}, &req).ok());                        // no bitmap
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 0}), 1, &types, {}, &req).ok());        // no types yet
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 1, 3}), 1, &types, {}, &req).ok());     // short types
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 1, 3, 0, 1}), 1, &types, {}, &req).ok());  // short value
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 1, 0x42, 0}), 1, &types, {}, &req).ok());  // unknown type
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 2}), 1, &types, {}, &req).ok());        // bad bound flag
  EXPECT_FALSE(DecodeExecute(Header() + Bytes({0, 1, 0x0c, 0, 5, 1, 2, 3, 4, 5}), 1, &types, {}, &req).ok());
  // A statement without parameters ignores what follows the header.
  EXPECT_TRUE(DecodeExecute(Header() + "junk", 0, &types, {}, &req).ok());
  EXPECT_FALSE(ReadStatementId("abc").has_value());
  EXPECT_FALSE(DecodeFetch(Bytes({1, 0, 0, 0, 5})).has_value());
  EXPECT_FALSE(DecodeLongData(Bytes({1, 0, 0, 0, 5})).has_value());
  const std::string long_data = Bytes({1, 0, 0, 0, 2, 0, 'x'});  // ld->data points into it
  std::optional<LongDataRequest> ld = DecodeLongData(long_data);
  ASSERT_TRUE(ld.has_value());
  EXPECT_EQ(ld->param, 2u);
  EXPECT_EQ(ld->data, "x");
}

TEST(BinaryRows, PrepareOkLayout) {
  EXPECT_EQ(Hex(EncodePrepareOk(1, 2, 3, 0)), "000100000002000300000000");
}

Column Col(FieldType type, uint16_t flags = 0) {
  Column c;
  c.name = "c";
  c.type = type;
  c.flags = flags;
  return c;
}

TEST(BinaryRows, ValuesByColumnType) {
  std::vector<Column> cols = {Col(FieldType::kTiny),     Col(FieldType::kShort),    Col(FieldType::kLong),
                              Col(FieldType::kLongLong, kUnsignedFlag), Col(FieldType::kDouble),
                              Col(FieldType::kVarString), Col(FieldType::kNewDecimal), Col(FieldType::kNull)};
  TextRow row = {std::string("-1"), std::string("300"), std::string("-2"), std::string("18446744073709551615"),
                 std::string("0.5"), std::string("ab"), std::string("1.50"), std::nullopt};
  Result<std::string> r = EncodeBinaryRow(cols, row);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // header, bitmap (10 bits: column 7 → bit 9), then the values.
  EXPECT_EQ(Hex(*r), "00" "0002" "ff" "2c01" "feffffff" "ffffffffffffffff" "000000000000e03f" "026162" "04312e3530");
}

TEST(BinaryRows, NullBitmapOffsetTwo) {
  std::vector<Column> cols(9, Col(FieldType::kVarString));
  TextRow row(9, std::nullopt);
  Result<std::string> r = EncodeBinaryRow(cols, row);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Hex(*r), "00" "fc07");  // bits 2..10
}

TEST(BinaryRows, Temporals) {
  std::vector<Column> cols = {Col(FieldType::kDate), Col(FieldType::kDateTime), Col(FieldType::kDateTime),
                              Col(FieldType::kTime), Col(FieldType::kTime),     Col(FieldType::kDateTime)};
  TextRow row = {std::string("2026-11-25"), std::string("2026-11-25 10:20:30"),
                 std::string("2026-11-25 10:20:30.5"), std::string("-100:02:03"),
                 std::string("00:00:00"), std::string("0000-00-00 00:00:00")};
  Result<std::string> r = EncodeBinaryRow(cols, row);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Hex(*r), "00" "00"
                     "04ea070b19"
                     "07ea070b190a141e"
                     "0bea070b190a141e20a10700"
                     "080104000000040203"
                     "00"
                     "00");
}

TEST(BinaryRows, MismatchIsAnErrorNotGarbage) {
  EXPECT_FALSE(EncodeBinaryRow({Col(FieldType::kLongLong)}, {std::string("abc")}).ok());
  EXPECT_FALSE(EncodeBinaryRow({Col(FieldType::kDate)}, {std::string("25/11/2026")}).ok());
  EXPECT_FALSE(EncodeBinaryRow({Col(FieldType::kLong)}, {std::string("1"), std::string("2")}).ok());
  std::string out;
  EXPECT_FALSE(AppendBinaryTime("12:3", &out));
  EXPECT_FALSE(AppendBinaryDateTime("2026-11-25 10:20:30.1234567", &out));
}

}  // namespace
}  // namespace strata::server::mysql
