// The compressed protocol's framing (server/mysql/compression.h), both algorithms, over an
// in-memory byte stream: what one side writes the other reads back, small payloads travel
// uncompressed, big ones shrink, and a damaged frame is an error, never garbage.
#include <algorithm>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "server/mysql/compression.h"

namespace strata::server::mysql {
namespace {

// A byte stream whose writes are read back in order.
class Pipe final : public Transport {
 public:
  explicit Pipe(std::shared_ptr<std::string> bytes) : bytes_(std::move(bytes)) {}
  Result<size_t> Read(char* buf, size_t len) override {
    if (pos_ == bytes_->size()) return Status::Unavailable("peer closed");
    size_t n = std::min(len, bytes_->size() - pos_);
    std::copy_n(bytes_->data() + pos_, n, buf);
    pos_ += n;
    return n;
  }
  Status WriteAll(std::string_view data) override {
    bytes_->append(data);
    return Status::OK();
  }

 private:
  std::shared_ptr<std::string> bytes_;
  size_t pos_ = 0;
};

std::string ReadAll(Transport& t, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    auto r = t.Read(out.data() + got, n - got);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) break;
    got += *r;
  }
  return out;
}

class CompressionTest : public ::testing::TestWithParam<Compression> {};

TEST_P(CompressionTest, RoundTripAndFrameShapes) {
  auto wire = std::make_shared<std::string>();
  auto writer = MakeCompressedTransport(std::make_unique<Pipe>(wire), GetParam(), 3);
  std::string small = "tiny packet";
  std::string big(200000, 'a');
  for (size_t i = 0; i < big.size(); i += 97) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(writer->WriteAll(small).ok());
  size_t after_small = wire->size();
  EXPECT_EQ(after_small, 7 + small.size());       // under 50 bytes: sent as it is
  EXPECT_EQ((*wire)[4] | (*wire)[5] | (*wire)[6], 0);  // uncompressed length 0: not compressed
  ASSERT_TRUE(writer->WriteAll(big).ok());
  EXPECT_LT(wire->size() - after_small, big.size() / 4);  // compressible: it shrank
  EXPECT_EQ(static_cast<uint8_t>((*wire)[after_small + 3]), 1);  // the second frame's sequence id

  auto reader = MakeCompressedTransport(std::make_unique<Pipe>(wire), GetParam(), 3);
  EXPECT_EQ(ReadAll(*reader, small.size()), small);
  EXPECT_EQ(ReadAll(*reader, big.size()), big);
}

TEST_P(CompressionTest, ADamagedFrameIsAnError) {
  auto wire = std::make_shared<std::string>();
  auto writer = MakeCompressedTransport(std::make_unique<Pipe>(wire), GetParam(), 3);
  ASSERT_TRUE(writer->WriteAll(std::string(5000, 'z')).ok());
  (*wire)[4] = static_cast<char>((*wire)[4] + 1);  // announce a different uncompressed length
  auto reader = MakeCompressedTransport(std::make_unique<Pipe>(wire), GetParam(), 3);
  char buf[16];
  EXPECT_FALSE(reader->Read(buf, sizeof(buf)).ok());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, CompressionTest, ::testing::Values(Compression::kZlib, Compression::kZstd),
                         [](const auto& info) { return info.param == Compression::kZlib ? "zlib" : "zstd"; });

}  // namespace
}  // namespace strata::server::mysql
