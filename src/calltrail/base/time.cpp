#include "calltrail/base/time.hpp"

#include <fmt/format.h>

#include <cctype>

namespace calltrail::base {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

namespace {

Micros floor_div(Micros a, Micros b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Writes `value` as exactly `width` decimal digits (zero-padded) at `p`.
char* put_digits(char* p, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10)
    p[i] = static_cast<char>('0' + value % 10);
  return p + width;
}

}  // namespace

void append_local(std::string& out, Micros t, bool with_date, int digits) {
  if (digits < 0) digits = 0;
  if (digits > 6) digits = 6;
  const Micros days = floor_div(t, kMicrosPerDay);
  char buf[40];
  char* p = buf;
  if (with_date) {
    const CivilDate c = civil_from_days(days);
    if (c.year < 0 || c.year > 9999) {
      p += fmt::format_to_n(p, 12, "{:04}", c.year).size;
    } else {
      p = put_digits(p, static_cast<std::uint64_t>(c.year), 4);
    }
    *p++ = '-';
    p = put_digits(p, c.month, 2);
    *p++ = '-';
    p = put_digits(p, c.day, 2);
    *p++ = 'T';
  }
  const Micros in_day = t - days * kMicrosPerDay;
  const auto secs = static_cast<std::uint64_t>(in_day / kMicrosPerSecond);
  p = put_digits(p, secs / 3600, 2);
  *p++ = ':';
  p = put_digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, secs % 60, 2);
  if (digits > 0) {
    static constexpr Micros kDiv[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    *p++ = '.';
    p = put_digits(p, static_cast<std::uint64_t>(in_day % kMicrosPerSecond / kDiv[digits]), digits);
  }
  out.append(buf, static_cast<std::size_t>(p - buf));
}

void append_utc(std::string& out, Micros t, int digits) {
  append_local(out, t, true, digits);
  out.push_back('Z');
}

std::string format_local(Micros t, bool with_date, int digits) {
  std::string out;
  append_local(out, t, with_date, digits);
  return out;
}

std::string format_utc(Micros t, int digits) {
  std::string out;
  append_utc(out, t, digits);
  return out;
}

std::string format_offset(std::int32_t seconds) {
  const char sign = seconds < 0 ? '-' : '+';
  const std::int32_t a = seconds < 0 ? -seconds : seconds;
  return fmt::format("{}{:02}:{:02}", sign, a / 3600, a / 60 % 60);
}

namespace {

bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

}  // namespace

std::optional<Micros> parse_iso_time(std::string_view s) {
  std::size_t p = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!read_digits(s, p, 4, y) || p >= s.size() || s[p++] != '-' || !read_digits(s, p, 2, mo) ||
      p >= s.size() || s[p++] != '-' || !read_digits(s, p, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  Micros t =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * kMicrosPerDay;
  if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
    ++p;
    if (!read_digits(s, p, 2, h) || p >= s.size() || s[p++] != ':' || !read_digits(s, p, 2, mi))
      return std::nullopt;
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!read_digits(s, p, 2, se)) return std::nullopt;
    }
    if (h > 23 || mi > 59 || se > 60) return std::nullopt;
    t += (h * 3600 + mi * 60 + se) * kMicrosPerSecond;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      Micros frac = 0;
      int n = 0;
      while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
        if (n < 6) frac = frac * 10 + (s[p] - '0'), ++n;
        ++p;
      }
      if (n == 0) return std::nullopt;
      while (n < 6)
        frac *= 10, ++n;
      t += frac;
    }
  }
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!read_digits(s, p, 2, oh)) return std::nullopt;
    if (p < s.size() && s[p] == ':') ++p;
    if (!read_digits(s, p, 2, om)) return std::nullopt;
    t -= sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
  }
  if (p != s.size()) return std::nullopt;
  return t;
}

}  // namespace calltrail::base
