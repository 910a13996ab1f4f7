// The fixed-format time at the start of a log record:
//   @HH:MM:SS.ffff           T-Library messages (local time of day)
//   HH:MM:SS.fff             other records
//   YYYY-MM-DDTHH:MM:SS.fff  applications that log ISO dates (a space may
//                            stand for the T and a comma for the dot)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace calltrail::parse {

struct LineTime {
  std::int64_t time_of_day = 0;     // microseconds since local midnight
  std::optional<std::int64_t> day;  // days since 1970-01-01, when the line has a date
  std::uint8_t digits = 0;          // fraction digits printed
  bool at_sign = false;             // '@' prefix (T-Library message)
  std::size_t size = 0;             // bytes consumed, including the '@'
};

// Parses the time at the very start of `s`; nullopt if `s` does not start with one.
std::optional<LineTime> parse_line_time(std::string_view s);

// Index of the first position in `s` where parse_line_time succeeds, searching
// from `from` backwards towards 0; npos when none.
std::size_t rfind_line_time(std::string_view s, std::size_t from);

}  // namespace calltrail::parse
