// sqllogictest scripts: reading a `.test` file into records, and turning a result set into the
// lines a record's expected output is compared with. No I/O here beyond the text given, so the
// rules are unit-tested (slt_script_test.cc); slt_runner.cc sends records to a server.
//
// The format (../shared/conformance/README.md, and SQLite's sqllogictest):
//   statement ok | statement error [errno]     then the SQL, up to a blank line
//   query <types> [nosort|rowsort|valuesort] [label]   then the SQL, `----`, the values
//   hash-threshold N · skipif <engine> · onlyif <engine> · halt · # comments
// This project's extensions: `statement error 1064` (an error code after `error`) — the
// statement must fail with that MySQL error code; `connection <name>` — later records run on
// the named session (opened on first use, in the file's database; the first is "default"),
// for scripts where transactions interleave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::slt {

enum class RecordKind { kStatementOk, kStatementError, kQuery, kHashThreshold, kHalt, kConnection };
enum class SortMode { kNoSort, kRowSort, kValueSort };

struct Record {
  RecordKind kind = RecordKind::kStatementOk;
  int line = 0;                 // 1-based line of the record's first line (a guard, if any)
  int end_line = 0;             // the line after the record's last line
  bool applies = true;          // false when a skipif/onlyif guard excludes this engine
  std::string sql;
  std::optional<uint32_t> error_code;  // statement error <code>
  std::string types;            // query: one of I, R, T per column
  SortMode sort = SortMode::kNoSort;
  std::string label;            // query: its label; connection: the session's name
  bool has_expected = false;    // query: a `----` line was present
  std::vector<std::string> expected;  // the lines after `----`
  int expected_line = 0;        // line of the first expected value (for rewriting)
  uint64_t threshold = 0;       // hash-threshold N
};

struct Script {
  std::vector<Record> records;
  std::vector<std::string> lines;  // the file, for rewriting
};

// Reads a script. `engine` is the name guards are matched against ("mysql"). A record a guard
// excludes is kept with applies=false and not parsed further (such records may be malformed:
// the corpus has `skipif mysql` queries without SQL). Returns an error text for a record this
// engine must run but that cannot be read.
std::optional<std::string> ParseScript(std::string_view text, std::string_view engine,
                                       Script* out);

// One value as sqllogictest prints it for a column of `type` (I, R or T): NULL is "NULL";
// I is the integer part of a number (a non-number is 0); R is a number with 3 decimals;
// T is the text with "(empty)" for an empty string and '@' for bytes outside printable ASCII.
std::string FormatValue(const std::optional<std::string>& value, char type);

// The values of a result (rows of formatted values) in the order the sort mode gives.
std::vector<std::string> SortedValues(std::vector<std::vector<std::string>> rows, SortMode sort);

// "N values hashing to <md5>": md5 over every value followed by '\n'.
std::string HashLine(const std::vector<std::string>& values);

// True when `expected` (a record's lines after ----) describes `values`: either the values
// one per line, or a single "N values hashing to H" line. Rows written on one line with
// values separated by spaces are accepted too.
bool ResultMatches(const std::vector<std::string>& expected, const std::vector<std::string>& values,
                   size_t columns);

// The lines to write after ---- when rewriting: values one per line, or the hash line when
// there are more than `threshold` values (threshold 0: never hash).
std::vector<std::string> ExpectedLines(const std::vector<std::string>& values, uint64_t threshold);

}  // namespace strata::slt
