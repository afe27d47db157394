#include "common/shared_bytes.h"

#include <gtest/gtest.h>

#include "raft/types.h"

namespace strata {
namespace {

TEST(SharedBytesTest, TakesTheStringsBufferAndCopiesShareIt) {
  Bytes big(1 << 20, 'x');
  const char* buffer = big.data();
  SharedBytes a(std::move(big));
  EXPECT_EQ(a.data(), buffer);  // moved in, not copied
  SharedBytes b = a;
  EXPECT_EQ(b.data(), buffer);  // a copy is a reference
  EXPECT_EQ(b.size(), 1u << 20);
  EXPECT_TRUE(b == a.slice());
}

TEST(SharedBytesTest, ComparesByContentAndEmptyIsEmpty) {
  SharedBytes empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.slice(), Slice());
  EXPECT_TRUE(empty == SharedBytes(Bytes()).slice());
  SharedBytes x("abc"), y(Slice("abc"));
  EXPECT_NE(x.data(), y.data());
  EXPECT_TRUE(x == y.slice());
  EXPECT_FALSE(x == Slice("abd"));
  EXPECT_EQ(x.ToBytes(), "abc");
}

// Entries compare by their data's bytes, not by which buffer holds them.
TEST(SharedBytesTest, RaftEntriesCompareByData) {
  raft::Entry a{1, 2, raft::EntryType::kNormal, Bytes("v")};
  raft::Entry b{1, 2, raft::EntryType::kNormal, SharedBytes(Slice("v"))};
  EXPECT_EQ(a, b);
  b.data = "w";
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace strata
