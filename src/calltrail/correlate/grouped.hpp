// Items grouped by a key in two flat arrays instead of a vector a key: the
// builder's indexes of legs by ConnID, Call-ID or IS-Link id, where most keys
// have one item and a vector each would be a heap block each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "calltrail/correlate/leg.hpp"

namespace calltrail::correlate {

// Items grouped by a key: group g holds items[start[g] .. start[g + 1])
// (indices into the input, in input order).
struct Grouped {
  std::vector<std::uint32_t> start;
  std::vector<std::uint32_t> items;
  std::size_t size() const { return start.empty() ? 0 : start.size() - 1; }
  std::span<const std::uint32_t> group(std::size_t g) const {
    return {items.data() + start[g], items.data() + start[g + 1]};
  }
};

// Items 0 .. n-1 in `groups` groups by the group number group_of(i) (below
// `groups`): counted, then placed.
template <typename GroupOf>
Grouped group_by_number(std::size_t groups, std::size_t n, GroupOf group_of) {
  Grouped g;
  g.start.assign(groups + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    ++g.start[group_of(i) + 1];
  for (std::size_t k = 0; k < groups; ++k)
    g.start[k + 1] += g.start[k];
  g.items.resize(n);
  std::vector<std::uint32_t> fill(g.start.begin(), g.start.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    g.items[fill[group_of(i)]++] = static_cast<std::uint32_t>(i);
  return g;
}

// Items 0 .. n-1 grouped by key_of(i), groups numbered in order of first
// appearance; `group_of` maps each key to its group.
template <typename Map, typename KeyOf>
Grouped group_into(Map& group_of, std::size_t n, KeyOf key_of) {
  // Sized once: growing would hash every key again, and the keys may be
  // scattered strings.
  group_of.reserve(n);
  std::vector<std::uint32_t> group(n);
  std::uint32_t groups = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, added] = group_of.try_emplace(key_of(i), groups);
    if (added) ++groups;
    group[i] = it->second;
  }
  return group_by_number(groups, n, [&](std::size_t i) { return group[i]; });
}

// The legs of each key over every ConnID of every leg (key_of(leg, conn)),
// in leg order.
template <typename Map, typename KeyOf>
Grouped group_legs_by_conn(const std::vector<Leg>& legs, Map& group_of, KeyOf key_of) {
  std::vector<std::uint32_t> leg_of_use;
  std::vector<std::uint64_t> conn_of_use;
  for (std::uint32_t i = 0; i < legs.size(); ++i) {
    for (const std::uint64_t conn : legs[i].conn_ids) {
      leg_of_use.push_back(i);
      conn_of_use.push_back(conn);
    }
  }
  Grouped g = group_into(group_of, leg_of_use.size(),
                         [&](std::size_t u) { return key_of(leg_of_use[u], conn_of_use[u]); });
  for (auto& item : g.items)
    item = leg_of_use[item];
  return g;
}

}  // namespace calltrail::correlate
