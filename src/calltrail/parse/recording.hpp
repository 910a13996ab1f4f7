// Call recording as a SIP Server log shows it (docs/log-format.md,
// "Recording"): the request that starts, pauses, resumes or stops the
// recording of a call, read from a SIP message or a T-Library request. What
// is found is written as one compact token, "<kind>/<source>[;<params>]"
// (e.g. "start/msml;dest=file://r1.wav"), which the correlation keeps in the
// event's note and reads back (correlate/recording.hpp).
#pragma once

#include <string>
#include <string_view>

#include "calltrail/model/event.hpp"

namespace calltrail::parse {

// The parameters of a Request-URI when one of them is `record` (with or
// without a value), e.g. "dn=7001;record=source" of
// "sip:msml=5f2a@10.0.0.5;dn=7001;record=source"; empty otherwise.
std::string uri_recording_params(std::string_view request_uri);

// Reads the lines of a SIP body for MSML (RFC 5707): a `<record>` element
// (the media server is to record; its dest, format and id kept) or a
// `<dialogend>` (a dialog of the media server ends; a recording only if one
// was started in that SIP dialog, which the correlation tells).
class MsmlScanner {
 public:
  void clear();
  void line(std::string_view line);
  // "start/msml;dest=…", "end/msml;id=…", or empty.
  const std::string& token() const { return token_; }

 private:
  bool msml_ = false;
  std::string token_;
};

// The recording token of a T-Library request: RequestPrivateService with
// AttributePrivateMsgID GSIP_RECORD_START, _STOP, _PAUSE or _RESUME (source
// "private"), or a request whose AttributeExtensions carry the key `record`
// (source "extensions": source, destination, mixed, on, true start;
// disable_source, disable_destination, off, false stop). Its parameters are
// the extension pairs record, id and dest. Empty when the event is neither.
std::string tlib_recording(const model::Event& e);

// Whether a T-Library message is the kind that answers a refused request.
inline bool tlib_refusal(std::string_view name) {
  return name == "EventError";
}

}  // namespace calltrail::parse
