// A minimal JSON writer for log lines and admin responses. Output only; keys are written in
// the order given. Strings are escaped per RFC 8259 (control characters as \u00XX).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::obs {

void AppendJsonString(std::string* out, std::string_view s);

class JsonObject {
 public:
  JsonObject() : out_("{") {}
  JsonObject& Add(std::string_view key, std::string_view value);
  JsonObject& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
  JsonObject& Add(std::string_view key, int64_t value);
  JsonObject& Add(std::string_view key, uint64_t value);
  JsonObject& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  JsonObject& Add(std::string_view key, double value);
  JsonObject& Add(std::string_view key, bool value);
  // Adds already-serialized JSON (a nested object or array).
  JsonObject& AddRaw(std::string_view key, std::string_view json);
  // Closes the object and hands out the text; the builder is empty afterwards.
  std::string Finish();

 private:
  void Key(std::string_view key);
  std::string out_;
  bool first_ = true;
};

}  // namespace strata::obs
