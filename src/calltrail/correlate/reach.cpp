#include "calltrail/correlate/reach.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <thread>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/model/identifiers.hpp"

namespace calltrail::correlate {

namespace {

// A filter in front of a set of keys: one bit of 4,096 for each (by a
// multiplicative hash, since ConnIDs are keyed by number and differ in their
// low bits), so that a pass over every leg's keys tests a bit in the L1
// cache for nearly all of them and asks the set only when the bit is set.
class KeyFilter {
 public:
  explicit KeyFilter(const absl::flat_hash_set<std::uint64_t>& keys) {
    for (const std::uint64_t k : keys) {
      const std::uint32_t b = slot(k);
      bits_[b >> 6] |= std::uint64_t{1} << (b & 63);
    }
  }
  bool may_contain(std::uint64_t k) const {
    const std::uint32_t b = slot(k);
    return ((bits_[b >> 6] >> (b & 63)) & 1) != 0;
  }

 private:
  static std::uint32_t slot(std::uint64_t k) {
    return static_cast<std::uint32_t>((k * 0x9E3779B97F4A7C15ULL) >> 52);
  }
  std::array<std::uint64_t, 64> bits_{};
};

// Marks what the identifier reaches, file by file.
class Reach {
 public:
  Reach(const std::vector<FilePartial>& partials, const std::vector<KeyIndex>& keys)
      : partials_(partials), keys_(keys), legs_(partials.size()), orphans_(partials.size()) {
    for (std::size_t f = 0; f < partials.size(); ++f) {
      legs_[f].assign(partials[f].leg_count(), 0);
      orphans_[f].assign(partials[f].orphans.size(), 0);
    }
  }

  // Takes what carries one of `start` as a link key and the legs `found`
  // says carry the identifier otherwise (a walk over the legs themselves),
  // then what shares a link key with what was taken, until nothing new comes.
  bool run(const std::vector<std::uint64_t>& start, std::size_t max_legs,
           const std::function<bool(std::size_t, std::uint32_t)>& found) {
    absl::flat_hash_set<std::uint64_t> look(start.begin(), start.end());
    for (std::uint64_t h : start)
      reached_.insert(h);
    if (!take_linked(look, max_legs)) return false;
    for (std::size_t f = 0; f < partials_.size(); ++f)
      for (std::uint32_t i = 0; i < legs_[f].size(); ++i)
        if (found(f, i)) take_leg(f, i);
    if (legs_taken_ > max_legs) return false;
    while (!frontier_.empty()) {
      look.clear();
      look.insert(frontier_.begin(), frontier_.end());
      frontier_.clear();
      if (!take_linked(look, max_legs)) return false;
    }
    return true;
  }

  Reached take() && { return {std::move(legs_), std::move(orphans_)}; }

 private:
  void reach(std::uint64_t h) {
    if (reached_.insert(h).second) frontier_.push_back(h);
  }

  void take_leg(std::size_t f, std::uint32_t i) {
    if (legs_[f][i] != 0) return;
    legs_[f][i] = 1;
    ++legs_taken_;
    const KeyIndex& k = keys_[f];
    for (std::uint32_t j = k.link_start[i]; j < k.link_start[i + 1]; ++j)
      reach(k.links[j]);
  }

  // One pass over every file's keys: takes the legs and orphans with a key in
  // `look`. The keys are read as they lie, one after the other; a key's leg
  // is looked up only for the few that pass the filter.
  bool take_linked(const absl::flat_hash_set<std::uint64_t>& look, std::size_t max_legs) {
    const KeyFilter filter(look);
    auto owner = [](const std::vector<std::uint32_t>& start, std::size_t j) {
      return static_cast<std::uint32_t>(std::upper_bound(start.begin(), start.end(), j) -
                                        start.begin() - 1);
    };
    for (std::size_t f = 0; f < partials_.size(); ++f) {
      const KeyIndex& k = keys_[f];
      for (std::size_t j = 0; j < k.links.size(); ++j) {
        if (!filter.may_contain(k.links[j]) || !look.contains(k.links[j])) continue;
        take_leg(f, owner(k.link_start, j));
      }
      for (std::size_t j = 0; j < k.orphans.size(); ++j) {
        if (!filter.may_contain(k.orphans[j]) || !look.contains(k.orphans[j])) continue;
        const std::uint32_t i = owner(k.orphan_start, j);
        if (orphans_[f][i] != 0) continue;
        orphans_[f][i] = 1;
        for (std::uint32_t o = k.orphan_start[i]; o < k.orphan_start[i + 1]; ++o)
          reach(k.orphans[o]);
      }
      if (legs_taken_ > max_legs) return false;
    }
    return true;
  }

  const std::vector<FilePartial>& partials_;
  const std::vector<KeyIndex>& keys_;
  std::vector<std::vector<char>> legs_;
  std::vector<std::vector<char>> orphans_;
  std::size_t legs_taken_ = 0;
  absl::flat_hash_set<std::uint64_t> reached_;
  std::vector<std::uint64_t> frontier_;
};

}  // namespace

// The taken legs and orphans, in their files' order, with their strings.
std::vector<FilePartial> reached_partials(const std::vector<FilePartial>& partials,
                                          const Reached& reached) {
  std::vector<FilePartial> out;
  out.reserve(partials.size());
  for (std::size_t f = 0; f < partials.size(); ++f) {
    const FilePartial& p = partials[f];
    std::vector<std::uint32_t> legs;
    for (std::uint32_t i = 0; i < p.legs.size(); ++i)
      if (reached.legs[f][i] != 0) legs.push_back(i);
    std::vector<std::string> conns;
    std::size_t k = 0;
    for (const auto& [conn, o] : p.orphans)
      if (reached.orphans[f][k++] != 0) conns.push_back(conn);
    out.push_back(select_legs(p, legs, conns));
  }
  return out;
}

namespace {

// `f` (a summary copy of `p` holding p's IS-Link observations) made what a
// facts-only build reads: one stub leg on the file's site, and of each
// observation its id, role, location and times, without the strings of its
// event.
void keep_facts(FilePartial& f, const FilePartial& p) {
  const std::size_t legs = p.leg_count();
  std::erase_if(f.islinks, [&](const IsLinkObservation& o) { return o.leg >= legs; });
  // A scan's legs are all on the file's own site while collecting.
  if (!f.islinks.empty()) {
    f.legs.emplace_back().site = p.legs.empty() ? p.file : p.legs[f.islinks[0].leg].site;
  }
  for (auto& o : f.islinks) {
    o.leg = 0;
    o.event.name = o.event.this_dn = o.event.other_dn = o.event.note = 0;
  }
}

}  // namespace

FilePartial facts_partial(const FilePartial& p) {
  FilePartial f = summary_copy(p);
  f.islinks = p.islinks;
  keep_facts(f, p);
  return f;
}

FilePartial take_facts_partial(FilePartial& p) {
  FilePartial f = summary_copy(p);
  f.islinks = std::move(p.islinks);
  p.islinks.clear();
  keep_facts(f, p);
  return f;
}

std::vector<FilePartial> facts_partials(const std::vector<FilePartial>& partials) {
  std::vector<FilePartial> out;
  out.reserve(partials.size());
  for (const auto& p : partials)
    out.push_back(facts_partial(p));
  return out;
}

KeyIndex index_keys(const FilePartial& p) {
  KeyIndex k;
  const std::size_t n = p.leg_count();
  // Transfer references and IS-Link ids, by leg.
  std::vector<std::pair<std::uint32_t, LinkKey>> observed;
  for (const auto& t : p.transfers)
    if (t.leg < n && !t.value.empty()) observed.emplace_back(t.leg, transfer_key(t.via, t.value));
  for (const auto& o : p.islinks)
    if (o.leg < n && !o.id.empty()) observed.emplace_back(o.leg, text_key(o.id));
  std::sort(observed.begin(), observed.end());
  k.link_start.reserve(n + 1);
  std::size_t next = 0;
  auto add = [&](LinkKey key) { k.links.push_back(key); };
  for (std::uint32_t i = 0; i < n; ++i) {
    k.link_start.push_back(static_cast<std::uint32_t>(k.links.size()));
    if (p.legs.empty()) {
      for_each_leg_key(p.scan_legs, i, add);
    } else {
      for_each_leg_key(p.legs[i], add);
    }
    for (; next < observed.size() && observed[next].first == i; ++next)
      k.links.push_back(observed[next].second);
  }
  k.link_start.push_back(static_cast<std::uint32_t>(k.links.size()));
  k.orphan_start.reserve(p.orphans.size() + 1);
  for (const auto& [conn, o] : p.orphans) {
    k.orphan_start.push_back(static_cast<std::uint32_t>(k.orphans.size()));
    if (auto number = conn_number(conn))
      for_each_orphan_key(*number, o, [&](LinkKey key) { k.orphans.push_back(key); });
  }
  k.orphan_start.push_back(static_cast<std::uint32_t>(k.orphans.size()));
  return k;
}

std::optional<Reached> reach_id(const std::vector<FilePartial>& partials,
                                const std::vector<KeyIndex>& keys, std::string_view id,
                                std::size_t max_legs,
                                const std::function<bool(std::size_t, std::uint32_t)>& found) {
  // The identifier as given (any case: CallUUID, IS-Link id) and as a ConnID.
  LinkKey keys_of_id[2];
  const std::vector<std::uint64_t> start(keys_of_id, keys_of_id + query_keys(id, keys_of_id));
  Reach r(partials, keys);
  if (!r.run(start, max_legs, found)) return std::nullopt;
  return std::move(r).take();
}

std::optional<std::vector<FilePartial>> reachable_partials(const std::vector<FilePartial>& partials,
                                                           const std::vector<KeyIndex>& keys,
                                                           std::string_view id,
                                                           std::size_t max_legs) {
  // Else a DN, ANI, DNIS or user data key=value.
  const IdProbe probe(id);
  auto found = [&](std::size_t f, std::uint32_t i) {
    const Leg& l = partials[f].legs[i];
    for (const auto& dn : l.dns)
      if (probe.matches_party(dn)) return true;
    if (probe.matches_party(l.ani) || probe.matches_party(l.dnis)) return true;
    if (!probe.key.empty()) {
      for (const auto& [k, v] : l.user_data)
        if (k == probe.key && v == probe.value) return true;
    }
    return false;
  };
  auto reached = reach_id(partials, keys, id, max_legs, found);
  if (!reached) return std::nullopt;
  return reached_partials(partials, *reached);
}

std::size_t reach_limit(const std::vector<FilePartial>& partials, double max_share) {
  std::size_t legs = 0;
  for (const auto& p : partials)
    legs += p.leg_count();
  return static_cast<std::size_t>(static_cast<double>(legs) * max_share);
}

std::thread start_facts_build(std::vector<FilePartial> facts_partials,
                              const std::vector<parse::FileInfo>& files,
                              const BuildOptions& options, SiteFacts& facts) {
  return std::thread([partials = std::move(facts_partials), &files, options, &facts]() mutable {
    BuildOptions o = options;
    o.facts_only = true;
    o.times = nullptr;  // step times are kept by one thread, the caller's
    facts = facts_of(build_correlation(std::move(partials), files, o));
  });
}

Correlation build_with_facts(std::vector<FilePartial> partials,
                             const std::vector<parse::FileInfo>& files, const BuildOptions& options,
                             const SiteFacts& facts) {
  BuildOptions with_facts = options;
  with_facts.facts = &facts;
  return build_correlation(std::move(partials), files, with_facts);
}

std::optional<Correlation> build_for_id(const std::vector<FilePartial>& partials,
                                        const std::vector<parse::FileInfo>& files,
                                        const std::vector<KeyIndex>& keys,
                                        const BuildOptions& options, std::string_view id,
                                        double max_share) {
  const std::size_t max_legs = reach_limit(partials, max_share);
  // The facts build and the search are independent: one runs on a second thread.
  SiteFacts facts;
  std::thread facts_thread = start_facts_build(facts_partials(partials), files, options, facts);
  std::optional<std::vector<FilePartial>> reachable;
  if (keys.size() == partials.size()) {
    reachable = reachable_partials(partials, keys, id, max_legs);
  } else {
    std::vector<KeyIndex> built;
    built.reserve(partials.size());
    for (const auto& p : partials)
      built.push_back(index_keys(p));
    reachable = reachable_partials(partials, built, id, max_legs);
  }
  facts_thread.join();
  if (!reachable) return std::nullopt;
  Correlation c = build_with_facts(std::move(*reachable), files, options, facts);
  if (find_interactions(c, id).empty()) return std::nullopt;
  return c;
}

}  // namespace calltrail::correlate
