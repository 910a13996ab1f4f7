// libFuzzer target for SIP messages (parse/sip_message.hpp): the first line
// of the input is read as a transport line and as a `CID:CUUID>` mapping,
// the rest as the message after it (start line, headers, body). The same
// text is then read by the log parser behind a real transport line, in
// chunks the first byte picks. Nothing may crash, the event built must have
// a well-formed field table and its JSON must render.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "calltrail/parse/sip_message.hpp"
#include "event_checks.hpp"

namespace {

void check_event(const calltrail::model::Event& e, std::string& json) {
  calltrail::fuzz::check_fields(e);
  json.clear();
  calltrail::model::append_event_json(json, e, "sip.log");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string json;

  // The reader alone.
  const std::size_t nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  (void)calltrail::parse::parse_sip_mapping(first);
  calltrail::parse::SipTransport transport;
  if (auto t = calltrail::parse::parse_sip_transport(first)) transport = *t;
  calltrail::parse::SipMessageReader reader;
  reader.start(transport);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (reader.add_line(line) == calltrail::parse::SipMessageReader::Step::Done) break;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  calltrail::model::Event event;
  reader.build(event);
  check_event(event, json);

  // The parser, with the message after a transport line of a site's log.
  const std::string log = "09:41:00.000: SIPTR: Received [0,UDP] " + std::to_string(text.size()) +
                          " bytes from 10.0.0.1:5060 <<<<<\n" + std::string(text);
  calltrail::parse::FileInfo info;
  info.path = "SIP_P.20121029_094100_000.log";
  calltrail::base::Diagnostics diagnostics;
  calltrail::parse::EventCallback sink = [&](calltrail::model::Event& e) { check_event(e, json); };
  calltrail::parse::LogParser parser(info, 0, diagnostics, sink, 4096);
  const std::string_view all(log);
  for (std::size_t pos = 0; pos < all.size(); pos += chunk)
    parser.feed(all.substr(pos, chunk));
  parser.finish();
  if (info.bytes != all.size()) __builtin_trap();
  return 0;
}
