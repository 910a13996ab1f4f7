#include "calltrail/parse/log_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "calltrail/base/hex.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/parse/line_splitter.hpp"
#include "calltrail/parse/log_parser_internal.hpp"
#include "calltrail/parse/text.hpp"

namespace calltrail::parse {

namespace {

using detail::floor_div;
using detail::kHalfDay;
using detail::round_offset;
using detail::trim;

using base::kMicrosPerDay;
using base::kMicrosPerSecond;
using model::Micros;

bool is_message_name(std::string_view name) {
  return (starts_with(name, "Event") && name.size() > 5) ||
         (starts_with(name, "Request") && name.size() > 7);
}

// A message name at `pos`, bare or quoted ('X', "X", ‘X’); returns the name
// and sets `end` past it (and its closing quote).
std::string_view read_message_name(std::string_view s, std::size_t pos, std::size_t& end) {
  const std::size_t quote = quote_open_size(s, pos);
  std::size_t b = pos + quote;
  std::size_t e = b;
  // Letters, digits and '_'.
  for (e = alnum_run_end(s, e); e < s.size() && s[e] == '_';)
    e = alnum_run_end(s, e + 1);
  std::string_view name = s.substr(b, e - b);
  if (!is_message_name(name)) return {};
  if (quote > 0) {
    const std::size_t close =
        e < s.size() ? std::max(single_quote_close_size(s, e), double_quote_close_size(s, e)) : 0;
    if (close == 0) return {};
    e += close;
  } else if (e < s.size() && s[e] == '(') {
    return {};  // RequestInvoke(1000000100): an RLIB call, not a T-Library message
  } else if (e < s.size() && space_size(s, e) == 0 && s[e] != ':' && s[e] != ',') {
    return {};
  }
  end = e;
  return name;
}

// What may follow the name in a message header: nothing, the attributes of a
// one-line message, the peer, or a Platform SDK message id. Anything else is
// prose that mentions a message ("Writing message RequestX in 'proxy1'").
bool is_header_tail(std::string_view tail) {
  const std::size_t p = skip_space(tail, 0);
  if (p >= tail.size()) return true;
  std::string_view rest = tail.substr(p);
  return starts_with(rest, "Attribute") || starts_with(rest, "received from ") ||
         starts_with(rest, "('");
}

enum class LineRole : std::uint8_t { Attributes, Ignored, Other };

// Whether a line continues the message before it: attribute and KV-pair lines
// carry attributes; the Platform SDK's "message attributes:" and
// "Time = ComplexClass(TimeStamp):" lines belong to the message but carry none.
LineRole continuation_role(std::string_view line) {
  const std::size_t p = skip_space(line, 0);
  if (p >= line.size()) return LineRole::Other;
  std::string_view rest = line.substr(p);
  if (starts_with(rest, "Attribute") || quote_open_size(rest, 0) > 0 ||
      starts_with(rest, kRightDoubleQuote))
    return LineRole::Attributes;
  if (starts_with(rest, "message attributes") ||
      rest.find("= ComplexClass(") != std::string_view::npos)
    return LineRole::Ignored;
  return LineRole::Other;
}

}  // namespace

LogParser::LogParser(FileInfo& info, std::uint32_t file_index, base::Diagnostics& diagnostics,
                     const EventCallback& sink, std::size_t max_line)
    : info_(info),
      file_index_(file_index),
      diagnostics_(diagnostics),
      sink_(sink),
      max_line_(max_line < 1024 ? 1024 : max_line) {
  problem_ = [this](std::string_view code, std::string message) {
    if (const auto& at = builder_.problem_position()) {
      ++info_.malformed;
      diagnostics_.report(
          {info_.path, at->line, at->offset, std::string(code), std::move(message)});
      return;
    }
    report(code, std::move(message));
  };
  if (auto named = detail::parse_file_name(info_.path)) {
    if (info_.app.empty()) info_.app = named->app;
    set_local_start(named->local);
  }
}

void LogParser::report(std::string_view code, std::string message) {
  ++info_.malformed;
  diagnostics_.report({info_.path, line_no_, line_offset_, std::string(code), std::move(message)});
}

void LogParser::feed(std::string_view chunk) {
  std::size_t pos = 0;
  if (!partial_.empty() || partial_cut_) {
    // The first line ends the one the last chunk left unfinished.
    const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
    if (nl == nullptr) {
      keep_partial(chunk);
      return;
    }
    pos = static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data());
    const std::uint64_t length = partial_.size() + partial_dropped_ + pos;
    partial_.append(chunk.substr(0, pos));
    ++line_no_;
    line_offset_ = next_offset_;
    next_offset_ += length + 1;
    std::string_view line = partial_;
    if (partial_cut_) {
      report("long-line",
             fmt::format(
                 "expected lines of at most {} bytes; only the last {} bytes of this one were read",
                 max_line_, line.size()));
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
    partial_.clear();
    partial_cut_ = false;
    partial_dropped_ = 0;
    ++pos;
  }
  LineSplitter lines(chunk, pos);
  for (std::size_t end = lines.next(); end != std::string_view::npos; end = lines.next()) {
    std::string_view line(chunk.data() + pos, end - pos);
    ++line_no_;
    line_offset_ = next_offset_;
    next_offset_ += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_line(line);
    pos = end + 1;
  }
  if (pos < chunk.size()) keep_partial(chunk.substr(pos));
}

void LogParser::keep_partial(std::string_view rest) {
  partial_.append(rest);
  if (partial_.size() > max_line_) {
    // Keep the tail: a record glued after junk ends the line.
    partial_dropped_ += partial_.size() - max_line_ / 2;
    partial_.erase(0, partial_.size() - max_line_ / 2);
    partial_cut_ = true;
  }
}

void LogParser::finish() {
  if (!partial_.empty() || partial_cut_) {
    std::string last;
    last.swap(partial_);
    ++line_no_;
    line_offset_ = next_offset_;
    next_offset_ += last.size() + partial_dropped_;
    if (partial_cut_) {
      report("long-line", fmt::format("expected lines of at most {} bytes; only the last {} bytes "
                                      "of this one were read",
                                      max_line_, last.size()));
    }
    std::string_view line = last;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool was_in_message = state_ == State::InMessage;
    on_line(line);
    if (was_in_message || state_ == State::InMessage) {
      report("truncated",
             "expected the message to end with a complete line; the input "
             "ends inside it (the message is kept with what was read)");
    }
  }
  info_.lines = line_no_;
  info_.bytes = next_offset_;
  if (state_ == State::InSip) {
    if (sip_.started() && !sip_.complete()) {
      report("sip-truncated",
             "expected the SIP message to be as long as its transport line says; the input ends "
             "inside it (the message is kept with what was read)");
    }
    hold_sip();
  }
  if (state_ == State::SipHeld) release_sip();
  if (state_ != State::Idle) end_message();
}

// The usual lines, those inside a SIP message and a T-Library message's
// attribute lines, in a function small enough to keep few registers; every
// other case in on_other_line().
void LogParser::on_line(std::string_view line) {
  if (state_ == State::InSip) {
    if (line.empty() || !is_digit(line[0]) || !parse_line_time(line)) {
      if (sip_.add_line(line) == SipMessageReader::Step::Done) hold_sip();
      return;
    }
  } else if (state_ == State::InMessage) {
    builder_.set_position({line_no_, line_offset_});
    if (builder_.add_tab_line(line, problem_)) return;
    on_other_line(line, true);
    return;
  }
  on_other_line(line, false);
}

// `tab_line_read`: on_line() gave the line to add_tab_line() already.
void LogParser::on_other_line(std::string_view line, bool tab_line_read) {
  if (state_ == State::InSip) {
    // A line with a record time ends a message cut short; anything else
    // belongs to it, whatever it looks like.
    const bool record = !line.empty() && is_digit(line[0]) && parse_line_time(line).has_value();
    if (!record) {
      if (sip_.add_line(line) == SipMessageReader::Step::Done) hold_sip();
      return;
    }
    // A transport line alone (the message not printed, or cut from an
    // excerpt) is an event of its own; a message cut short is reported.
    if (sip_.started()) {
      report("sip-truncated",
             "expected the SIP message to be as long as its transport line says; the next "
             "record starts before its end (the message is kept with what was read)");
    }
    hold_sip();
  }
  if (state_ == State::SipHeld && !on_held_sip_line(line)) return;
  builder_.set_position({line_no_, line_offset_});
  if (state_ == State::InRequestTrace) {
    // SIP Server's "+++ CIFace::Request +++" block: indented "Key: value" lines.
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      std::string_view rest = trim(line);
      if (starts_with(rest, "Parsed:")) {
        std::size_t end = 0;
        std::string_view name = read_message_name(rest, skip_space(rest, 7), end);
        if (!name.empty()) event_.name.assign(name);
      } else if (starts_with(rest, "From:")) {
        event_.peer.assign(trim(rest.substr(5)));
      }
      return;
    }
    if (!event_.name.empty()) {
      end_message();
    } else {
      builder_.finish(problem_);
      event_.clear();
      state_ = State::Idle;
    }
  }
  if (state_ == State::InMessage) {
    if (!tab_line_read && builder_.add_tab_line(line, problem_)) return;
    switch (continuation_role(line)) {
      case LineRole::Attributes:
        builder_.add(line, leading_indent(line), problem_);
        return;
      case LineRole::Ignored:
        return;
      case LineRole::Other:
        break;
    }
    end_message();
  }
  if (state_ == State::AwaitMessageLine) {
    if (starts_with(line, "message ")) {
      std::size_t end = 0;
      std::string_view name = read_message_name(line, skip_space(line, 8), end);
      if (!name.empty()) {
        event_.name.assign(name);
        event_.kind =
            starts_with(name, "Request") ? model::MessageKind::Request : model::MessageKind::Event;
        state_ = State::InMessage;
        std::string_view tail = line.substr(end);
        if (tail.find("Attribute") != std::string_view::npos) builder_.add(tail, -1, problem_);
        return;
      }
    }
    if (!event_.name.empty()) {
      end_message();
    } else {
      report("expected-message-line",
             "expected a 'message RequestXxx' line after the backup-sync header");
      builder_.finish(problem_);
      event_.clear();
      state_ = State::Idle;
    }
  }
  if (line.empty()) return;
  const char c = line[0];
  if (c == '@' || is_digit(c)) {
    if (auto t = parse_line_time(line)) {
      take_checkpoint();
      note_time(*t);
      on_record(line, *t);
      return;
    }
  }
  switch (c) {
    case 'm':
      if (starts_with(line, "message ") && try_message_header(line, 0, nullptr)) return;
      break;
    case 'r':
      if ((starts_with(line, "received from ") || starts_with(line, "request to ")) &&
          try_message_header(line, 0, nullptr))
        return;
      break;
    case '\'': {
      // Platform SDK client logs: 'RequestAttachUserData' ('30')
      std::size_t end = 0;
      std::string_view name = read_message_name(line, 0, end);
      if (!name.empty() && starts_with_at(line, end, " ('")) {
        begin_message(name, nullptr);
        return;
      }
      break;
    }
    default:
      if (c >= 'A' && c <= 'Z' && try_header_label(line)) return;
      break;
  }
  try_glued_record(line, 0);
}

bool LogParser::on_record(std::string_view line, const LineTime& time) {
  // "13:56:06.083: Sending  [0,UDP] ..." and "13:56:06.083: CID:CUUID>...".
  if (std::size_t p = time.size; p + 2 < line.size() && line[p] == ':' && line[p + 1] == ' ') {
    const char c = line[p + 2];
    if ((c == 'S' || c == 'C') && try_sip_line(line.substr(p + 2), time)) return true;
  }
  if (try_message_header(line, time.size, &time)) return true;
  // Two-line forms: the header names the message (or only the peer) and the
  // next line says "message RequestXxx".
  std::string_view rest = trim(line.substr(time.size));
  if (starts_with(rest, "+++ CIFace::Request")) {
    begin_message({}, &time);
    event_.kind = model::MessageKind::Request;
    event_.emitter = "CIFace::Request";
    state_ = State::InRequestTrace;
    return true;
  }
  if (starts_with(rest, "[BSYNC]")) {
    const std::size_t at = rest.find("Send to backup");
    if (at == std::string_view::npos) return false;
    begin_message({}, &time);
    event_.thread = "BSYNC";
    event_.emitter = "send to backup";
    std::string_view peer = trim(rest.substr(at + 14));
    if (!peer.empty() && peer.back() == ':') peer.remove_suffix(1);
    peer = trim(peer);
    // "(SIPS_sg01_B) [20]" -> "SIPS_sg01_B [20]"
    std::string cleaned;
    for (char ch : peer)
      if (ch != '(' && ch != ')') cleaned.push_back(ch);
    event_.peer = std::move(cleaned);
    event_.kind = model::MessageKind::Request;
    state_ = State::AwaitMessageLine;
    return true;
  }
  // "Trc 04541 RequestQueryCall received from [66] (00000e85 APP 10.1.2.3:49280)"
  if (rest.size() > 10 && rest[3] == ' ' && is_digit(rest[4])) {
    std::size_t p = skip_space(rest, word_end(rest, 4));
    std::size_t end = 0;
    std::string_view name = read_message_name(rest, p, end);
    if (!name.empty() && starts_with_at(rest, end, " received from ")) {
      begin_message(name, &time);
      event_.emitter = "received from";
      event_.peer.assign(trim(rest.substr(end + 15)));
      state_ = State::AwaitMessageLine;
      return true;
    }
  }
  // Without "message" or "TEvent:" after the time, no record is glued on.
  if (!last_line_has_keyword_) return false;
  return try_glued_record(line, time.size);
}

// Finds "message <Name>" (or "Message <Name>", "TEvent: <Name>") and starts a
// message. The text before it names the emitter; text after it may hold the
// attributes of a message printed on one line.
bool LogParser::try_message_header(std::string_view line, std::size_t search_from,
                                   const LineTime* time) {
  std::size_t at = search_from;
  std::size_t name_end = 0;
  std::size_t keyword = std::string_view::npos;
  std::string_view name;
  // Each keyword is searched for again only once the search has passed it.
  std::size_t m = find_message_keyword(line, at);
  std::size_t te = find_tevent_keyword(line, at);
  last_line_has_keyword_ = m != std::string_view::npos || te != std::string_view::npos;
  for (;;) {
    if (m < at) m = find_message_keyword(line, at);
    if (te < at) te = find_tevent_keyword(line, at);
    if (m == std::string_view::npos && te == std::string_view::npos) return false;
    std::size_t name_pos;
    if (m < te) {
      at = m + 7;
      if (m == 0 || (line[m - 1] != 'm' && line[m - 1] != 'M')) continue;
      keyword = m - 1;
      name_pos = skip_space(line, m + 7);
    } else {
      at = te + 8;
      keyword = te;
      name_pos = skip_space(line, te + 8);
    }
    if (keyword > 0 && space_size(line, keyword - 1) == 0 && line[keyword - 1] != ':' &&
        line[keyword - 1] != ')')
      continue;
    name = read_message_name(line, name_pos, name_end);
    if (!name.empty() && is_header_tail(line.substr(name_end))) break;
  }
  begin_message(name, time);
  std::string_view tail = line.substr(name_end);
  if (header_details_) read_header_details(line.substr(search_from, keyword - search_from), tail);
  if (tail.find("Attribute") != std::string_view::npos) builder_.add(tail, -1, problem_);
  state_ = State::InMessage;
  return true;
}

bool LogParser::try_glued_record(std::string_view line, std::size_t own_time_size) {
  if (!may_have_keyword(line)) return false;  // most lines of other text
  std::size_t m = find_message_keyword(line, 0);
  if (m == std::string_view::npos) m = find_tevent_keyword(line, 0);
  if (m == std::string_view::npos) return false;
  const std::size_t start = rfind_line_time(line, m);
  if (own_time_size > 0) {
    // The line has its own time: only a later time starts a glued record.
    if (start == std::string_view::npos || start < own_time_size) return false;
  }
  if (start != std::string_view::npos && start > 0) {
    report("glued-record",
           fmt::format("expected records to start a line; found one after {} bytes of other text",
                       start));
    on_line(line.substr(start));
    return true;
  }
  if (start == std::string_view::npos) return try_message_header(line, 0, nullptr);
  return false;
}

void LogParser::note_time(LineTime t) {
  ++info_.timed_lines;
  if (t.day && !base::in_time_range(*t.day * kMicrosPerDay)) {
    // A date no log has: its time of day still counts, on the date before.
    report("time-range", "expected a date between 1970 and 2200; the line's date is not used");
    t.day.reset();
  }
  if (t.day) {
    day_ = t.day;
  } else if (day_ && last_time_of_day_ >= 0 && t.time_of_day + kHalfDay < last_time_of_day_) {
    ++*day_;  // midnight
  }
  last_time_of_day_ = t.time_of_day;
  last_time_ = t;
  have_time_ = true;
}

void LogParser::begin_message(std::string_view name, const LineTime* time) {
  begin_event(name, time);
  builder_.start(event_);
  state_ = State::InMessage;
}

void LogParser::begin_event(std::string_view name, const LineTime* time) {
  event_.clear();
  event_.name.assign(name);
  event_.kind =
      starts_with(name, "Request") ? model::MessageKind::Request : model::MessageKind::Event;
  event_.app = info_.app;
  event_.where = {file_index_, line_no_, line_offset_};
  if (time == nullptr && have_time_) time = &last_time_;
  if (time != nullptr) {
    event_.times.local_digits = time->digits;
    event_.times.local_date_known = day_.has_value();
    event_.times.local = (day_ ? *day_ * kMicrosPerDay : 0) + time->time_of_day;
  }
}

void LogParser::apply_times(model::Event& ev) {
  auto& times = ev.times;
  // The three time attributes in one pass over the top-level fields.
  const model::Field* f = nullptr;
  const model::Field* s = nullptr;
  const model::Field* u = nullptr;
  const auto fields = ev.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
    const model::Field& field = fields[i];
    switch (ev.attr(field)) {
      case model::Attr::TimeStamp:
        if (f == nullptr) f = &field;
        break;
      case model::Attr::TimeinSecs:
        if (s == nullptr) s = &field;
        break;
      case model::Attr::TimeinuSecs:
        if (u == nullptr) u = &field;
        break;
      default:
        break;
    }
  }
  if (f != nullptr) {
    std::string_view v = ev.value(*f);
    // 8 hex digits of seconds, then 8 of microseconds.
    const auto both = v.size() == 16 ? base::parse_hex16(v) : std::nullopt;
    const std::uint64_t secs = both ? *both >> 32 : 0;
    const std::uint64_t micros = both ? *both & 0xFFFFFFFFu : 0;
    if (both && micros < 1'000'000) {
      times.utc_stamp = static_cast<Micros>(secs) * kMicrosPerSecond + static_cast<Micros>(micros);
    } else {
      report("timestamp",
             fmt::format("expected AttributeTimeStamp as 8 hex digits of seconds and 8 "
                         "of microseconds, found '{}'",
                         v.substr(0, 40)));
    }
  } else if (s != nullptr) {
    // Seconds are checked against the range before they are scaled: a
    // 15-digit number times a million is past what 64 bits hold.
    if (s->kind == model::ValueKind::Integer && s->number >= 0 &&
        s->number < base::kLatestTime / kMicrosPerSecond &&
        (u == nullptr ||
         (u->kind == model::ValueKind::Integer && u->number >= 0 && u->number < 1'000'000))) {
      times.utc_stamp = s->number * kMicrosPerSecond + (u ? u->number : 0);
    } else {
      report("timestamp",
             "expected AttributeTimeinSecs and AttributeTimeinuSecs as decimal numbers, the "
             "seconds between 1970 and 2200");
    }
  }
  if (times.utc_stamp && times.local_digits > 0) {
    const Micros utc = *times.utc_stamp;
    Micros diff;
    if (times.local_date_known) {
      diff = times.local - utc;
    } else {
      diff = floor_div(times.local - utc, kMicrosPerDay);
      diff = (times.local - utc) - diff * kMicrosPerDay;  // in [0, day)
      if (diff > 14 * 3600 * kMicrosPerSecond) diff -= kMicrosPerDay;
    }
    // A stamp days away from its line's own date says nothing of the offset.
    if (std::abs(diff) > kMicrosPerDay) {
      times.utc_offset = info_.utc_offset;
      return;
    }
    const auto derived = static_cast<std::int32_t>(round_offset(diff));
    if (!info_.utc_offset) {
      info_.utc_offset = derived;
    } else if (!offset_checked_ && info_.utc_offset_from_header &&
               std::abs(*info_.utc_offset - derived) > 1800 && std::abs(diff) < kMicrosPerDay) {
      report("header-time-zone",
             fmt::format("expected the header's time zone (UTC{}) to agree with the events' "
                         "own UTC stamps (UTC{}); using the stamps",
                         base::format_offset(*info_.utc_offset), base::format_offset(derived)));
      info_.utc_offset = derived;
      info_.utc_offset_from_header = false;
    }
    offset_checked_ = true;
    if (!times.local_date_known) {
      // A header-less file with times of day only: the stamp gives the date.
      const Micros guess = utc + Micros{*info_.utc_offset} * kMicrosPerSecond;
      Micros local = floor_div(guess, kMicrosPerDay) * kMicrosPerDay + times.local;
      if (local - guess > kHalfDay) local -= kMicrosPerDay;
      if (guess - local > kHalfDay) local += kMicrosPerDay;
      times.local = local;
      times.local_date_known = true;
      if (!day_) day_ = floor_div(local, kMicrosPerDay);
    }
  }
  times.utc_offset = info_.utc_offset;
}

bool LogParser::try_sip_line(std::string_view rest, const LineTime& time) {
  if (auto t = parse_sip_transport(rest)) {
    begin_event({}, &time);
    event_.kind = model::MessageKind::Sip;
    sip_.start(*t);
    state_ = State::InSip;
    return true;
  }
  // A mapping line that follows no message of its dialog (a repeat).
  auto m = parse_sip_mapping(rest);
  if (!m) return false;
  begin_event(sip_keys::kMappingName, &time);
  event_.kind = model::MessageKind::Sip;
  append_attribute(event_, sip_keys::kCallId, model::Attr::SipCallId, m->call_id);
  append_attribute(event_, sip_keys::kCallUuid, model::Attr::SipMappedCallUuid, m->call_uuid);
  release_sip();
  return true;
}

// A whole SIP message waits for the `CID:CUUID>` line that names its call:
// the server writes it a few trace lines after the message. Until then no
// checkpoint is taken, so that a file read in parts gives the same events.
void LogParser::hold_sip() {
  if (sip_.oversize()) {
    report("sip-length",
           fmt::format("expected a SIP message of at most {} bytes as its transport line or "
                       "Content-Length says; it is read up to that many",
                       kMaxSipMessageBytes));
  }
  sip_.build(event_);
  if (sip_.call_id().empty()) {
    release_sip();
    return;
  }
  state_ = State::SipHeld;
  held_lines_ = 0;
}

// A line while a SIP message is held: the mapping of its Call-ID completes
// it (the line is consumed); a mapping of another, a SIP message or a
// T-Library message releases it first (true: handle the line); other lines
// pass (their times still count for the date).
bool LogParser::on_held_sip_line(std::string_view line) {
  constexpr std::uint32_t kMaxHeldLines = 64;
  if (!line.empty() && is_digit(line[0])) {
    if (auto t = parse_line_time(line)) {
      const std::size_t p = t->size;
      if (p + 2 < line.size() && line[p] == ':' && line[p + 1] == ' ') {
        const std::string_view rest = line.substr(p + 2);
        if (auto m = parse_sip_mapping(rest); m && m->call_id == sip_.call_id()) {
          append_attribute(event_, sip_keys::kCallUuid, model::Attr::SipMappedCallUuid,
                           m->call_uuid);
          release_sip();
          return false;
        }
        if (starts_with(rest, "CID:CUUID>") || parse_sip_transport(rest)) {
          release_sip();
          return true;
        }
      }
      if (may_have_keyword(line)) {
        release_sip();
        return true;
      }
      note_time(*t);
      if (++held_lines_ > kMaxHeldLines) release_sip();
      return false;
    }
  }
  if (may_have_keyword(line) || ++held_lines_ > kMaxHeldLines) {
    release_sip();
    return true;
  }
  return false;
}

// Hands a SIP event (a message or a mapping) to the sink.
void LogParser::release_sip() {
  event_.times.utc_offset = info_.utc_offset;
  ++info_.events;
  sink_(event_);
  event_.clear();
  state_ = State::Idle;
}

void LogParser::end_message() {
  // Problems found when a message closes belong to its first line.
  const auto line_no = line_no_;
  const auto line_offset = line_offset_;
  line_no_ = event_.where.line;
  line_offset_ = event_.where.offset;
  builder_.finish(problem_);
  apply_times(event_);
  line_no_ = line_no;
  line_offset_ = line_offset;
  ++info_.events;
  sink_(event_);
  event_.clear();
  state_ = State::Idle;
}

void LogParser::take_checkpoint() {
  // Called for a line with its own time, before it is handled: every message
  // before it has been closed and handed to the sink.
  if (state_ != State::Idle) return;
  ParserCheckpoint& c = checkpoint_;
  c.offset = line_offset_;
  c.line = line_no_ - 1;
  c.day = day_;
  c.last_time_of_day = last_time_of_day_;
  c.last_time = last_time_;
  c.have_time = have_time_;
  c.offset_checked = offset_checked_;
  c.utc_offset = info_.utc_offset;
  c.utc_offset_from_header = info_.utc_offset_from_header;
  c.events = info_.events;
  c.malformed = info_.malformed;
}

void LogParser::resume(const ParserCheckpoint& c) {
  checkpoint_ = c;
  line_no_ = c.line;
  line_offset_ = c.offset;
  next_offset_ = c.offset;
  day_ = c.day;
  last_time_of_day_ = c.last_time_of_day;
  last_time_ = c.last_time;
  have_time_ = c.have_time;
  offset_checked_ = c.offset_checked;
  info_.utc_offset = c.utc_offset;
  info_.utc_offset_from_header = c.utc_offset_from_header;
  info_.events = c.events;
  info_.malformed = c.malformed;
}

}  // namespace calltrail::parse
