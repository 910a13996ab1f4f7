// Calendar arithmetic and fixed-format time printing/parsing. Times are
// microseconds since the Unix epoch (model::Micros); no time zone database is
// involved: sites carry their own UTC offsets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace calltrail::base {

using Micros = std::int64_t;
inline constexpr Micros kMicrosPerSecond = 1'000'000;
inline constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

// The times calltrail accepts from a log: 1970-01-01 up to 2200-01-01 (UTC or
// local). Anything outside is a misread or a hostile value, reported and not
// used, so that every time it prints has a four-digit year.
inline constexpr Micros kEarliestTime = 0;
inline constexpr Micros kLatestTime = 84'006 * kMicrosPerDay;  // 2200-01-01
constexpr bool in_time_range(Micros t) {
  return t >= kEarliestTime && t < kLatestTime;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(std::int64_t days);

// "2012-10-29T14:41:00.540480Z" (`digits` fraction digits, 0..6).
std::string format_utc(Micros t, int digits = 6);
void append_utc(std::string& out, Micros t, int digits = 6);
// "2012-10-29T09:41:00.5404" with the date, or "09:41:00.5404" without.
std::string format_local(Micros t, bool with_date, int digits);
void append_local(std::string& out, Micros t, bool with_date, int digits);
// "+00:00", "-05:00", "+05:30".
std::string format_offset(std::int32_t seconds);

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with an optional "Z"
// or "+HH:MM" suffix (a space may stand for the T). Without a suffix, UTC.
std::optional<Micros> parse_iso_time(std::string_view s);

}  // namespace calltrail::base
