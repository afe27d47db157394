#include "slt_script.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace strata::slt {
namespace {

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

std::optional<uint64_t> ParseUnsigned(std::string_view word) {
  if (word.empty() || word.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : word) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// The header's words, up to a `#` comment.
std::vector<std::string_view> HeaderWords(std::string_view line) {
  std::vector<std::string_view> words = Words(line);
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i].front() == '#') {
      words.resize(i);
      break;
    }
  }
  return words;
}

std::string JoinSql(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string sql;
  for (size_t i = begin; i < end; ++i) {
    if (!sql.empty()) sql += '\n';
    sql += lines[i];
  }
  return sql;
}

// Fills a record from its header words; the body starts at lines[body].
std::optional<std::string> ParseHeader(const std::vector<std::string_view>& words, Record* record) {
  std::string_view verb = words[0];
  if (verb == "statement") {
    if (words.size() < 2) return "statement without ok/error";
    if (words[1] == "ok") {
      record->kind = RecordKind::kStatementOk;
    } else if (words[1] == "error") {
      record->kind = RecordKind::kStatementError;
      if (words.size() > 2) {
        std::optional<uint64_t> code = ParseUnsigned(words[2]);
        if (!code) return "statement error: the code must be a number";
        record->error_code = static_cast<uint32_t>(*code);
      }
    } else {
      return "statement must be followed by ok or error";
    }
    return std::nullopt;
  }
  if (verb == "query") {
    record->kind = RecordKind::kQuery;
    if (words.size() < 2) return "query without column types";
    record->types = std::string(words[1]);
    for (char c : record->types) {
      if (c != 'I' && c != 'R' && c != 'T') return "query column types must be I, R or T";
    }
    if (words.size() > 2) {
      if (words[2] == "nosort") record->sort = SortMode::kNoSort;
      else if (words[2] == "rowsort") record->sort = SortMode::kRowSort;
      else if (words[2] == "valuesort") record->sort = SortMode::kValueSort;
      else return "unknown sort mode '" + std::string(words[2]) + "'";
    }
    if (words.size() > 3) record->label = std::string(words[3]);
    return std::nullopt;
  }
  if (verb == "hash-threshold") {
    record->kind = RecordKind::kHashThreshold;
    std::optional<uint64_t> n = words.size() > 1 ? ParseUnsigned(words[1]) : std::nullopt;
    if (!n) return "hash-threshold needs a number";
    record->threshold = *n;
    return std::nullopt;
  }
  if (verb == "connection") {
    record->kind = RecordKind::kConnection;
    if (words.size() != 2) return "connection needs a name";
    record->label = std::string(words[1]);
    return std::nullopt;
  }
  if (verb == "halt") {
    record->kind = RecordKind::kHalt;
    return std::nullopt;
  }
  return "unknown record '" + std::string(verb) + "'";
}

}  // namespace

std::optional<std::string> ParseScript(std::string_view text, std::string_view engine,
                                       Script* out) {
  out->lines = SplitLines(text);
  const std::vector<std::string>& lines = out->lines;
  size_t i = 0;
  while (i < lines.size()) {
    if (IsBlank(lines[i]) || lines[i][0] == '#') {
      ++i;
      continue;
    }
    Record record;
    record.line = static_cast<int>(i) + 1;
    // Guards: any number of skipif/onlyif lines before the header, comment lines between.
    std::vector<std::string_view> words = HeaderWords(lines[i]);
    while (!words.empty() && (words[0] == "skipif" || words[0] == "onlyif")) {
      if (words.size() < 2) return "line " + std::to_string(i + 1) + ": a guard needs an engine";
      bool named = words[1] == engine;
      if ((words[0] == "skipif") == named) record.applies = false;
      ++i;
      while (i < lines.size() && !lines[i].empty() && lines[i][0] == '#') ++i;  // comments between
      words = i < lines.size() ? HeaderWords(lines[i]) : std::vector<std::string_view>{};
    }
    if (words.empty()) return "line " + std::to_string(i + 1) + ": a guard without a record";
    size_t header = i++;
    // The body runs to the next blank line.
    size_t body = i;
    while (i < lines.size() && !IsBlank(lines[i])) ++i;
    record.end_line = static_cast<int>(i) + 1;
    if (!record.applies) {
      out->records.push_back(std::move(record));
      continue;
    }
    if (std::optional<std::string> error = ParseHeader(words, &record)) {
      return "line " + std::to_string(header + 1) + ": " + *error;
    }
    if (record.kind == RecordKind::kStatementOk || record.kind == RecordKind::kStatementError) {
      record.sql = JoinSql(lines, body, i);
    } else if (record.kind == RecordKind::kQuery) {
      size_t separator = body;
      while (separator < i && lines[separator] != "----") ++separator;
      record.sql = JoinSql(lines, body, separator);
      if (separator < i) {
        record.has_expected = true;
        record.expected_line = static_cast<int>(separator) + 2;
        record.expected.assign(lines.begin() + static_cast<ptrdiff_t>(separator) + 1,
                               lines.begin() + static_cast<ptrdiff_t>(i));
      }
    }
    if ((record.kind == RecordKind::kStatementOk || record.kind == RecordKind::kStatementError ||
         record.kind == RecordKind::kQuery) && record.sql.empty()) {
      return "line " + std::to_string(header + 1) + ": a record without SQL";
    }
    out->records.push_back(std::move(record));
  }
  return std::nullopt;
}

std::string FormatValue(const std::optional<std::string>& value, char type) {
  if (!value) return "NULL";
  const std::string& text = *value;
  if (type == 'I') {
    // An integer as written keeps every digit; anything else goes through a double.
    char* end = nullptr;
    errno = 0;
    long long exact = std::strtoll(text.c_str(), &end, 10);
    if (errno == 0 && end != text.c_str() && *end == '\0') return std::to_string(exact);
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(d)) return "0";
    double truncated = std::trunc(d);
    if (truncated >= 9.2e18 || truncated <= -9.2e18) {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), "%.0f", truncated);
      return buffer;
    }
    return std::to_string(static_cast<long long>(truncated));
  }
  if (type == 'R') {
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str()) d = 0;
    char buffer[512];
    std::snprintf(buffer, sizeof(buffer), "%.3f", d);
    return buffer;
  }
  if (text.empty()) return "(empty)";
  std::string printed = text;
  for (char& c : printed) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '@';
  }
  return printed;
}

std::vector<std::string> SortedValues(std::vector<std::vector<std::string>> rows, SortMode sort) {
  if (sort == SortMode::kRowSort) std::sort(rows.begin(), rows.end());
  std::vector<std::string> values;
  for (auto& row : rows) {
    for (auto& value : row) values.push_back(std::move(value));
  }
  if (sort == SortMode::kValueSort) std::sort(values.begin(), values.end());
  return values;
}

std::string HashLine(const std::vector<std::string>& values) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
  for (const std::string& value : values) {
    EVP_DigestUpdate(ctx.get(), value.data(), value.size());
    EVP_DigestUpdate(ctx.get(), "\n", 1);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &size);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof(byte), "%02x", digest[i]);
    hex += byte;
  }
  return std::to_string(values.size()) + " values hashing to " + hex;
}

bool ResultMatches(const std::vector<std::string>& expected, const std::vector<std::string>& values,
                   size_t columns) {
  if (expected.size() == 1 && expected[0].find(" values hashing to ") != std::string::npos) {
    return expected[0] == HashLine(values);
  }
  if (expected == values) return true;
  if (columns <= 1 || values.size() != expected.size() * columns) return false;
  for (size_t row = 0; row < expected.size(); ++row) {
    std::string joined;
    for (size_t c = 0; c < columns; ++c) {
      if (c > 0) joined += ' ';
      joined += values[row * columns + c];
    }
    if (joined != expected[row]) return false;
  }
  return true;
}

std::vector<std::string> ExpectedLines(const std::vector<std::string>& values, uint64_t threshold) {
  if (threshold > 0 && values.size() > threshold) return {HashLine(values)};
  return values;
}

}  // namespace strata::slt
