#include "calltrail/correlate/timeline.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <tuple>

namespace calltrail::correlate {

namespace {

bool same_event(const EventRef& a, const EventRef& b) {
  return a.file == b.file && a.line == b.line && a.offset == b.offset;
}

}  // namespace

std::vector<TimelineEntry> build_timeline(const Correlation& c, const Interaction& interaction) {
  std::vector<TimelineEntry> nodes;
  std::map<std::uint32_t, std::uint32_t> file_rank;
  for (const auto& s : c.sites)
    for (std::uint32_t r = 0; r < s.files.size(); ++r)
      file_rank[s.files[r]] = r;
  for (std::uint32_t leg : interaction.legs) {
    const Leg& l = c.legs[leg];
    for (std::uint32_t e = 0; e < l.events.size(); ++e) {
      TimelineEntry t;
      t.leg = leg;
      t.event = e;
      t.corrected = c.corrected(l.site, l.events[e].utc);
      nodes.push_back(std::move(t));
    }
  }
  const auto n = static_cast<std::uint32_t>(nodes.size());
  auto ref = [&](std::uint32_t i) -> const EventRef& {
    return c.legs[nodes[i].leg].events[nodes[i].event];
  };
  auto site = [&](std::uint32_t i) { return c.legs[nodes[i].leg].site; };

  // Each site's events in log order form a chain.
  std::vector<std::uint32_t> by_site(n);
  for (std::uint32_t i = 0; i < n; ++i)
    by_site[i] = i;
  std::stable_sort(by_site.begin(), by_site.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::make_tuple(site(a), file_rank[ref(a).file], ref(a).line) <
           std::make_tuple(site(b), file_rank[ref(b).file], ref(b).line);
  });
  std::vector<std::vector<std::uint32_t>> next(n);
  std::vector<std::uint32_t> indegree(n, 0);
  std::vector<std::uint32_t> chain_previous(n, n);
  for (std::uint32_t k = 1; k < n; ++k) {
    if (site(by_site[k]) != site(by_site[k - 1])) continue;
    next[by_site[k - 1]].push_back(by_site[k]);
    chain_previous[by_site[k]] = by_site[k - 1];
    ++indegree[by_site[k]];
  }
  auto find_node = [&](std::uint32_t leg, const EventRef& e) -> std::optional<std::uint32_t> {
    for (std::uint32_t i = 0; i < n; ++i)
      if (nodes[i].leg == leg && same_event(ref(i), e)) return i;
    return std::nullopt;
  };
  for (std::uint32_t li : interaction.links) {
    const Link& l = c.links[li];
    std::optional<std::uint32_t> from;
    std::optional<std::uint32_t> to;
    if (l.from != kNoLeg && l.from_event) from = find_node(l.from, *l.from_event);
    if (l.to != kNoLeg && l.to_event) to = find_node(l.to, *l.to_event);
    if (from) nodes[*from].links_out.push_back(li);
    if (to) nodes[*to].links_in.push_back(li);
    if (from && to &&
        (l.kind == LinkKind::IsLink || l.kind == LinkKind::Sip || l.kind == LinkKind::Iscc) &&
        site(*from) != site(*to)) {
      next[*from].push_back(*to);
      ++indegree[*to];
    }
  }

  // Kahn's algorithm, earliest corrected time first.
  using Key = std::tuple<Micros, std::uint32_t, std::uint32_t>;  // time, site, node
  std::priority_queue<Key, std::vector<Key>, std::greater<Key>> ready;
  for (std::uint32_t i = 0; i < n; ++i)
    if (indegree[i] == 0) ready.emplace(nodes[i].corrected, site(i), i);
  std::vector<bool> done(n, false);
  std::vector<TimelineEntry> out;
  out.reserve(n);
  Micros latest = std::numeric_limits<Micros>::min();
  while (out.size() < n) {
    std::uint32_t i = n;
    if (!ready.empty()) {
      i = std::get<2>(ready.top());
      ready.pop();
      if (done[i]) continue;
    } else {
      // A cycle (clocks and links disagree beyond repair): take the earliest
      // event whose own site's predecessor is done.
      for (std::uint32_t k = 0; k < n; ++k) {
        if (done[k] || (chain_previous[k] < n && !done[chain_previous[k]])) continue;
        if (i == n || nodes[k].corrected < nodes[i].corrected) i = k;
      }
      if (i == n) break;
    }
    done[i] = true;
    TimelineEntry e = nodes[i];
    e.reordered = e.corrected < latest;
    latest = std::max(latest, e.corrected);
    out.push_back(std::move(e));
    for (std::uint32_t j : next[i])
      if (--indegree[j] == 0 && !done[j]) ready.emplace(nodes[j].corrected, site(j), j);
  }
  return out;
}

}  // namespace calltrail::correlate
