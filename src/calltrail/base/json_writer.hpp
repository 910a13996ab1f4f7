// A small streaming JSON writer for the output hot path (events, interactions):
// appends to a string, escapes control characters, and replaces invalid
// UTF-8 with U+FFFD (base/utf8.hpp's rule) so that binary garbage in a log
// never yields invalid JSON.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace calltrail::base {

// Appends `s` as a JSON string: quoted, `"`, `\` and the controls escaped,
// each byte that is not UTF-8 replaced by U+FFFD. `s` must not view `out`.
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  // A key given as a literal, as every fixed key of the output is: written
  // as it is, for it holds no character that needs escaping (checked in
  // debug builds). The hot path of `interactions` writes millions of them.
  template <std::size_t N>
  JsonWriter& key(const char (&k)[N]) {
    const std::string_view s(k, std::char_traits<char>::length(k));
    assert(is_plain(s));
    separate();
    out_.push_back('"');
    out_.append(s);
    out_.append("\":", 2);
    need_comma_ = false;
    return *this;
  }
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  // A value already written as JSON (by another JsonWriter).
  JsonWriter& raw(std::string_view json) {
    separate();
    out_.append(json);
    return *this;
  }
  // A UTC time as a string: "2012-10-29T14:41:00.540480Z".
  JsonWriter& utc(std::int64_t micros, int digits = 6);

  // key + value in one call.
  template <typename K, typename T>
  JsonWriter& field(const K& k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  // Printable ASCII without '"' or '\\': a JSON string's text as it is.
  static bool is_plain(std::string_view s) {
    for (const char c : s)
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    return true;
  }
  void separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
  }
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace calltrail::base
