// Collations (sql/types/collation.h): comparisons, weights, hashes and LIKE under each kind,
// checked against ICU's own collator at primary strength as the independent oracle.
#include "sql/types/collation.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unicode/ucol.h>

#include <string>
#include <vector>

namespace strata::sql {
namespace {

constexpr CollationKind kAllKinds[] = {CollationKind::kBinary, CollationKind::kUcaNoPad, CollationKind::kUcaPadSpace,
                                       CollationKind::kBinaryPadSpace};

std::string Weights(std::string_view s, CollationKind kind) {
  std::string out;
  AppendWeights(s, kind, &out);
  return out;
}

int Sign(int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; }

// ICU's root collator at primary strength, compared directly (no weights, no ASCII tables).
int IcuCompare(std::string_view a, std::string_view b) {
  static UCollator* collator = [] {
    UErrorCode status = U_ZERO_ERROR;
    UCollator* c = ucol_open("", &status);
    ucol_setStrength(c, UCOL_PRIMARY);
    return c;
  }();
  UErrorCode status = U_ZERO_ERROR;
  UCollationResult r = ucol_strcollUTF8(collator, a.data(), static_cast<int32_t>(a.size()), b.data(),
                                        static_cast<int32_t>(b.size()), &status);
  return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

TEST(Collation, CaseAndAccentInsensitive) {
  for (CollationKind kind : {CollationKind::kUcaNoPad, CollationKind::kUcaPadSpace}) {
    EXPECT_EQ(CollatedCompare("apple", "APPLE", kind), 0);
    EXPECT_EQ(CollatedCompare("résumé", "RESUME", kind), 0);
    EXPECT_EQ(CollatedCompare("Äpfel", "apfel", kind), 0);
    EXPECT_EQ(CollatedCompare("e\xcc\x81", "\xc3\xa9", kind), 0);  // e + combining acute = é
    EXPECT_LT(CollatedCompare("apple", "Banana", kind), 0);         // not bytewise: 'a' > 'B' there
    EXPECT_LT(CollatedCompare("Äpfel", "apple", kind), 0);
    EXPECT_LT(CollatedCompare("a", "ab", kind), 0);
    EXPECT_EQ(CollatedCompare("straße", "STRASSE", kind), 0);  // UCA expands ß
  }
  EXPECT_NE(CollatedCompare("apple", "APPLE", CollationKind::kBinary), 0);
  EXPECT_NE(CollatedCompare("apple", "APPLE", CollationKind::kBinaryPadSpace), 0);
  EXPECT_GT(CollatedCompare("apple", "Banana", CollationKind::kBinary), 0);
}

TEST(Collation, PadSpaceAndNoPad) {
  EXPECT_EQ(CollatedCompare("a", "a  ", CollationKind::kUcaPadSpace), 0);
  EXPECT_EQ(CollatedCompare("a", "a  ", CollationKind::kBinaryPadSpace), 0);
  EXPECT_LT(CollatedCompare("a", "a  ", CollationKind::kUcaNoPad), 0);
  EXPECT_LT(CollatedCompare("a", "a  ", CollationKind::kBinary), 0);
  EXPECT_EQ(Weights("a  ", CollationKind::kUcaPadSpace), Weights("A", CollationKind::kUcaPadSpace));
  EXPECT_EQ(Weights("a  ", CollationKind::kBinaryPadSpace), "a");
  EXPECT_EQ(Weights("a  ", CollationKind::kBinary), "a  ");
  EXPECT_NE(Weights("a ", CollationKind::kUcaNoPad), Weights("a", CollationKind::kUcaNoPad));
}

TEST(Collation, Coercibility) {
  const StringCollation column_ci = MakeStringCollation(CollationKind::kUcaPadSpace, Coercibility::kImplicit);
  const StringCollation column_bin = MakeStringCollation(CollationKind::kBinaryPadSpace, Coercibility::kImplicit);
  const StringCollation literal = MakeStringCollation(CollationKind::kUcaPadSpace, Coercibility::kCoercible);
  const StringCollation explicit_bin = MakeStringCollation(CollationKind::kBinary, Coercibility::kExplicit);
  EXPECT_EQ(ResolveCollation(column_bin, literal), CollationKind::kBinaryPadSpace);  // the column's
  EXPECT_EQ(ResolveCollation(literal, column_ci), CollationKind::kUcaPadSpace);
  EXPECT_EQ(ResolveCollation(column_ci, explicit_bin), CollationKind::kBinary);   // COLLATE / BINARY win
  // A tie: the _bin side wins, either way round (MySQL's rule); two _ci ones: bytes.
  EXPECT_EQ(ResolveCollation(column_ci, column_bin), CollationKind::kBinaryPadSpace);
  EXPECT_EQ(ResolveCollation(column_bin, column_ci), CollationKind::kBinaryPadSpace);
  const StringCollation column_ai = MakeStringCollation(CollationKind::kUcaNoPad, Coercibility::kImplicit);
  EXPECT_EQ(ResolveCollation(column_ci, column_ai), CollationKind::kBinary);
  EXPECT_EQ(ResolveCollation(0, literal), CollationKind::kBinary);                // untyped strings: bytes
}

TEST(Collation, Names) {
  EXPECT_EQ(CollationByName("UTF8MB4_0900_AI_CI")->id, kCollationUtf8mb4_0900AiCi);
  EXPECT_EQ(CollationByName("latin1_swedish_ci")->id, kCollationUtf8mb4GeneralCi);
  EXPECT_EQ(CollationByName("utf8mb3_bin")->id, kCollationUtf8mb4Bin);
  EXPECT_EQ(CollationByName("utf8mb4_klingon_ci"), nullptr);
  EXPECT_EQ(CollationByName("latin1_general_cs"), nullptr);
  EXPECT_EQ(DefaultCollationOfCharset("binary", kDefaultCollation)->id, kCollationBinary);
  EXPECT_EQ(DefaultCollationOfCharset("utf8", kCollationUtf8mb4_0900AiCi)->id, kCollationUtf8mb4_0900AiCi);
  EXPECT_EQ(DefaultCollationOfCharset("klingon", kDefaultCollation), nullptr);
  EXPECT_EQ(CollationName(kDefaultCollation), "utf8mb4_general_ci");
}

TEST(Collation, Like) {
  EXPECT_TRUE(CollatedLike("Apple", "ap%", '\\'));
  EXPECT_TRUE(CollatedLike("Äpfel", "_PFEL", '\\'));
  EXPECT_TRUE(CollatedLike("e\xcc\x81t\xc3\xa9", "%T_", '\\'));  // a combining mark is no character of its own
  EXPECT_TRUE(CollatedLike("100%", "100\\%", '\\'));
  EXPECT_FALSE(CollatedLike("1000", "100\\%", '\\'));
  EXPECT_FALSE(CollatedLike("apple", "ap", '\\'));
  EXPECT_FALSE(CollatedLike("apple ", "apple", '\\'));  // LIKE never pads
  EXPECT_TRUE(CollatedLike("", "%", '\\'));
  EXPECT_TRUE(CollatedLike("x\xff" "y", "X_Y", '\\'));  // an invalid byte is one character
}

// Strings from an alphabet that covers the fast ASCII path, the ICU path and their mixes.
rc::Gen<std::string> Strings() {
  static const std::vector<std::string> kPieces = {
      "a", "A", "b", "B", "z", "0", "9", " ", "-", "_", "%", "\t", "\x01", "~", "[", "é", "E", "\xcc\x81", "ß", "ss",
      "Ä", "中", "文", "😀", "Ω", "\xff", "ǅ", "ﬁ", "fi"};
  return rc::gen::map(rc::gen::container<std::vector<size_t>>(rc::gen::inRange<size_t>(0, kPieces.size())),
                      [](const std::vector<size_t>& picks) {
                        std::string s;
                        for (size_t i : picks) s += kPieces[i];
                        return s;
                      });
}

RC_GTEST_PROP(CollationProperty, UcaWeightsOrderAsIcuDoes, ()) {
  const std::string a = *Strings();
  const std::string b = *Strings();
  const int icu = IcuCompare(a, b);
  RC_ASSERT(CollatedCompare(a, b, CollationKind::kUcaNoPad) == icu);
  RC_ASSERT(Sign(Weights(a, CollationKind::kUcaNoPad).compare(Weights(b, CollationKind::kUcaNoPad))) == icu);
}

RC_GTEST_PROP(CollationProperty, WeightsHashesAndComparisonsAgree, ()) {
  const std::string a = *Strings();
  const std::string b = *rc::gen::oneOf(Strings(), rc::gen::just(a + "  "));
  for (CollationKind kind : kAllKinds) {
    const int c = CollatedCompare(a, b, kind);
    RC_ASSERT(CollatedCompare(b, a, kind) == -c);
    RC_ASSERT(Sign(Weights(a, kind).compare(Weights(b, kind))) == c);
    if (c == 0) RC_ASSERT(CollationHash(a) == CollationHash(b));  // one hash serves every kind
  }
}

}  // namespace
}  // namespace strata::sql
