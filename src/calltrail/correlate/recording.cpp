#include "calltrail/correlate/recording.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "calltrail/correlate/sip_note.hpp"

namespace calltrail::correlate {

namespace {

struct Token {
  std::string_view kind;  // start, stop, pause, resume, end, refused, accepted
  std::string_view source;
  std::string_view params;
};

Token parse_token(std::string_view t) {
  Token k;
  const std::size_t semi = t.find(';');
  const std::string_view head = t.substr(0, semi);
  if (semi != std::string_view::npos) k.params = t.substr(semi + 1);
  const std::size_t slash = head.find('/');
  k.kind = head.substr(0, slash);
  if (slash != std::string_view::npos) k.source = head.substr(slash + 1);
  return k;
}

// The Recording= value of a T-Library event's note ("TransferConnID=… Recording=…").
std::string_view tlib_token(std::string_view note) {
  std::size_t at = note.starts_with("Recording=") ? 0 : note.find(" Recording=");
  if (at == std::string_view::npos) return {};
  note.remove_prefix(at == 0 ? 10 : at + 11);
  return note.substr(0, note.find(' '));
}

std::optional<RecordingMark::Kind> kind_of(std::string_view k) {
  if (k == "start") return RecordingMark::Kind::Start;
  if (k == "stop") return RecordingMark::Kind::Stop;
  if (k == "pause") return RecordingMark::Kind::Pause;
  if (k == "resume") return RecordingMark::Kind::Resume;
  return std::nullopt;
}

int status_of(std::string_view name) {
  int n = 0;
  auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  return ec == std::errc{} && p != name.data() ? n : 0;
}

}  // namespace

std::string_view to_string(RecordingMark::Kind k) {
  static constexpr std::string_view kNames[] = {"start", "stop", "pause", "resume"};
  return kNames[static_cast<std::size_t>(k)];
}

std::string_view to_string(RecordingMark::Status s) {
  static constexpr std::string_view kNames[] = {"accepted", "failed", "unanswered", "implied"};
  return kNames[static_cast<std::size_t>(s)];
}

std::vector<RecordingMark> recording_marks(const Correlation& c, const Leg& leg) {
  std::vector<RecordingMark> marks;
  // SIP requests waiting for their final response: mark, and its method.
  std::vector<std::pair<std::size_t, std::string>> waiting;
  // Dialogs whose recording runs: Call-ID, its start mark.
  std::vector<std::pair<std::string, std::size_t>> running;
  constexpr std::size_t kNone = SIZE_MAX;
  std::size_t tlib_waiting = kNone;  // the T-Library request waiting for its answer
  auto stop_running = [&](std::string_view call_id) {
    std::erase_if(running, [&](const auto& r) { return r.first == call_id; });
  };
  auto is_running = [&](std::string_view call_id) {
    return std::any_of(running.begin(), running.end(),
                       [&](const auto& r) { return r.first == call_id; });
  };
  for (std::uint32_t i = 0; i < leg.events.size(); ++i) {
    const EventRef& e = leg.events[i];
    if (e.note == 0) continue;
    const std::string_view name = c.str(e.name);
    if (!e.is_sip()) {
      const Token t = parse_token(tlib_token(c.str(e.note)));
      if (t.kind == "refused" || t.kind == "accepted") {
        if (tlib_waiting == kNone) continue;
        RecordingMark& m = marks[tlib_waiting];
        m.status =
            t.kind == "refused" ? RecordingMark::Status::Failed : RecordingMark::Status::Accepted;
        m.answer = i;
        tlib_waiting = kNone;
        continue;
      }
      const auto kind = kind_of(t.kind);
      if (!kind) continue;
      RecordingMark& m = marks.emplace_back();
      m.kind = *kind;
      m.source = t.source;
      m.params = t.params;
      m.event = i;
      tlib_waiting = marks.size() - 1;
      continue;
    }
    const SipNote n = parse_sip_note(c.str(e.note));
    if (const int status = status_of(name); status > 0) {
      if (status < 200) continue;
      // The latest request of this dialog and method waiting for an answer.
      auto w = std::find_if(waiting.rbegin(), waiting.rend(), [&](const auto& p) {
        return marks[p.first].call_id == n.call_id && p.second == n.method;
      });
      if (w == waiting.rend()) continue;
      RecordingMark& m = marks[w->first];
      m.answer = i;
      m.status = status >= 300 ? RecordingMark::Status::Failed : RecordingMark::Status::Accepted;
      if (status >= 300 && m.kind == RecordingMark::Kind::Start) stop_running(m.call_id);
      waiting.erase(std::next(w).base());
      continue;
    }
    const Token t = parse_token(n.recording);
    auto kind = kind_of(t.kind);
    std::string_view source = t.source;
    if (t.kind == "end" && is_running(n.call_id)) {
      kind = RecordingMark::Kind::Stop;  // <dialogend> of the recording's dialog
    } else if (!kind && name == "BYE" && is_running(n.call_id)) {
      kind = RecordingMark::Kind::Stop;
      source = "bye";
    }
    if (!kind) continue;
    RecordingMark& m = marks.emplace_back();
    m.kind = *kind;
    m.source = source;
    m.params = t.params;
    m.event = i;
    m.call_id = n.call_id;
    if (m.kind == RecordingMark::Kind::Stop) stop_running(n.call_id);
    if (m.kind == RecordingMark::Kind::Start && !is_running(n.call_id))
      running.emplace_back(m.call_id, marks.size() - 1);
    if (source == "bye") {
      m.status = RecordingMark::Status::Implied;
    } else {
      waiting.emplace_back(marks.size() - 1, name);
    }
  }
  return marks;
}

void append_recording_fields(base::JsonWriter& w, const Correlation& c, const Leg& leg,
                             const RecordingMark& m) {
  w.field("kind", to_string(m.kind));
  w.field("source", std::string_view(m.source));
  w.field("status", to_string(m.status));
  if (!m.params.empty()) w.field("params", std::string_view(m.params));
  if (!m.call_id.empty()) w.field("sip_call_id", std::string_view(m.call_id));
  if (m.answer) w.field("answer", std::string_view(c.str(leg.events[*m.answer].name)));
}

std::string describe(const Correlation& c, const Leg& leg, const RecordingMark& m) {
  std::string text = "recording ";
  text += to_string(m.kind);
  std::string_view how = m.source;
  if (m.source == "msml")
    how = m.kind == RecordingMark::Kind::Start ? "MSML <record>" : "MSML <dialogend>";
  if (m.source == "uri") how = "INVITE to the recorder, record in the Request-URI";
  if (m.source == "bye") how = "BYE of the recording's dialog";
  if (m.source == "private") how = "RequestPrivateService";
  if (m.source == "extensions") how = "record in AttributeExtensions";
  text += " (";
  text += how;
  if (!m.params.empty()) {
    text += "; ";
    text += m.params;
  }
  text += ")";
  if (m.status == RecordingMark::Status::Failed && m.answer) {
    text += ", FAILED: ";
    text += c.str(leg.events[*m.answer].name);
  }
  return text;
}

}  // namespace calltrail::correlate
