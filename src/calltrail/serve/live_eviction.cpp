#include <algorithm>

#include "calltrail/base/release.hpp"
#include "calltrail/serve/live_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

using base::ascii_lower;

namespace {

// IS-Link observations of evicted legs kept per source for the clocks.
constexpr std::size_t kMaxEvictedIsLinks = 1 << 16;

}  // namespace

std::size_t LiveCorrelation::evict(std::optional<SteadyTime> now) {
  if (options_.retention.count() == 0) return 0;
  std::lock_guard lock(mutex_);
  const SteadyTime t = now.value_or(std::chrono::steady_clock::now());
  if (!now) {
    if (t - last_evict_ < std::chrono::seconds(1)) return 0;
    last_evict_ = t;
  }
  // Old: unchanged for the retention in the logs' time or in wall-clock time.
  const std::optional<Micros> logs_now = log_clock_locked();
  const Micros retention_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options_.retention).count();
  auto old = [&](const InteractionSummary& s) {
    if (t - s.changed >= options_.retention) return true;
    return logs_now && s.changed_in_logs && *logs_now - *s.changed_in_logs >= retention_us;
  };
  // Whole components whose interactions are all complete, ended and old.
  std::vector<std::uint32_t> roots;
  for (const auto& [root, ids] : component_ids_) {
    if (dirty_.contains(root)) continue;
    bool old_enough = !ids.empty();
    for (const auto& id : ids) {
      auto it = summaries_.find(id);
      old_enough = old_enough && it != summaries_.end() && it->second.complete &&
                   !it->second.open && old(it->second);
    }
    if (old_enough) roots.push_back(root);
  }
  std::size_t evicted = 0;
  for (std::uint32_t root : roots) {
    evicted += component_ids_[root].size();
    evict_component(root);
  }
  if (evicted > 0) {
    // Search entries of identifiers that are gone.
    for (auto it = search_index_.begin(); it != search_index_.end();) {
      auto& v = it->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](std::uint32_t n) { return !node_keys_[n]; }),
              v.end());
      it = v.empty() ? search_index_.erase(it) : std::next(it);
    }
  }
  return evicted;
}

std::optional<Micros> LiveCorrelation::log_clock() const {
  std::lock_guard lock(mutex_);
  return log_clock_locked();
}

std::optional<Micros> LiveCorrelation::log_clock_locked() const {
  std::optional<Micros> newest;
  for (const auto& s : sources_)
    if (s && s->last_event_utc && (!newest || *s->last_event_utc > *newest))
      newest = s->last_event_utc;
  return newest;
}

void LiveCorrelation::evict_component(std::uint32_t root) {
  for (const auto& id : component_ids_[root]) {
    summaries_.erase(id);
    ++counters_.evicted_interactions;
  }
  component_ids_.erase(root);
  for (std::uint32_t m : members_[root]) {
    if (auto it = legs_of_node_.find(m); it != legs_of_node_.end()) {
      for (auto [file, li] : it->second) {
        Source& s = *sources_[file];
        correlate::Leg& leg = s.partial.legs[li];
        std::string uuid = ascii_lower(leg.call_uuid);
        s.leg_by_uuid.erase(leg.call_uuid.str());
        for (std::uint32_t k : s.observations.islinks[li]) {
          // The clocks go on counting it (live_clocks.cpp).
          correlate::IsLinkObservation& o = s.partial.islinks[k];
          o.leg = 0;
          o.event.name = o.event.this_dn = o.event.other_dn = o.event.note = 0;
          s.evicted_islinks.push_back(std::move(o));
          if (s.evicted_islinks.size() > kMaxEvictedIsLinks) s.evicted_islinks.pop_front();
          base::release(o);
        }
        for (std::uint32_t k : s.observations.transfers[li])
          base::release(s.partial.transfers[k]);
        base::release(s.observations.islinks[li]);
        base::release(s.observations.transfers[li]);
        base::release(leg);
        // Only a store can answer for an evicted leg's late events; without
        // one nothing of the leg is kept.
        if (store_ != nullptr && store_->durable()) evicted_uuids_.insert(std::move(uuid));
        ++counters_.evicted_legs;
      }
      legs_of_node_.erase(it);
    }
    if (auto it = orphans_of_node_.find(m); it != orphans_of_node_.end()) {
      for (std::uint32_t file : it->second.files)
        sources_[file]->partial.orphans.erase(it->second.conn);
      orphans_of_node_.erase(it);
    }
    if (node_keys_[m]) nodes_.erase(*node_keys_[m]);
    node_keys_[m].reset();
  }
  base::release(members_[root]);
}

}  // namespace calltrail::serve
