#include "raft/message_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "common/checksum.h"

namespace strata::raft {
namespace {

constexpr uint64_t kCluster = 0xC1A55;

Message Sample() {
  Message m{.type = MessageType::kAppend, .from = 1, .to = 300, .term = 7, .log_term = 6,
            .index = 1u << 20, .commit = 99, .reject = true, .reject_hint = 5, .send_tick = 12};
  m.context = "ctx";
  m.entries = {Entry{6, 100, EntryType::kNormal, "hello"}, Entry{7, 101, EntryType::kConfChange, "x"},
               Entry{7, 102, EntryType::kNoop, ""}};
  m.snapshot = Snapshot{SnapshotMetadata{50, 3, ConfState{{1, 2, 3}, {9}}}, Bytes("snap\0data", 9)};
  return m;
}

TEST(MessageCodecTest, RoundTrips) {
  Message m = Sample();
  Result<Message> back = DecodeMessage(EncodeMessage(m, kCluster), kCluster);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  Message empty{.type = MessageType::kHeartbeatResponse, .from = 2, .to = 1};
  back = DecodeMessage(EncodeMessage(empty, kCluster), kCluster);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, empty);
}

TEST(MessageCodecTest, RejectsAnotherCluster) {
  Result<Message> r = DecodeMessage(EncodeMessage(Sample(), kCluster), kCluster + 1);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(MessageCodecTest, EveryBitFlipAndTruncationIsDetected) {
  Bytes good = EncodeMessage(Sample(), kCluster);
  for (size_t i = 0; i < good.size() * 8; ++i) {
    Bytes bad = good;
    bad[i / 8] = static_cast<char>(bad[i / 8] ^ (1 << (i % 8)));
    EXPECT_FALSE(DecodeMessage(bad, kCluster).ok()) << "bit " << i;
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeMessage(Slice(good).substr(0, n), kCluster).ok()) << n;
  }
}

// Random bytes, with a valid checksum so that the body parser itself is exercised,
// must never crash, hang or allocate without bound.
TEST(MessageCodecTest, RandomInputNeverCrashes) {
  std::mt19937_64 rng(42);
  Bytes good = EncodeMessage(Sample(), kCluster);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes input;
    if (iter % 2 == 0) {
      input.resize(rng() % 200);
      for (char& ch : input) ch = static_cast<char>(rng());
      if (input.size() > 9) {
        input[0] = kMessageFormatVersion;
        for (int k = 0; k < 8; ++k) input[1 + k] = static_cast<char>(kCluster >> (8 * k));
      }
    } else {
      input = good.substr(0, good.size() - 8);  // mutate the body of a real message
      for (int k = 0; k < 4; ++k) input[9 + rng() % (input.size() - 9)] = static_cast<char>(rng());
    }
    if (input.size() >= 9) {
      uint64_t sum = Checksum64(input);
      for (int k = 0; k < 8; ++k) input.push_back(static_cast<char>(sum >> (8 * k)));
    }
    Result<Message> r = DecodeMessage(input, kCluster);
    if (r.ok()) {
      EXPECT_EQ(DecodeMessage(EncodeMessage(*r, kCluster), kCluster).value(), *r);
    }
  }
}

}  // namespace
}  // namespace strata::raft
