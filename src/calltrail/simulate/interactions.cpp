// One interaction: its plan (which scenario, which sites), its run
// through the call flows, and its line in truth.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "calltrail/simulate/simulator_state.hpp"

namespace calltrail::simulate::detail {

// ---------------------------------------------------------------- plans

Plan Simulator::choose_plan() {
  Plan p;
  const auto& sc = options_.scenarios;
  const bool multi_possible = monitored_.size() >= 2;
  const bool ms_modifier = sc.has(Scenario::PingPong) || sc.has(Scenario::ConnIdChange) ||
                           sc.has(Scenario::LateIsLink) || sc.has(Scenario::PostMortemIsLink) ||
                           sc.has(Scenario::Unmonitored) || sc.has(Scenario::FailedTransfer);
  if (options_.only) {
    switch (*options_.only) {
      case Scenario::Multisite:
        p.kind = Kind::Multisite;
        break;
      case Scenario::Consult:
        p.kind = Kind::Consult;
        break;
      case Scenario::Conference:
        p.kind = Kind::Conference;
        break;
      case Scenario::MultisiteConsult:
        p.kind = Kind::MultisiteConsult;
        break;
      case Scenario::PingPong:
        p.kind = Kind::Multisite, p.pingpong = true;
        break;
      case Scenario::ConnIdChange:
        p.kind = Kind::Multisite, p.connid_change = p.connid_change_forced = true;
        break;
      case Scenario::LateIsLink:
        p.kind = Kind::Multisite, p.report = Report::Late;
        break;
      case Scenario::PostMortemIsLink:
        p.kind = Kind::Multisite, p.report = Report::PostMortem;
        break;
      case Scenario::Unmonitored:
        p.kind = Kind::Multisite, p.ending = Ending::Unmonitored;
        break;
      case Scenario::FailedTransfer:
        p.kind = Kind::Multisite, p.ending = Ending::Failed;
        break;
      case Scenario::ConnIdReuse:
        p.reuse = true;
        break;
      default:
        break;  // single, and the site-wide scenarios over single calls
    }
    return p;
  }
  struct Weighted {
    Kind kind;
    bool enabled;
    int weight;
  };
  const Weighted bases[] = {
      {Kind::Single, sc.has(Scenario::Single) || sc.has(Scenario::ConnIdReuse), 70},
      {Kind::Multisite, multi_possible && (sc.has(Scenario::Multisite) || ms_modifier), 16},
      {Kind::Consult, sc.has(Scenario::Consult), 6},
      {Kind::Conference, sc.has(Scenario::Conference), 3},
      {Kind::MultisiteConsult, multi_possible && sc.has(Scenario::MultisiteConsult), 5},
  };
  int total = 0;
  for (const auto& b : bases)
    total += b.enabled ? b.weight : 0;
  if (total > 0) {
    auto r = static_cast<int>(rng_.below(static_cast<std::uint64_t>(total)));
    for (const auto& b : bases) {
      if (!b.enabled) continue;
      if (r < b.weight) {
        p.kind = b.kind;
        break;
      }
      r -= b.weight;
    }
  }
  if (p.kind == Kind::Single && sc.has(Scenario::ConnIdReuse)) {
    p.reuse = rng_.chance(sc.has(Scenario::Single) ? 0.04 : 1.0);
  }
  if (p.kind == Kind::Multisite || p.kind == Kind::MultisiteConsult) {
    p.connid_change = sc.has(Scenario::ConnIdChange);
  }
  if (p.kind == Kind::Multisite) {
    p.pingpong = sc.has(Scenario::PingPong) && rng_.chance(0.25);
    const double r = rng_.unit();
    if (sc.has(Scenario::Unmonitored) && !unmonitored_.empty() && r < 0.06) {
      p.ending = Ending::Unmonitored;
    } else if (sc.has(Scenario::FailedTransfer) && r >= 0.06 && r < 0.11) {
      p.ending = Ending::Failed;
    }
    if (p.ending == Ending::Normal) {
      const double q = rng_.unit();
      if (sc.has(Scenario::LateIsLink) && q < 0.15) {
        p.report = Report::Late;
      } else if (sc.has(Scenario::PostMortemIsLink) && q >= 0.15 && q < 0.21) {
        p.report = Report::PostMortem;
      }
    }
  }
  return p;
}

std::optional<std::uint32_t> Simulator::pick_site(std::uint32_t not_this,
                                                  const std::function<bool(std::uint32_t)>& ok) {
  std::vector<std::uint32_t> choices;
  for (auto i : monitored_)
    if (i != not_this && ok(i)) choices.push_back(i);
  if (choices.empty()) return std::nullopt;
  return choices[rng_.below(choices.size())];
}

std::vector<std::uint32_t> Simulator::plan_journey(std::size_t hops) {
  // Failed and unmonitored endings and late reports are seen in IS-Links
  // only: such journeys stay on sites that report them.
  const bool needs_tlib = plan_.ending != Ending::Normal || plan_.report != Report::Normal;
  const auto none = static_cast<std::uint32_t>(sites_.size());
  auto reachable = [&](std::uint32_t from, std::uint32_t to) {
    return to != from && (!needs_tlib || reports_islinks(to)) && hop_visible(from, to);
  };
  auto has_next = [&](std::uint32_t i) {
    if (plan_.ending == Ending::Unmonitored) return true;
    return std::any_of(monitored_.begin(), monitored_.end(),
                       [&](std::uint32_t j) { return reachable(i, j); });
  };
  const auto first = pick_site(
      none, [&](std::uint32_t i) { return (!needs_tlib || reports_islinks(i)) && has_next(i); });
  if (!first) return {};
  std::vector<std::uint32_t> path{*first};
  if (plan_.pingpong) {
    if (const auto back =
            pick_site(*first, [&](std::uint32_t j) { return reachable(*first, j); })) {
      hops = std::max<std::size_t>(hops, 2);
      path.push_back(*back);
      path.push_back(path[0]);  // back to the site it came from, as in the seed
    }
  }
  while (path.size() < hops + 1) {
    const auto from = path.back();
    const auto next = pick_site(from, [&](std::uint32_t j) {
      return reachable(from, j) &&
             (plan_.pingpong || std::find(path.begin(), path.end(), j) == path.end());
    });
    if (!next) break;
    path.push_back(*next);
  }
  if (plan_.ending == Ending::Unmonitored) {
    // The last hop goes to an unmonitored site instead; a journey of one
    // site (no other reports IS-Links) gets one more hop, to it.
    const std::uint32_t away = unmonitored_[rng_.below(unmonitored_.size())];
    if (path.size() < 2) {
      path.push_back(away);
    } else {
      path.back() = away;
    }
  }
  return path;
}

// ---------------------------------------------------------------- interactions

void Simulator::run_single(Micros t) {
  const auto none = static_cast<std::uint32_t>(sites_.size());
  // Transfers and ConnIDs are seen in T-Library messages: such calls are on
  // sites that print them.
  std::optional<std::uint32_t> chosen;
  switch (plan_.kind) {
    case Kind::Consult:
    case Kind::Conference:
      chosen = pick_site(none, [&](std::uint32_t i) { return tlib(i); });
      break;
    case Kind::MultisiteConsult:
      chosen = pick_site(none, [&](std::uint32_t i) {
        return tlib(i) && std::any_of(monitored_.begin(), monitored_.end(),
                                      [&](std::uint32_t j) { return j != i && hop_visible(i, j); });
      });
      break;
    default:
      break;
  }
  if (!chosen) plan_.kind = Kind::Single;
  std::uint32_t site = chosen ? *chosen : monitored_[rng_.below(monitored_.size())];
  std::string conn_id;
  if (plan_.reuse && !donors_.empty() && reuses_++ % 2 == 1) {
    // An unrelated call on the same site, long after the call that had the
    // ConnID was deleted (the server's counter started again).
    const auto old = std::find_if(donors_.begin(), donors_.end(), [&](const Donor& d) {
      return d.end > 0 && d.end + kReuseAfter <= t;
    });
    if (old != donors_.end()) {
      site = old->site;
      conn_id = old->conn_id;
      ia_.reused_conn_id_from = old->interaction;
      ia_.scenarios.push_back(Scenario::ConnIdReuse);
      donors_.erase(old);
    }
  }
  if (plan_.reuse && !donors_.empty() && conn_id.empty()) {
    // An unrelated call on another site that happens to have the same ConnID.
    const Donor donor = donors_.back();
    if (const auto other = pick_site(donor.site, [&](std::uint32_t i) { return tlib(i); })) {
      donors_.pop_back();
      site = *other;
      conn_id = donor.conn_id;
      ia_.reused_conn_id_from = donor.interaction;
      ia_.scenarios.push_back(Scenario::ConnIdReuse);
    }
  }
  const bool donor = conn_id.empty();
  if (donor) conn_id = next_conn_id(site);
  Call call = new_call(site, conn_id, "inbound");
  ia_.interaction_id = call.uuid;
  if (plan_.kind == Kind::Single) ia_.scenarios.push_back(Scenario::Single);
  const bool gives = donor && plan_.kind == Kind::Single && tlib(site);
  if (gives) {
    donors_.push_back({site, conn_id, call.uuid});
    if (donors_.size() > 64) donors_.erase(donors_.begin());
  }
  const Micros routed = arrive(call, t, true);
  const Micros established = route_to_agent(call, routed);
  const Micros talk = established + ms(15000, 200000);
  switch (plan_.kind) {
    case Kind::Consult:
      ia_.scenarios.push_back(Scenario::Consult);
      consult_same_site(call, talk, false);
      break;
    case Kind::Conference:
      ia_.scenarios.push_back(Scenario::Conference);
      consult_same_site(call, talk, true);
      break;
    case Kind::MultisiteConsult:
      ia_.scenarios.push_back(Scenario::MultisiteConsult);
      consult_multisite(call, talk,
                        *pick_site(site, [&](std::uint32_t j) { return hop_visible(site, j); }));
      break;
    default: {
      const Micros deleted = release(call, talk, call.agent);
      if (gives && !donors_.empty() && donors_.back().interaction == call.uuid)
        donors_.back().end = deleted;
      break;
    }
  }
}

void Simulator::run_multisite(Micros t) {
  static constexpr std::uint32_t kHopWeights[] = {50, 30, 15, 5};  // 1, 2, 3, 4 hops
  std::uint64_t r = rng_.below(100);
  std::size_t hops = 1;
  for (auto w : kHopWeights) {
    if (r < w) break;
    r -= w;
    ++hops;
  }
  auto path = plan_journey(hops);
  if (path.size() < 2 && (plan_.ending != Ending::Normal || plan_.report != Report::Normal)) {
    // Too few sites print IS-Links for this ending: an ordinary journey.
    plan_.ending = Ending::Normal;
    plan_.report = Report::Normal;
    path = plan_journey(hops);
  }
  if (path.size() < 2) {
    // No hop a tool could see: the call stays on one site.
    plan_.kind = Kind::Single;
    run_single(t);
    return;
  }
  ia_.scenarios.push_back(Scenario::Multisite);
  Call call = new_call(path[0], next_conn_id(path[0]), "inbound");
  CallOrigin first_origin;  // of the chain's first hop
  ia_.interaction_id = call.uuid;
  bool inbound = true;
  bool changed = false;
  bool revisit = false;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const auto target = path[i + 1];
    const bool target_monitored = sites_[target].spec.monitored;
    const bool last = i + 2 == path.size();
    const bool failed = last && plan_.ending == Ending::Failed;
    const std::string link_id = next_uuid(call.site);
    const std::string remote_point = external_point(target);
    const Micros routed = arrive(call, t, inbound);
    // Half of the hops are routed straight from the route point, half are
    // transferred by an agent after a conversation.
    const bool from_agent = rng_.chance(0.5);
    Micros hop_start = routed;
    if (from_agent) hop_start = route_to_agent(call, routed) + ms(10000, 120000);
    const Micros sent = hop_out(call, hop_start, target, link_id, from_agent, remote_point);
    TruthLink link;
    link.kind = LinkKind::IsLink;
    link.id = link_id;
    link.from = call.uuid;
    link.from_site = call.site;
    link.to_site = target;
    if (failed) {
      // The target never answers: the call stays where it was.
      link.reason = "partner-missing";
      ia_.links.push_back(link);
      ia_.scenarios.push_back(Scenario::FailedTransfer);
      Micros back = sent + ms(4000, 10000);
      if (sip_logged(call.site)) {
        // An INVITE nobody answers, cancelled when ISCC gives up.
        Dialog d;
        d.call_id = server_call_id(call.site);
        d.caller = server_end(call, customer_.ani);
        d.callee = gateway_end(call.site, remote_point);
        if (is_sip(target)) d.callee.host = sites_[target].ip + ":5060";
        const Txn invite = sip_request(sent + ms(2, 20), d, true, "INVITE", true);
        sip_request(back - ms(1, 3), d, true, "CANCEL", false, {}, &invite);
      }
      std::string& out = begin_plain(call.site, back);
      fmt::format_to(std::back_inserter(out),
                     " Std 04104 ISCC: transaction for ConnID {} to location {} timed out",
                     call.conn_id, sites_[target].spec.name());
      finish();
      if (!from_agent) back = route_to_agent(call, back + ms(100, 2000));
      release(call, back + ms(5000, 60000), call.agent);
      break;
    }
    const bool kept = !(plan_.connid_change &&
                        (rng_.chance(0.4) || (plan_.connid_change_forced && last && !changed)));
    changed |= !kept;
    link.conn_id_kept = kept;
    const Micros arrival = sent + ms(20, 400);
    const Micros leave = arrival + ms(100, 3000);
    std::optional<Call> next;
    if (target_monitored) {
      next = new_call(target, kept ? call.conn_id : next_conn_id(target), "islink-target");
      next->links.push_back({link_id, call.site, false});
      next->point = remote_point;
      next->last_origin = origin_of(call, from_agent ? call.agent : call.point);
      if (first_origin.empty()) first_origin = next->last_origin;
      next->first_origin = first_origin;
    }
    const bool between_servers = next && is_sip(call.site) && is_sip(target);
    if (sip_logged(call.site) || (between_servers && sip_logged(target))) {
      const std::string call_id =
          pass_call(call, next ? &*next : nullptr, target, arrival, remote_point);
      if (between_servers) link.sip_call_id = call_id;
    }
    if (target_monitored) hop_kind(link, call.site, target, call.conn_id);
    release(call, leave, from_agent ? std::string_view(call.agent) : std::string_view(call.point),
            true);
    if (!target_monitored) {
      link.reason = "unmonitored";
      ia_.links.push_back(link);
      ia_.scenarios.push_back(Scenario::Unmonitored);
      return;
    }
    if (std::any_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    [&](std::uint32_t s) { return s == target; }))
      revisit = true;
    link.to = next->uuid;
    ia_.links.push_back(link);
    call = std::move(*next);
    t = arrival;
    inbound = false;
  }
  if (changed) ia_.scenarios.push_back(Scenario::ConnIdChange);
  if (revisit) ia_.scenarios.push_back(Scenario::PingPong);
  if (plan_.ending == Ending::Failed) return;
  // The last leg: talk to an agent, hang up.
  const Micros routed = arrive(call, t, inbound);
  const Micros established = route_to_agent(call, routed);
  const Micros deleted = release(call, established + ms(15000, 200000), call.agent);
  if (plan_.report == Report::Late) {
    ia_.scenarios.push_back(Scenario::LateIsLink);
    report_incoming(call, std::min(t + ms(20000, 90000), deleted - ms(1, 3)));
  } else if (plan_.report == Report::PostMortem) {
    ia_.scenarios.push_back(Scenario::PostMortemIsLink);
    report_incoming(call, deleted + ms(500, 30000));
  }
}

void Simulator::generate_interaction(Micros t) {
  ia_ = TruthInteraction{};
  plan_ = choose_plan();
  customer_.ani = fmt::format("+1555{:07}", rng_.below(10000000));
  customer_.dnis = fmt::format("800555{:04}", rng_.below(10000));
  customer_.customer_id = fmt::format("C-{:06}", rng_.below(1000000));
  static constexpr std::string_view kSegments[] = {"gold", "silver", "bronze"};
  static constexpr std::string_view kLanguages[] = {"en", "fr", "es", "de"};
  customer_.segment = std::string(kSegments[rng_.below(3)]);
  customer_.language = std::string(kLanguages[rng_.below(4)]);
  customer_.case_id = fmt::format("CASE-{:08}", rng_.below(100000000));
  customer_.priority = static_cast<std::int64_t>(rng_.below(10));
  ia_.ani = customer_.ani;
  ia_.dnis = customer_.dnis;
  ia_.customer_id = customer_.customer_id;
  if (plan_.kind == Kind::Multisite) {
    run_multisite(t);
  } else {
    run_single(t);
  }
  std::sort(ia_.scenarios.begin(), ia_.scenarios.end());
  ia_.scenarios.erase(std::unique(ia_.scenarios.begin(), ia_.scenarios.end()), ia_.scenarios.end());
  const std::string line = interaction_json(ia_, site_names_);
  std::fputs(interactions_ == 0 ? "\n" : ",\n", truth_body_);
  std::fputs(line.c_str(), truth_body_);
  ++interactions_;
}

}  // namespace calltrail::simulate::detail
