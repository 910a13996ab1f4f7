#include "calltrail/serve/ladder.hpp"

#include <map>
#include <tuple>

#include "calltrail/correlate/timeline.hpp"

namespace calltrail::serve {

const char* to_string(SubLane::Kind k) {
  switch (k) {
    case SubLane::Kind::Call:
      return "call";
    case SubLane::Kind::Dn:
      return "dn";
    case SubLane::Kind::SipPeer:
      return "sip_peer";
    case SubLane::Kind::Remote:
      return "remote_site";
    case SubLane::Kind::Caller:
      return "caller";
  }
  return "call";
}

std::string short_id(std::string_view id) {
  // A SIP Call-ID's host part says little: its local part is the id.
  if (const auto at = id.find('@'); at != std::string_view::npos && at > 0) id = id.substr(0, at);
  if (id.size() <= 8) return std::string(id);
  return "\u2026" + std::string(id.substr(id.size() - 6));
}

namespace {

// An inbound call (AttributeCallType 2, or its name): its ANI is the caller.
bool inbound(const std::string& call_type) {
  return call_type == "2" || call_type.find("Inbound") != std::string::npos;
}

std::string hop_label(const correlate::Link& k) {
  switch (k.kind) {
    case correlate::LinkKind::IsLink:
      return "IS-Link " + short_id(k.id);
    case correlate::LinkKind::Transfer:
      return "transfer " + short_id(k.id);
    case correlate::LinkKind::Hint:
      return "hint ConnID " + short_id(k.id);
    case correlate::LinkKind::Sip:
      return "SIP " + short_id(k.sip_call_id.empty() ? k.id : k.sip_call_id);
    case correlate::LinkKind::Iscc:
      return "ISCC " + short_id(k.id);
  }
  return short_id(k.id);
}

}  // namespace

// Site lanes: each site's sub-lanes in order of appearance (a DN-less one
// for events that name no DN and for the SIP messages the site sent or
// received, one per DN, one per SIP peer address); the outside lane, when
// there is something outside: the remote sites of links without a partner
// leg, and the caller of an inbound root leg no link leads to.
Ladder make_ladder(const Built& b) {
  const correlate::Correlation& c = b.correlation;
  const correlate::Interaction& it = c.interactions[b.interaction];
  Ladder l;
  std::map<std::uint32_t, std::uint32_t> lane_of_site;
  std::map<std::tuple<std::uint32_t, SubLane::Kind, std::string>, std::uint32_t> sub_of;
  auto sub = [&](std::uint32_t lane, SubLane::Kind kind, std::string_view name) {
    auto& subs = l.lanes[lane].subs;
    auto [pos, added] = sub_of.try_emplace({lane, kind, std::string(name)},
                                           static_cast<std::uint32_t>(subs.size()));
    if (added) subs.push_back({kind, std::get<2>(pos->first), false});
    return pos->second;
  };
  auto site_lane = [&](std::uint32_t site) {
    auto [pos, added] = lane_of_site.try_emplace(site, static_cast<std::uint32_t>(l.lanes.size()));
    if (added) l.lanes.push_back({false, site, {}});
    return pos->second;
  };
  std::map<std::uint32_t, std::uint32_t> leg_pos;
  for (std::uint32_t i = 0; i < it.legs.size(); ++i) {
    leg_pos[it.legs[i]] = i;
    l.open = l.open || !c.legs[it.legs[i]].deleted;
  }
  const auto timeline = correlate::build_timeline(c, it);
  std::map<std::uint32_t, std::uint32_t> source_row;  // link -> row of its source event
  std::map<std::uint32_t, std::uint32_t> target_row;
  for (const auto& e : timeline) {
    const correlate::Leg& leg = c.legs[e.leg];
    const correlate::EventRef& ev = leg.events[e.event];
    LadderRow r;
    r.lane = site_lane(leg.site);
    if (ev.is_sip()) {
      // this_dn is the Request-URI, other_dn the peer: the site's own sub-lane.
      r.sub = sub(r.lane, SubLane::Kind::Call, {});
      if (ev.other_dn != 0) {
        l.lanes[r.lane].subs[r.sub].sip = true;
        r.peer_sub = sub(r.lane, SubLane::Kind::SipPeer, c.str(ev.other_dn));
        l.sip_arrows = true;
      }
    } else {
      const std::string_view dn = c.str(ev.this_dn);
      r.sub = sub(r.lane, dn.empty() ? SubLane::Kind::Call : SubLane::Kind::Dn, dn);
    }
    r.event = &ev;
    r.leg = e.leg;
    r.leg_pos = leg_pos[e.leg];
    r.corrected = e.corrected;
    const auto row = static_cast<std::uint32_t>(l.rows.size());
    for (auto k : e.links_out)
      source_row.emplace(k, row);
    for (auto k : e.links_in)
      target_row.emplace(k, row);
    l.rows.push_back(r);
  }
  for (auto& r : l.rows) {
    if (r.event->is_sip()) continue;
    const std::string_view other = c.str(r.event->other_dn);
    if (other.empty()) continue;
    auto pos = sub_of.find({r.lane, SubLane::Kind::Dn, std::string(other)});
    if (pos != sub_of.end() && pos->second != r.sub) r.to_sub = pos->second;
  }
  auto at_row = [&](std::uint32_t row) { return HopEnd{row, l.rows[row].lane, l.rows[row].sub}; };
  // Every link whose two ends are on the timeline: IS-Links, transfers,
  // hints and SIP dialogs between sites alike; a link with one end only
  // leads to (or comes from) the outside lane.
  std::optional<std::uint32_t> outside;
  auto outside_sub = [&](SubLane::Kind kind, const std::string& name) {
    if (!outside) {
      outside = static_cast<std::uint32_t>(l.lanes.size());
      l.lanes.push_back({true, 0, {}});
    }
    return HopEnd{std::nullopt, *outside, sub(*outside, kind, name)};
  };
  for (std::uint32_t k : it.links) {
    const correlate::Link& link = c.links[k];
    const auto from = source_row.find(k);
    const auto to = target_row.find(k);
    const bool has_from = from != source_row.end();
    const bool has_to = to != target_row.end();
    if (has_from && has_to) {
      l.hops.push_back({&link, at_row(from->second), at_row(to->second), hop_label(link)});
    } else if (!link.paired() && (has_from || has_to)) {
      const std::string remote = !link.remote_site.empty()        ? link.remote_site
                                 : !link.skipped_location.empty() ? link.skipped_location
                                                                  : std::string("unknown site");
      const HopEnd away = outside_sub(SubLane::Kind::Remote, remote);
      if (has_from) {
        l.hops.push_back({&link, at_row(from->second), away, hop_label(link)});
      } else {
        l.hops.push_back({&link, away, at_row(to->second), hop_label(link)});
      }
    }
  }
  // The caller: an inbound root leg that no link leads to came from outside.
  const correlate::Leg& root = c.legs[it.root];
  bool arrived = false;
  for (const auto& [k, row] : target_row)
    arrived = arrived || l.rows[row].leg == it.root;
  if (!root.ani.empty() && inbound(root.call_type.str()) && !arrived) {
    for (std::uint32_t row = 0; row < l.rows.size(); ++row) {
      if (l.rows[row].leg != it.root) continue;
      l.hops.push_back({nullptr, outside_sub(SubLane::Kind::Caller, root.ani.str()), at_row(row),
                        "ANI " + root.ani.str()});
      break;
    }
  }
  return l;
}

std::uint32_t column_of(const Ladder& l, std::uint32_t lane, std::uint32_t sub) {
  std::uint32_t column = 0;
  for (std::uint32_t i = 0; i < lane; ++i)
    column += static_cast<std::uint32_t>(l.lanes[i].subs.size());
  return column + sub;
}

std::pair<std::string, std::string> sub_lane_title(const correlate::Correlation& c,
                                                   const LadderLane& lane, const SubLane& sub) {
  const std::string site = lane.outside ? "outside" : c.sites[lane.site].name;
  switch (sub.kind) {
    case SubLane::Kind::Call:
      return {site, sub.sip ? "SIP" : "call"};
    case SubLane::Kind::Dn:
      return {site, "DN " + sub.name};
    case SubLane::Kind::SipPeer:
      return {"SIP " + sub.name, "SIP peer"};
    case SubLane::Kind::Remote:
      return {sub.name, "not in the logs"};
    case SubLane::Kind::Caller:
      return {"caller", sub.name};
  }
  return {site, sub.name};
}

}  // namespace calltrail::serve
