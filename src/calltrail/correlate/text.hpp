// Small text helpers shared by the correlation code.
#pragma once

#include <string>
#include <string_view>

namespace calltrail::correlate {

// unquote() for a value that starts or ends with a byte of a quote.
inline std::string_view unquote_edges(std::string_view s) {
  auto strip = [&](std::string_view q, bool front) {
    if (front && s.substr(0, q.size()) == q) {
      s.remove_prefix(q.size());
      return true;
    }
    if (!front && s.size() >= q.size() && s.substr(s.size() - q.size()) == q) {
      s.remove_suffix(q.size());
      return true;
    }
    return false;
  };
  static constexpr std::string_view kQuotes[] = {"'", "\"", "\u2018", "\u2019", "\u201c", "\u201d"};
  for (auto q : kQuotes)
    if (strip(q, true)) break;
  for (auto q : kQuotes)
    if (strip(q, false)) break;
  return s;
}

// Strips one level of quotes, straight or curly (‘ ’ “ ”), that a re-published
// log may have left around a value the parser did not unquote. Runs for every
// attribute the collector reads: most values pass the first test.
[[gnu::always_inline]] inline std::string_view unquote(std::string_view s) {
  if (s.empty()) return s;
  // Every quote starts with ' " or \xe2 and ends with ' " \x98 \x99 \x9c or \x9d.
  const char f = s.front();
  const char b = s.back();
  const bool opening = f == '\'' || f == '"' || f == '\xe2';
  const bool closing =
      b == '\'' || b == '"' || b == '\x98' || b == '\x99' || b == '\x9c' || b == '\x9d';
  return opening || closing ? unquote_edges(s) : s;
}

// ASCII lower case without the characters that are not letters or digits:
// "Tserver2", "tserver2" and "TSERVER-2" compare equal.
inline std::string fold_name(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c | 0x20));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace calltrail::correlate
