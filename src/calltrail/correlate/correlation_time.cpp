// Times: each event's UTC on its site's clock, sequence gaps, and the
// clock offsets between sites (Builder, builder.hpp).
#include <algorithm>
#include <cassert>
#include <map>
#include <queue>
#include <vector>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/builder.hpp"

namespace calltrail::correlate::detail {

namespace {

Micros median(std::vector<Micros> v) {
  assert(!v.empty());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

void Builder::resolve_times() {
  for (auto& s : c_.sites) {
    std::map<std::int32_t, std::uint64_t> votes;
    for (std::uint32_t f : s.files) {
      const auto& info = c_.files[f].info;
      if (info.utc_offset && info.utc_offset_from_header && !s.utc_offset_from_header) {
        s.utc_offset = info.utc_offset;
        s.utc_offset_from_header = true;
      } else if (info.utc_offset && !s.utc_offset) {
        s.utc_offset = info.utc_offset;
      }
      for (const auto& [off, count] : partials_[f].offset_votes)
        votes[off] += count;
    }
    if (!s.utc_offset && !votes.empty()) {
      auto top = std::max_element(votes.begin(), votes.end(),
                                  [](const auto& x, const auto& y) { return x.second < y.second; });
      s.utc_offset = top->first;
    }
  }
  // Each leg on its own (its events in order, their times filled in), then
  // the sites' counts.
  base::for_parts(c_.legs.size(), options_.threads, options_.legs_per_thread,
                  [&](std::size_t begin, std::size_t end) {
                    for (std::size_t k = begin; k < end; ++k)
                      resolve_leg_times(c_.legs[k]);
                  });
  for (const Leg& l : c_.legs) {
    SiteInfo& s = c_.sites[l.site];
    ++s.legs;
    if (l.timed) {
      if (!s.first_utc || l.start < *s.first_utc) s.first_utc = l.start;
      if (!s.last_utc || l.end > *s.last_utc) s.last_utc = l.end;
    }
  }
  for (auto& p : partials_) {
    if (!c_.files[p.file].site) continue;
    SiteInfo& s = c_.sites[*c_.files[p.file].site];
    for (const auto& t : {p.sequence.first_utc, p.sequence.last_utc, p.first_utc}) {
      if (!t) continue;
      if (!s.first_utc || *t < *s.first_utc) s.first_utc = t;
      if (!s.last_utc || *t > *s.last_utc) s.last_utc = t;
    }
  }
}

void Builder::resolve_leg_times(Leg& l) const {
  const Micros day = base::kMicrosPerDay;
  std::sort(l.events.begin(), l.events.end(), [&](const EventRef& a, const EventRef& b) {
    if (a.file != b.file) return file_rank_[a.file] < file_rank_[b.file];
    return a.line < b.line;
  });
  const auto& off = c_.sites[l.site].utc_offset;
  std::optional<Micros> previous;
  for (std::size_t i = 0; i < l.events.size(); ++i) {
    EventRef& e = l.events[i];
    if (e.has_utc()) {
      previous = e.utc;
      continue;
    }
    std::optional<Micros> near = previous;
    for (std::size_t j = i + 1; !near && j < l.events.size(); ++j)
      if (l.events[j].has_utc()) near = l.events[j].utc;
    if (off && (e.flags & EventRef::kLocalDated) != 0) {
      e.utc = e.local - Micros{*off} * base::kMicrosPerSecond;
    } else if (off && near) {
      Micros tod = (e.local - Micros{*off} * base::kMicrosPerSecond) % day;
      if (tod < 0) tod += day;
      Micros t = (*near / day) * day + tod;
      if (t - *near > day / 2) t -= day;
      if (*near - t > day / 2) t += day;
      e.utc = t;
    } else if (near) {
      e.utc = *near;
    } else {
      continue;
    }
    e.flags |= EventRef::kHasUtc;
    previous = e.utc;
  }
  life(l);
}

void Builder::find_gaps() {
  for (std::uint32_t si = 0; si < c_.sites.size(); ++si) {
    SiteInfo& s = c_.sites[si];
    std::vector<std::uint32_t> files;
    for (std::uint32_t f : s.files)
      if (partials_[f].sequence.first) files.push_back(f);
    std::stable_sort(files.begin(), files.end(), [&](std::uint32_t a, std::uint32_t b) {
      return *partials_[a].sequence.first < *partials_[b].sequence.first;
    });
    const SequenceTrack* previous = nullptr;
    for (std::uint32_t f : files) {
      const SequenceTrack& t = partials_[f].sequence;
      if (previous != nullptr) {
        if (*t.first > *previous->last && *t.first - *previous->last > 1) {
          add_gap(si, SequenceGap{*previous->last + 1, *t.first - 1, previous->last_utc,
                                  t.first_utc, f, t.first_line});
        } else if (*t.first <= *previous->last) {
          ++s.sequence_out_of_order;
        }
      }
      for (const auto& g : t.gaps)
        add_gap(si, g);
      if (previous == nullptr || *t.last > *previous->last) previous = &t;
    }
  }
  index_gaps();
}

void Builder::fixed_clocks(const SiteFacts& facts) {
  for (auto& s : c_.sites) {
    for (const auto& clock : facts.clocks) {
      if (clock.site != s.name) continue;
      s.clock_offset = clock.offset;
      s.clock_links = clock.links;
      for (std::uint32_t r = 0; r < c_.sites.size(); ++r)
        if (c_.sites[r].name == clock.reference) s.clock_reference = r;
    }
  }
}

void Builder::estimate_clocks() {
  if (options_.facts != nullptr) {
    fixed_clocks(*options_.facts);
    return;
  }
  const auto n = static_cast<std::uint32_t>(c_.sites.size());
  // Paired IS-Links, as the facts-only build pairs them (not those a SIP
  // dialog completed: `trace` decides clocks without reading dialogs).
  for (std::uint32_t k = 0; k < c_.links.size(); ++k) {
    const Link& l = c_.links[k];
    if (l.kind != LinkKind::IsLink || !l.paired() || !l.from_event || !l.to_event ||
        completed_by_sip_.contains(k))
      continue;
    add_clock_delta(l.from, *l.from_event, l.to, *l.to_event);
  }
  const auto& deltas = clock_deltas_;
  // estimate[a][b]: how far b's clock runs ahead of a's.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<Micros, std::uint32_t>> estimate;
  for (const auto& [key, ab] : deltas) {
    auto [a, b] = key;
    if (estimate.count({a, b}) != 0) continue;
    auto back = deltas.find({b, a});
    Micros off = 0;
    std::uint32_t count = static_cast<std::uint32_t>(ab.size());
    if (back != deltas.end()) {
      // Both directions: latency cancels out (as in NTP).
      off = (median(ab) - median(back->second)) / 2;
      count += static_cast<std::uint32_t>(back->second.size());
    } else {
      // One direction: the smallest correction that puts every target
      // after its source.
      off = std::min<Micros>(0, *std::min_element(ab.begin(), ab.end()));
    }
    estimate[{a, b}] = {off, count};
    estimate[{b, a}] = {-off, count};
  }
  std::vector<std::vector<std::pair<std::uint32_t, std::pair<Micros, std::uint32_t>>>> adj(n);
  for (const auto& [key, v] : estimate)
    adj[key.first].emplace_back(key.second, v);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return c_.sites[a].events > c_.sites[b].events;
  });
  for (std::uint32_t ref : order) {
    if (c_.sites[ref].clock_offset || adj[ref].empty()) continue;
    c_.sites[ref].clock_offset = 0;
    c_.sites[ref].clock_reference = ref;
    // Best-supported edges first.
    using Item = std::pair<std::uint32_t, std::pair<std::uint32_t, std::uint32_t>>;
    std::priority_queue<Item> queue;  // (links, (from, to))
    auto push = [&](std::uint32_t from) {
      for (const auto& [to, v] : adj[from])
        if (!c_.sites[to].clock_offset) queue.push({v.second, {from, to}});
    };
    push(ref);
    while (!queue.empty()) {
      auto [links, edge] = queue.top();
      queue.pop();
      auto [from, to] = edge;
      if (c_.sites[to].clock_offset) continue;
      c_.sites[to].clock_offset = *c_.sites[from].clock_offset + estimate[{from, to}].first;
      c_.sites[to].clock_reference = ref;
      c_.sites[to].clock_links = links;
      push(to);
    }
  }
  for (const auto& [key, v] : estimate)
    if (c_.sites[key.first].clock_links == 0 && key.first == c_.sites[key.first].clock_reference)
      c_.sites[key.first].clock_links = std::max(c_.sites[key.first].clock_links, v.second);
}

}  // namespace calltrail::correlate::detail
