#include "common/status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(StatusTest, OkIsDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.mysql_errno(), 0);
}

TEST(StatusTest, CarriesCodeMessageAndMysqlError) {
  Status s = Status::InvalidArgument("bad syntax").WithMysql(1064, "42000");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "bad syntax");
  EXPECT_EQ(s.mysql_errno(), 1064);
  EXPECT_EQ(s.sqlstate(), "42000");
  EXPECT_EQ(s.ToString(), "InvalidArgument: bad syntax [mysql 1064 42000]");
}

TEST(StatusTest, CopyIsDeep) {
  Status a = Status::IOError("disk");
  Status b = a;
  a = Status::OK();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.message(), "disk");
}

TEST(StatusTest, FromErrnoMapsCodes) {
  EXPECT_EQ(Status::FromErrno(ENOSPC, "write").code(), StatusCode::kNoSpace);
  EXPECT_EQ(Status::FromErrno(ENOENT, "open").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno(EIO, "read").code(), StatusCode::kIOError);
  EXPECT_NE(Status::FromErrno(ENOSPC, "write x").message().find("write x: "), std::string::npos);
}

TEST(StatusTest, AnnotatePrefixesContext) {
  Status s = Status::Corruption("bad block").Annotate("reading 000012.sst");
  EXPECT_EQ(s.message(), "reading 000012.sst: bad block");
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  STRATA_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(ResultTest, ValueOrError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

TEST(ResultDeathTest, BuiltFromOkStatusDies) {
  EXPECT_DEATH({ Result<int> r{Status::OK()}; (void)r; }, "Result built from an OK status");
}

}  // namespace
}  // namespace strata
