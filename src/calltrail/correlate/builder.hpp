// The builder of a Correlation from the files' partials (see
// docs/correlation.md): sites named, legs merged, times resolved, links of
// every kind found, clocks estimated and interactions formed. Its steps are
// defined in correlation.cpp (sites, legs), correlation_time.cpp (times, gaps,
// clocks), correlation_links.cpp (IS-Links, transfers, SIP, hints) and
// correlation_interactions.cpp.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/grouped.hpp"
#include "calltrail/correlate/key_hash.hpp"

namespace calltrail::correlate::detail {

// When a gap ends: the time of the event after it (the end of time when unknown).
inline Micros gap_end(const Gap& g) {
  return g.before_utc.value_or(std::numeric_limits<Micros>::max());
}

// Union-find over legs.
class Groups {
 public:
  explicit Groups(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<std::uint32_t> parent_;
};

class Builder {
 public:
  Builder(std::vector<FilePartial>& partials, std::vector<parse::FileInfo>& files,
          const BuildOptions& options)
      : partials_(partials), options_(options) {
    const std::size_t n = std::max(partials.size(), files.size());
    files.resize(n);
    std::vector<FilePartial> by_file(n);
    for (std::uint32_t i = 0; i < n; ++i)
      by_file[i].file = i;
    for (auto& p : partials)
      if (p.file < n) by_file[p.file] = std::move(p);
    partials_ = std::move(by_file);
    c_.files.resize(n);
    for (std::uint32_t i = 0; i < n; ++i)
      c_.files[i].info = std::move(files[i]);
  }

  Correlation run();

 private:
  // --- sites -------------------------------------------------------------
  void name_sites();

  // --- legs --------------------------------------------------------------
  void remap(EventRef& e, const std::vector<std::uint32_t>& m) {
    e.name = m[e.name];
    e.this_dn = m[e.this_dn];
    e.other_dn = m[e.other_dn];
    e.note = m[e.note];
  }

  void merge_legs();

  std::optional<std::uint32_t> leg_by_uuid(std::uint32_t site, std::string_view uuid) const {
    auto it = by_key_.find(LegKey{site, uuid});
    if (it == by_key_.end()) return std::nullopt;
    return *it;
  }

  // BuildOptions::summary.
  void keep_summary_events();
  // Legs [begin, end) of the block that starts at leg `block`: the events
  // keep_summary_events() keeps copied into kept[k - block], then swapped in.
  void thin_summary_events(std::size_t begin, std::size_t end, std::size_t block,
                           const absl::flat_hash_set<std::uint64_t>& named,
                           std::vector<EventList>& kept);
  // A leg's events in file and line order, the times they lack filled in
  // from the site's offset and their neighbours, and its life.
  void resolve_leg_times(Leg& l) const;

  static void life(Leg& l) {
    bool any = false;
    for (const auto& e : l.events) {
      if (!e.has_utc()) continue;
      if (!any || e.utc < l.start) l.start = e.utc;
      if (!any || e.utc > l.end) l.end = e.utc;
      any = true;
    }
    l.timed = any;
  }

  // The leg of `site` with ConnID `conn` alive at `t` (or closest to it).
  // With `within`: only a leg alive at `t` give or take that much, and when
  // `t` is unknown only the one leg with that ConnID.
  std::optional<std::uint32_t> leg_by_conn(std::uint32_t site, std::string_view conn,
                                           std::optional<Micros> t, std::uint32_t exclude = kNoLeg,
                                           std::optional<Micros> within = std::nullopt) const {
    auto n = conn_number(conn);
    if (!n) return std::nullopt;
    auto it = conn_group_.find(ConnKey{site, *n});
    if (it == conn_group_.end()) return std::nullopt;
    std::optional<std::uint32_t> best;
    Micros best_distance = 0;
    std::size_t candidates = 0;
    for (std::uint32_t leg : conn_legs_.group(it->second)) {
      if (leg == exclude) continue;
      const Leg& l = c_.legs[leg];
      Micros d = 0;
      if (t) d = *t < l.start ? l.start - *t : (*t > l.end ? *t - l.end : 0);
      if (within && !l.timed) d = 0;  // a leg without times cannot be told apart
      if (within && d > *within) continue;
      ++candidates;
      if (!best || d < best_distance) {
        best = leg;
        best_distance = d;
      }
    }
    if (within && !t && candidates > 1) return std::nullopt;
    return best;
  }

  void place_orphans();

  // --- time --------------------------------------------------------------
  void resolve_times();

  // Finds the sequence gaps of each site, then indexes them by their end
  // (index_gaps: Correlation::site_gaps_by_end).
  void find_gaps();
  void index_gaps();

  void add_gap(std::uint32_t site, const SequenceGap& g) {
    c_.sites[site].gaps.push_back(static_cast<std::uint32_t>(c_.gaps.size()));
    c_.gaps.push_back(
        Gap{site, g.first_missing, g.last_missing, g.after_utc, g.before_utc, g.file, g.line});
  }

  // --- links -------------------------------------------------------------
  static Evidence evidence_of(const EventRef& e) { return Evidence{e.file, e.line, e.offset}; }

  static void add_evidence(Link& l, const EventRef& e) {
    Evidence ev = evidence_of(e);
    if (std::find(l.evidence.begin(), l.evidence.end(), ev) == l.evidence.end())
      l.evidence.push_back(ev);
  }

  bool monitored(const std::string& site_name) const {
    for (const auto& s : c_.sites)
      if (s.name == site_name) return true;
    return false;
  }

  // Builds a Link per IS-Link id (see docs/correlation.md); with
  // BuildOptions::facts_only, no links: only what estimate_clocks() reads of
  // the paired ones (clock_deltas_).
  void link_islinks();

  void link_transfers();

  // The leg's event at the place `e` names (a dialog keeps only where and
  // when its INVITE was), or `e` itself.
  static EventRef event_at(const Leg& leg, const EventRef& e) {
    for (const auto& x : leg.events)
      if (x.file == e.file && x.offset == e.offset) return x;
    return e;
  }

  // What link_sip() looks dialogs up in: the dialogs each site sent,
  // (leg, dialog) grouped by Call-ID, and every leg grouped by CallUUID.
  // Reads the legs alone, so it is built while link_transfers() runs.
  struct SipIndex {
    bool any_received = false;  // nothing to link without
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sent;
    absl::flat_hash_map<std::string_view, std::uint32_t, ViewHash> sent_group;
    Grouped sent_by_call;
    absl::flat_hash_map<std::string_view, std::uint32_t, ViewHash> uuid_group;
    Grouped by_uuid;
  };
  SipIndex index_sip() const;

  // Links of kind sip (see docs/correlation.md, "SIP"): a dialog a site
  // received joins the leg of another site that sent the same Call-ID, and
  // the leg its X-Genesys-CallUUID names. Where an IS-Link already joins the
  // two legs, or is reported by one of them only toward the other's site,
  // the dialog confirms or completes it instead of making a second hop.
  void link_sip(const SipIndex& index);

  void find_hints(Groups& groups);

  // --- clocks ------------------------------------------------------------
  void fixed_clocks(const SiteFacts& facts);

  // d = target's stamp - source's stamp of a paired IS-Link, per ordered
  // site pair.
  void add_clock_delta(std::uint32_t from, const EventRef& from_event, std::uint32_t to,
                       const EventRef& to_event) {
    if (!from_event.has_utc() || !to_event.has_utc()) return;
    const std::uint32_t a = c_.legs[from].site;
    const std::uint32_t b = c_.legs[to].site;
    if (a == b) return;
    clock_deltas_[{a, b}].push_back(to_event.utc - from_event.utc);
  }

  void estimate_clocks();

  // --- interactions ------------------------------------------------------
  void form_interactions(Groups& groups, const std::vector<std::uint32_t>& unpaired_arrivals);

  Micros link_time(std::uint32_t li) const {
    const Link& l = c_.links[li];
    if (l.from_event && l.from != kNoLeg)
      return c_.corrected(c_.legs[l.from].site, l.from_event->utc);
    if (l.to_event && l.to != kNoLeg) return c_.corrected(c_.legs[l.to].site, l.to_event->utc);
    return 0;
  }

  struct Orphans {
    std::uint32_t site;
    std::string conn;
    OrphanEvents events;
  };

  std::vector<FilePartial>& partials_;
  const BuildOptions& options_;
  Correlation c_;
  std::vector<std::uint32_t> file_rank_;
  // (site, CallUUID) -> leg: the legs' indexes, hashed and compared by
  // their legs' site and CallUUID (4 bytes a slot, where a map from views
  // took 32).
  using LegKey = std::pair<std::uint32_t, std::string_view>;
  struct LegKeyOf {
    const std::vector<Leg>* legs = nullptr;
    LegKey operator()(const LegKey& k) const { return k; }
    LegKey operator()(std::uint32_t leg) const {
      const Leg& l = (*legs)[leg];
      return {l.site, l.call_uuid};
    }
  };
  struct LegHash {
    using is_transparent = void;
    LegKeyOf key;
    template <typename K>
    std::size_t operator()(const K& k) const {
      return NumberViewHash{}(key(k));
    }
  };
  struct LegEq {
    using is_transparent = void;
    LegKeyOf key;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return key(a) == key(b);
    }
  };
  absl::flat_hash_set<std::uint32_t, LegHash, LegEq> by_key_{0, LegHash{{&c_.legs}},
                                                             LegEq{{&c_.legs}}};
  std::vector<std::uint32_t> site_legs_;  // facts_only: the one leg of each site
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<Micros>> clock_deltas_;
  // (site, ConnID) -> the group of the legs that carried it, in leg order
  // (one array for all: most ConnIDs have one leg, and a vector each would
  // be a heap block each).
  using ConnKey = std::pair<std::uint32_t, std::uint64_t>;
  absl::flat_hash_map<ConnKey, std::uint32_t> conn_group_;
  Grouped conn_legs_;
  // Every IS-Link observation (file, observation in partials_), and by id.
  std::vector<std::pair<std::uint32_t, IsLinkObservation*>> islinks_;
  Grouped by_islink_id_;
  std::vector<TransferObservation> transfers_;
  std::vector<Orphans> orphans_;
  // IS-Links reported by one side that a SIP dialog completed (link indices).
  absl::flat_hash_set<std::uint32_t> completed_by_sip_;
};

}  // namespace calltrail::correlate::detail
