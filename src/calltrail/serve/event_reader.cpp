#include "calltrail/serve/event_reader.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "calltrail/base/time.hpp"

namespace calltrail::serve {

namespace {

using Json = nlohmann::json;
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

// Builds the event straight from the parser's callbacks (no JSON tree).
class EventSax : public nlohmann::json_sax<Json> {
 public:
  explicit EventSax(model::Event& e) : e_(e) {}

  std::string error;
  // Top-level strings and numbers, read after the parse.
  std::string utc, utc_source, local, utc_offset, kind;
  std::optional<std::uint64_t> line, offset;

  bool null() override { return scalar(model::ValueKind::String, {}, 0); }
  bool boolean(bool v) override { return scalar(model::ValueKind::Bare, v ? "true" : "false", 0); }
  bool number_integer(number_integer_t v) override {
    return scalar(model::ValueKind::Integer, std::to_string(v), v);
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (depth_ == 1 && key_ != "attributes") {
      if (key_ == "line") line = v;
      if (key_ == "offset") offset = v;
      return true;
    }
    return scalar(model::ValueKind::Integer, std::to_string(v), static_cast<std::int64_t>(v));
  }
  bool number_float(number_float_t, const string_t& s) override {
    return scalar(model::ValueKind::Bare, s, 0);
  }
  bool string(string_t& s) override {
    if (depth_ == 1 && key_ == "attributes") return fail("attributes: expected an object");
    if (depth_ == 1) {
      top_string(s);
      return true;
    }
    if (!frames_.empty() && frames_.back().type == Frame::Pair && frames_.back().stage == 0) {
      frames_.back().key = std::move(s);
      frames_.back().stage = 1;
      return true;
    }
    return scalar(is_hex_not_decimal(s) ? model::ValueKind::Hex : model::ValueKind::String, s, 0);
  }
  bool binary(binary_t&) override { return fail("unexpected binary value"); }

  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) return true;
    if (depth_ == 2 && key_ == "attributes") {
      in_attributes_ = true;
      return true;
    }
    if (depth_ == 2) {
      skip_ = depth_;  // an unknown top-level object: ignore it
      return true;
    }
    if (skip_ != 0) return true;
    return fail("attributes: a value is an object (lists are arrays of [key, value] pairs)");
  }
  bool end_object() override {
    if (skip_ == depth_) skip_ = 0;
    if (depth_ == 2) in_attributes_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) {
      key_ = std::move(k);
    } else if (in_attributes_ && depth_ == 2) {
      attr_key_ = std::move(k);
    }
    return true;
  }
  bool start_array(std::size_t) override {
    if (skip_ != 0 || depth_ == 1 || (!in_attributes_ && depth_ < 2)) {
      if (depth_ == 0) return fail("expected a JSON object");
      if (depth_ == 1 && key_ == "attributes") return fail("attributes: expected an object");
      ++array_skip_;
      return true;
    }
    if (frames_.empty() || frames_.back().type == Frame::Pair) {
      // A list value: of an attribute, or of a pair inside a list.
      std::string k;
      if (frames_.empty()) {
        k = attr_key_;
      } else {
        Frame& pair = frames_.back();
        if (pair.stage != 1) return fail("attributes: a list entry is not a [key, value] pair");
        pair.stage = 2;
        k = pair.key;
      }
      if (frames_.size() > 64) return fail("attributes: lists nested too deep");
      const auto index = static_cast<std::uint32_t>(e_.fields().size());
      add(model::ValueKind::List, k, {}, 0);
      frames_.push_back({Frame::List, index, 0, {}});
      return true;
    }
    // A [key, value] pair inside a list.
    frames_.push_back({Frame::Pair, 0, 0, {}});
    return true;
  }
  bool end_array() override {
    if (array_skip_ > 0) {
      --array_skip_;
      return true;
    }
    if (frames_.empty()) return true;
    Frame f = frames_.back();
    frames_.pop_back();
    if (f.type == Frame::Pair) {
      if (f.stage != 2) return fail("attributes: a list entry is not a [key, value] pair");
      for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
        if (it->type == Frame::List) {
          ++e_.mutable_fields()[it->index].number;
          break;
        }
      }
      return true;
    }
    e_.mutable_fields()[f.index].end = static_cast<std::uint32_t>(e_.fields().size());
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    if (error.empty()) error = "not valid JSON (at byte " + std::to_string(position) + ")";
    return false;
  }

 private:
  struct Frame {
    enum Type : std::uint8_t { List, Pair } type;
    std::uint32_t index;  // List: its field
    int stage;            // Pair: 0 key expected, 1 value expected, 2 done
    std::string key;
  };

  bool fail(std::string m) {
    if (error.empty()) error = std::move(m);
    return false;
  }

  void top_string(std::string& s) {
    if (key_ == "name") {
      e_.name = std::move(s);
    } else if (key_ == "kind") {
      kind = std::move(s);
    } else if (key_ == "emitter") {
      e_.emitter = std::move(s);
    } else if (key_ == "app") {
      e_.app = std::move(s);
    } else if (key_ == "peer") {
      e_.peer = std::move(s);
    } else if (key_ == "thread") {
      e_.thread = std::move(s);
    } else if (key_ == "version") {
      e_.version = std::move(s);
    } else if (key_ == "utc") {
      utc = std::move(s);
    } else if (key_ == "utc_source") {
      utc_source = std::move(s);
    } else if (key_ == "local") {
      local = std::move(s);
    } else if (key_ == "utc_offset") {
      utc_offset = std::move(s);
    }
  }

  // A scalar in the attributes: an attribute's value or a pair's value.
  bool scalar(model::ValueKind kind_of, std::string_view text, std::int64_t number) {
    if (depth_ == 1 && key_ == "attributes" && kind_of != model::ValueKind::String)
      return fail("attributes: expected an object");
    if (depth_ <= 1 || skip_ != 0 || array_skip_ > 0) return true;  // top-level extras
    if (!in_attributes_) return true;
    if (frames_.empty()) {
      add(kind_of, attr_key_, text, number);
      return true;
    }
    Frame& f = frames_.back();
    if (f.type != Frame::Pair || f.stage != 1)
      return fail("attributes: a list entry is not a [key, value] pair");
    f.stage = 2;
    add(kind_of, f.key, text, number);
    return true;
  }

  void add(model::ValueKind kind_of, std::string_view k, std::string_view text,
           std::int64_t number) {
    model::Field f;
    std::size_t lists = 0;
    for (const auto& fr : frames_)
      lists += fr.type == Frame::List ? 1 : 0;
    f.depth = static_cast<std::uint8_t>(lists);
    f.kind = kind_of;
    f.number = number;
    f.key_offset = e_.append_text(k);
    f.key_size = static_cast<std::uint32_t>(k.size());
    f.value_offset = e_.append_text(text);
    f.value_size = static_cast<std::uint32_t>(text.size());
    f.end = static_cast<std::uint32_t>(e_.fields().size()) + 1;
    if (kind_of == model::ValueKind::List) f.number = 0;
    e_.mutable_fields().push_back(f);
  }

  model::Event& e_;
  int depth_ = 0;
  int skip_ = 0;
  int array_skip_ = 0;
  bool in_attributes_ = false;
  std::string key_;
  std::string attr_key_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string read_event_json(std::string_view line, model::Event& e) {
  e.clear();
  EventSax sax(e);
  const bool ok = Json::sax_parse(line.begin(), line.end(), &sax);
  if (!ok || !sax.error.empty()) {
    if (!sax.error.empty()) return sax.error;
    return "not valid JSON";
  }
  if (e.name.empty()) return "name: missing (EventXxx or RequestXxx)";
  e.kind = sax.kind == "request" || e.name.starts_with("Request") ? model::MessageKind::Request
                                                                  : model::MessageKind::Event;
  if (!sax.utc_offset.empty()) {
    e.times.utc_offset = parse_offset(sax.utc_offset);
    if (!e.times.utc_offset) return "utc_offset: expected +HH:MM or -HH:MM";
  }
  std::optional<Micros> utc;
  if (!sax.utc.empty()) {
    utc = base::parse_iso_time(sax.utc);
    if (!utc) return "utc: expected an ISO time such as 2012-10-29T14:41:00.540480Z";
  }
  bool have_local = false;
  if (const std::string_view l = sax.local; !l.empty()) {
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
    const bool local_source = sax.utc_source == "local";
    if (local_source && e.times.utc_offset && !have_local) {
      e.times.local = *utc + Micros{*e.times.utc_offset} * base::kMicrosPerSecond;
      e.times.local_date_known = true;
      e.times.local_digits = 6;
    } else if (!local_source || !e.times.utc_offset || !e.times.local_date_known) {
      e.times.utc_stamp = utc;
    }
  }
  if (sax.line) e.where.line = *sax.line;
  if (sax.offset) e.where.offset = *sax.offset;
  return {};
}

}  // namespace calltrail::serve
