#include "calltrail/parse/sip_message.hpp"

#include <algorithm>
#include <charconv>

#include "calltrail/parse/text.hpp"

namespace calltrail::parse {

namespace {

// Values kept of hostile input: a header's value is cut here.
constexpr std::size_t kMaxValue = 512;
constexpr std::size_t kMaxCodecs = 16;

// Inline: every header line a reading keeps is trimmed twice.
[[gnu::always_inline]] inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Nothing but spaces, TABs and CRs (most lines fail at their first byte).
bool is_blank(std::string_view s) {
  for (const char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

std::optional<std::uint64_t> to_number(std::string_view s) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || p == s.data()) return std::nullopt;
  return n;
}

void keep(std::string& to, std::string_view v) {
  to.assign(v.substr(0, kMaxValue));
}

// The user part of a From/To value: "Name" <sip:1003@host:5060>;tag=x,
// sip:1002@host;tag=y, <tel:+15551234567>.
std::string_view sip_user(std::string_view v) {
  std::size_t at = v.find('<');
  std::string_view uri = at == std::string_view::npos ? v : v.substr(at + 1);
  for (std::string_view scheme : {"sips:", "sip:", "tel:"}) {
    if (iequals(uri.substr(0, scheme.size()), scheme)) {
      uri.remove_prefix(scheme.size());
      const bool tel = scheme == "tel:";
      const std::size_t end = find_any(uri, tel ? ";>" : "@;>");
      if (end == std::string_view::npos || (!tel && uri[end] != '@')) return {};
      return uri.substr(0, end);
    }
  }
  return {};
}

std::string_view sip_tag(std::string_view v) {
  // The tag is a header parameter: after the URI's closing '>' when there is one.
  const std::size_t close = v.find('>');
  std::string_view params = close == std::string_view::npos ? v : v.substr(close);
  for (std::size_t t = params.find(';'); t != std::string_view::npos; t = params.find(';', t + 1)) {
    if (!iequals(params.substr(t, 5), ";tag=")) continue;
    std::string_view tag = params.substr(t + 5);
    return tag.substr(0, find_any(tag, "; >"));
  }
  return {};
}

// Static RTP payload types (RFC 3551) for m= lines without an a=rtpmap.
std::string_view static_payload(std::string_view pt) {
  if (pt == "0") return "PCMU";
  if (pt == "3") return "GSM";
  if (pt == "4") return "G723";
  if (pt == "8") return "PCMA";
  if (pt == "9") return "G722";
  if (pt == "18") return "G729";
  return {};
}

}  // namespace

std::optional<SipTransport> parse_sip_transport(std::string_view rest) {
  SipTransport t;
  std::size_t p = 0;
  if (starts_with(rest, "SIPTR: Received")) {
    p = 15;
  } else if (starts_with(rest, "Sending")) {
    t.sent = true;
    p = 7;
  } else {
    return std::nullopt;
  }
  p = skip_space(rest, p);
  // "[0,UDP]"
  if (p >= rest.size() || rest[p] != '[') return std::nullopt;
  const std::size_t close = rest.find(']', p);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view inside = rest.substr(p + 1, close - p - 1);
  const std::size_t comma = inside.find(',');
  t.transport = trim(comma == std::string_view::npos ? inside : inside.substr(comma + 1));
  p = skip_space(rest, close + 1);
  const std::size_t num_end = word_end(rest, p);
  t.bytes = to_number(rest.substr(p, num_end - p));
  p = skip_space(rest, num_end);
  if (!starts_with_at(rest, p, "bytes")) return std::nullopt;
  p = skip_space(rest, p + 5);
  const std::string_view verb = t.sent ? "to" : "from";
  if (!starts_with_at(rest, p, verb)) return std::nullopt;
  p = skip_space(rest, p + verb.size());
  t.peer = rest.substr(p, word_end(rest, p) - p);
  if (t.peer.empty()) return std::nullopt;
  return t;
}

std::optional<SipMapping> parse_sip_mapping(std::string_view rest) {
  if (!starts_with(rest, "CID:CUUID>")) return std::nullopt;
  rest = trim(rest.substr(10));
  // The Call-ID may hold ':' (an IPv6 host); the CallUUID holds none and the
  // line ends with one.
  if (!rest.empty() && rest.back() == ':') rest.remove_suffix(1);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= rest.size())
    return std::nullopt;
  SipMapping m{rest.substr(0, colon), rest.substr(colon + 1)};
  if (m.call_id.size() > kMaxValue || m.call_uuid.size() > 64) return std::nullopt;
  return m;
}

void SipMessageReader::start(const SipTransport& t) {
  // Cleared member by member: the strings keep their buffers for the next message.
  for (std::string* s :
       {&transport_, &peer_, &method_, &request_uri_, &reason_phrase_, &call_id_, &cseq_,
        &from_user_, &from_tag_, &to_user_, &to_tag_, &genesys_uuid_, &reason_, &content_type_,
        &sdp_address_, &sdp_payloads_, &sdp_codecs_, &rtpmap_})
    s->clear();
  read_ = body_read_ = 0;
  have_start_ = in_body_ = false;
  content_length_.reset();
  sdp_port_.reset();
  msml_.clear();
  status_ = 0;
  sent_ = t.sent;
  if (detail_ == SipDetail::Whole) keep(transport_, t.transport);
  keep(peer_, t.peer);
  bytes_ = t.bytes;
  oversize_ = false;
  if (bytes_) bytes_ = capped(*bytes_);
}

std::uint64_t SipMessageReader::capped(std::uint64_t count) {
  if (count <= kMaxSipMessageBytes) return count;
  oversize_ = true;
  return kMaxSipMessageBytes;
}

bool SipMessageReader::complete() const {
  if (bytes_) return read_ >= *bytes_;
  return in_body_ && body_read_ >= content_length_.value_or(0);
}

SipMessageReader::Step SipMessageReader::add_line(std::string_view line) {
  // On the wire each line ended with CRLF.
  read_ += line.size() + 2;
  if (!have_start_) {
    have_start_ = true;
    line = trim(line);
    if (starts_with(line, "SIP/")) {
      // "SIP/2.0 403 Forbidden"
      const std::size_t sp = line.find(' ');
      if (sp != std::string_view::npos) {
        std::string_view rest = trim(line.substr(sp + 1));
        const std::size_t e = word_end(rest, 0);
        if (auto n = to_number(rest.substr(0, e)); n && *n < 1000) status_ = static_cast<int>(*n);
        keep(reason_phrase_, trim(rest.substr(e)));
      }
    } else {
      // "INVITE sip:1002@host SIP/2.0"
      const std::size_t sp = line.find(' ');
      keep(method_, line.substr(0, sp));
      if (sp != std::string_view::npos) {
        std::string_view uri = trim(line.substr(sp + 1));
        keep(request_uri_, uri.substr(0, uri.find(' ')));
      }
    }
  } else if (!in_body_) {
    if (is_blank(line)) {
      in_body_ = true;
    } else if (detail_ == SipDetail::Whole || read_header(line)) {
      const std::size_t colon = find_byte(line, ':');
      if (colon != std::string_view::npos)
        header(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
  } else {
    body_read_ += line.size() + 2;
    if (detail_ == SipDetail::Whole) sdp(line);
    if (detail_ != SipDetail::Dialog) msml_.line(line);
  }
  return complete() ? Step::Done : Step::More;
}

// Whether a header line may be one a reading below Whole keeps, by its first
// letter: Call-ID (i), From (f), To (t), Content-Length (l), CSeq,
// X-Genesys-CallUUID, and for Call Reason. Via, Contact, Route, Max-Forwards
// and the rest go by on one test; the names that pass are told apart by
// header().
bool SipMessageReader::read_header(std::string_view line) const {
  std::size_t p = 0;
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t'))
    ++p;
  if (p >= line.size()) return false;
  switch (line[p] | 0x20) {
    case 'c':
    case 'i':
    case 'f':
    case 't':
    case 'l':
    case 'x':
      return true;
    case 'r':
      return detail_ != SipDetail::Dialog;
    default:
      return false;
  }
}

void SipMessageReader::header(std::string_view name, std::string_view value) {
  // Long names and RFC 3261's compact forms, told apart by length first: most
  // header lines (Via, Contact, Allow, ...) are passed over after one compare.
  switch (name.size()) {
    case 1:
      switch (name[0] | 0x20) {
        case 'i':
          keep(call_id_, value);
          break;
        case 'f':
          from(value);
          break;
        case 't':
          to(value);
          break;
        case 'c':
          if (detail_ == SipDetail::Whole) keep(content_type_, value);
          break;
        case 'l':
          set_content_length(value);
          break;
        default:
          break;
      }
      break;
    case 2:
      if (iequals(name, "To")) to(value);
      break;
    case 4:
      if (iequals(name, "CSeq")) {
        if (detail_ != SipDetail::Dialog) keep(cseq_, value);
      } else if (iequals(name, "From")) {
        from(value);
      }
      break;
    case 6:
      if (detail_ != SipDetail::Dialog && iequals(name, "Reason")) keep(reason_, value);
      break;
    case 7:
      if (iequals(name, "Call-ID")) keep(call_id_, value);
      break;
    case 12:
      if (detail_ == SipDetail::Whole && iequals(name, "Content-Type")) keep(content_type_, value);
      break;
    case 14:
      if (iequals(name, "Content-Length")) set_content_length(value);
      break;
    case 18:
      if (iequals(name, "X-Genesys-CallUUID")) keep(genesys_uuid_, value);
      break;
    default:
      break;
  }
}

// Below Whole, only an INVITE request's users and To tag are read: what a
// collector reads of the others is their dialog, not their parties.
bool SipMessageReader::wants_users() const {
  return detail_ == SipDetail::Whole || (status_ == 0 && method_ == "INVITE");
}

void SipMessageReader::from(std::string_view value) {
  if (wants_users()) keep(from_user_, sip_user(value));
  if (detail_ == SipDetail::Whole) keep(from_tag_, sip_tag(value));
}

void SipMessageReader::to(std::string_view value) {
  if (!wants_users()) return;
  keep(to_user_, sip_user(value));
  keep(to_tag_, sip_tag(value));
}

void SipMessageReader::set_content_length(std::string_view value) {
  content_length_ = to_number(value);
  if (content_length_) content_length_ = capped(*content_length_);
}

void SipMessageReader::sdp(std::string_view line) {
  line = trim(line);
  if (line.size() < 2 || line[1] != '=') return;
  std::string_view v = line.substr(2);
  switch (line[0]) {
    case 'c': {
      // "c=IN IP4 192.168.210.81": the first one (session level) unless absent.
      if (!sdp_address_.empty()) break;
      const std::size_t sp = v.rfind(' ');
      keep(sdp_address_, sp == std::string_view::npos ? v : v.substr(sp + 1));
      break;
    }
    case 'm': {
      // "m=audio 8000 RTP/AVP 0 8 101": the first media line.
      if (sdp_port_) break;
      std::size_t p = skip_space(v, word_end(v, 0));
      const std::size_t port_end = word_end(v, p);
      std::string_view port = v.substr(p, port_end - p);
      port = port.substr(0, port.find('/'));
      const auto n = to_number(port);
      sdp_port_ = n && *n < 65536 ? static_cast<std::int64_t>(*n) : 0;
      p = skip_space(v, word_end(v, skip_space(v, port_end)));  // past the protocol
      keep(sdp_payloads_, v.substr(p));
      break;
    }
    case 'a': {
      // "a=rtpmap:0 pcmu/8000"
      if (!starts_with(v, "rtpmap:") || rtpmap_.size() > kMaxValue) break;
      v.remove_prefix(7);
      const std::size_t sp = v.find(' ');
      if (sp == std::string_view::npos) break;
      std::string_view name = trim(v.substr(sp + 1));
      rtpmap_.append(v.substr(0, sp))
          .append(" ")
          .append(name.substr(0, name.find('/')))
          .append("\n");
      break;
    }
    default:
      break;
  }
}

void append_attribute(model::Event& e, std::string_view key, model::Attr attr,
                      std::string_view value, model::ValueKind kind, std::int64_t number) {
  model::Field f;
  f.key_offset = e.append_text(key);
  f.key_size = static_cast<std::uint32_t>(key.size());
  f.value_offset = e.append_text(value);
  f.value_size = static_cast<std::uint32_t>(value.size());
  f.kind = kind;
  f.number = number;
  f.attr = attr;
  f.end = static_cast<std::uint32_t>(e.fields().size()) + 1;
  e.mutable_fields().push_back(f);
}

void SipMessageReader::build(model::Event& e) const {
  namespace k = sip_keys;
  e.kind = model::MessageKind::Sip;
  e.peer = peer_;
  if (status_ > 0) {
    e.name = std::to_string(status_);
    if (!reason_phrase_.empty()) e.name.append(" ").append(reason_phrase_);
  } else {
    e.name = method_.empty() ? std::string("SIP") : method_;
  }
  using model::Attr;
  auto add = [&](std::string_view key, Attr attr, std::string_view v) {
    if (!v.empty()) append_attribute(e, key, attr, v);
  };
  add(k::kDirection, Attr::SipDirection, sent_ ? "out" : "in");
  add(k::kTransport, Attr::Other, transport_);
  if (status_ > 0) {
    const std::size_t sp = cseq_.find(' ');
    if (sp != std::string::npos)
      add(k::kMethod, Attr::SipMethod, trim(std::string_view(cseq_).substr(sp + 1)));
    const std::string code = std::to_string(status_);
    append_attribute(e, k::kStatus, Attr::SipStatus, code, model::ValueKind::Integer, status_);
    add(k::kReasonPhrase, Attr::Other, reason_phrase_);
  } else {
    add(k::kMethod, Attr::SipMethod, method_);
    add(k::kRequestUri, Attr::SipRequestUri, request_uri_);
  }
  add(k::kCallId, Attr::SipCallId, call_id_);
  add(k::kCSeq, Attr::Other, cseq_);
  add(k::kFrom, Attr::SipFrom, from_user_);
  add(k::kFromTag, Attr::Other, from_tag_);
  add(k::kTo, Attr::SipTo, to_user_);
  add(k::kToTag, Attr::SipToTag, to_tag_);
  add(k::kGenesysCallUuid, Attr::SipGenesysCallUuid, genesys_uuid_);
  add(k::kReason, Attr::SipReason, reason_);
  add(k::kContentType, Attr::Other, content_type_);
  add(k::kSdpAddress, Attr::Other, sdp_address_);
  if (sdp_port_) {
    const std::string port = std::to_string(*sdp_port_);
    append_attribute(e, k::kSdpPort, Attr::Other, port, model::ValueKind::Integer, *sdp_port_);
  }
  if (!sdp_payloads_.empty()) {
    // Codec names in the m= line's order: by a=rtpmap, else the static types.
    std::string codecs;
    std::size_t count = 0;
    std::string_view pts = sdp_payloads_;
    std::size_t p = skip_space(pts, 0);
    while (p < pts.size() && count < kMaxCodecs) {
      const std::size_t end = word_end(pts, p);
      const std::string_view pt = pts.substr(p, end - p);
      std::string_view name;
      std::string_view map = rtpmap_;
      for (std::size_t at = 0; at < map.size();) {
        const std::size_t nl = map.find('\n', at);
        const std::string_view entry = map.substr(at, nl - at);
        const std::size_t sp = entry.find(' ');
        if (entry.substr(0, sp) == pt) {
          name = entry.substr(sp + 1);
          break;
        }
        at = nl + 1;
      }
      if (name.empty()) name = static_payload(pt);
      if (name.empty()) name = pt;
      if (!codecs.empty()) codecs += ',';
      codecs += name;
      ++count;
      p = skip_space(pts, end);
    }
    add(k::kSdpCodecs, Attr::Other, codecs);
  }
  if (status_ == 0 && detail_ != SipDetail::Dialog) {
    // A recording request: MSML in the body, or an INVITE whose Request-URI
    // carries `record` (the recorder's session).
    std::string params;
    if (method_ == "INVITE") params = uri_recording_params(request_uri_);
    if (!params.empty()) {
      add(k::kRecording, Attr::SipRecording, "start/uri;" + params);
    } else {
      add(k::kRecording, Attr::SipRecording, msml_.token());
    }
  }
}

}  // namespace calltrail::parse
