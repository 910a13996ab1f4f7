#include <algorithm>
#include <limits>
#include <set>

#include "calltrail/base/release.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/serve/live_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

namespace {

constexpr std::size_t kMaxSearchNodes = 10'000;  // per DN, ANI, DNIS or user-data value

}  // namespace

using detail::prefixed;

std::uint32_t LiveCorrelation::node(correlate::LinkKey key) {
  auto [it, added] = nodes_.try_emplace(key, static_cast<std::uint32_t>(parent_.size()));
  if (added) {
    node_keys_.push_back(key);
    parent_.push_back(it->second);
    members_.push_back({it->second});
  }
  return it->second;
}

std::uint32_t LiveCorrelation::find(std::uint32_t n) {
  while (parent_[n] != n) {
    parent_[n] = parent_[parent_[n]];
    n = parent_[n];
  }
  return n;
}

void LiveCorrelation::unite(std::uint32_t a, std::uint32_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return;
  if (members_[a].size() < members_[b].size()) std::swap(a, b);
  parent_[b] = a;
  members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
  base::release(members_[b]);
  if (auto it = component_ids_.find(b); it != component_ids_.end()) {
    auto& ids = component_ids_[a];
    ids.insert(ids.end(), it->second.begin(), it->second.end());
    component_ids_.erase(b);
  }
  if (auto it = dirty_.find(b); it != dirty_.end()) {
    const SteadyTime t = it->second;
    dirty_.erase(it);
    auto [d, added] = dirty_.try_emplace(a, t);
    if (!added && t < d->second) d->second = t;
  }
}

void LiveCorrelation::mark_dirty(std::uint32_t n) {
  dirty_.try_emplace(find(n), std::chrono::steady_clock::now());
}

void LiveCorrelation::append_part(Source& s, const correlate::FilePartial& part) {
  std::vector<std::string> conns;
  for (const auto& [conn, o] : part.orphans)
    conns.push_back(conn);
  const std::size_t islinks_from = s.partial.islinks.size();
  const std::size_t transfers_from = s.partial.transfers.size();
  std::vector<std::uint32_t> legs = correlate::append_partial(s.partial, part, s.leg_by_uuid);
  std::sort(legs.begin(), legs.end());
  legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
  // Marked again here: events collected in an earlier batch may only now
  // join the partial a rebuild reads.
  index_part(s, legs, islinks_from, transfers_from, conns);
}

// What legs `legs` of s.partial (and its observations from the given
// positions on, and the orphan events of `conns`) link by joins their nodes
// (correlate/link_keys.hpp, as trace and the store key them); what users
// search them by besides goes to the search index.
void LiveCorrelation::index_part(Source& s, std::span<const std::uint32_t> legs,
                                 std::size_t islinks_from, std::size_t transfers_from,
                                 std::span<const std::string> conns) {
  using correlate::LinkKey;
  const correlate::FilePartial& p = s.partial;
  auto leg_node = [&](std::uint32_t li) { return node(correlate::text_key(p.legs[li].call_uuid)); };
  for (const std::uint32_t li : legs) {
    const correlate::Leg& leg = p.legs[li];
    const std::uint32_t first = leg_node(li);
    correlate::for_each_leg_key(leg, [&](LinkKey k) { unite(first, node(k)); });
    mark_dirty(first);
    std::vector<std::string> search;
    for (const auto& dn : leg.dns)
      search.push_back(prefixed('d', dn));
    if (!leg.ani.empty()) search.push_back(prefixed('a', leg.ani));
    if (!leg.dnis.empty()) search.push_back(prefixed('n', leg.dnis));
    for (const auto& [key, value] : leg.user_data)
      search.push_back(prefixed('k', std::string(key) + "=" + std::string(value)));
    for (const auto& key : search) {
      auto& v = search_index_[key];
      if (v.size() >= kMaxSearchNodes) continue;
      if (!v.empty() && find(v.back()) == find(first)) continue;
      v.push_back(first);
    }
    for (const auto& e : leg.events)
      if (e.has_utc() && (!s.last_event_utc || e.utc > *s.last_event_utc)) s.last_event_utc = e.utc;
  }
  for (std::size_t k = islinks_from; k < p.islinks.size(); ++k) {
    const auto& o = p.islinks[k];
    if (o.leg < p.legs.size() && !o.id.empty())
      unite(leg_node(o.leg), node(correlate::text_key(o.id)));
  }
  for (std::size_t k = transfers_from; k < p.transfers.size(); ++k) {
    const auto& t = p.transfers[k];
    if (t.leg < p.legs.size() && !t.value.empty())
      unite(leg_node(t.leg), node(correlate::transfer_key(t.via, t.value)));
  }
  for (const auto& conn : conns) {
    auto it = p.orphans.find(conn);
    const auto number = correlate::conn_number(conn);
    if (it == p.orphans.end() || !number) continue;
    const std::uint32_t n = node(correlate::conn_key(*number));
    correlate::for_each_orphan_key(*number, it->second, [&](LinkKey k) { unite(n, node(k)); });
    mark_dirty(n);
    OrphanNode& o = orphans_of_node_[n];
    o.conn = conn;
    if (std::find(o.files.begin(), o.files.end(), s.file) == o.files.end())
      o.files.push_back(s.file);
  }
}

void LiveCorrelation::index_new_legs(Source& s) {
  const correlate::FilePartial& p = s.partial;
  for (; s.legs_seen < p.legs.size(); ++s.legs_seen) {
    const std::uint32_t n = node(correlate::text_key(p.legs[s.legs_seen].call_uuid));
    legs_of_node_[n].emplace_back(s.file, static_cast<std::uint32_t>(s.legs_seen));
  }
  auto& by_leg = s.observations;
  by_leg.islinks.resize(p.legs.size());
  by_leg.transfers.resize(p.legs.size());
  for (; s.islinks_seen < p.islinks.size(); ++s.islinks_seen)
    by_leg.islinks[p.islinks[s.islinks_seen].leg].push_back(
        static_cast<std::uint32_t>(s.islinks_seen));
  for (; s.transfers_seen < p.transfers.size(); ++s.transfers_seen)
    by_leg.transfers[p.transfers[s.transfers_seen].leg].push_back(
        static_cast<std::uint32_t>(s.transfers_seen));
}

Built LiveCorrelation::build_roots(const std::vector<std::uint32_t>& roots) {
  const std::size_t n = sources_.size();
  std::vector<correlate::FilePartial> parts(n);
  std::vector<parse::FileInfo> infos(n);
  std::vector<std::vector<std::uint32_t>> chosen(n);      // legs per file
  std::vector<std::vector<std::string>> orphan_conns(n);  // orphan ConnIDs per file
  for (std::uint32_t root : roots) {
    for (std::uint32_t m : members_[root]) {
      if (auto it = legs_of_node_.find(m); it != legs_of_node_.end())
        for (auto [file, leg] : it->second)
          chosen[file].push_back(leg);
      if (auto it = orphans_of_node_.find(m); it != orphans_of_node_.end())
        for (std::uint32_t file : it->second.files)
          orphan_conns[file].push_back(it->second.conn);
    }
  }
  Built out;
  for (std::uint32_t f = 0; f < n; ++f) {
    const Source& s = *sources_[f];
    out.file_sources.push_back(s.name);
    infos[f] = s.info;
    auto& legs = chosen[f];
    std::sort(legs.begin(), legs.end());
    legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
    parts[f] = correlate::select_legs(s.partial, legs, orphan_conns[f], &s.observations);
    parts[f].file = f;
  }
  correlate::BuildOptions build = site_options();
  if (facts_) build.facts = &*facts_;
  out.correlation = correlate::build_correlation(std::move(parts), std::move(infos), build);
  return out;
}

void LiveCorrelation::pin_site_names(const correlate::Correlation& c) {
  using correlate::SiteNameSource;
  for (const auto& site : c.sites) {
    if (site.name_source == SiteNameSource::Application ||
        site.name_source == SiteNameSource::FileStem)
      continue;
    for (std::uint32_t f : site.files)
      pinned_sites_.emplace(c.files[f].info.path, site.name);
    if (!site.app.empty()) app_sites_.emplace(site.app, site.name);
  }
}

std::vector<Update> LiveCorrelation::recompute(bool settle) {
  std::lock_guard lock(mutex_);
  std::vector<Update> out;
  // Clocks estimated while nothing else arrived are told too.
  if (!dirty_.empty() || facts_ || settle) {
    refresh_facts(settle);
    tell_clocks(out);
  }
  take_stale(settle);
  if (dirty_.empty()) return out;
  // Built now for a prompt update, and again once the facts know every
  // source: a site they do not know yet is not monitored, so a link toward it
  // would look complete. (IS-Links that arrived since only move clocks:
  // tell_clocks() rebuilds for those when they move.)
  if (facts_lack_sources())
    for (const auto& [root, t] : dirty_)
      clock_stale_.insert(root);
  std::vector<std::uint32_t> roots;
  for (const auto& [root, t] : dirty_)
    roots.push_back(root);
  std::sort(roots.begin(), roots.end());
  Built built = build_roots(roots);
  const correlate::Correlation& c = built.correlation;
  counters_.rebuilt_legs += c.legs.size();
  pin_site_names(c);

  // The previous interactions of these components, by leg.
  std::unordered_map<std::string, std::string> old_owner;  // leg key -> old id
  std::unordered_map<std::string, InteractionSummary> old;
  for (std::uint32_t root : roots) {
    auto it = component_ids_.find(root);
    if (it == component_ids_.end()) continue;
    for (const auto& id : it->second) {
      auto s = summaries_.find(id);
      if (s == summaries_.end()) continue;
      for (const auto& k : s->second.leg_keys)
        old_owner[k] = id;
      old.emplace(id, std::move(s->second));
      summaries_.erase(s);
    }
    component_ids_.erase(it);
  }

  auto emit = [&](UpdateKind kind, const InteractionSummary& s, std::uint32_t root,
                  std::vector<std::string> merged = {}, std::vector<std::string> added = {}) {
    Update u;
    u.seq = ++update_seq_;
    u.kind = kind;
    u.interaction = s;
    u.merged = std::move(merged);
    u.recordings_added = std::move(added);
    u.received = dirty_.at(root);
    out.push_back(std::move(u));
  };
  const SteadyTime now = std::chrono::steady_clock::now();
  const std::optional<Micros> now_in_logs = log_clock_locked();
  std::vector<std::vector<std::string>> recordings = group_recordings(c);
  for (std::size_t in = 0; in < c.interactions.size(); ++in) {
    const correlate::Interaction& it = c.interactions[in];
    const std::size_t told_before = out.size();
    InteractionSummary s = summarize(c, it);
    s.recordings = std::move(recordings[in]);
    const std::uint32_t root = find(node(correlate::text_key(c.legs[it.root].call_uuid)));
    if (!dirty_.contains(root)) continue;  // cannot happen: every leg built is in a dirty root
    std::set<std::string> owners;
    for (const auto& k : s.leg_keys)
      if (auto o = old_owner.find(k); o != old_owner.end()) owners.insert(o->second);
    if (owners.empty()) {
      emit(UpdateKind::Created, s, root);
      if (s.links_paired > 0) emit(UpdateKind::Linked, s, root);
      if (s.complete) emit(UpdateKind::Completed, s, root);
      if (!s.recordings.empty()) emit(UpdateKind::RecordingsGrouped, s, root, {}, s.recordings);
    } else {
      std::vector<std::string> merged;
      for (const auto& o : owners)
        if (o != s.id) merged.push_back(o);
      if (!merged.empty()) emit(UpdateKind::Merged, s, root, merged);
      // Compared with what the subscriber knew: the old interactions together.
      InteractionSummary before;
      before.complete = true;
      before.start = std::numeric_limits<Micros>::max();
      for (const auto& o : owners) {
        const InteractionSummary& p = old.at(o);
        before.start = std::min(before.start, p.start);
        before.legs += p.legs;
        before.links_paired += p.links_paired;
        before.events += p.events;
        before.complete = before.complete && p.complete;
        before.end = std::max(before.end, p.end);
      }
      bool told = !merged.empty();
      auto tell = [&](UpdateKind kind) {
        emit(kind, s, root);
        told = true;
      };
      if (s.legs > before.legs) tell(UpdateKind::LegAdded);
      if (s.links_paired > before.links_paired) tell(UpdateKind::Linked);
      if (s.complete && !before.complete) tell(UpdateKind::Completed);
      if (!told && (s.events != before.events || s.complete != before.complete ||
                    s.start != before.start || s.end != before.end))
        emit(UpdateKind::Updated, s, root);
      std::vector<const InteractionSummary*> was;
      for (const auto& o : owners)
        was.push_back(&old.at(o));
      std::vector<std::string> added;
      if (recordings_grouped(s, was, merged, added))
        emit(UpdateKind::RecordingsGrouped, s, root, merged, std::move(added));
    }
    s.changed = now;
    s.changed_in_logs = now_in_logs;
    if (out.size() == told_before) {
      if (auto o = old.find(s.id); o != old.end()) {
        s.changed = o->second.changed;
        s.changed_in_logs = o->second.changed_in_logs;
      }
    }
    component_ids_[root].push_back(s.id);
    summaries_[s.id] = std::move(s);
  }
  counters_.updates += out.size();
  ++counters_.recomputes;
  dirty_.clear();
  return out;
}

}  // namespace calltrail::serve
