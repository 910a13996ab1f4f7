#include "calltrail/parse/line_time.hpp"

#include "calltrail/base/time.hpp"

namespace calltrail::parse {

namespace {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline int d2(const char* p) {
  return (p[0] - '0') * 10 + (p[1] - '0');
}

// "HH:MM:SS" followed by '.' or ',' and 1..6 digits (at least one).
bool parse_clock(std::string_view s, std::size_t pos, LineTime& out) {
  if (s.size() < pos + 10) return false;
  const char* p = s.data() + pos;
  if (!is_digit(p[0]) || !is_digit(p[1]) || p[2] != ':' || !is_digit(p[3]) || !is_digit(p[4]) ||
      p[5] != ':' || !is_digit(p[6]) || !is_digit(p[7]) || (p[8] != '.' && p[8] != ','))
    return false;
  const int h = d2(p), m = d2(p + 3), sec = d2(p + 6);
  if (h > 23 || m > 59 || sec > 60) return false;
  std::size_t i = pos + 9;
  std::int64_t frac = 0;
  int n = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (n < 6) {
      frac = frac * 10 + (s[i] - '0');
      ++n;
    }
    ++i;
  }
  if (n == 0) return false;
  out.digits = static_cast<std::uint8_t>(n);
  while (n < 6)
    frac *= 10, ++n;
  out.time_of_day = (h * 3600 + m * 60 + sec) * base::kMicrosPerSecond + frac;
  out.size = i;
  return true;
}

}  // namespace

std::optional<LineTime> parse_line_time(std::string_view s) {
  LineTime t;
  std::size_t pos = 0;
  if (!s.empty() && s[0] == '@') {
    t.at_sign = true;
    pos = 1;
  }
  if (s.size() < pos + 10 || !is_digit(s[pos]) || !is_digit(s[pos + 1])) return std::nullopt;
  if (s[pos + 2] == ':') {
    if (!parse_clock(s, pos, t)) return std::nullopt;
    return t;
  }
  // YYYY-MM-DD[T ]HH:MM:SS.fff
  if (s.size() < pos + 21) return std::nullopt;
  const char* p = s.data() + pos;
  if (!is_digit(p[2]) || !is_digit(p[3]) || p[4] != '-' || !is_digit(p[5]) || !is_digit(p[6]) ||
      p[7] != '-' || !is_digit(p[8]) || !is_digit(p[9]) || (p[10] != 'T' && p[10] != ' '))
    return std::nullopt;
  const int year = d2(p) * 100 + d2(p + 2);
  const int month = d2(p + 5), day = d2(p + 8);
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (!parse_clock(s, pos + 11, t)) return std::nullopt;
  t.day = base::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return t;
}

std::size_t rfind_line_time(std::string_view s, std::size_t from) {
  if (s.empty()) return std::string_view::npos;
  if (from >= s.size()) from = s.size() - 1;
  for (std::size_t i = from + 1; i-- > 0;) {
    const char c = s[i];
    if (c != '@' && !is_digit(c)) continue;
    // Skip digits that continue an earlier number: a time starts at a boundary.
    if (is_digit(c) && i > 0 && is_digit(s[i - 1])) continue;
    if (parse_line_time(s.substr(i))) {
      if (i > 0 && s[i - 1] == '@') return i - 1;
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace calltrail::parse
