#include "calltrail/correlate/iscc.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "calltrail/base/parallel.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/grouped.hpp"
#include "calltrail/correlate/text.hpp"

namespace calltrail::correlate {

namespace {

class IsccLinker {
 public:
  IsccLinker(Correlation& c, const std::vector<bool>& reports_islink)
      : c_(c), reports_(reports_islink) {
    for (const auto& s : c_.sites)
      switches_.push_back(fold_name(s.switch_name));
    by_conn_ = group_legs_by_conn(c_.legs, conn_group_,
                                  [](std::uint32_t, std::uint64_t conn) { return conn; });
    for (std::uint32_t k = 0; k < c_.links.size(); ++k) {
      const Link& l = c_.links[k];
      if (l.kind != LinkKind::IsLink && l.kind != LinkKind::Sip) continue;
      if (l.paired()) {
        paired_.emplace(std::make_pair(l.from, l.to), k);
        arrived_.emplace(l.to);
      } else if (l.kind == LinkKind::IsLink && l.from != kNoLeg) {
        half_from_.emplace(l.from, k);
      } else if (l.kind == LinkKind::IsLink && l.to != kNoLeg) {
        half_to_.emplace(l.to, k);
      }
    }
  }

  std::vector<std::uint32_t> run(unsigned threads, std::size_t per_thread) {
    // The origins of every arrival are looked for first, split over the
    // threads (the legs are only read), then joined in leg order.
    std::vector<std::uint32_t> arrivals;
    for (std::uint32_t a = 0; a < c_.legs.size(); ++a) {
      const CallHistory& h = c_.legs[a].history.get();
      if (!h.empty() && h.event) arrivals.push_back(a);
    }
    std::vector<Found> found(arrivals.size());
    base::for_parts(arrivals.size(), threads, per_thread, [&](std::size_t begin, std::size_t end) {
      for (std::size_t k = begin; k < end; ++k)
        found[k] = look(arrivals[k]);
    });
    std::vector<std::uint32_t> unpaired;
    for (std::size_t k = 0; k < arrivals.size(); ++k) {
      const std::uint32_t a = arrivals[k];
      const Found& f = found[k];
      const CallHistory& h = c_.legs[a].history.get();
      bool joined = arrived_.contains(a);
      if (f.last) {
        join(*f.last, a, f.arrival, h.last, "AttributeLastTransferConnID", {});
        joined = true;
      } else if (f.first) {
        join(*f.first, a, f.arrival, h.first, "AttributeFirstTransferConnID",
             f.b_given ? std::string() : h.last.location);
        joined = joined || !f.b_given;
      }
      const bool from_given_site =
          names_site(h.last.location) && !names_site(h.last.location, c_.legs[a].site);
      if (!joined && from_given_site) unpaired.push_back(a);
    }
    return unpaired;
  }

 private:
  struct Match {
    std::uint32_t leg;
    Confidence level;
    EventRef from_event = {};  // the origin's event the link starts at
  };

  // What arriving leg `a`'s call history leads to, before any join.
  struct Found {
    EventRef arrival;
    std::optional<Match> last;   // the origin its last transfer names
    std::optional<Match> first;  // else, across a site, the first transfer's
    bool b_given = false;        // the site in between is one of the input
  };
  Found look(std::uint32_t a) const {
    const CallHistory& h = c_.legs[a].history.get();
    Found f;
    f.arrival = event_at(c_.legs[a], *h.event);
    // The sites' own clocks: the offsets estimated from IS-Links depend on
    // which legs a build has (serve builds a component at a time), and a
    // link must not (kIsccSlack allows for clocks that differ).
    std::optional<Micros> t;
    if (f.arrival.has_utc()) t = f.arrival.utc;
    f.last = find_origin(a, h.last, t, kIsccSlack);
    if (f.last) f.last->from_event = origin_event(f.last->leg, h.last.orig_dn, t);
    if (!f.last && !h.last.location.empty() && !h.first.empty() &&
        fold_name(h.first.location) != fold_name(h.last.location)) {
      // A → [B not given] → here: the first site of the chain names the
      // origin across the site in between. When B is given but its leg was
      // not found, the first transfer still joins the chain; the hop from
      // B stays missing.
      f.b_given = names_site(h.last.location);
      f.first = find_origin(a, h.first, t, kFirstTransferReach);
      if (f.first) f.first->from_event = origin_event(f.first->leg, h.first.orig_dn, t);
    }
    return f;
  }

  // The leg's event at the place `e` names, or `e` itself.
  static EventRef event_at(const Leg& leg, const EventRef& e) {
    for (const auto& x : leg.events)
      if (x.file == e.file && x.offset == e.offset) return x;
    return e;
  }

  bool location_is(std::uint32_t site, const std::string& location) const {
    return !location.empty() && !switches_[site].empty() && switches_[site] == fold_name(location);
  }

  // Whether some site of the input (or site `only`) is at `location`.
  bool names_site(const std::string& location, std::uint32_t only = kNoLeg) const {
    for (std::uint32_t s = 0; s < switches_.size(); ++s)
      if ((only == kNoLeg || s == only) && location_is(s, location)) return true;
    return false;
  }

  // The leg had `dn` as ThisDN: the DN that sent the call away is the
  // origin's own party (the DN it was sent to is the previous site's OtherDN).
  bool has_dn(const Leg& l, const std::string& dn) const {
    if (dn.empty() || std::find(l.dns.begin(), l.dns.end(), dn) == l.dns.end()) return false;
    return std::any_of(l.events.begin(), l.events.end(),
                       [&](const EventRef& e) { return !e.is_sip() && c_.str(e.this_dn) == dn; });
  }

  // Leg `o` was alive at `t`: it began before and had not ended more than
  // `reach` before.
  bool alive(std::uint32_t o, std::optional<Micros> t, Micros reach) const {
    const Leg& l = c_.legs[o];
    if (!t || !l.timed) return true;
    return l.start - kIsccSlack <= *t && *t <= l.end + reach;
  }

  // Leg `o`'s own history names leg `a` as its origin: `o` came after `a`
  // (a call that went back to a site it visited, with the same ConnID).
  bool follows(std::uint32_t o, std::uint32_t a) const {
    const CallHistory::Origin& last = c_.legs[o].history->last;
    const Leg& l = c_.legs[a];
    return last.conn && l.has_conn_id(*last.conn) && location_is(l.site, last.location) &&
           has_dn(l, last.orig_dn);
  }

  // The origin leg `o` names for arriving leg `a` (docs/correlation.md):
  // certain when exactly one leg alive at `t` on the named site had its
  // ConnID and DN; probable when none did and exactly one had the ConnID and
  // either the site or the DN. The ConnID is always one of the two: legs are
  // found by their link keys (link_keys.hpp), and a DN is not one. Where two
  // legs would do, one whose own history names `a` as its origin came after
  // `a` and is left out. `reach`: how long after the origin's end the
  // arrival may be (the chain's first leg has usually ended long before).
  std::optional<Match> find_origin(std::uint32_t a, const CallHistory::Origin& o,
                                   std::optional<Micros> t, Micros reach) const {
    if (!o.conn || o.empty()) return std::nullopt;
    auto it = conn_group_.find(*o.conn);
    if (it == conn_group_.end()) return std::nullopt;
    std::vector<std::uint32_t> three, two;
    for (const std::uint32_t leg : by_conn_.group(it->second)) {
      const Leg& l = c_.legs[leg];
      if (leg == a || l.site == c_.legs[a].site || !alive(leg, t, reach)) continue;
      const bool site = location_is(l.site, o.location);
      const bool dn = has_dn(l, o.orig_dn);
      if (site && dn) three.push_back(leg);
      if (site || dn) two.push_back(leg);
    }
    for (auto* v : {&three, &two})
      if (v->size() > 1)
        v->erase(
            std::remove_if(v->begin(), v->end(), [&](std::uint32_t l) { return follows(l, a); }),
            v->end());
    if (three.size() == 1) return Match{three.front(), Confidence::Certain};
    if (three.empty() && two.size() == 1) return Match{two.front(), Confidence::Probable};
    return std::nullopt;
  }

  // The origin's event that carried the DN (the latest by the arrival), else
  // its latest event by the arrival, else its first.
  EventRef origin_event(std::uint32_t o, const std::string& dn, std::optional<Micros> t) const {
    const Leg& l = c_.legs[o];
    const EventRef* with_dn = nullptr;
    const EventRef* any = nullptr;
    for (const EventRef& e : l.events) {
      if (e.is_sip()) continue;
      const bool in_time = !t || !e.has_utc() || e.utc <= *t;
      const bool dn_here = !dn.empty() && c_.str(e.this_dn) == dn;
      if (dn_here && (with_dn == nullptr || in_time)) with_dn = &e;
      if (in_time || any == nullptr) any = &e;
    }
    if (with_dn != nullptr) return *with_dn;
    if (any != nullptr) return *any;
    return l.events.empty() ? EventRef{} : l.events.front();
  }

  void join(const Match& m, std::uint32_t a, const EventRef& arrival, const CallHistory::Origin& o,
            const char* via, const std::string& skipped) {
    const EventRef& from_event = m.from_event;
    auto evidence = [&](Link& l) {
      for (const EventRef* e : {&from_event, &arrival}) {
        const Evidence ev{e->file, e->line, e->offset};
        if (std::find(l.evidence.begin(), l.evidence.end(), ev) == l.evidence.end())
          l.evidence.push_back(ev);
      }
    };
    // One hop, all its evidence: a link that joins the two already gains it.
    if (auto p = paired_.find({m.leg, a}); p != paired_.end()) {
      evidence(c_.links[p->second]);
      return;
    }
    // Another leg's paired IS-Link or dialog says where the call came from.
    if (arrived_.contains(a)) return;
    // An IS-Link reported by one side only, toward a leg that reports none.
    auto complete = [&](const std::multimap<std::uint32_t, std::uint32_t>& half,
                        std::uint32_t known, std::uint32_t other, std::uint32_t Link::*end,
                        std::optional<EventRef> Link::*end_event, const EventRef& event) {
      if (reports_[other]) return false;
      const std::string& toward = c_.sites[c_.legs[other].site].name;
      for (auto [h, last] = half.equal_range(known); h != last; ++h) {
        Link& l = c_.links[h->second];
        if (l.paired() || l.remote_site != toward) continue;
        l.*end = other;
        l.*end_event = event;
        l.reason = LinkReason::None;
        if (m.level == Confidence::Probable) l.confidence = m.level;
        evidence(l);
        return true;
      }
      return false;
    };
    if (complete(half_from_, m.leg, a, &Link::to, &Link::to_event, arrival) ||
        complete(half_to_, a, m.leg, &Link::from, &Link::from_event, from_event)) {
      arrived_.insert(a);
      return;
    }
    Link l;
    l.kind = LinkKind::Iscc;
    l.id = std::string(ConnText(*o.conn).view());
    l.via = via;
    l.from = m.leg;
    l.to = a;
    l.from_event = from_event;
    l.to_event = arrival;
    l.remote_site = o.location;
    l.skipped_location = skipped;
    l.confidence = m.level;
    evidence(l);
    c_.links.push_back(std::move(l));
    arrived_.insert(a);
  }

  Correlation& c_;
  const std::vector<bool>& reports_;
  std::vector<std::string> switches_;  // folded switch name of each site
  absl::flat_hash_map<std::uint64_t, std::uint32_t> conn_group_;
  Grouped by_conn_;  // the legs of each ConnID (its group in conn_group_)
  absl::flat_hash_map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> paired_;
  std::multimap<std::uint32_t, std::uint32_t> half_from_, half_to_;
  absl::flat_hash_set<std::uint32_t> arrived_;  // legs a paired link arrives at
};

}  // namespace

std::vector<std::uint32_t> link_iscc(Correlation& c, const std::vector<bool>& reports_islink,
                                     unsigned threads, std::size_t per_thread) {
  // Most logs carry no call history: no index of every ConnID for nothing.
  if (std::none_of(c.legs.begin(), c.legs.end(),
                   [](const Leg& l) { return l.history && l.history->event; }))
    return {};
  return IsccLinker(c, reports_islink).run(threads, per_thread);
}

}  // namespace calltrail::correlate
