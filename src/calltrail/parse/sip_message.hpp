// The SIP traffic a SIP Server logs (docs/log-format.md, "SIP"): a transport
// line, then the message as it went over the wire, and `CID:CUUID>` lines
// that map a dialog's Call-ID to the call's CallUUID.
//
//   13:56:06.083: Sending  [0,UDP] 1074 bytes to 192.168.210.54:5061 >>>>>
//   INVITE sip:1002@192.168.210.54:5061 SIP/2.0
//   Call-ID: 640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81
//   ...
//   13:56:06.083: CID:CUUID>640476ED-…-4@192.168.210.81:TTL7J9EM750GP936CFL0EOACN8000001:
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "calltrail/model/event.hpp"
#include "calltrail/model/sip_keys.hpp"
#include "calltrail/parse/recording.hpp"

namespace calltrail::parse {

// What the transport line says: "SIPTR: Received [0,UDP] 492 bytes from
// 192.168.210.81:5090 <<<<<" or "Sending  [0,TCP] 612 bytes to 10.0.0.1:5060
// >>>>>" (the text after the line's time).
struct SipTransport {
  bool sent = false;
  std::string_view transport;  // UDP, TCP, TLS
  std::string_view peer;       // address:port
  std::optional<std::uint64_t> bytes;
};
std::optional<SipTransport> parse_sip_transport(std::string_view rest);

// "CID:CUUID><Call-ID>:<CallUUID>:" (the text after the line's time).
struct SipMapping {
  std::string_view call_id;
  std::string_view call_uuid;
};
std::optional<SipMapping> parse_sip_mapping(std::string_view rest);

// Reads the lines of one SIP message after its transport line and builds
// its event. The message ends after the byte count the transport line gives
// (each line counted with the CRLF it had on the wire), or, without a count,
// after the blank line and Content-Length bytes of body.
//
// A count over kMaxSipMessageBytes (a real message is a few kilobytes; UDP
// carries 64 KB at most) is taken as that limit, and oversize() says so.
inline constexpr std::uint64_t kMaxSipMessageBytes = 1 << 20;

// How much of a SIP message is read. Whatever the level, the message's
// extent, its name, Call-ID, X-Genesys-CallUUID, peer, an INVITE's From/To
// users and To tag (what tells a dialog's first INVITE and its parties) and
// the diagnostics are the same.
enum class SipDetail : std::uint8_t {
  // What ties a message to its dialog and call (a scan that reads the
  // matching calls again later).
  Dialog,
  // What a correlation keeps: also CSeq, Reason and the recording requests
  // (an MSML body, a Request-URI with `record`).
  Call,
  // Everything `events` shows: also the From/To users and To tag of every
  // message, the transport, Content-Type, the From tag and the SDP summary
  // (address, port, codecs).
  Whole,
};

class SipMessageReader {
 public:
  enum class Step : std::uint8_t { More, Done };

  void set_detail(SipDetail detail) { detail_ = detail; }

  void start(const SipTransport& t);
  // One line of the message; Done once it is whole (this line included).
  Step add_line(std::string_view line);
  // Whether the lines so far make a whole message.
  bool complete() const;
  // Whether a line of the message was read at all.
  bool started() const { return have_start_; }
  // Whether the transport line or Content-Length gave a count over the limit.
  bool oversize() const { return oversize_; }
  const std::string& call_id() const { return call_id_; }
  // The event's name (method, or status and reason phrase) and attributes.
  void build(model::Event& e) const;

 private:
  bool read_header(std::string_view line) const;
  void header(std::string_view name, std::string_view value);
  // The From and To headers' user and tag, as far as they are read.
  bool wants_users() const;
  void from(std::string_view value);
  void to(std::string_view value);
  void sdp(std::string_view line);
  void set_content_length(std::string_view value);
  // `count`, or the limit when it is over it (noted in oversize_).
  std::uint64_t capped(std::uint64_t count);

  SipDetail detail_ = SipDetail::Whole;
  bool sent_ = false;
  std::string transport_;
  std::string peer_;
  std::optional<std::uint64_t> bytes_;
  std::uint64_t read_ = 0;
  bool have_start_ = false;
  bool in_body_ = false;
  std::optional<std::uint64_t> content_length_;
  std::uint64_t body_read_ = 0;
  bool oversize_ = false;

  // The start line.
  std::string method_;       // requests
  std::string request_uri_;  // requests
  int status_ = 0;           // responses
  std::string reason_phrase_;
  // Headers.
  std::string call_id_, cseq_, from_user_, from_tag_, to_user_, to_tag_, genesys_uuid_, reason_,
      content_type_;
  // SDP.
  std::string sdp_address_;
  std::optional<std::int64_t> sdp_port_;
  std::string sdp_payloads_;  // the m= line's payload types, space-separated
  std::string sdp_codecs_;    // names by a=rtpmap, in the m= line's order
  std::string rtpmap_;        // "pt name\n" pairs
  MsmlScanner msml_;          // the body, for a recording request
};

// The attribute keys of SIP events (model/sip_keys.hpp).
namespace sip_keys = model::sip_keys;

// Appends a scalar attribute to an event being built; `attr` as
// model::classify_sip_key(key), told here so that readers need not compare keys.
void append_attribute(model::Event& e, std::string_view key, model::Attr attr,
                      std::string_view value, model::ValueKind kind = model::ValueKind::String,
                      std::int64_t number = 0);

}  // namespace calltrail::parse
