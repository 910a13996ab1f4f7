// LogParser's reading of a log file's header ("Application name:", "Local
// time:", "Time zone:" ...) and of the date in the file's name.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "calltrail/parse/log_parser.hpp"
#include "calltrail/parse/log_parser_internal.hpp"

namespace calltrail::parse {

using base::kMicrosPerDay;
using base::kMicrosPerSecond;
using detail::floor_div;
using detail::round_offset;
using detail::trim;
using model::Micros;

std::optional<detail::NameDate> detail::parse_file_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::size_t i = 0; i + 15 <= name.size(); ++i) {
    if (i > 0 && name[i - 1] != '.' && name[i - 1] != '_' && name[i - 1] != '-') continue;
    std::string_view d = name.substr(i, 15);
    bool ok = d[8] == '_';
    for (std::size_t k = 0; k < 15 && ok; ++k)
      ok = k == 8 || is_digit(d[k]);
    if (!ok) continue;
    auto num = [&](std::size_t at, std::size_t n) {
      int v = 0;
      for (std::size_t k = 0; k < n; ++k)
        v = v * 10 + (d[at + k] - '0');
      return v;
    };
    const int y = num(0, 4), mo = num(4, 2), da = num(6, 2), h = num(9, 2), mi = num(11, 2),
              se = num(13, 2);
    if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 59) continue;
    Micros t = base::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(da)) *
                   kMicrosPerDay +
               (h * 3600 + mi * 60 + se) * kMicrosPerSecond;
    if (!base::in_time_range(t)) continue;
    if (i + 19 <= name.size() && name[i + 15] == '_' && is_digit(name[i + 16]) &&
        is_digit(name[i + 17]) && is_digit(name[i + 18]))
      t += ((name[i + 16] - '0') * 100 + (name[i + 17] - '0') * 10 + (name[i + 18] - '0')) * 1000;
    NameDate out;
    out.local = t;
    if (i > 1) out.app = std::string(name.substr(0, i - 1));
    return out;
  }
  return std::nullopt;
}

// The text before a message's keyword and after its name: emitter, thread,
// version and peer.
void LogParser::read_header_details(std::string_view before, std::string_view tail) {
  // Prefix: "[0] 8.1.001.05 distribute_event:" or "received from 65200(APP)host:port(fd=)"
  std::string_view prefix = trim(before);
  if (!prefix.empty() && prefix.front() == '[') {
    const std::size_t close = prefix.find(']');
    if (close != std::string_view::npos) {
      event_.thread.assign(prefix.substr(1, close - 1));
      prefix = trim(prefix.substr(close + 1));
      if (!prefix.empty() && is_digit(prefix.front())) {
        const std::size_t e = word_end(prefix, 0);
        event_.version.assign(prefix.substr(0, e));
        prefix = trim(prefix.substr(e));
      }
    }
  }
  if (!prefix.empty() && prefix.back() == ':') prefix = trim(prefix.substr(0, prefix.size() - 1));
  for (std::string_view verb : {"received from ", "request to "}) {
    const std::size_t v = prefix.find(verb);
    if (v != std::string_view::npos) {
      event_.peer.assign(trim(prefix.substr(v + verb.size())));
      prefix = verb.substr(0, verb.size() - 1);
      break;
    }
    const std::size_t w = tail.find(verb);
    if (w != std::string_view::npos && tail.find("Attribute") == std::string_view::npos) {
      event_.peer.assign(trim(tail.substr(w + verb.size())));
    }
  }
  event_.emitter.assign(prefix);
}

bool LogParser::try_header_label(std::string_view line) {
  // The labels are at most 20 bytes: the colon is looked for there only.
  const void* at = std::memchr(line.data(), ':', std::min<std::size_t>(line.size(), 21));
  if (at == nullptr) return false;
  const auto colon = static_cast<std::size_t>(static_cast<const char*>(at) - line.data());
  enum Label {
    kAppName,
    kAppType,
    kHost,
    kLocalTime,
    kUtcTime,
    kUtcStart,
    kTimeZone,
    kFile,
    kCommandLine,
    kDst,
    kRunningTime,
    kHostInfo,
  };
  static constexpr std::string_view kLabels[] = {
      "Application name", "Application type", "Host name", "Local time",   "UTC time",
      "Start time (UTC)", "Time zone",        "File",      "Command line", "DST",
      "Running time",     "Host info"};
  const auto* found = std::find(std::begin(kLabels), std::end(kLabels), line.substr(0, colon));
  if (found == std::end(kLabels)) return false;
  std::string_view value = trim(line.substr(colon + 1));
  const auto label = static_cast<Label>(found - std::begin(kLabels));
  switch (label) {
    case kAppName:
      info_.app = std::string(value);
      break;
    case kAppType:
      // "TServer (1)": the type's name and its number.
      info_.app_type = std::string(value);
      break;
    case kHost:
      info_.host = std::string(value);
      break;
    case kLocalTime:
    case kUtcTime:
    case kUtcStart: {
      // ISO with or without a fraction ("Start time (UTC):" has none).
      std::optional<LineTime> t = parse_line_time(value);
      if (!t && value.size() == 19) t = parse_line_time(std::string(value) + ".0");
      if (!t || !t->day) {
        report("header", fmt::format("expected '{}:' as an ISO date and time like "
                                     "2012-10-29T09:41:00.540",
                                     *found));
        return true;
      }
      const Micros when = *t->day * kMicrosPerDay + t->time_of_day;
      if (!base::in_time_range(when)) {
        report("header",
               fmt::format("expected '{}:' between 1970 and 2200; it is not used", *found));
        return true;
      }
      if (label == kLocalTime) {
        set_local_start(when);
      } else if (label == kUtcTime) {
        // The same instant as "Local time:".
        info_.utc_start = when;
        utc_time_label_ = true;
      } else if (!utc_time_label_) {
        // When the application started: the segment's own start only in
        // headers without "UTC time:" (a later segment's is days older, and
        // "Running time:" says by how much).
        info_.utc_start = when;
      }
      break;
    }
    case kTimeZone: {
      // "-19800, India Standard Time, India Daylight Time": seconds west of
      // UTC, then the zone's names.
      std::int64_t west = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), west);
      if (ec != std::errc{} || west < -86400 || west > 86400 ||
          (p != value.data() + value.size() && *p != ',' && *p != ' ')) {
        report("header",
               "expected a 'Time zone:' in seconds west of UTC, like 18000 or "
               "'-19800, India Standard Time, India Daylight Time'");
        return true;
      }
      if (!info_.utc_offset_from_header || !info_.utc_start) {
        info_.utc_offset = static_cast<std::int32_t>(-west);
        info_.utc_offset_from_header = true;
      }
      break;
    }
    case kFile:
      // "(1) <path, Windows or Unix>" or "(0001) <name>": the segment's own
      // name, already known from the path.
    case kCommandLine:
    case kDst:
    case kRunningTime:
    case kHostInfo:
      break;
  }
  if (info_.local_start && info_.utc_start) {
    const std::int64_t offset = round_offset(*info_.local_start - *info_.utc_start);
    // Zones are at most 14 hours from UTC; a day's slack for headers whose
    // "Local time:" and "UTC time:" are not quite the same instant.
    if (offset < -86'400 || offset > 86'400) {
      if (label == kLocalTime || label == kUtcTime || label == kUtcStart) {
        report("header",
               "expected 'Local time:' and the UTC time to be less than a day apart; the "
               "offset between them is not used");
      }
      return true;
    }
    info_.utc_offset = static_cast<std::int32_t>(offset);
    info_.utc_offset_from_header = true;
  }
  return true;
}

void LogParser::set_local_start(Micros local) {
  info_.local_start = local;
  day_ = floor_div(local, kMicrosPerDay);
  last_time_of_day_ = local - *day_ * kMicrosPerDay;
}

}  // namespace calltrail::parse
