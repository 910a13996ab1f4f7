// Prints SIP messages as a SIP Server logs them (docs/simulate.md, "SIP"): the
// transport line, then the message as on the wire with each CRLF printed as
// LF, then a blank line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace calltrail::simulate {

// Who wrote a message: a Genesys SIP Server orders its headers its own way
// (From first, X-Genesys-CallUUID on requests); gateways and phones another.
enum class SipStyle : std::uint8_t { Genesys, Endpoint };

// The header values of one message, complete (tags and parameters included).
// Empty views are headers the message does not have.
struct SipHeaders {
  std::string_view via;
  std::string_view from;
  std::string_view to;
  std::string_view call_id;
  std::uint32_t cseq = 1;
  std::string_view cseq_method;
  std::string_view contact;
  std::string_view agent;         // User-Agent of a request, Server of a response (endpoints)
  std::string_view genesys_uuid;  // X-Genesys-CallUUID
  std::string_view reason;        // Reason
  std::string_view extra;         // further header lines, each ending with '\n'
  std::string_view body;          // lines ending with '\n' (SDP)
  std::string_view content_type;  // the body's, when not SDP
};

// Appends the start line, the headers, a blank line and the body.
void append_sip_message(std::string& out, SipStyle style, std::string_view start_line, bool request,
                        const SipHeaders& h);

// Bytes of `text` on the wire, where every '\n' is "\r\n".
std::size_t wire_bytes(std::string_view text);

// An SDP offer or answer for G.711 and DTMF events.
// `user` and `session` are the o= user name and the s= line.
void append_sdp(std::string& out, std::string_view user, std::string_view session,
                std::uint64_t session_id, std::string_view ip, int port);

// "HH:MM:SS.mmm: SIPTR: Received [0,UDP] N bytes from PEER <<<<<" (preceded by
// "HH:MM:SS.mmm: $+NET:SIP::0:0") or "HH:MM:SS.mmm: Sending  [0,UDP] N bytes
// to PEER >>>>>", each line ending with '\n'; `time` is "HH:MM:SS.mmm".
void append_sip_transport(std::string& out, std::string_view time, bool sent, std::size_t bytes,
                          std::string_view peer);

}  // namespace calltrail::simulate
