// A small streaming JSON writer for the output hot path (events, interactions):
// appends to a string, escapes control characters, and replaces invalid
// UTF-8 with U+FFFD (base/utf8.hpp's rule) so that binary garbage in a log
// never yields invalid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace calltrail::base {

void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  // A UTC time as a string: "2012-10-29T14:41:00.540480Z".
  JsonWriter& utc(std::int64_t micros, int digits = 6);

  // key + value in one call.
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace calltrail::base
