#include "calltrail/serve/event_reader.hpp"

#include <simdjson.h>

#include <charconv>
#include <optional>
#include <string>

#include "calltrail/base/time.hpp"

namespace calltrail::serve {

namespace {

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
std::optional<Micros> parse_time_of_day(std::string_view s, std::uint8_t& digits) {
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
  Micros t = (Micros{h} * 3600 + m * 60 + sec) * base::kMicrosPerSecond;
  digits = 0;
  if (s.size() > 8) {
    if (s[8] != '.' || s.size() > 15) return std::nullopt;
    Micros frac = 0;
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

// Builds the event from simdjson's document (its stages are chosen for the
// CPU at run time); every error is a code, never an exception.
class EventReader {
 public:
  explicit EventReader(model::Event& e) : e_(e) {}

  std::string error;
  // Top-level strings and numbers (views into the parser, valid until it
  // reads the next line).
  std::string_view utc, utc_source, local, utc_offset, kind;
  std::optional<std::uint64_t> line, offset;

  bool read(simdjson::dom::element doc) {
    simdjson::dom::object top;
    if (doc.get(top) != simdjson::SUCCESS) return fail("expected a JSON object");
    for (auto [key, value] : top) {
      if (key == "attributes") {
        if (!attributes(value)) return false;
      } else if (value.is_string()) {
        top_string(key, value.get_string().value_unsafe());
      } else if (key == "line" || key == "offset") {
        std::uint64_t n = 0;
        if (value.get(n) == simdjson::SUCCESS) (key == "line" ? line : offset) = n;
      }  // other top-level fields are ignored
    }
    return true;
  }

 private:
  bool fail(std::string m) {
    if (error.empty()) error = std::move(m);
    return false;
  }

  void top_string(std::string_view key, std::string_view s) {
    if (key == "name") {
      e_.name = s;
    } else if (key == "kind") {
      kind = s;
    } else if (key == "emitter") {
      e_.emitter = s;
    } else if (key == "app") {
      e_.app = s;
    } else if (key == "peer") {
      e_.peer = s;
    } else if (key == "thread") {
      e_.thread = s;
    } else if (key == "version") {
      e_.version = s;
    } else if (key == "utc") {
      utc = s;
    } else if (key == "utc_source") {
      utc_source = s;
    } else if (key == "local") {
      local = s;
    } else if (key == "utc_offset") {
      utc_offset = s;
    }
  }

  bool attributes(simdjson::dom::element v) {
    simdjson::dom::object attrs;
    if (v.get(attrs) != simdjson::SUCCESS) return fail("attributes: expected an object");
    for (auto [key, value] : attrs)
      if (!value_of(key, value, 0)) return false;
    return true;
  }

  // An attribute's value or a pair's value, at list depth `depth`.
  bool value_of(std::string_view key, simdjson::dom::element v, std::uint8_t depth) {
    using Type = simdjson::dom::element_type;
    switch (v.type()) {
      case Type::STRING: {
        const std::string_view s = v.get_string().value_unsafe();
        add(is_hex_not_decimal(s) ? model::ValueKind::Hex : model::ValueKind::String, key, s, 0,
            depth);
        return true;
      }
      case Type::INT64: {
        const std::int64_t n = v.get_int64().value_unsafe();
        add(model::ValueKind::Integer, key, std::to_string(n), n, depth);
        return true;
      }
      case Type::UINT64: {
        const std::uint64_t n = v.get_uint64().value_unsafe();
        add(model::ValueKind::Integer, key, std::to_string(n), static_cast<std::int64_t>(n), depth);
        return true;
      }
      case Type::DOUBLE: {
        char text[32];
        auto r = std::to_chars(text, text + sizeof text, v.get_double().value_unsafe());
        add(model::ValueKind::Bare, key, std::string_view(text, r.ptr - text), 0, depth);
        return true;
      }
      case Type::BOOL:
        add(model::ValueKind::Bare, key, v.get_bool().value_unsafe() ? "true" : "false", 0, depth);
        return true;
      case Type::NULL_VALUE:
        add(model::ValueKind::String, key, {}, 0, depth);
        return true;
      case Type::OBJECT:
        return fail("attributes: a value is an object (lists are arrays of [key, value] pairs)");
      case Type::ARRAY:
        return list(key, v.get_array().value_unsafe(), depth);
    }
    return fail("not valid JSON");
  }

  // A list: an array of [key, value] pairs.
  bool list(std::string_view key, simdjson::dom::array entries, std::uint8_t depth) {
    if (depth >= 64) return fail("attributes: lists nested too deep");
    const auto index = static_cast<std::uint32_t>(e_.fields().size());
    add(model::ValueKind::List, key, {}, 0, depth);
    std::int64_t pairs = 0;
    for (simdjson::dom::element entry : entries) {
      simdjson::dom::array pair;
      std::string_view pair_key;
      if (entry.get(pair) != simdjson::SUCCESS || pair.size() != 2 ||
          pair.at(0).get(pair_key) != simdjson::SUCCESS)
        return fail("attributes: a list entry is not a [key, value] pair");
      if (!value_of(pair_key, pair.at(1).value_unsafe(), static_cast<std::uint8_t>(depth + 1)))
        return false;
      ++pairs;
    }
    model::Field& f = e_.mutable_fields()[index];
    f.number = pairs;
    f.end = static_cast<std::uint32_t>(e_.fields().size());
    return true;
  }

  void add(model::ValueKind kind_of, std::string_view k, std::string_view text, std::int64_t number,
           std::uint8_t depth) {
    model::Field f;
    f.depth = depth;
    f.kind = kind_of;
    f.number = number;
    f.key_offset = e_.append_text(k);
    f.key_size = static_cast<std::uint32_t>(k.size());
    f.value_offset = e_.append_text(text);
    f.value_size = static_cast<std::uint32_t>(text.size());
    f.end = static_cast<std::uint32_t>(e_.fields().size()) + 1;
    e_.mutable_fields().push_back(f);
  }

  model::Event& e_;
};

}  // namespace

std::string read_event_json(std::string_view line, model::Event& e) {
  e.clear();
  // simdjson reads a few bytes past the text: each line is copied into a
  // padded buffer kept by the thread, with the parser.
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;
  buffer.assign(line);
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element doc;
  EventReader reader(e);
  if (auto err = parser.parse(buffer.data(), line.size(), false).get(doc))
    return std::string("not valid JSON (") + simdjson::error_message(err) + ")";
  if (!reader.read(doc)) return reader.error.empty() ? "not valid JSON" : reader.error;
  if (e.name.empty()) return "name: missing (EventXxx or RequestXxx)";
  e.kind = reader.kind == "sip"                                        ? model::MessageKind::Sip
           : reader.kind == "request" || e.name.starts_with("Request") ? model::MessageKind::Request
                                                                       : model::MessageKind::Event;
  if (!reader.utc_offset.empty()) {
    e.times.utc_offset = parse_offset(reader.utc_offset);
    if (!e.times.utc_offset) return "utc_offset: expected +HH:MM or -HH:MM";
  }
  std::optional<Micros> utc;
  if (!reader.utc.empty()) {
    utc = base::parse_iso_time(reader.utc);
    if (!utc) return "utc: expected an ISO time such as 2012-10-29T14:41:00.540480Z";
  }
  bool have_local = false;
  if (const std::string_view l = reader.local; !l.empty()) {
    std::uint8_t digits = 0;
    if (l.size() > 10 && l[4] == '-') {
      auto t = base::parse_iso_time(l);
      const auto dot = l.find_last_of(".,");  // ISO allows either
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
    const bool local_source = reader.utc_source == "local";
    if (local_source && e.times.utc_offset && !have_local) {
      e.times.local = *utc + Micros{*e.times.utc_offset} * base::kMicrosPerSecond;
      e.times.local_date_known = true;
      e.times.local_digits = 6;
    } else if (!local_source || !e.times.utc_offset || !e.times.local_date_known) {
      e.times.utc_stamp = utc;
    }
  }
  if (reader.line) e.where.line = *reader.line;
  if (reader.offset) e.where.offset = *reader.offset;
  return {};
}

}  // namespace calltrail::serve
