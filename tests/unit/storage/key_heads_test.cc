// Key heads (storage/btree/key_heads.h) must find exactly what a plain binary search over
// the page finds: random pages of keys built to share prefixes and tie on their heads, and
// probes at, between, before and after their keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/btree/key_heads.h"

namespace strata::storage::btree {
namespace {

std::string RandomKey(std::mt19937_64& rng, const std::string& prefix, size_t max_suffix) {
  // A small alphabet with 0x00 and 0xff makes shared prefixes, zero padding and ties common.
  static const char kBytes[] = {'\x00', '\x01', 'a', 'b', '\x7f', '\x80', '\xff'};
  std::string key = prefix;
  const size_t n = rng() % (max_suffix + 1);
  for (size_t i = 0; i < n; i++) key.push_back(kBytes[rng() % sizeof(kBytes)]);
  return key;
}

TEST(KeyHeadsTest, SearchesAgreeWithThePlainBinarySearch) {
  std::mt19937_64 rng(20261205);
  alignas(8) static char data[kPageSize];
  for (int trial = 0; trial < 300; trial++) {
    const std::string prefix = trial % 3 == 0 ? "" : std::string("tbl\x00\x01", 5) + std::string(trial % 7, 'p');
    const size_t max_suffix = 1 + trial % 12;
    std::set<std::string> keys;
    const size_t want = 1 + rng() % 200;
    for (size_t i = 0; i < want * 3 && keys.size() < want; i++) keys.insert(RandomKey(rng, prefix, max_suffix));
    InitPage(data, 7, trial % 2 ? PageType::kLeaf : PageType::kBranch, trial % 2 ? 0 : 1, 1);
    NodePage page(data);
    std::vector<std::string> stored;
    for (const std::string& k : keys) {
      if (!page.TryInsert(page.count(), CellRef{Slice(k), Slice("\0vvvv", 5)})) break;
      stored.push_back(k);
    }
    KeyHeads heads;
    heads.Build(page);
    std::vector<std::string> probes = stored;
    for (const std::string& k : stored) {
      probes.push_back(k + '\x00');
      if (!k.empty()) probes.push_back(k.substr(0, k.size() - 1));
      if (!k.empty() && k.back() != '\xff') probes.push_back(k.substr(0, k.size() - 1) + char(k.back() + 1));
    }
    probes.push_back("");
    probes.push_back(prefix.substr(0, prefix.size() / 2));
    probes.push_back(std::string(8, '\xff'));
    for (int i = 0; i < 50; i++) probes.push_back(RandomKey(rng, i % 2 ? prefix : "", max_suffix + 2));
    for (const std::string& probe : probes) {
      bool found_plain = false, found_heads = false;
      const int plain = page.LowerBound(Slice(probe), &found_plain);
      ASSERT_EQ(heads.LowerBound(page, Slice(probe), &found_heads), plain) << "trial " << trial;
      ASSERT_EQ(found_heads, found_plain);
      ASSERT_EQ(heads.UpperBound(page, Slice(probe)), page.UpperBound(Slice(probe))) << "trial " << trial;
    }
  }
}

TEST(KeyHeadsTest, AnEmptyPageFindsNothing) {
  alignas(8) static char data[kPageSize];
  InitPage(data, 9, PageType::kLeaf, 0, 1);
  NodePage page(data);
  KeyHeads heads;
  heads.Build(page);
  bool found = true;
  EXPECT_EQ(heads.LowerBound(page, Slice("a"), &found), 0);
  EXPECT_FALSE(found);
  EXPECT_EQ(heads.UpperBound(page, Slice("a")), 0);
}

}  // namespace
}  // namespace strata::storage::btree
