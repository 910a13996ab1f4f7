#include "calltrail/simulate/sip_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace calltrail::simulate {

namespace {

void header(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += name;
  out += ": ";
  out += value;
  out += '\n';
}

}  // namespace

std::size_t wire_bytes(std::string_view text) {
  return text.size() + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

void append_sip_message(std::string& out, SipStyle style, std::string_view start_line, bool request,
                        const SipHeaders& h) {
  auto it = std::back_inserter(out);
  out += start_line;
  out += '\n';
  const std::size_t length = wire_bytes(h.body);
  const std::string_view type = h.body.empty()            ? std::string_view{}
                                : !h.content_type.empty() ? h.content_type
                                                          : "application/sdp";
  if (style == SipStyle::Genesys) {
    // As the real SIP Server 8.x log shows them.
    header(out, "From", h.from);
    header(out, "To", h.to);
    header(out, "Call-ID", h.call_id);
    fmt::format_to(it, "CSeq: {} {}\n", h.cseq, h.cseq_method);
    if (request) {
      fmt::format_to(it, "Content-Length: {}\n", length);
      header(out, "Content-Type", type);
      header(out, "Via", h.via);
      header(out, "Contact", h.contact);
      out += h.extra;
      header(out, "Reason", h.reason);
      out += "Max-Forwards: 70\n";
      header(out, "X-Genesys-CallUUID", h.genesys_uuid);
    } else {
      header(out, "Via", h.via);
      out += h.extra;
      header(out, "Contact", h.contact);
      header(out, "Reason", h.reason);
      header(out, "Content-Type", type);
      fmt::format_to(it, "Content-Length: {}\n", length);
    }
  } else {
    header(out, "Via", h.via);
    if (request) {
      header(out, "From", h.from);
      header(out, "To", h.to);
      header(out, "Call-ID", h.call_id);
      fmt::format_to(it, "CSeq: {} {}\n", h.cseq, h.cseq_method);
      header(out, "Contact", h.contact);
      out += h.extra;
      header(out, "Reason", h.reason);
      out += "Max-Forwards: 70\n";
      header(out, "User-Agent", h.agent);
    } else {
      header(out, "Call-ID", h.call_id);
      header(out, "From", h.from);
      header(out, "To", h.to);
      fmt::format_to(it, "CSeq: {} {}\n", h.cseq, h.cseq_method);
      header(out, "Server", h.agent);
      header(out, "Contact", h.contact);
      header(out, "Reason", h.reason);
      out += h.extra;
    }
    header(out, "Content-Type", type);
    // Two spaces, as the gateway of the real log writes it.
    fmt::format_to(it, "Content-Length:  {}\n", length);
  }
  out += '\n';
  out += h.body;
}

void append_sdp(std::string& out, std::string_view user, std::string_view session,
                std::uint64_t session_id, std::string_view ip, int port) {
  fmt::format_to(std::back_inserter(out),
                 "v=0\no={} {} 1 IN IP4 {}\ns={}\nc=IN IP4 {}\nt=0 0\n"
                 "m=audio {} RTP/AVP 0 8 101\na=rtpmap:0 pcmu/8000\na=rtpmap:8 pcma/8000\n"
                 "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n",
                 user, session_id, ip, session, ip, port);
}

void append_sip_transport(std::string& out, std::string_view time, bool sent, std::size_t bytes,
                          std::string_view peer) {
  auto it = std::back_inserter(out);
  if (sent) {
    fmt::format_to(it, "{}: Sending  [0,UDP] {} bytes to {} >>>>>\n", time, bytes, peer);
  } else {
    fmt::format_to(it,
                   "{0}: $+NET:SIP::0:0\n{0}: SIPTR: Received [0,UDP] {1} bytes from {2} <<<<<\n",
                   time, bytes, peer);
  }
}

}  // namespace calltrail::simulate
