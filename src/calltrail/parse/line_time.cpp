#include "calltrail/parse/line_time.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "calltrail/base/time.hpp"

namespace calltrail::parse {

namespace {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline int d2(const char* p) {
  return (p[0] - '0') * 10 + (p[1] - '0');
}

// Eight bytes little-endian: byte i of the word is p[i].
std::uint64_t load8(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

constexpr std::uint64_t kEachByte = 0x0101010101010101;

// A high bit in every byte of `w` that is not an ASCII digit. Only the
// lowest such byte is exact: a byte at or above 0x80 may carry into the next.
std::uint64_t non_digits(std::uint64_t w) {
  const std::uint64_t d = w ^ (0x30 * kEachByte);  // a digit's value, else 10 or more
  return ((d + 0x76 * kEachByte) | d) & (0x80 * kEachByte);
}

// "HH:MM:SS" followed by '.' or ',' and 1..6 digits (at least one; more
// are read and passed over).
bool parse_clock(std::string_view s, std::size_t pos, LineTime& out) {
  if (s.size() < pos + 10) return false;
  const char* p = s.data() + pos;
  // The colons in bytes 2 and 5, and digits in the other six.
  constexpr std::uint64_t kColons = 0x0000FF0000FF0000;
  const std::uint64_t w = load8(p);
  if ((w & kColons) != (':' * (kColons / 0xFF)) || (p[8] != '.' && p[8] != ',') ||
      non_digits((w & ~kColons) | ('0' * (kColons / 0xFF))) != 0)
    return false;
  const auto digit = [&](int i) { return static_cast<int>((w >> (8 * i)) & 0xF); };
  const int h = digit(0) * 10 + digit(1), m = digit(3) * 10 + digit(4),
            sec = digit(6) * 10 + digit(7);
  if (h > 23 || m > 59 || sec > 60) return false;
  // The fraction's digits: the first eight at once where the line is long enough.
  std::size_t i = pos + 9;
  std::size_t run = 0;
  std::int64_t frac = 0;
  if (s.size() >= i + 8) {
    const std::uint64_t f = load8(s.data() + i);
    const std::uint64_t nd = non_digits(f);
    run = nd == 0 ? 8 : static_cast<std::size_t>(std::countr_zero(nd)) / 8;
    // The first six digits as a number, those missing taken as 0: the
    // bytes past them cleared, then pairs, fours and all eight combined.
    std::uint64_t x =
        (f & (0x0F * kEachByte)) & ((std::uint64_t{1} << (8 * std::min<std::size_t>(run, 6))) - 1);
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FF;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFF;
    frac = static_cast<std::int64_t>(((x & 0xFFFF) * 10000 + (x >> 32)) / 100);
  } else {
    for (; i + run < s.size() && is_digit(s[i + run]) && run < 6; ++run)
      frac = frac * 10 + (s[i + run] - '0');
    for (std::size_t k = run; k < 6; ++k)
      frac *= 10;
  }
  while (i + run < s.size() && is_digit(s[i + run]))
    ++run;
  if (run == 0) return false;
  const std::size_t n = std::min<std::size_t>(run, 6);
  out.digits = static_cast<std::uint8_t>(n);
  out.time_of_day = (h * 3600 + m * 60 + sec) * base::kMicrosPerSecond + frac;
  out.size = i + run;
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
