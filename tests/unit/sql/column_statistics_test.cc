// Column statistics (types/column_statistics.h): NULL shares, distinct counts (exact from a
// whole table, estimated from a sample), equi-height histograms answering equality and range
// shares, the reservoir sampler, and the guard against statistics of a changed column.
#include <cmath>

#include <gtest/gtest.h>

#include "sql/types/column_statistics.h"

namespace strata::sql {
namespace {

TableSchema Table(std::initializer_list<ast::TypeKind> kinds) {
  TableSchema t;
  for (ast::TypeKind k : kinds) {
    ColumnSchema c;
    c.type.kind = k;
    t.columns.push_back(c);
  }
  return t;
}

// 1,000 rows: column 0 is 0..999, column 1 is 7 in 90% of rows and 0..99 otherwise, column
// 2 is NULL in a quarter of the rows and "k<i % 10>" otherwise.
std::vector<Row> Rows() {
  std::vector<Row> rows;
  for (int64_t i = 0; i < 1000; i++) {
    rows.push_back({Value::Int(i), Value::Int(i % 10 == 0 ? i / 10 : 7),
                    i % 4 == 0 ? Value::Null() : Value::String("k" + std::to_string(i % 10))});
  }
  return rows;
}

TEST(ColumnStatisticsTest, WholeTable) {
  const TableSchema table = Table({ast::TypeKind::kInt, ast::TypeKind::kInt, ast::TypeKind::kVarchar});
  auto stats = TableStatistics::Build(table, Rows(), 1000);
  const ColumnStatistics& uniform = *stats->Column(table, 0);
  EXPECT_EQ(uniform.distinct, 1000);
  EXPECT_EQ(uniform.null_fraction, 0);
  EXPECT_LE(uniform.buckets.size(), TableStatistics::kMaxBuckets);
  EXPECT_NEAR(*uniform.EqualShare(Value::Int(500)), 0.001, 0.0002);
  EXPECT_NEAR(*uniform.BelowShare(Value::Int(500), false), 0.5, 0.02);
  EXPECT_NEAR(*uniform.BelowShare(Value::Int(10), false), 0.01, 0.003);
  EXPECT_EQ(*uniform.BelowShare(Value::Int(-1), true), 0);
  EXPECT_EQ(*uniform.BelowShare(Value::Int(5000), false), 1);
  EXPECT_EQ(*uniform.EqualShare(Value::Int(5000)), 0);
  EXPECT_NEAR(*uniform.BelowShare(Value::Double(249.5), true), 0.25, 0.02);  // numbers of any kind

  const ColumnStatistics& skewed = *stats->Column(table, 1);
  EXPECT_EQ(skewed.distinct, 100);  // 0..99, 7 among them
  EXPECT_NEAR(*skewed.EqualShare(Value::Int(7)), 0.901, 0.001);
  EXPECT_NEAR(*skewed.EqualShare(Value::Int(50)), 0.001, 0.0002);
  EXPECT_NEAR(*skewed.BelowShare(Value::Int(7), false), 0.007, 0.005);
  EXPECT_NEAR(*skewed.BelowShare(Value::Int(7), true), 0.908, 0.005);

  const ColumnStatistics& text = *stats->Column(table, 2);
  EXPECT_NEAR(text.null_fraction, 0.25, 1e-9);
  EXPECT_EQ(text.distinct, 10);
  EXPECT_NEAR(*text.EqualShare(Value::String("k3")), 100.0 / 750, 1e-9);  // i = 3, 13, …: never NULL
  EXPECT_FALSE(text.EqualShare(Value::Int(3)).has_value());  // a number against strings: no answer
  EXPECT_FALSE(uniform.BelowShare(Value::String("5"), true).has_value());
}

TEST(ColumnStatisticsTest, DistinctValuesFromASample) {
  // Every tenth row of a 100,000-row table whose column holds 100,000 distinct values, and
  // one whose column holds 50.
  std::vector<Row> unique, few;
  for (int64_t i = 0; i < 100'000; i += 10) {
    unique.push_back({Value::Int(i)});
    few.push_back({Value::Int(i / 10 % 50)});
  }
  const TableSchema table = Table({ast::TypeKind::kBigInt});
  const double many = TableStatistics::Build(table, unique, 100'000)->Column(table, 0)->distinct;
  EXPECT_GT(many, 80'000);
  EXPECT_LE(many, 100'000);
  EXPECT_NEAR(TableStatistics::Build(table, few, 100'000)->Column(table, 0)->distinct, 50, 1);
}

TEST(ColumnStatisticsTest, AllNullAndSingleValueColumns) {
  const TableSchema table = Table({ast::TypeKind::kInt, ast::TypeKind::kDouble});
  std::vector<Row> rows(50, Row{Value::Null(), Value::Double(2.5)});
  auto stats = TableStatistics::Build(table, rows, 50);
  const ColumnStatistics& nulls = *stats->Column(table, 0);
  EXPECT_EQ(nulls.null_fraction, 1);
  EXPECT_EQ(*nulls.EqualShare(Value::Int(1)), 0);
  EXPECT_EQ(*nulls.BelowShare(Value::Int(1), true), 0);
  const ColumnStatistics& one = *stats->Column(table, 1);
  EXPECT_EQ(one.distinct, 1);
  EXPECT_EQ(*one.EqualShare(Value::Double(2.5)), 1);
  EXPECT_EQ(*one.BelowShare(Value::Double(2.5), false), 0);
  EXPECT_EQ(*one.BelowShare(Value::Double(2.5), true), 1);
  EXPECT_EQ(*one.BelowShare(Value::Double(3), false), 1);
  // Bounds near the largest double: positions stay finite.
  std::vector<Row> huge{{Value::Null(), Value::Double(-1.7e308)}, {Value::Null(), Value::Double(1.7e308)}};
  auto extreme = TableStatistics::Build(table, huge, 2);
  const double below = *extreme->Column(table, 1)->BelowShare(Value::Double(0), false);
  EXPECT_TRUE(std::isfinite(below));
  EXPECT_GE(below, 0);
  EXPECT_LE(below, 1);
}

TEST(ColumnStatisticsTest, StatisticsOfAChangedColumnAreNotRead) {
  const TableSchema table = Table({ast::TypeKind::kInt});
  auto stats = TableStatistics::Build(table, {{Value::Int(1)}}, 1);
  EXPECT_NE(stats->Column(table, 0), nullptr);
  EXPECT_EQ(stats->Column(Table({ast::TypeKind::kVarchar}), 0), nullptr);  // MODIFY changed its type
  EXPECT_EQ(stats->Column(Table({ast::TypeKind::kInt, ast::TypeKind::kInt}), 1), nullptr);  // ADD COLUMN
  EXPECT_NE(stats->Column(Table({ast::TypeKind::kInt, ast::TypeKind::kInt}), 0), nullptr);  // the old one still is
}

TEST(RowSamplerTest, KeepsAUniformSampleOfBoundedSize) {
  const TableSchema table = Table({ast::TypeKind::kBigInt});
  RowSampler sampler(42);
  for (int64_t i = 0; i < 100'000; i++) sampler.Add(EncodeRow({Value::Int(i)}));
  EXPECT_EQ(sampler.seen(), 100'000u);
  std::vector<Row> rows = sampler.Rows(table);
  ASSERT_EQ(rows.size(), TableStatistics::kSampleRows);
  // Uniform: about half the sample from each half of the stream.
  size_t low = 0;
  for (const Row& r : rows) low += r[0].int_value() < 50'000;
  EXPECT_NEAR(static_cast<double>(low) / static_cast<double>(rows.size()), 0.5, 0.03);
  auto stats = TableStatistics::Build(table, rows, sampler.seen());
  EXPECT_NEAR(*stats->Column(table, 0)->BelowShare(Value::Int(25'000), false), 0.25, 0.03);
}

TEST(RowSamplerTest, LeavesOutRowsPastItsSizeLimit) {
  const TableSchema table = Table({ast::TypeKind::kLongBlob});
  RowSampler sampler(1);
  for (int i = 0; i < 10; i++) sampler.Add(EncodeRow({Value::String(std::string(RowSampler::kMaxRowBytes, 'x'))}));
  sampler.Add(EncodeRow({Value::String("small")}));
  EXPECT_EQ(sampler.seen(), 11u);
  ASSERT_EQ(sampler.Rows(table).size(), 1u);
  RowSampler only_large(1);
  only_large.Add(EncodeRow({Value::String(std::string(RowSampler::kMaxRowBytes, 'x'))}));
  EXPECT_EQ(TableStatistics::Build(table, only_large.Rows(table), only_large.seen()), nullptr);
}

}  // namespace
}  // namespace strata::sql
