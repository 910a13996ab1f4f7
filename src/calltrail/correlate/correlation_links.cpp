// Links: IS-Links, transfers, SIP dialogs and ConnID hints (Builder,
// builder.hpp; docs/correlation.md).
#include <algorithm>
#include <cassert>
#include <map>
#include <vector>

#include "calltrail/base/release.hpp"
#include "calltrail/correlate/builder.hpp"
#include "calltrail/correlate/key_hash.hpp"

namespace calltrail::correlate::detail {

namespace {

// How far from a same-site ConnID reference (TransferConnID,
// PreviousConnID) the call it names may have been seen: its last events may
// be missing from the logs.
constexpr Micros kTransferSlack = Micros{300} * 1'000'000;

}  // namespace

void Builder::link_islinks() {
  const Grouped& by_id = by_islink_id_;
  assert(by_id.items.size() == islinks_.size());
  if (!options_.facts_only) c_.links.reserve(c_.links.size() + by_id.size());
  std::vector<const IsLinkObservation*> obs;
  auto earliest = [](const std::vector<const IsLinkObservation*>& v, IsLinkRole role) {
    const IsLinkObservation* b = nullptr;
    for (const auto* o : v) {
      if (o->role != role) continue;
      if (b == nullptr ||
          (o->event.has_utc() && (!b->event.has_utc() || o->event.utc < b->event.utc)))
        b = o;
    }
    return b;
  };
  for (std::size_t g = 0; g < by_id.size(); ++g) {
    obs.clear();
    for (std::uint32_t k = by_id.start[g]; k < by_id.start[g + 1]; ++k)
      obs.push_back(islinks_[by_id.items[k]].second);
    const std::string id = obs.front()->id.str();
    const IsLinkObservation* src = earliest(obs, IsLinkRole::Source);
    const IsLinkObservation* tgt = earliest(obs, IsLinkRole::Target);
    if (src == nullptr && tgt == nullptr) continue;  // no direction-role: nothing to say
    if (options_.facts_only) {
      if (src != nullptr && tgt != nullptr)
        add_clock_delta(src->leg, src->event, tgt->leg, tgt->event);
      continue;
    }
    Link l;
    l.kind = LinkKind::IsLink;
    l.id = id;
    l.via = "AttributeISLinkList";
    l.confidence = Confidence::Certain;
    if (src != nullptr) {
      l.from = src->leg;
      l.from_event = src->event;
      l.remote_site = src->location;
    }
    if (tgt != nullptr) {
      l.to = tgt->leg;
      l.to_event = tgt->event;
      if (src == nullptr) l.remote_site = tgt->location;
    }
    if (src != nullptr) add_evidence(l, src->event);
    if (tgt != nullptr) add_evidence(l, tgt->event);
    for (const auto* o : obs)
      add_evidence(l, o->event);
    if (!l.paired()) {
      l.reason = monitored(l.remote_site) ? LinkReason::PartnerMissing : LinkReason::Unmonitored;
    }
    c_.links.push_back(std::move(l));
  }
  // The links hold what the build reads of the observations from here on.
  base::release(islinks_);
  base::release(by_islink_id_);
  for (auto& p : partials_)
    base::release(p.islinks);
}

void Builder::link_transfers() {
  absl::flat_hash_map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> by_pair;
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> unpaired;
  for (const auto& t : transfers_) {
    const Leg& leg = c_.legs[t.leg];
    std::optional<std::uint32_t> partner;
    const bool by_uuid = t.via == TransferVia::RefCallUUID || t.via == TransferVia::OrigCallUUID ||
                         t.via == TransferVia::NewCallUUID;
    if (by_uuid) {
      partner = leg_by_uuid(leg.site, t.value);
    } else {
      std::optional<Micros> at;
      if (t.event.has_utc()) at = t.event.utc;
      // Only a call alive then: a ConnID the site used again later names
      // another call (docs/correlation.md, "Links").
      partner = leg_by_conn(leg.site, t.value, at, t.leg, kTransferSlack);
    }
    if (partner && *partner == t.leg) continue;
    const char* via = t.via == TransferVia::RefCallUUID      ? "AttributeRefCallUUID"
                      : t.via == TransferVia::OrigCallUUID   ? "AttributeOrigCallUUID"
                      : t.via == TransferVia::NewCallUUID    ? "AttributeNewCallUUID"
                      : t.via == TransferVia::TransferConnID ? "AttributeTransferConnID"
                                                             : "AttributePreviousConnID";
    if (!partner) {
      if (!by_uuid) {
        ++c_.unresolved_transfers;
        continue;
      }
      if (t.via == TransferVia::NewCallUUID) continue;
      auto [it, added] = unpaired.emplace(std::make_pair(t.leg, t.value),
                                          static_cast<std::uint32_t>(c_.links.size()));
      if (added) {
        Link l;
        l.kind = LinkKind::Transfer;
        l.id = t.value;
        l.via = via;
        if (t.via == TransferVia::OrigCallUUID) {
          l.to = t.leg;
          l.to_event = t.event;
        } else {
          l.from = t.leg;
          l.from_event = t.event;
        }
        l.reason = LinkReason::PartnerMissing;
        c_.links.push_back(std::move(l));
      }
      add_evidence(c_.links[it->second], t.event);
      continue;
    }
    // Main call first: the call named by OrigCallUUID, the surviving call of
    // a RefCallUUID merge, the call that released with TransferConnID.
    std::uint32_t from = t.leg;
    std::uint32_t to = *partner;
    if (t.via == TransferVia::OrigCallUUID || t.via == TransferVia::RefCallUUID ||
        t.via == TransferVia::PreviousConnID)
      std::swap(from, to);
    auto key = std::minmax(from, to);
    auto [it, added] = by_pair.emplace(key, static_cast<std::uint32_t>(c_.links.size()));
    if (added) {
      Link l;
      l.kind = LinkKind::Transfer;
      l.id = t.value;
      l.via = via;
      l.from = from;
      l.to = to;
      c_.links.push_back(std::move(l));
    } else if (t.via == TransferVia::OrigCallUUID) {
      Link& l = c_.links[it->second];
      if (l.from != from) std::swap(l.from_event, l.to_event);
      l.from = from;
      l.to = to;
      l.id = t.value;
      l.via = via;
    }
    // The first record on each leg that names the other anchors that end
    // (the timeline draws the hop there).
    Link& l = c_.links[it->second];
    if (t.leg == l.from && !l.from_event) l.from_event = t.event;
    if (t.leg == l.to && !l.to_event) l.to_event = t.event;
    add_evidence(l, t.event);
  }
  base::release(transfers_);
}

Builder::SipIndex Builder::index_sip() const {
  SipIndex x;
  // The dialogs a site sent, (leg, dialog), grouped by Call-ID.
  for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
    const Leg& l = c_.legs[i];
    for (std::uint32_t d = 0; d < l.sip_dialogs.size(); ++d) {
      const SipDialog& dialog = l.sip_dialogs[d];
      if (dialog.origin == SipDialog::Origin::Sent) x.sent.emplace_back(i, d);
      if (dialog.origin == SipDialog::Origin::Received) x.any_received = true;
    }
  }
  if (!x.any_received) return x;
  x.sent_by_call = group_into(x.sent_group, x.sent.size(), [&](std::size_t k) {
    return std::string_view(c_.legs[x.sent[k].first].sip_dialogs[x.sent[k].second].call_id);
  });
  // The legs of every site by CallUUID, in leg order.
  x.by_uuid = group_into(x.uuid_group, c_.legs.size(),
                         [&](std::size_t i) { return std::string_view(c_.legs[i].call_uuid); });
  return x;
}

void Builder::link_sip(const SipIndex& index) {
  if (!index.any_received) return;
  const auto& sent = index.sent;
  const auto& sent_group = index.sent_group;
  const Grouped& sent_by_call = index.sent_by_call;
  const auto& uuid_group = index.uuid_group;
  const Grouped& by_uuid = index.by_uuid;
  // Paired IS-Links by their legs, and IS-Links with one end by that end.
  using LegPair = std::pair<std::uint32_t, std::uint32_t>;
  absl::flat_hash_map<LegPair, std::uint32_t> paired;
  std::multimap<std::uint32_t, std::uint32_t> half_from, half_to;
  for (std::uint32_t k = 0; k < c_.links.size(); ++k) {
    const Link& l = c_.links[k];
    if (l.kind != LinkKind::IsLink) continue;
    if (l.paired()) {
      paired.emplace(std::make_pair(l.from, l.to), k);
    } else if (l.from != kNoLeg) {
      half_from.emplace(l.from, k);
    } else if (l.to != kNoLeg) {
      half_to.emplace(l.to, k);
    }
  }
  absl::flat_hash_map<LegPair, std::uint32_t> made;
  auto join = [&](std::uint32_t from, const EventRef& from_event, std::uint32_t to,
                  const EventRef& to_event, std::string_view call_id, const char* via) {
    const std::string& from_site = c_.sites[c_.legs[from].site].name;
    const std::string& to_site = c_.sites[c_.legs[to].site].name;
    std::optional<std::uint32_t> existing;
    if (auto p = paired.find({from, to}); p != paired.end()) existing = p->second;
    if (auto m = made.find({from, to}); !existing && m != made.end()) existing = m->second;
    // An IS-Link reported at one end toward the other end's site: the
    // dialog gives it the end it lacks.
    auto complete = [&](const std::multimap<std::uint32_t, std::uint32_t>& half,
                        std::uint32_t known, const std::string& toward, std::uint32_t Link::*end,
                        std::optional<EventRef> Link::*end_event, std::uint32_t leg,
                        const EventRef& event) {
      for (auto [h, last] = half.equal_range(known); h != last && !existing; ++h) {
        Link& l = c_.links[h->second];
        if (l.paired() || l.remote_site != toward) continue;
        l.*end = leg;
        l.*end_event = event;
        l.reason = LinkReason::None;
        existing = h->second;
        completed_by_sip_.insert(h->second);
      }
    };
    if (!existing) complete(half_from, from, to_site, &Link::to, &Link::to_event, to, to_event);
    if (!existing)
      complete(half_to, to, from_site, &Link::from, &Link::from_event, from, from_event);
    if (!existing) {
      Link l;
      l.kind = LinkKind::Sip;
      l.id = call_id;
      l.via = via;
      l.from = from;
      l.to = to;
      l.from_event = from_event;
      l.to_event = to_event;
      l.remote_site = to_site;
      existing = static_cast<std::uint32_t>(c_.links.size());
      c_.links.push_back(std::move(l));
    }
    made.emplace(std::make_pair(from, to), *existing);
    Link& l = c_.links[*existing];
    if (l.sip_call_id.empty()) l.sip_call_id = call_id;
    add_evidence(l, from_event);
    add_evidence(l, to_event);
  };
  for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
    for (const SipDialog& d : c_.legs[i].sip_dialogs) {
      if (d.origin != SipDialog::Origin::Received || !d.invite) continue;
      const Leg& to = c_.legs[i];
      const EventRef to_event = event_at(to, *d.invite);
      if (auto s = sent_group.find(d.call_id); s != sent_group.end()) {
        for (const std::uint32_t use : sent_by_call.group(s->second)) {
          const auto [from, k] = sent[use];
          const Leg& f = c_.legs[from];
          if (f.site == to.site) continue;
          join(from, event_at(f, *f.sip_dialogs[k].invite), i, to_event, d.call_id, "Call-ID");
        }
      }
      if (d.remote_uuid.empty()) continue;
      const auto u = uuid_group.find(d.remote_uuid);
      if (u == uuid_group.end()) continue;
      for (const std::uint32_t from : by_uuid.group(u->second)) {
        const Leg& f = c_.legs[from];
        if (f.site == to.site) continue;
        // The sender's own INVITE of this dialog when it logged one.
        EventRef from_event = f.events.empty() ? to_event : f.events.front();
        for (const auto& fd : f.sip_dialogs)
          if (fd.call_id == d.call_id && fd.invite) from_event = event_at(f, *fd.invite);
        join(from, from_event, i, to_event, d.call_id, "X-Genesys-CallUUID");
      }
    }
  }
}

void Builder::find_hints(Groups& groups) {
  // (ConnID, leg) for every ConnID and First/LastTransferConnID, sorted: the
  // legs sharing a ConnID become adjacent, in ConnID order then leg order.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> uses;
  for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
    const Leg& leg = c_.legs[i];
    for (const auto* v : {&leg.conn_ids, &leg.transfer_conn_ids.get()})
      for (const std::uint64_t c : *v)
        uses.emplace_back(c, i);
  }
  std::sort(uses.begin(), uses.end());
  uses.erase(std::unique(uses.begin(), uses.end()), uses.end());
  constexpr std::size_t kMaxHintGroup = 16;
  absl::flat_hash_set<std::pair<std::uint32_t, std::uint32_t>> seen;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merges;
  std::vector<std::uint32_t> legs;
  for (std::size_t u = 0; u < uses.size();) {
    std::size_t w = u;
    legs.clear();
    for (; w < uses.size() && uses[w].first == uses[u].first; ++w)
      legs.push_back(uses[w].second);
    const std::uint64_t number = uses[u].first;
    const std::string conn(ConnText(number).view());
    u = w;
    if (legs.size() < 2 || legs.size() > kMaxHintGroup) continue;
    for (std::size_t a = 0; a < legs.size(); ++a) {
      for (std::size_t b = a + 1; b < legs.size(); ++b) {
        std::uint32_t x = legs[a];
        std::uint32_t y = legs[b];
        const Leg& lx = c_.legs[x];
        const Leg& ly = c_.legs[y];
        if (lx.site == ly.site || groups.find(x) == groups.find(y)) continue;
        const Micros distance =
            lx.end < ly.start ? ly.start - lx.end : (ly.end < lx.start ? lx.start - ly.end : 0);
        if (distance > options_.hint_window) continue;
        if (ly.start < lx.start) std::swap(x, y);
        if (!seen.emplace(std::minmax(x, y)).second) continue;
        Link l;
        l.kind = LinkKind::Hint;
        l.id = conn;
        l.via = c_.legs[x].has_conn_id(number) && c_.legs[y].has_conn_id(number)
                    ? "AttributeConnID"
                    : "AttributeFirstTransferConnID";
        l.from = x;
        l.to = y;
        l.confidence = Confidence::Hint;
        if (!c_.legs[x].events.empty()) {
          l.from_event = c_.legs[x].events.front();
          add_evidence(l, *l.from_event);
        }
        if (!c_.legs[y].events.empty()) {
          l.to_event = c_.legs[y].events.front();
          add_evidence(l, *l.to_event);
        }
        c_.links.push_back(std::move(l));
        merges.emplace_back(x, y);
      }
    }
  }
  if (options_.merge_hints)
    for (auto [x, y] : merges)
      groups.unite(x, y);
}

}  // namespace calltrail::correlate::detail
