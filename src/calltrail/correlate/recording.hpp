// Recording marks: where a leg's log shows its recording started, paused,
// resumed or stopped (docs/log-format.md, "Recording"), read from the notes
// of the leg's events (parse/recording.hpp writes them) and paired with the
// answers that refused them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

struct RecordingMark {
  enum class Kind : std::uint8_t { Start, Stop, Pause, Resume };
  // accepted: a 2xx or EventACK answered it; failed: a SIP final response of
  // 300 or more, or EventError; unanswered: no answer among the leg's events;
  // implied: a stop no request made (the BYE of the recording's dialog).
  enum class Status : std::uint8_t { Accepted, Failed, Unanswered, Implied };
  Kind kind = Kind::Start;
  Status status = Status::Unanswered;
  // msml, uri (Request-URI with record), bye, private (RequestPrivateService),
  // extensions (AttributeExtensions record).
  std::string source;
  std::string params;                   // "dest=…;id=…" as the request gave them
  std::uint32_t event = 0;              // index into the leg's events: the request
  std::optional<std::uint32_t> answer;  // index of the answer that refused or accepted it
  std::string call_id;                  // the SIP dialog; empty for T-Library requests
};

std::string_view to_string(RecordingMark::Kind k);
std::string_view to_string(RecordingMark::Status s);

// The marks of a leg in the order of its events.
std::vector<RecordingMark> recording_marks(const Correlation& c, const Leg& leg);

// A mark's fields, in an object being written (docs/correlation.md, "JSON"):
// kind, source, status, params, sip_call_id, answer.
void append_recording_fields(base::JsonWriter& w, const Correlation& c, const Leg& leg,
                             const RecordingMark& m);

// "recording start (MSML <record>; dest=file://r1.wav)", with ", FAILED: 403
// Forbidden" when refused.
std::string describe(const Correlation& c, const Leg& leg, const RecordingMark& m);

}  // namespace calltrail::correlate
