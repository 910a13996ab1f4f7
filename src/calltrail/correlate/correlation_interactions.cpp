// Interactions: legs joined by paired links, with their ids, times,
// links, gaps and completeness (Builder, builder.hpp).
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <span>
#include <vector>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/release.hpp"
#include "calltrail/correlate/builder.hpp"

namespace calltrail::correlate::detail {

void Builder::form_interactions(Groups& groups,
                                const std::vector<std::uint32_t>& unpaired_arrivals) {
  const auto n = static_cast<std::uint32_t>(c_.legs.size());
  std::vector<bool> is_target(n, false);
  std::vector<bool> unpaired_arrival(n, false);
  for (const std::uint32_t l : unpaired_arrivals)
    unpaired_arrival[l] = true;
  // Each end of each link (leg, link), then the links of each leg in link
  // order: leg_links.group(leg).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ends;
  for (std::uint32_t i = 0; i < c_.links.size(); ++i) {
    const Link& l = c_.links[i];
    if (l.from != kNoLeg) ends.emplace_back(l.from, i);
    if (l.to != kNoLeg && l.to != l.from) ends.emplace_back(l.to, i);
    if ((l.kind == LinkKind::IsLink || l.kind == LinkKind::Sip || l.kind == LinkKind::Iscc) &&
        l.paired())
      is_target[l.to] = true;
  }
  Grouped leg_links = group_by_number(n, ends.size(), [&](std::size_t e) { return ends[e].first; });
  for (auto& item : leg_links.items)
    item = ends[item].second;
  // Group roots are their smallest leg, so walking roots in index order
  // gives the groups in the order of their first leg.
  // The legs of every group, one run per root in a flat array.
  std::vector<std::uint32_t> root_of(n);
  for (std::uint32_t i = 0; i < n; ++i)
    root_of[i] = groups.find(i);
  Grouped members = group_by_number(n, n, [&](std::size_t i) { return root_of[i]; });
  const std::vector<std::uint32_t>& group_start = members.start;
  std::vector<std::uint32_t>& member_legs = members.items;

  auto start_of = [&](std::uint32_t leg) {
    return c_.corrected(c_.legs[leg].site, c_.legs[leg].start);
  };
  // The groups of the legs, by root, split over the threads: each group
  // has its place in root order (its ordinal among the non-empty groups),
  // and each part writes its groups' interactions there.
  std::vector<std::uint32_t> ordinal(n);
  std::uint32_t group_count = 0;
  for (std::uint32_t r = 0; r < n; ++r) {
    ordinal[r] = group_count;
    if (group_start[r] != group_start[r + 1]) ++group_count;
  }
  std::vector<Interaction> found(group_count);
  base::for_parts(
      n, options_.threads, options_.legs_per_thread, [&](std::size_t from, std::size_t to) {
        std::vector<std::uint32_t> links;
        for (auto r = static_cast<std::uint32_t>(from); r < to; ++r) {
          if (group_start[r] == group_start[r + 1]) continue;
          const std::span<std::uint32_t> legs(member_legs.data() + group_start[r],
                                              group_start[r + 1] - group_start[r]);
          Interaction it;
          std::sort(legs.begin(), legs.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (start_of(a) != start_of(b)) return start_of(a) < start_of(b);
            return c_.legs[a].call_uuid < c_.legs[b].call_uuid;
          });
          std::uint32_t root = legs.front();
          for (std::uint32_t l : legs) {
            if (!is_target[l]) {
              root = l;
              break;
            }
          }
          it.root = root;
          it.id = c_.legs[root].call_uuid;
          it.legs.push_back(root);
          for (std::uint32_t l : legs)
            if (l != root) it.legs.push_back(l);
          links.clear();
          it.start = std::numeric_limits<Micros>::max();
          it.end = std::numeric_limits<Micros>::min();
          for (std::uint32_t l : legs) {
            const auto own = leg_links.group(l);
            links.insert(links.end(), own.begin(), own.end());
            const Leg& leg = c_.legs[l];
            if (leg.timed) {
              it.start = std::min(it.start, c_.corrected(leg.site, leg.start));
              it.end = std::max(it.end, c_.corrected(leg.site, leg.end));
              it.timed = true;
            }
          }
          std::sort(links.begin(), links.end());
          links.erase(std::unique(links.begin(), links.end()), links.end());
          it.links.assign(links.begin(), links.end());
          std::stable_sort(it.links.begin(), it.links.end(), [&](std::uint32_t a, std::uint32_t b) {
            return link_time(a) < link_time(b);
          });
          if (!it.timed) it.start = it.end = 0;  // sorted first; printed as null
          for (std::uint32_t li : it.links) {
            const Link& l = c_.links[li];
            if (l.kind == LinkKind::Hint) continue;
            if (!l.paired() && l.reason != LinkReason::Unmonitored) it.complete = false;
          }
          // An arrival whose call history names a site of the input is paired
          // only when it is linked to its origin.
          for (std::uint32_t l : legs)
            if (unpaired_arrival[l]) it.complete = false;
          found[ordinal[r]] = std::move(it);
        }
      });
  base::release(ordinal);
  // By start, then id: sort indices, then put each interaction in its
  // place by following the permutation's cycles (no second array of them).
  std::vector<std::uint32_t> order(found.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (found[a].start != found[b].start) return found[a].start < found[b].start;
    return found[a].id < found[b].id;
  });
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    if (order[i] == i) continue;
    // Position i takes found[order[i]], whose position takes the next, ...
    Interaction held = std::move(found[i]);
    std::uint32_t at = i;
    while (order[at] != i) {
      const std::uint32_t from = order[at];
      found[at] = std::move(found[from]);
      order[at] = at;
      at = from;
    }
    found[at] = std::move(held);
    order[at] = at;
  }
  c_.interactions = std::move(found);
  c_.leg_interaction.assign(n, 0);
  for (std::uint32_t i = 0; i < c_.interactions.size(); ++i)
    for (std::uint32_t l : c_.interactions[i].legs)
      c_.leg_interaction[l] = i;
}

void Builder::index_gaps() {
  auto& by_end = c_.site_gaps_by_end;
  by_end.assign(c_.sites.size(), {});
  for (std::uint32_t g = 0; g < c_.gaps.size(); ++g)
    by_end[c_.gaps[g].site].push_back(g);
  for (auto& v : by_end)
    std::stable_sort(v.begin(), v.end(), [&](std::uint32_t a, std::uint32_t b) {
      return gap_end(c_.gaps[a]) < gap_end(c_.gaps[b]);
    });
}

}  // namespace calltrail::correlate::detail

namespace calltrail::correlate {

std::vector<std::uint32_t> Correlation::gaps_of(const Interaction& it) const {
  std::vector<std::uint32_t> found;
  for (const std::uint32_t l : it.legs) {
    const Leg& leg = legs[l];
    if (leg.site >= site_gaps_by_end.size()) continue;
    const auto& sg = site_gaps_by_end[leg.site];
    auto first = std::lower_bound(sg.begin(), sg.end(), leg.start, [&](std::uint32_t g, Micros t) {
      return detail::gap_end(gaps[g]) < t;
    });
    for (auto g = first; g != sg.end(); ++g) {
      const Gap& gap = gaps[*g];
      // Gaps are ordered by their end; a later gap may still start earlier
      // only when times run backwards, which we accept missing.
      if (gap.after_utc.value_or(std::numeric_limits<Micros>::min()) > leg.end) break;
      found.push_back(*g);
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

}  // namespace calltrail::correlate
