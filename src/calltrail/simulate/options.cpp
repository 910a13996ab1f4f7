#include "calltrail/simulate/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace calltrail::simulate {

namespace {

constexpr std::array<std::string_view, kScenarioCount> kScenarioNames = {
    "single",      "multisite",       "pingpong",          "connid-change", "connid-reuse",
    "consult",     "conference",      "multisite-consult", "late-islink",   "postmortem-islink",
    "unmonitored", "failed-transfer", "lost-events",       "ha-sync",       "noise",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const auto next = s.find(sep, pos);
    parts.push_back(trim(s.substr(pos, next == std::string_view::npos ? s.npos : next - pos)));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return parts;
}

// A decimal number with an optional fraction; returns the value and the rest.
std::optional<double> leading_number(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.'))
    ++n;
  if (n == 0) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc{} || ptr != s.data() + n) return std::nullopt;
  s.remove_prefix(n);
  return value;
}

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view scenario_name(Scenario s) {
  return kScenarioNames[static_cast<std::size_t>(s)];
}

std::optional<Scenario> scenario_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kScenarioNames.size(); ++i)
    if (kScenarioNames[i] == name) return static_cast<Scenario>(i);
  return std::nullopt;
}

const std::array<Scenario, kScenarioCount>& all_scenarios() {
  static const auto kAll = [] {
    std::array<Scenario, kScenarioCount> a{};
    for (std::size_t i = 0; i < a.size(); ++i)
      a[i] = static_cast<Scenario>(i);
    return a;
  }();
  return kAll;
}

ScenarioSet ScenarioSet::all() {
  ScenarioSet s;
  for (auto x : all_scenarios())
    s.add(x);
  return s;
}

std::string ScenarioSet::to_string() const {
  std::string out;
  for (auto s : all_scenarios()) {
    if (!has(s)) continue;
    if (!out.empty()) out += ',';
    out += scenario_name(s);
  }
  return out;
}

std::optional<ScenarioSet> parse_scenario_list(std::string_view text, std::string& error) {
  ScenarioSet set;
  for (auto part : split(text, ',')) {
    if (part.empty()) continue;
    if (part == "all") return ScenarioSet::all();
    const auto s = scenario_from_name(part);
    if (!s) {
      error =
          fmt::format("unknown scenario '{}' (known: {})", part, ScenarioSet::all().to_string());
      return std::nullopt;
    }
    set.add(*s);
  }
  if (set.empty()) {
    error = "no scenario given";
    return std::nullopt;
  }
  return set;
}

std::optional<std::int32_t> parse_utc_offset(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  int sign = 1;
  if (text.front() == '+' || text.front() == '-') {
    sign = text.front() == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  const auto hours = leading_number(text);
  if (!hours) return std::nullopt;
  double seconds = 0;
  if (text.empty() || text == "h") {
    seconds = *hours * 3600;
  } else if (text.front() == ':') {
    text.remove_prefix(1);
    const auto minutes = leading_number(text);
    if (!minutes || !text.empty() || *minutes >= 60) return std::nullopt;
    seconds = *hours * 3600 + *minutes * 60;
  } else if (text == "m" || text == "min") {
    seconds = *hours * 60;
  } else if (text == "s") {
    seconds = *hours;
  } else {
    return std::nullopt;
  }
  if (seconds > 14 * 3600) return std::nullopt;
  return static_cast<std::int32_t>(std::lround(seconds)) * sign;
}

std::optional<std::int64_t> parse_skew(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  int sign = 1;
  if (text.front() == '+' || text.front() == '-') {
    sign = text.front() == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  const auto value = leading_number(text);
  if (!value) return std::nullopt;
  double us = 0;
  if (text == "us") {
    us = *value;
  } else if (text == "ms" || (text.empty() && *value == 0)) {
    us = *value * 1e3;
  } else if (text == "s") {
    us = *value * 1e6;
  } else {
    return std::nullopt;
  }
  if (us > 3600e6) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(us)) * sign;
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  text = trim(text);
  const auto value = leading_number(text);
  if (!value) return std::nullopt;
  double factor = 1;
  if (text.empty() || ieq(text, "b")) {
    factor = 1;
  } else if (ieq(text, "k") || ieq(text, "kb") || ieq(text, "kib")) {
    factor = 1024.0;
  } else if (ieq(text, "m") || ieq(text, "mb") || ieq(text, "mib")) {
    factor = 1024.0 * 1024;
  } else if (ieq(text, "g") || ieq(text, "gb") || ieq(text, "gib")) {
    factor = 1024.0 * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  const double bytes = *value * factor;
  if (bytes < 1 || bytes > 1e13) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<base::Micros> parse_duration(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double total = 0;
  while (!text.empty()) {
    const auto value = leading_number(text);
    if (!value) return std::nullopt;
    std::size_t n = 0;
    while (n < text.size() && text[n] >= 'a' && text[n] <= 'z')
      ++n;
    const auto unit = text.substr(0, n);
    text.remove_prefix(n);
    if (unit == "ms") {
      total += *value * 1e3;
    } else if (unit == "s" || (unit.empty() && text.empty())) {
      total += *value * 1e6;
    } else if (unit == "m" || unit == "min") {
      total += *value * 60e6;
    } else if (unit == "h") {
      total += *value * 3600e6;
    } else if (unit == "d") {
      total += *value * 86400e6;
    } else {
      return std::nullopt;
    }
  }
  if (total <= 0 || total > 366 * 86400e6) return std::nullopt;
  return static_cast<base::Micros>(total);
}

std::optional<SiteSpec> parse_site_spec(std::string_view text, std::string& error) {
  const auto parts = split(text, ',');
  SiteSpec site;
  const auto at = parts[0].find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == parts[0].size()) {
    error = fmt::format("site '{}': expected APP@SWITCH first, e.g. Tserver2@Avaya_Switch1", text);
    return std::nullopt;
  }
  for (char c : parts[0]) {
    if (c == ' ' || c == '\t' || c == '\'' || c == '/' || c == '\\') {
      error = fmt::format("site '{}': the name may not hold spaces, quotes or slashes", text);
      return std::nullopt;
    }
  }
  site.app = std::string(parts[0].substr(0, at));
  site.switch_name = std::string(parts[0].substr(at + 1));
  if (parts[0].substr(at + 1).find('@') != std::string_view::npos) {
    error = fmt::format("site '{}': only one '@' is allowed", text);
    return std::nullopt;
  }
  site.kind = (site.app.find("SIP") != std::string::npos ||
               site.switch_name.find("SIP") != std::string::npos)
                  ? ServerKind::SipServer
                  : ServerKind::TServer;
  std::size_t positional = 0;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto part = parts[i];
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      if (part == "unmonitored") {
        site.monitored = false;
      } else if (positional == 0) {
        const auto offset = parse_utc_offset(part);
        if (!offset) {
          error = fmt::format("site '{}': bad UTC offset '{}' (e.g. -5h, +5:30, 0)", text, part);
          return std::nullopt;
        }
        site.utc_offset = *offset;
        ++positional;
      } else if (positional == 1) {
        const auto skew = parse_skew(part);
        if (!skew) {
          error =
              fmt::format("site '{}': bad clock skew '{}' (e.g. -50ms, +1.5s, 300us)", text, part);
          return std::nullopt;
        }
        site.clock_skew_us = *skew;
        ++positional;
      } else {
        error = fmt::format("site '{}': unexpected '{}'", text, part);
        return std::nullopt;
      }
      continue;
    }
    const auto key = part.substr(0, eq);
    const auto value = part.substr(eq + 1);
    if (key == "type" && (value == "sip" || value == "tserver")) {
      site.kind = value == "sip" ? ServerKind::SipServer : ServerKind::TServer;
    } else if (key == "time" && (value == "stamp" || value == "secs" || value == "mixed")) {
      site.time_form = value == "stamp"  ? TimeForm::Stamp
                       : value == "secs" ? TimeForm::Secs
                                         : TimeForm::Mixed;
    } else if (key == "host" && !value.empty()) {
      site.host = std::string(value);
    } else if (key == "tlib" && (value == "on" || value == "off")) {
      site.tlib = value == "on";
    } else if (key == "calls" && (value == "on" || value == "off")) {
      site.call_monitoring = value == "on";
    } else if (key == "record" && (value == "on" || value == "off")) {
      site.record = value == "on";
    } else if (key == "header" && (value == "spaces" || value == "tab")) {
      site.header = value == "tab" ? HeaderLayout::Tab : HeaderLayout::Spaces;
    } else {
      error = fmt::format(
          "site '{}': unknown setting '{}' (known: type=sip|tserver, time=stamp|secs|mixed, "
          "host=NAME, tlib=on|off, calls=on|off, header=spaces|tab, record=on|off, "
          "unmonitored)",
          text, part);
      return std::nullopt;
    }
  }
  if (site.record && site.kind != ServerKind::SipServer) {
    error = fmt::format("site '{}': record=on is for SIP Servers (type=sip)", text);
    return std::nullopt;
  }
  if (!site.tlib && site.kind != ServerKind::SipServer) {
    error = fmt::format(
        "site '{}': tlib=off is for SIP Servers (type=sip): a T-Server without T-Library "
        "messages would log nothing of its calls",
        text);
    return std::nullopt;
  }
  if (site.host.empty()) {
    std::string host;
    for (char c : site.app)
      host += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    site.host = host + ".example.net";
  }
  return site;
}

std::vector<SiteSpec> default_sites(std::size_t count) {
  // The seed's two sites first, then sites chosen so that time zones differ
  // and one of them crosses local midnight with the default start.
  static constexpr std::string_view kTable[] = {
      "SIPServer1@SIP_Switch1,-4h,-50ms",
      "Tserver2@Avaya_Switch1,-5h,+0ms",
      "TServer3@Cisco_Switch3,+10h,+320ms,time=secs",
      "SIPServer4@SIP_Switch4,+1h,-1.2s,time=mixed",
      "TServer5@Nortel_Switch5,+5:30,+75ms",
      "TServer6@Alcatel_Switch6,-8h,-400ms,time=secs",
  };
  std::vector<SiteSpec> sites;
  std::string error;
  for (std::size_t i = 0; i < count; ++i) {
    std::string spec;
    if (i < std::size(kTable)) {
      spec = std::string(kTable[i]);
    } else {
      const int hours = static_cast<int>(i % 12) - 6;
      spec = fmt::format("TServer{}@Switch{},{:+}h,{:+}ms", i + 1, i + 1, hours,
                         static_cast<int>(i * 37 % 500) - 250);
    }
    sites.push_back(*parse_site_spec(spec, error));
  }
  return sites;
}

SiteSpec default_unmonitored_site() {
  std::string error;
  return *parse_site_spec("TServer9@Remote_Switch9,+2h,+0ms,unmonitored", error);
}

std::string_view style_name(PrintStyle s) {
  switch (s) {
    case PrintStyle::Tab:
      return "tab";
    case PrintStyle::Spaces:
      return "spaces";
    case PrintStyle::Flat:
      return "flat";
    case PrintStyle::Mixed:
      return "mixed";
  }
  return "tab";
}

std::string_view time_form_name(TimeForm f) {
  switch (f) {
    case TimeForm::Stamp:
      return "stamp";
    case TimeForm::Secs:
      return "secs";
    case TimeForm::Mixed:
      return "mixed";
  }
  return "stamp";
}

std::string_view header_layout_name(HeaderLayout h) {
  switch (h) {
    case HeaderLayout::Auto:
      return "auto";
    case HeaderLayout::Spaces:
      return "spaces";
    case HeaderLayout::Tab:
      return "tab";
  }
  return "auto";
}

std::string describe(const SimulateOptions& o) {
  std::string out;
  auto it = std::back_inserter(out);
  for (const auto& s : o.sites) {
    fmt::format_to(it, "--site {},{},{:+}us,type={},time={}", s.name(),
                   base::format_offset(s.utc_offset), s.clock_skew_us,
                   s.kind == ServerKind::SipServer ? "sip" : "tserver",
                   time_form_name(s.time_form));
    if (!s.tlib) out += ",tlib=off";
    if (!s.call_monitoring) out += ",calls=off";
    if (s.record) out += ",record=on";
    if (s.header != HeaderLayout::Auto)
      fmt::format_to(it, ",header={}", header_layout_name(s.header));
    out += s.monitored ? " " : ",unmonitored ";
  }
  if (o.target_bytes > 0) {
    fmt::format_to(it, "--size {} ", o.target_bytes);
  } else {
    fmt::format_to(it, "--interactions {} ", o.interactions);
  }
  fmt::format_to(it, "--start {} --duration {}s --seed {} ",
                 base::format_utc(o.start == 0 ? kDefaultStart : o.start, 3),
                 o.duration / base::kMicrosPerSecond, o.seed);
  if (o.only) {
    fmt::format_to(it, "--only {} ", scenario_name(*o.only));
  } else {
    fmt::format_to(it, "--scenarios {} ", o.scenarios.to_string());
  }
  fmt::format_to(it, "--segment-size {} --style {}{}", o.segment_size, style_name(o.style),
                 o.gzip ? " --gzip" : "");
  return out;
}

}  // namespace calltrail::simulate
