// The key attributes a SIP event's reference keeps in its note
// (FileCollector writes "Call-ID=<id>[ Method=<answered method>][ Recording=<token
// of a recording request>][ Reason=<Reason header>]"), read back for the
// timeline, the ladder and the SVG.
#pragma once

#include <string>
#include <string_view>

namespace calltrail::correlate {

struct SipNote {
  std::string_view call_id;
  std::string_view method;     // of the request a response answers
  std::string_view recording;  // parse/recording.hpp: "<kind>/<source>[;<params>]"
  std::string_view reason;     // the Reason header, spaces and all (it comes last)
};

inline SipNote parse_sip_note(std::string_view note) {
  SipNote n;
  if (!note.starts_with("Call-ID=")) return n;
  note.remove_prefix(8);
  const std::size_t sp = note.find(' ');
  n.call_id = note.substr(0, sp);
  note = sp == std::string_view::npos ? std::string_view() : note.substr(sp + 1);
  if (note.starts_with("Method=")) {
    note.remove_prefix(7);
    const std::size_t end = note.find(' ');
    n.method = note.substr(0, end);
    note = end == std::string_view::npos ? std::string_view() : note.substr(end + 1);
  }
  if (note.starts_with("Recording=")) {
    note.remove_prefix(10);
    const std::size_t end = note.find(' ');
    n.recording = note.substr(0, end);
    note = end == std::string_view::npos ? std::string_view() : note.substr(end + 1);
  }
  if (note.starts_with("Reason=")) n.reason = note.substr(7);
  return n;
}

// A Call-ID shortened for a label: its last characters before '@' (the
// legs list has it whole).
inline std::string short_call_id(std::string_view id) {
  id = id.substr(0, id.find('@'));
  if (id.size() <= 12) return std::string(id);
  return "…" + std::string(id.substr(id.size() - 8));
}

}  // namespace calltrail::correlate
