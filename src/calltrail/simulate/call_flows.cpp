// The steps of a call on one site: arrival, routing to an agent, release,
// leaving over an IS-Link, consultations and conferences.
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "calltrail/simulate/simulator_state.hpp"

namespace calltrail::simulate::detail {

namespace {

// Share of calls whose agent is first tried on a phone that refuses the call.
constexpr double kFailedAttemptRate = 0.08;

}  // namespace

// ---------------------------------------------------------------- call flows

// The call appears on a route point (inbound) or an external routing point
// (arrived over an IS-Link or SIP). Returns the time routing starts.
Micros Simulator::arrive(Call& call, Micros t, bool inbound) {
  const auto site = call.site;
  if (call.point.empty()) call.point = inbound ? route_point(site) : external_point(site);
  if (sip_logged(site)) {
    if (!call.customer.active()) {
      // From the trunk: the customer's carrier, or the switch of the site
      // that sent the call.
      Dialog& d = call.customer;
      d.call_id = endpoint_uuid();
      d.caller = gateway_end(site, customer_.ani);
      d.callee = server_end(call, inbound ? customer_.dnis : call.point);
      const Txn invite = sip_request(t, d, true, "INVITE", true);
      sip_response(t + ms(2, 4), d, invite, "100 Trying", false);
    }
    cti(site, t + ms(2, 4), "CALL_CREATED");
    t += ms(4, 8);
  }
  auto m = begin_event(call, t, "EventRouteRequest");
  m.attr_str("AttributeThisDN", call.point);
  m.attr_str("AttributeOtherDN", customer_.ani);
  m.attr_str("AttributeANI", customer_.ani);
  m.attr_str("AttributeDNIS", customer_.dnis);
  m.attr_int("AttributeCallType", 2);
  if (!inbound && !call.last_origin.empty()) {
    // ISCC call history, as the server prints it on the arrived call.
    m.attr_str("AttributeLastTransferHomeLocation", call.last_origin.location);
    m.attr_str("AttributeLastTransferOrigDN", call.last_origin.orig_dn);
    m.attr_bare("AttributeLastTransferConnID", call.last_origin.conn_id);
    m.attr_str("AttributeFirstTransferHomeLocation", call.first_origin.location);
    m.attr_str("AttributeFirstTransferOrigDN", call.first_origin.orig_dn);
    m.attr_bare("AttributeFirstTransferConnID", call.first_origin.conn_id);
  }
  if (!inbound) user_data(m);
  m.end();
  finish();
  if (!inbound && plan_.report == Report::Normal) report_incoming(call, t + ms(1, 15));
  if (inbound) {
    t += ms(20, 60);
    request(site, t, "RequestAttachUserData", "00000e85 URS 10.1.2.3:49280", 12,
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
             customer_data()});
    t += ms(1, 4);
    event(call, t, "EventAttachedDataChanged",
          {str("AttributeThisDN", call.point), customer_data()});
  }
  return t + ms(300, 8000);
}

void Simulator::report_incoming(Call& call, Micros t) {
  auto m = begin_event(call, t, "EventCallDataChanged");
  m.attr_str("AttributeThisDN", call.point);
  std::vector<IsLinkEntry> entries;
  for (const auto& l : call.links)
    entries.push_back({l.id, site_names_[l.remote], l.source});
  m.attr_islink_list(entries);
  m.end();
  finish();
}

// URS routes the call from its route point to an agent, who answers.
// Returns the time the call is established.
Micros Simulator::route_to_agent(Call& call, Micros t) {
  const auto site = call.site;
  call.agent = agent_dn(site);
  request(site, t, "RequestRouteCall", "00000e85 URS 10.1.2.3:49280", 12,
          {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
           str("AttributeOtherDN", call.agent)});
  t += ms(1, 5);
  event(call, t, "EventRouteUsed",
        {str("AttributeThisDN", call.point), str("AttributeOtherDN", call.agent)});
  const bool sip = sip_logged(site);
  Txn invite;
  if (sip) {
    Micros s = t + ms(1, 3);
    if (rng_.chance(kFailedAttemptRate)) s = failed_attempt(call, s);
    dialog_created(site, s, call.agent);
    Dialog& d = call.agent_dialog;
    d.call_id = server_call_id(site);
    d.caller = server_end(call, customer_.ani);
    d.callee = phone_end(site, call.agent);
    invite = sip_request(s, d, true, "INVITE", true);
    s += ms(5, 40);
    sip_response(s, d, invite, "180 Ringing", false);
    t = s + ms(2, 4);
  } else {
    t += ms(5, 40);
  }
  event(call, t, "EventRinging",
        {str("AttributeThisDN", call.agent), str("AttributeOtherDN", customer_.ani),
         str("AttributeANI", customer_.ani), str("AttributeDNIS", customer_.dnis),
         integer("AttributeCallType", 2), customer_data()});
  t += ms(2000, 12000);
  if (sip) {
    Dialog& d = call.agent_dialog;
    sip_response(t - ms(6, 12), d, invite, "200 OK", true);
    sip_request(t - ms(2, 4), d, true, "ACK", false, {}, &invite);
    Dialog& c = call.customer;
    if (c.active() && !c.answered) {
      // The customer's side is answered once the agent is.
      const Txn customer_invite = c.invite;
      sip_response(t + ms(1, 2), c, customer_invite, "200 OK", true);
      sip_request(t + ms(6, 30), c, true, "ACK", false, {}, &customer_invite);
    }
  }
  event(call, t, "EventEstablished",
        {str("AttributeThisDN", call.agent), str("AttributeOtherDN", customer_.ani)});
  ha_sync(call, t + ms(1, 10), call.agent);
  if (sip && sites_[site].spec.record) record_start(call, t + ms(15, 40));
  return t;
}

// The party at `dn` hangs up and the call is deleted. Returns the deletion time.
Micros Simulator::release(Call& call, Micros t, std::string_view dn, bool handed_off) {
  if (sip_logged(call.site)) {
    // The agent's phone hangs up; then the server ends the customer's side,
    // unless the call went on to another site over it.
    // (No draw from the generator for a call that is not recorded.)
    if (call.recorder.active()) record_stop(call, t - ms(200, 300));
    if (call.agent_dialog.active()) {
      bye(t - ms(40, 80), call.agent_dialog, false);
      call.agent_dialog = Dialog{};
    }
    if (!handed_off && call.customer.active()) {
      // The server is the callee of the customer's dialog.
      bye(t - ms(2, 6), call.customer, false);
      call.customer = Dialog{};
    }
    cti(call.site, t + ms(1, 3), "CALL_DELETED");
  }
  event(call, t, "EventReleased",
        {str("AttributeThisDN", dn), str("AttributeOtherDN", customer_.ani)});
  t += ms(1, 20);
  event(call, t, "EventCallDeleted", {});
  ha_sync(call, t + ms(1, 5), dn);
  return t;
}

// The call leaves its site over an IS-Link, routed from its route point or
// transferred by its agent. Returns the time the source reports the link.
Micros Simulator::hop_out(Call& call, Micros t, std::uint32_t target, const std::string& link_id,
                          bool from_agent, std::string_view remote_point) {
  const auto site = call.site;
  const std::string& target_name = site_names_[target];
  if (from_agent) {
    request(site, t, "RequestSingleStepTransfer",
            fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", call.agent.size() * 97, call.agent,
                        call.leg + 10),
            40 + static_cast<int>(call.leg),
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.agent),
             str("AttributeOtherDN", remote_point), str("AttributeLocation", target_name)});
  } else {
    request(site, t, "RequestRouteCall", "00000e85 URS 10.1.2.3:49280", 12,
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
             str("AttributeOtherDN", remote_point), str("AttributeLocation", target_name)});
  }
  t += ms(2, 30);
  call.links.push_back({link_id, target, true});
  auto m = begin_event(call, t, "EventCallDataChanged");
  m.attr_bare("AttributeFirstTransferConnID", call.conn_id);
  m.attr_bare("AttributeLastTransferConnID", call.conn_id);
  std::vector<IsLinkEntry> entries;
  for (const auto& l : call.links)
    entries.push_back({l.id, site_names_[l.remote], l.source});
  m.attr_islink_list(entries);
  m.end();
  finish();
  if (!from_agent) {
    event(call, t + ms(1, 5), "EventRouteUsed",
          {str("AttributeThisDN", call.point), str("AttributeOtherDN", remote_point),
           str("AttributeLocation", target_name)});
  }
  return t;
}

void Simulator::consult_same_site(Call& main, Micros t, bool conference) {
  const auto site = main.site;
  const std::string agent2 = agent_dn(site);
  Call consult = new_call(site, next_conn_id(site), "consult");
  const auto client = fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", main.agent.size() * 97,
                                  main.agent, main.leg + 10);
  request(site, t, conference ? "RequestInitiateConference" : "RequestInitiateTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), str("AttributeThisDN", main.agent),
           str("AttributeOtherDN", agent2)});
  t += ms(2, 10);
  event(main, t, "EventHeld", {str("AttributeThisDN", main.agent)});
  t += ms(1, 10);
  auto consult_event = [&](std::string_view name, std::string_view dn, std::string_view other) {
    event(consult, t, name,
          {str("AttributeThisDN", dn), str("AttributeOtherDN", other),
           integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  };
  consult_event("EventDialing", main.agent, agent2);
  // The consult call rings the second agent's phone.
  const bool sip = sip_logged(site);
  Txn invite;
  Dialog& second = consult.agent_dialog;
  if (sip) {
    second.call_id = server_call_id(site);
    second.caller = server_end(consult, main.agent);
    second.callee = phone_end(site, agent2);
    invite = sip_request(t + ms(1, 3), second, true, "INVITE", true);
    sip_response(t + ms(5, 30), second, invite, "180 Ringing", false);
  }
  t += ms(35, 60);
  consult_event("EventRinging", agent2, main.agent);
  t += ms(2000, 9000);
  if (sip) {
    sip_response(t - ms(6, 12), second, invite, "200 OK", true);
    sip_request(t - ms(2, 4), second, true, "ACK", false, {}, &invite);
  }
  consult_event("EventEstablished", agent2, main.agent);
  t += ms(1, 10);
  consult_event("EventEstablished", main.agent, agent2);
  t += ms(5000, 60000);
  request(site, t, conference ? "RequestCompleteConference" : "RequestCompleteTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), bare("AttributeTransferConnID", consult.conn_id),
           str("AttributeThisDN", main.agent)});
  t += ms(2, 15);
  // Which call survives the merge depends on the switch: mostly the main call.
  const bool main_survives = conference || rng_.chance(0.7);
  Call& survivor = main_survives ? main : consult;
  Call& merged = main_survives ? consult : main;
  TruthLink link;
  link.kind = LinkKind::Transfer;
  link.from = main.uuid;
  link.to = consult.uuid;
  link.from_site = link.to_site = site;
  link.survivor = survivor.uuid;
  link.conference = conference;
  ia_.links.push_back(link);
  // The survivor takes over the dialogs that stay up: the customer's and the
  // second agent's. The first agent leaves now (transfer) or later.
  Dialog first_agent = std::move(main.agent_dialog);
  main.agent_dialog = Dialog{};
  if (sip) {
    if (main_survives) {
      main.agent_dialog = std::move(second);
      consult.agent_dialog = Dialog{};
    } else {
      consult.customer = std::move(main.customer);
      main.customer = Dialog{};
    }
    hand_over(survivor.customer, survivor);
    hand_over(survivor.agent_dialog, survivor);
    if (!conference && first_agent.active()) bye(t - ms(1, 2), first_agent, false);
  }
  auto released = [&](Call& c, const Call& other) {
    event(c, t, "EventReleased",
          {str("AttributeThisDN", main.agent), bare("AttributeTransferConnID", other.conn_id)});
    t += ms(1, 4);
  };
  if (conference) {
    released(consult, main);
    event(main, t, "EventRetrieved", {str("AttributeThisDN", main.agent)});
    t += ms(1, 4);
    event(main, t, "EventPartyAdded",
          {str("AttributeThisDN", main.agent), str("AttributeOtherDN", customer_.ani),
           str("AttributeThirdPartyDN", agent2)});
  } else {
    released(main, consult);
    released(consult, main);
  }
  t += ms(1, 4);
  event(survivor, t, "EventPartyChanged",
        {str("AttributeThisDN", agent2), bare("AttributePreviousConnID", merged.conn_id),
         str("AttributeOtherDN", customer_.ani), str("AttributeThirdPartyDN", main.agent)});
  t += ms(1, 6);
  event(merged, t, "EventCallDeleted", {str("AttributeRefCallUUID", survivor.uuid)});
  t += ms(10000, 150000);
  if (conference) {
    if (sip && first_agent.active()) {
      hand_over(first_agent, main);
      bye(t - ms(40, 80), first_agent, false);
    }
    event(main, t, "EventReleased", {str("AttributeThisDN", main.agent)});
    t += ms(1000, 30000);
  }
  release(survivor, t, agent2);
}

void Simulator::consult_multisite(Call& main, Micros t, std::uint32_t target) {
  const auto site = main.site;
  const std::string remote_point = external_point(target);
  Call consult = new_call(site, next_conn_id(site), "consult");
  const std::string link_id = next_uuid(site);
  const auto client = fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", main.agent.size() * 97,
                                  main.agent, main.leg + 10);
  request(site, t, "RequestInitiateTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), str("AttributeThisDN", main.agent),
           str("AttributeOtherDN", remote_point),
           str("AttributeLocation", sites_[target].spec.name())});
  t += ms(2, 10);
  event(main, t, "EventHeld", {str("AttributeThisDN", main.agent)});
  t += ms(1, 10);
  event(consult, t, "EventDialing",
        {str("AttributeThisDN", main.agent), str("AttributeOtherDN", remote_point),
         integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  // The IS-Link attaches to the consult call.
  t += ms(5, 30);
  consult.point = main.agent;
  consult.links.push_back({link_id, target, true});
  {
    auto m = begin_event(consult, t, "EventCallDataChanged");
    m.attr_str("AttributeThisDN", main.agent);
    std::vector<IsLinkEntry> entries{{link_id, site_names_[target], true}};
    m.attr_islink_list(entries);
    m.end();
    finish();
  }
  const bool kept = !(plan_.connid_change && rng_.chance(0.5));
  const auto arrival = t + ms(20, 400);
  Call remote = new_call(target, kept ? consult.conn_id : next_conn_id(target), "islink-target");
  remote.links.push_back({link_id, site, false});
  remote.point = remote_point;
  remote.last_origin = remote.first_origin = origin_of(consult, main.agent);
  if (!kept) ia_.scenarios.push_back(Scenario::ConnIdChange);
  TruthLink link;
  link.kind = LinkKind::IsLink;
  link.id = link_id;
  link.from = consult.uuid;
  link.to = remote.uuid;
  link.from_site = site;
  link.to_site = target;
  link.conn_id_kept = kept;
  const bool between_servers = is_sip(site) && is_sip(target);
  if (sip_logged(site) || (between_servers && sip_logged(target))) {
    const std::string call_id = pass_call(consult, &remote, target, arrival, remote_point);
    if (between_servers) link.sip_call_id = call_id;
  }
  hop_kind(link, site, target, consult.conn_id);
  const Micros routed = arrive(remote, arrival, false);
  const Micros established = route_to_agent(remote, routed);
  t = established + ms(20, 400);
  event(consult, t, "EventEstablished",
        {str("AttributeThisDN", main.agent), str("AttributeOtherDN", remote_point),
         integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  t += ms(5000, 60000);
  request(site, t, "RequestCompleteTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), bare("AttributeTransferConnID", consult.conn_id),
           str("AttributeThisDN", main.agent)});
  t += ms(2, 15);
  const bool main_survives = rng_.chance(0.5);
  Call& survivor = main_survives ? main : consult;
  Call& merged = main_survives ? consult : main;
  TruthLink transfer;
  transfer.kind = LinkKind::Transfer;
  transfer.from = main.uuid;
  transfer.to = consult.uuid;
  transfer.from_site = transfer.to_site = site;
  transfer.survivor = survivor.uuid;
  ia_.links.push_back(transfer);
  ia_.links.push_back(link);
  if (sip_logged(site)) {
    // The first agent hangs up to complete; the customer's dialog stays with
    // the survivor, joined to the one toward the other site.
    if (main.agent_dialog.active()) bye(t - ms(1, 2), main.agent_dialog, false);
    main.agent_dialog = Dialog{};
    if (!main_survives) {
      consult.customer = std::move(main.customer);
      main.customer = Dialog{};
    }
    hand_over(survivor.customer, survivor);
  }
  for (Call* c : {&main, &consult}) {
    event(*c, t, "EventReleased",
          {str("AttributeThisDN", main.agent),
           bare("AttributeTransferConnID", (c == &main ? consult : main).conn_id)});
    t += ms(1, 4);
  }
  event(merged, t, "EventCallDeleted", {str("AttributeRefCallUUID", survivor.uuid)});
  // The customer talks to the remote agent; the surviving call stays up as
  // the trunk-to-trunk tandem until then.
  const Micros remote_end = t + ms(10000, 150000);
  release(remote, remote_end, remote.agent);
  const Micros end = remote_end + ms(20, 300);
  if (sip_logged(site) && survivor.customer.active()) bye(end - ms(2, 6), survivor.customer, false);
  event(survivor, end, "EventCallDeleted", {});
}

}  // namespace calltrail::simulate::detail
