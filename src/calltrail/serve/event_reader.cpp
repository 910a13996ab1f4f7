#include "calltrail/serve/event_reader.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "calltrail/base/time.hpp"

namespace calltrail::serve {

namespace {

using Json = nlohmann::ordered_json;
using Micros = model::Micros;

bool is_hex_not_decimal(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  bool letter = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') continue;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
      letter = true;
      continue;
    }
    return false;
  }
  return letter;
}

// Adds `key` = `value` (and, for a list, its pairs) to the event's fields.
std::string add_field(model::Event& e, std::string_view key, const Json& value, int depth) {
  if (depth > 32) return "attributes: lists nested too deep";
  auto& fields = e.mutable_fields();
  const auto index = static_cast<std::uint32_t>(fields.size());
  model::Field f;
  f.depth = static_cast<std::uint8_t>(depth);
  f.key_offset = e.append_text(key);
  f.key_size = static_cast<std::uint32_t>(key.size());
  std::string text;
  if (value.is_array()) {
    f.kind = model::ValueKind::List;
    f.number = static_cast<std::int64_t>(value.size());
    fields.push_back(f);
    for (const Json& pair : value) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string())
        return "attributes: a list entry is not a [key, value] pair";
      std::string err = add_field(e, pair[0].get_ref<const std::string&>(), pair[1], depth + 1);
      if (!err.empty()) return err;
    }
    e.mutable_fields()[index].end = static_cast<std::uint32_t>(e.mutable_fields().size());
    return {};
  }
  if (value.is_number_integer()) {
    f.kind = model::ValueKind::Integer;
    f.number = value.get<std::int64_t>();
    text = std::to_string(f.number);
  } else if (value.is_string()) {
    text = value.get<std::string>();
    f.kind = is_hex_not_decimal(text) ? model::ValueKind::Hex : model::ValueKind::String;
  } else if (value.is_null()) {
    f.kind = model::ValueKind::String;
  } else if (value.is_object()) {
    return "attributes: a value is an object (lists are arrays of [key, value] pairs)";
  } else {
    f.kind = model::ValueKind::Bare;
    text = value.dump();
  }
  f.value_offset = e.append_text(text);
  f.value_size = static_cast<std::uint32_t>(text.size());
  f.end = index + 1;
  fields.push_back(f);
  return {};
}

std::string_view string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

// "+HH:MM" / "-HH:MM" -> seconds.
std::optional<std::int32_t> parse_offset(std::string_view s) {
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
  int h = 0;
  int m = 0;
  if (std::from_chars(s.data() + 1, s.data() + 3, h).ec != std::errc{} ||
      std::from_chars(s.data() + 4, s.data() + 6, m).ec != std::errc{} || h > 14 || m > 59)
    return std::nullopt;
  const int secs = h * 3600 + m * 60;
  return s[0] == '-' ? -secs : secs;
}

// "09:41:00.5404" -> microseconds of the day and its fraction digits.
std::optional<model::Micros> parse_time_of_day(std::string_view s, std::uint8_t& digits) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    auto r = std::from_chars(s.data() + at, s.data() + at + n, v);
    return (r.ec == std::errc{} && r.ptr == s.data() + at + n) ? v : -1;
  };
  const int h = num(0, 2);
  const int m = num(3, 2);
  const int sec = num(6, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60) return std::nullopt;
  model::Micros t = (Micros{h} * 3600 + m * 60 + sec) * base::kMicrosPerSecond;
  digits = 0;
  if (s.size() > 8) {
    if (s[8] != '.' || s.size() > 15) return std::nullopt;
    model::Micros frac = 0;
    for (std::size_t i = 9; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      frac = frac * 10 + (s[i] - '0');
      ++digits;
    }
    for (int i = digits; i < 6; ++i)
      frac *= 10;
    t += frac;
  }
  return t;
}

}  // namespace

std::string read_event_json(std::string_view line, model::Event& e) {
  e.clear();
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "not valid JSON";
  if (!j.is_object()) return "expected a JSON object";
  const std::string_view name = string_field(j, "name");
  if (name.empty()) return "name: missing (EventXxx or RequestXxx)";
  e.name = std::string(name);
  e.kind = string_field(j, "kind") == "request" || name.starts_with("Request")
               ? model::MessageKind::Request
               : model::MessageKind::Event;
  e.emitter = std::string(string_field(j, "emitter"));
  e.app = std::string(string_field(j, "app"));
  e.peer = std::string(string_field(j, "peer"));
  e.thread = std::string(string_field(j, "thread"));
  e.version = std::string(string_field(j, "version"));

  if (auto o = string_field(j, "utc_offset"); !o.empty()) {
    e.times.utc_offset = parse_offset(o);
    if (!e.times.utc_offset) return "utc_offset: expected +HH:MM or -HH:MM";
  }
  std::optional<Micros> utc;
  if (auto u = string_field(j, "utc"); !u.empty()) {
    utc = base::parse_iso_time(u);
    if (!utc) return "utc: expected an ISO time such as 2012-10-29T14:41:00.540480Z";
  }
  bool have_local = false;
  if (auto l = string_field(j, "local"); !l.empty()) {
    std::uint8_t digits = 0;
    if (l.size() > 10 && l[4] == '-') {
      auto t = base::parse_iso_time(l);
      const auto dot = l.rfind('.');
      if (!t) return "local: expected YYYY-MM-DDTHH:MM:SS.ffff or HH:MM:SS.ffff";
      e.times.local = *t;
      e.times.local_date_known = true;
      digits = dot == std::string_view::npos ? 0 : static_cast<std::uint8_t>(l.size() - dot - 1);
    } else {
      auto t = parse_time_of_day(l, digits);
      if (!t) return "local: expected YYYY-MM-DDTHH:MM:SS.ffff or HH:MM:SS.ffff";
      e.times.local = *t;
    }
    e.times.local_digits = digits == 0 ? 3 : digits;
    have_local = true;
  }
  if (utc) {
    const bool local_source = string_field(j, "utc_source") == "local";
    if (local_source && e.times.utc_offset && !have_local) {
      e.times.local = *utc + Micros{*e.times.utc_offset} * base::kMicrosPerSecond;
      e.times.local_date_known = true;
      e.times.local_digits = 6;
    } else if (!local_source || !e.times.utc_offset || !e.times.local_date_known) {
      e.times.utc_stamp = utc;
    }
  }
  if (auto it = j.find("line"); it != j.end() && it->is_number_unsigned())
    e.where.line = it->get<std::uint64_t>();
  if (auto it = j.find("offset"); it != j.end() && it->is_number_unsigned())
    e.where.offset = it->get<std::uint64_t>();

  auto attrs = j.find("attributes");
  if (attrs != j.end()) {
    if (!attrs->is_object()) return "attributes: expected an object";
    for (const auto& [key, value] : attrs->items()) {
      std::string err = add_field(e, key, value, 0);
      if (!err.empty()) return err;
    }
  }
  return {};
}

}  // namespace calltrail::serve
