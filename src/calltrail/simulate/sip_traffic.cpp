// SIP traffic: dialogs between SIP Servers, gateways and phones, their
// requests and responses as each end logs them, and the SIP lines of a
// SIP Server's background.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "calltrail/simulate/simulator_state.hpp"
#include "calltrail/simulate/sip_text.hpp"

namespace calltrail::simulate::detail {

namespace {

// What a SIP Server puts in the BYE that ends a call.
constexpr std::string_view kNormalClearing = "Q.850;cause=16;text=\"Normal call clearing\"";
constexpr std::string_view kGatewayAgent = "Mediant 4000/v.7.20A.258.459";
constexpr std::string_view kPhoneAgent = "Genesys-Softphone/9.0.014.13 (Windows 10.0.17763)";

// "sip:user@host" in a From or To header: bare from a SIP Server, in angle
// brackets from others; with the tag once it is known.
void party(std::string& out, const DialogEnd& e, bool genesys_style, bool with_tag) {
  if (!genesys_style) out += '<';
  out += "sip:";
  out += e.user;
  out += '@';
  out += e.host;
  if (!genesys_style) out += '>';
  if (with_tag) {
    out += ";tag=";
    out += e.tag;
  }
}

std::string_view ip_of(std::string_view host) {
  return host.substr(0, host.find(':'));
}

}  // namespace

// ---------------------------------------------------------------- SIP

std::string Simulator::guid() {
  const std::uint64_t a = rng_.next();
  const std::uint64_t b = rng_.next();
  return fmt::format("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::string Simulator::endpoint_uuid() {
  const std::uint64_t a = rng_.next();
  const std::uint64_t b = rng_.next();
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::string Simulator::server_call_id(std::uint32_t site) {
  auto& s = sites_[site];
  return fmt::format("{}-{}@{}", s.call_id_guid, ++s.call_id_counter, s.ip);
}

DialogEnd Simulator::server_end(const Call& call, std::string user) {
  auto& s = sites_[call.site];
  DialogEnd e;
  e.user = std::move(user);
  e.host = s.ip + ":5060";
  e.tag = fmt::format("{}-{}", s.tag_guid, ++s.tag_counter);
  e.genesys = true;
  e.uuid = call.uuid;
  e.site = call.site;
  e.leg = call.leg;
  e.logs = sip_logged(call.site);
  return e;
}

DialogEnd Simulator::gateway_end(std::uint32_t site, std::string user) {
  DialogEnd e;
  e.user = std::move(user);
  e.host = sites_[site].gateway_ip + ":5060";
  e.tag = endpoint_uuid();
  e.agent = kGatewayAgent;
  e.site = site;
  return e;
}

DialogEnd Simulator::phone_end(std::uint32_t site, const std::string& dn) {
  // The agent's softphone, at an address that follows from its DN.
  std::uint32_t n = 0;
  for (char c : dn)
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  DialogEnd e;
  e.user = dn;
  e.host = fmt::format("10.{}.{}.{}:5090", 120 + site % 100, n / 250 % 250, n % 250 + 1);
  e.tag = guid() + "-1";
  e.agent = kPhoneAgent;
  e.site = site;
  return e;
}

Txn Simulator::sip_request(Micros t, Dialog& d, bool from_caller, std::string_view method, bool sdp,
                           std::string_view reason, const Txn* invite, std::string_view uri,
                           std::string_view extra, std::string_view msml) {
  DialogEnd& sender = from_caller ? d.caller : d.callee;
  const DialogEnd& receiver = from_caller ? d.callee : d.caller;
  Txn txn;
  txn.from_caller = from_caller;
  txn.method = std::string(method);
  txn.cseq = invite ? invite->cseq : ++sender.cseq;
  // CANCEL, and the ACK of a refusal, belong to the INVITE's transaction.
  const bool same_transaction = method == "CANCEL" || (method == "ACK" && !d.answered);
  if (same_transaction) {
    txn.via = invite->via;
  } else if (sender.genesys) {
    auto& s = sites_[sender.site];
    txn.via = fmt::format("SIP/2.0/UDP {};branch=z9hG4bK{}-{}", sender.host, s.branch_guid,
                          ++s.branch_counter);
  } else {
    txn.via = fmt::format("SIP/2.0/UDP {};rport;branch=z9hG4bKPj{}", sender.host, endpoint_uuid());
  }
  if (method == "INVITE") d.invite = txn;
  std::string from, to, contact, body;
  party(from, sender, sender.genesys, true);
  // A CANCEL repeats the INVITE's To, which had no tag yet.
  party(to, receiver, sender.genesys, receiver.tagged && method != "CANCEL");
  sender.tagged = true;  // its From carries its tag
  if (method == "INVITE") contact = fmt::format("<sip:{}@{}>", sender.user, sender.host);
  if (sdp) {
    if (sender.genesys) {
      append_sdp(body, "Genesys", "GSept-8.1.103.45", static_cast<std::uint64_t>(t / kSecond),
                 ip_of(sender.host), static_cast<int>(8000 + 2 * rng_.below(5000)));
    } else {
      append_sdp(body, "-", "-", rng_.below(1000000000), ip_of(sender.host),
                 static_cast<int>(10000 + 2 * rng_.below(5000)));
    }
  }
  SipHeaders h;
  h.via = txn.via;
  h.from = from;
  h.to = to;
  h.call_id = d.call_id;
  h.cseq = txn.cseq;
  h.cseq_method = method;
  h.contact = contact;
  h.agent = sender.agent;
  // A SIP Server names its call in the requests it sends, but not in those
  // of the INVITE's transaction.
  if (sender.genesys && !same_transaction) h.genesys_uuid = sender.uuid;
  h.reason = reason;
  h.extra = extra;
  h.body = body;
  if (!msml.empty()) {
    h.body = msml;
    h.content_type = "application/vnd.radisys.msml+xml";
  }
  const std::string start =
      uri.empty() ? fmt::format("{} sip:{}@{} SIP/2.0", method, receiver.user, receiver.host)
                  : fmt::format("{} {} SIP/2.0", method, uri);
  std::string message;
  append_sip_message(message, sender.genesys ? SipStyle::Genesys : SipStyle::Endpoint, start, true,
                     h);
  const Micros latency = rng_.between(200, 1500);
  if (sender.logs) log_sip(sender, t, true, receiver.host, message, d.call_id);
  if (receiver.logs) log_sip(receiver, t + latency, false, sender.host, message, d.call_id);
  return txn;
}

void Simulator::sip_response(Micros t, Dialog& d, const Txn& txn, std::string_view status, bool sdp,
                             std::string_view reason, std::string_view extra) {
  DialogEnd& responder = txn.from_caller ? d.callee : d.caller;
  const DialogEnd& requester = txn.from_caller ? d.caller : d.callee;
  if (!status.starts_with("100")) responder.tagged = true;
  const bool to_invite = txn.method == "INVITE";
  if (to_invite && status.starts_with("2")) d.answered = true;
  // From and To as the request wrote them (the To with the responder's tag).
  std::string from, to, contact, body;
  party(from, requester, requester.genesys, true);
  party(to, responder, requester.genesys, responder.tagged);
  // A SIP Server notes where the request came from in the Via it returns.
  const std::string via =
      responder.genesys ? fmt::format("{};received={}", txn.via, ip_of(requester.host)) : txn.via;
  if (to_invite && (status.starts_with("18") || status.starts_with("2")))
    contact = fmt::format("<sip:{}@{}>", responder.user, responder.host);
  if (sdp) {
    if (responder.genesys) {
      append_sdp(body, "Genesys", "GSept-8.1.103.45", static_cast<std::uint64_t>(t / kSecond),
                 ip_of(responder.host), static_cast<int>(8000 + 2 * rng_.below(5000)));
    } else {
      append_sdp(body, "-", "-", rng_.below(1000000000), ip_of(responder.host),
                 static_cast<int>(10000 + 2 * rng_.below(5000)));
    }
  }
  SipHeaders h;
  h.via = via;
  h.from = from;
  h.to = to;
  h.call_id = d.call_id;
  h.cseq = txn.cseq;
  h.cseq_method = txn.method;
  h.contact = contact;
  h.agent = responder.agent;
  h.reason = reason;
  h.extra = extra;
  h.body = body;
  std::string message;
  append_sip_message(message, responder.genesys ? SipStyle::Genesys : SipStyle::Endpoint,
                     fmt::format("SIP/2.0 {}", status), false, h);
  const Micros latency = rng_.between(200, 1500);
  if (responder.logs) log_sip(responder, t, true, requester.host, message, d.call_id);
  if (requester.logs) log_sip(requester, t + latency, false, responder.host, message, d.call_id);
}

void Simulator::log_sip(const DialogEnd& end, Micros t, bool sent, std::string_view peer,
                        std::string_view message, std::string_view call_id) {
  current_ = Record{};
  current_.when = t;
  current_.site = end.site;
  drop_current_ = false;
  std::string hms;
  append_time_of_day(hms, local_time(end.site, t), 3);
  std::string& out = current_.text;
  append_sip_transport(out, hms, sent, wire_bytes(message), peer);
  out += message;
  out += '\n';
  if (!end.uuid.empty()) {
    // The message belongs to a call: the server says which.
    fmt::format_to(std::back_inserter(out), "{}: CID:CUUID>{}:{}:\n", hms, call_id, end.uuid);
    auto& leg = ia_.legs[end.leg];
    const auto known = std::find_if(leg.sip_dialogs.begin(), leg.sip_dialogs.end(),
                                    [&](const TruthSipDialog& x) { return x.call_id == call_id; });
    if (known == leg.sip_dialogs.end()) {
      leg.sip_dialogs.push_back({std::string(call_id), t});
    } else {
      known->first = std::min(known->first, t);
    }
    leg.sip_start = std::min(leg.sip_start, t);
    leg.sip_end = std::max(leg.sip_end, t);
  }
  finish();
}

void Simulator::bye(Micros t, Dialog& d, bool from_caller) {
  const DialogEnd& sender = from_caller ? d.caller : d.callee;
  // A SIP Server says why; phones and gateways do not bother.
  const Txn txn =
      sip_request(t, d, from_caller, "BYE", false, sender.genesys ? kNormalClearing : "");
  sip_response(t + ms(2, 30), d, txn, "200 OK", false);
}

void Simulator::record_start(Call& call, Micros t) {
  const auto site = call.site;
  const std::string conf = endpoint_uuid().substr(0, 8);
  const std::string id = guid();
  Dialog& d = call.recorder;
  d.call_id = server_call_id(site);
  d.caller = server_end(call, call.agent);
  const auto n = rng_.below(4);
  d.callee.user = "msml=" + conf;
  d.callee.host = fmt::format("10.{}.0.{}:5070", 120 + site % 100, 50 + n);
  d.callee.tag = guid() + "-1";
  d.callee.site = site;
  d.callee.agent = "GVP-MCP/8.5";
  const Txn invite = sip_request(
      t, d, true, "INVITE", true, {}, nullptr,
      fmt::format("sip:msml={}@{};dn={};record=source", conf, d.callee.host, call.agent));
  t += ms(20, 60);
  sip_response(t, d, invite, "200 OK", true);
  sip_request(t + ms(1, 3), d, true, "ACK", false, {}, &invite);
  t += ms(10, 40);
  const Txn info =
      sip_request(t, d, true, "INFO", false, {}, nullptr, {}, {},
                  fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<msml version=\"1.1\">\n"
                              "<dialogstart target=\"conn:{}\" name=\"record\">\n"
                              "<record id=\"{}\" dest=\"http://gir.example/recordings/{}.wav\" "
                              "format=\"audio/wav\"/>\n</dialogstart>\n</msml>\n",
                              conf, id, id));
  sip_response(t + ms(5, 30), d, info, "200 OK", false);
  ia_.legs[call.leg].recordings.push_back({"start", id});
}

void Simulator::record_stop(Call& call, Micros t) {
  Dialog& d = call.recorder;
  if (!d.active()) return;
  const std::string conf = d.callee.user.substr(5);
  const Txn info =
      sip_request(t, d, true, "INFO", false, {}, nullptr, {}, {},
                  fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<msml version=\"1.1\">\n"
                              "<dialogend id=\"conn:{}/dialog:record\"/>\n</msml>\n",
                              conf));
  sip_response(t + ms(5, 20), d, info, "200 OK", false);
  bye(t + ms(25, 40), d, true);
  ia_.legs[call.leg].recordings.push_back({"stop", {}});
  d = Dialog{};
}

void Simulator::hand_over(Dialog& d, const Call& owner) {
  for (DialogEnd* e : {&d.caller, &d.callee}) {
    if (!e->genesys || e->site != owner.site) continue;
    e->uuid = owner.uuid;
    e->leg = owner.leg;
  }
}

void Simulator::dialog_created(std::uint32_t site, Micros t, std::string_view dn) {
  std::string& out = begin_plain(site, t);
  fmt::format_to(std::back_inserter(out), " SIPCONN({}): main dialog 0 created, flags 0x21f", dn);
  finish();
}

void Simulator::cti(std::uint32_t site, Micros t, std::string_view what) {
  std::string& out = begin_plain(site, t);
  fmt::format_to(std::back_inserter(out), ": $*:SIP:CTI:{}:", what);
  current_.cti_counter = true;
  finish();
}

Micros Simulator::failed_attempt(Call& call, Micros t) {
  const auto site = call.site;
  const std::string dn = agent_dn(site);
  dialog_created(site, t, dn);
  Dialog d;
  d.call_id = server_call_id(site);
  d.caller = server_end(call, customer_.ani);
  d.callee = phone_end(site, dn);
  const Txn invite = sip_request(t, d, true, "INVITE", true);
  t += ms(5, 40);
  switch (rng_.below(3)) {
    case 0:
      sip_response(t, d, invite, "486 Busy Here", false);
      break;
    case 1:
      sip_response(t, d, invite, "180 Ringing", false);
      t += ms(2, 20);
      sip_response(t, d, invite, "403 Forbidden", false, "Q.850;cause=21");
      break;
    default: {
      // Nobody answers: the server gives up and cancels.
      sip_response(t, d, invite, "180 Ringing", false);
      t += ms(4000, 9000);
      const Txn cancel = sip_request(t, d, true, "CANCEL", false, {}, &invite);
      t += ms(2, 10);
      sip_response(t, d, cancel, "200 OK", false);
      sip_response(t + ms(0, 1), d, invite, "487 Request Terminated", false);
      t += ms(1, 2);
      break;
    }
  }
  t += ms(2, 4);
  sip_request(t, d, true, "ACK", false, {}, &invite);
  return t + ms(1, 5);
}

std::string Simulator::pass_call(Call& from, Call* to, std::uint32_t target, Micros arrival,
                                 std::string_view remote_point) {
  // Between two SIP Servers the dialog runs from one to the other; toward a
  // T-Server's switch or an unmonitored site it goes out through the trunk.
  const bool between_servers = to != nullptr && is_sip(from.site) && is_sip(target);
  Dialog d;
  d.call_id = server_call_id(from.site);
  d.caller = server_end(from, customer_.ani);
  d.callee = between_servers ? server_end(*to, std::string(remote_point))
                             : gateway_end(from.site, std::string(remote_point));
  Micros t = arrival - ms(3, 12);
  const Txn invite = sip_request(t, d, true, "INVITE", true);
  t += ms(2, 4);
  sip_response(t, d, invite, "100 Trying", false);
  t += ms(3, 8);
  sip_response(t, d, invite, "200 OK", true);
  t += ms(2, 4);
  sip_request(t, d, true, "ACK", false, {}, &invite);
  if (between_servers) {
    // The target's side of the dialog; later messages are logged there only.
    d.caller.logs = false;
    to->customer = std::move(d);
    return to->customer.call_id;
  }
  return d.call_id;
}

void Simulator::sip_noise(std::uint32_t site, Micros t) {
  auto& s = sites_[site];
  Dialog d;
  d.callee.genesys = true;
  d.callee.host = s.ip + ":5060";
  d.callee.tag = fmt::format("{}-{}", s.tag_guid, ++s.tag_counter);
  d.callee.site = site;
  d.callee.logs = true;
  d.call_id = endpoint_uuid();
  const auto r = rng_.below(100);
  if (r < 40) {
    // A phone renews its registration.
    const std::string dn = agent_dn(site);
    d.caller = phone_end(site, dn);
    d.callee.user = dn;
    d.caller.cseq = static_cast<std::uint32_t>(rng_.below(60000));
    const Txn reg =
        sip_request(t, d, true, "REGISTER", false, {}, nullptr, fmt::format("sip:{}", s.ip),
                    fmt::format("Contact: <sip:{}@{}>\nExpires: 1800\n", dn, d.caller.host));
    sip_response(
        t + ms(2, 4), d, reg, "200 OK", false, {},
        fmt::format("Expires: 1800\nContact: <sip:{}@{}>;expires=1800\n", dn, d.caller.host));
  } else if (r < 85) {
    // The gateway checks that the server is alive.
    d.caller = gateway_end(site, "ping");
    d.callee.user = "ping";
    const Txn options =
        sip_request(t, d, true, "OPTIONS", false, {}, nullptr, fmt::format("sip:{}:5060", s.ip));
    sip_response(t + ms(2, 4), d, options, "200 OK", false);
  } else {
    // A call to a number nobody serves: no call, no CID:CUUID line.
    d.caller = gateway_end(site, fmt::format("+1555{:07}", rng_.below(10000000)));
    d.callee.user = fmt::format("9{:03}", rng_.below(1000));
    const Txn invite = sip_request(t, d, true, "INVITE", true);
    t += ms(2, 4);
    sip_response(t, d, invite, "100 Trying", false);
    t += ms(1, 3);
    sip_response(t, d, invite, "404 Not Found", false);
    sip_request(t + ms(2, 10), d, true, "ACK", false, {}, &invite);
  }
}

}  // namespace calltrail::simulate::detail
