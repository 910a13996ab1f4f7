// What the parts of LogParser share (log_parser.cpp: records and messages;
// log_header.cpp: the file header and the date in the file's name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "calltrail/base/time.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/text.hpp"

namespace calltrail::parse::detail {

using model::Micros;

constexpr Micros kHalfDay = base::kMicrosPerDay / 2;
constexpr std::int64_t kQuarterHour = 900;

inline std::string_view trim(std::string_view s) {
  std::size_t b = skip_space(s, 0);
  s.remove_prefix(b);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.size() >= 2 && s.substr(s.size() - 2) == kNbsp) s.remove_suffix(2);
  return s;
}

inline std::int64_t round_offset(Micros diff) {
  const Micros q = kQuarterHour * base::kMicrosPerSecond;
  const Micros r = diff >= 0 ? (diff + q / 2) / q : -((-diff + q / 2) / q);
  return r * kQuarterHour;
}

inline Micros floor_div(Micros a, Micros b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// "<app>.<YYYYMMDD_HHMMSS_mmm>.log" (also with .gz, or without milliseconds).
struct NameDate {
  std::string app;
  Micros local = 0;
};
std::optional<NameDate> parse_file_name(std::string_view path);

}  // namespace calltrail::parse::detail
