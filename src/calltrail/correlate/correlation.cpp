#include "calltrail/correlate/correlation.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <numeric>
#include <queue>
#include <set>
#include <span>

#include "calltrail/base/time.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/iscc.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/site_override.hpp"
#include "calltrail/correlate/text.hpp"

namespace calltrail::correlate {

const char* to_string(LinkKind k) {
  switch (k) {
    case LinkKind::IsLink:
      return "islink";
    case LinkKind::Transfer:
      return "transfer";
    case LinkKind::Hint:
      return "hint";
    case LinkKind::Sip:
      return "sip";
    case LinkKind::Iscc:
      return "iscc";
  }
  return "?";
}

const char* to_string(Confidence c) {
  switch (c) {
    case Confidence::Certain:
      return "certain";
    case Confidence::Probable:
      return "probable";
    case Confidence::Hint:
      return "hint";
  }
  return "?";
}

const char* to_string(LinkReason r) {
  switch (r) {
    case LinkReason::None:
      return "";
    case LinkReason::Unmonitored:
      return "unmonitored";
    case LinkReason::PartnerMissing:
      return "partner-missing";
  }
  return "?";
}

const char* to_string(SiteNameSource s) {
  switch (s) {
    case SiteNameSource::Override:
      return "override";
    case SiteNameSource::IsLinkPeer:
      return "islink-peer";
    case SiteNameSource::Location:
      return "location-name";
    case SiteNameSource::FileName:
      return "file-name";
    case SiteNameSource::Application:
      return "application";
    case SiteNameSource::FileStem:
      return "file-stem";
  }
  return "?";
}

std::pair<std::string, std::string> split_site_name(std::string_view name) {
  auto at = name.rfind('@');
  if (at == std::string_view::npos) return {std::string(name), {}};
  return {std::string(name.substr(0, at)), std::string(name.substr(at + 1))};
}

SiteFacts facts_of(const Correlation& c) {
  SiteFacts out;
  out.files.reserve(c.files.size());
  for (const auto& f : c.files) {
    if (!f.site) {
      out.files.emplace_back();
      continue;
    }
    const SiteInfo& site = c.sites[*f.site];
    out.files.push_back({site.name, site.name_source});
  }
  for (const auto& s : c.sites)
    out.clocks.push_back({s.name, s.clock_offset, c.sites[s.clock_reference].name, s.clock_links});
  return out;
}

std::optional<Micros> Correlation::local_time(std::uint32_t site, const EventRef& e) const {
  if ((e.flags & EventRef::kLocalDated) != 0) return e.local;
  const auto& off = sites[site].utc_offset;
  if (off && e.has_utc()) return e.utc + Micros{*off} * base::kMicrosPerSecond;
  if (e.local != 0 || e.local_digits != 0) return e.local;
  return std::nullopt;
}

namespace {

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

std::string base_name(std::string_view path) {
  auto slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// "tserver2.log", "Tserver2.20121029_094100_000.log.gz" -> "tserver2", "Tserver2".
std::string file_stem(std::string_view path) {
  std::string b = base_name(path);
  auto dot = b.find('.');
  return dot == std::string::npos || dot == 0 ? b : b.substr(0, dot);
}

bool override_matches(const SiteOverride& o, const std::string& path) {
  if (o.file.empty()) return false;
  if (o.file == path || o.file == base_name(path)) return true;
  std::string dir = o.file;
  if (dir.back() != '/') dir += '/';
  return path.compare(0, dir.size(), dir) == 0;
}

Micros median(std::vector<Micros> v) {
  assert(!v.empty());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

bool before(const std::optional<Micros>& a, const std::optional<Micros>& b) {
  if (a && b) return *a < *b;
  return a.has_value() && !b.has_value();
}

// Items grouped by a string key, groups in order of first appearance:
// group g holds items[start[g] .. start[g + 1]) (indices into the input).
struct Grouped {
  std::vector<std::uint32_t> start;
  std::vector<std::uint32_t> items;
  std::size_t size() const { return start.empty() ? 0 : start.size() - 1; }
};

// Abseil's hash for std::string_view keys (Debian's Abseil has a string_view
// of its own, and std::string_view would otherwise get std::hash).
struct ViewHash {
  std::size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};
template <typename V>
using ViewMap = absl::flat_hash_map<std::string_view, V, ViewHash>;

template <typename KeyOf>
Grouped group_by_key(std::size_t n, KeyOf key_of) {
  ViewMap<std::uint32_t> group_of;
  // Sized once: growing would hash every key again, and the keys are
  // scattered strings.
  group_of.reserve(n);
  std::vector<std::uint32_t> group(n);
  std::vector<std::uint32_t> count;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view k = key_of(i);
    auto [it, added] = group_of.try_emplace(k, static_cast<std::uint32_t>(count.size()));
    if (added) count.push_back(0);
    group[i] = it->second;
    ++count[it->second];
  }
  Grouped g;
  g.start.resize(count.size() + 1, 0);
  for (std::size_t k = 0; k < count.size(); ++k)
    g.start[k + 1] = g.start[k] + count[k];
  g.items.resize(n);
  std::vector<std::uint32_t> fill(g.start.begin(), g.start.end() - 1);
  for (std::size_t i = 0; i < n; ++i)
    g.items[fill[group[i]]++] = static_cast<std::uint32_t>(i);
  return g;
}

// How far from a same-site ConnID reference (TransferConnID,
// PreviousConnID) the call it names may have been seen: its last events may
// be missing from the logs.
constexpr Micros kTransferSlack = Micros{300} * 1'000'000;

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

  Correlation run() {
    name_sites();
    merge_legs();
    place_orphans();
    resolve_times();
    find_gaps();
    link_islinks();
    if (options_.facts_only) {
      estimate_clocks();
      return std::move(c_);
    }
    link_transfers();
    // The legs that report an IS-Link themselves (before a dialog or the
    // call history completes one).
    std::vector<bool> reports_islink(c_.legs.size(), false);
    for (const Link& l : c_.links) {
      if (l.kind != LinkKind::IsLink) continue;
      for (const std::uint32_t end : {l.from, l.to})
        if (end != kNoLeg) reports_islink[end] = true;
    }
    link_sip();
    // Clocks before the call history: they rest on IS-Links paired by their
    // own reports, not on the ones the history completes.
    estimate_clocks();
    const std::vector<std::uint32_t> unpaired_arrivals = link_iscc(c_, reports_islink);
    Groups groups(c_.legs.size());
    for (const Link& l : c_.links)
      if (l.paired()) groups.unite(l.from, l.to);
    find_hints(groups);
    form_interactions(groups, unpaired_arrivals);
    return std::move(c_);
  }

 private:
  // --- sites -------------------------------------------------------------
  void name_sites() {
    const std::size_t n = partials_.size();
    // Counted by views into the observations, then put in name order.
    std::vector<ViewMap<std::uint64_t>> votes(n);
    ViewMap<std::uint64_t> location_counts;
    // (file, observation), kept for link_islinks(): merge_legs() updates the
    // observations in place.
    auto& all = islinks_;
    std::size_t total = 0;
    for (const auto& p : partials_)
      total += p.islinks.size();
    all.reserve(total);
    for (auto& p : partials_) {
      for (auto& o : p.islinks) {
        if (!o.location.empty()) ++location_counts[o.location];
        all.emplace_back(p.file, &o);
      }
    }
    const std::map<std::string, std::uint64_t> locations(location_counts.begin(),
                                                         location_counts.end());
    // merge_legs() gathers the observations in this order: link_islinks()
    // uses the same groups.
    by_islink_id_ = group_by_key(
        all.size(), [&](std::size_t i) { return std::string_view(all[i].second->id); });
    const Grouped& by_id = by_islink_id_;
    for (std::size_t g = 0; g < by_id.size(); ++g) {
      const std::uint32_t* first = by_id.items.data() + by_id.start[g];
      const std::uint32_t* last = by_id.items.data() + by_id.start[g + 1];
      for (const std::uint32_t* a = first; a != last; ++a) {
        const auto [fs, src] = all[*a];
        if (src->role != IsLinkRole::Source) continue;
        for (const std::uint32_t* b = first; b != last; ++b) {
          const auto [ft, tgt] = all[*b];
          if (tgt->role != IsLinkRole::Target || ft == fs) continue;
          if (!src->location.empty()) ++votes[ft][src->location];
          if (!tgt->location.empty()) ++votes[fs][tgt->location];
        }
      }
    }
    // The name with the most votes; of equal ones, the first in name order.
    auto best = [](const auto& m) {
      std::string_view name;
      std::uint64_t most = 0;
      bool any = false;
      for (const auto& [k, count] : m) {
        if (!any || count > most || (count == most && std::string_view(k) < name)) {
          name = k;
          most = count;
          any = true;
        }
      }
      return std::string(name);
    };
    auto location_for = [&](std::string_view name, bool whole_too) {
      std::map<std::string, std::uint64_t> found;
      const std::string folded = fold_name(name);
      if (folded.empty()) return std::string{};
      for (const auto& [loc, count] : locations) {
        if (fold_name(split_site_name(loc).first) == folded ||
            (whole_too && fold_name(loc) == folded))
          found[loc] += count;
      }
      return best(found);
    };

    std::vector<std::uint32_t> file_site(n);
    std::map<std::string, std::uint32_t> site_index;
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto& info = c_.files[i].info;
      // Not a log (reported when it was read): no site. Its events, if a
      // partial has any, make it one whatever its file record says.
      if (!parse::is_log(info) && partials_[i].events == 0) continue;
      std::string app = info.app;
      if (app.empty()) app = best(partials_[i].apps);
      std::string name;
      SiteNameSource source = SiteNameSource::FileStem;
      for (const auto& o : options_.sites) {
        if (override_matches(o, info.path)) {
          name = o.site;
          source = SiteNameSource::Override;
        }
      }
      if (name.empty() && options_.facts != nullptr && i < options_.facts->files.size() &&
          !options_.facts->files[i].site.empty()) {
        name = options_.facts->files[i].site;
        source = options_.facts->files[i].source;
      }
      if (name.empty() && !votes[i].empty()) {
        name = best(votes[i]);
        source = SiteNameSource::IsLinkPeer;
      }
      if (name.empty() && !app.empty()) {
        name = location_for(app, false);
        source = SiteNameSource::Location;
        if (name.empty()) {
          name = app + "@?";
          source = SiteNameSource::Application;
        }
      }
      if (name.empty()) {
        const std::string stem = file_stem(info.path);
        name = location_for(stem, true);
        source = SiteNameSource::FileName;
        if (name.empty()) {
          name = (stem.empty() ? std::string("unknown") : stem) + "@?";
          source = SiteNameSource::FileStem;
        }
      }
      auto [it, added] = site_index.emplace(name, static_cast<std::uint32_t>(c_.sites.size()));
      if (added) {
        SiteInfo& s = c_.sites.emplace_back();
        s.name = name;
        auto [a, sw] = split_site_name(name);
        s.app = a;
        s.switch_name = sw == "?" ? std::string{} : sw;
        s.name_source = source;
      }
      file_site[i] = it->second;
      c_.files[i].site = it->second;
      c_.sites[it->second].files.push_back(i);
    }
    // Segments of a site in time order (then by path).
    file_rank_.assign(n, 0);
    for (auto& s : c_.sites) {
      std::stable_sort(s.files.begin(), s.files.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto& fa = partials_[a].first_utc;
        const auto& fb = partials_[b].first_utc;
        if (fa != fb) return before(fa, fb);
        return c_.files[a].info.path < c_.files[b].info.path;
      });
      for (std::uint32_t r = 0; r < s.files.size(); ++r)
        file_rank_[s.files[r]] = r;
    }
  }

  // --- legs --------------------------------------------------------------
  void remap(EventRef& e, const std::vector<std::uint32_t>& m) {
    e.name = m[e.name];
    e.this_dn = m[e.this_dn];
    e.other_dn = m[e.other_dn];
    e.note = m[e.note];
  }

  void merge_legs() {
    // Legs never move once the capacity is reserved, so keys can view their CallUUIDs.
    std::size_t total = 0;
    for (const auto& p : partials_)
      total += p.legs.size();
    c_.legs.reserve(total);
    for (auto& p : partials_) {
      if (!c_.files[p.file].site) continue;
      const std::uint32_t site = *c_.files[p.file].site;
      SiteInfo& s = c_.sites[site];
      s.events += p.events;
      s.call_events += p.call_events;
      s.sequence_out_of_order += p.sequence.out_of_order;
      std::vector<std::uint32_t> m(p.strings.size());
      for (std::uint32_t k = 0; k < m.size(); ++k)
        m[k] = c_.strings.intern(p.strings.at(k));
      std::vector<std::uint32_t> global(p.legs.size());
      if (options_.facts_only) {
        // Clocks need only the site at each end of a link: one leg per
        // site stands for all of its legs.
        if (site >= site_legs_.size()) site_legs_.resize(site + 1, kNoLeg);
        if (site_legs_[site] == kNoLeg) {
          site_legs_[site] = static_cast<std::uint32_t>(c_.legs.size());
          c_.legs.emplace_back().site = site;
        }
        std::fill(global.begin(), global.end(), site_legs_[site]);
        p.legs.clear();
      }
      for (std::uint32_t k = 0; k < p.legs.size(); ++k) {
        Leg& from = p.legs[k];
        for (auto& e : from.events)
          remap(e, m);
        auto found = by_key_.find(LegKey{site, from.call_uuid});
        if (found == by_key_.end()) {
          const auto index = static_cast<std::uint32_t>(c_.legs.size());
          global[k] = index;
          from.site = site;
          const Leg& stored = c_.legs.emplace_back(std::move(from));
          by_key_.emplace(LegKey{site, stored.call_uuid}, index);
          continue;
        }
        global[k] = found->second;
        Leg& to = c_.legs[found->second];
        merge_leg(to, std::move(from));
      }
      p.legs.clear();
      p.legs.shrink_to_fit();
      for (auto& o : p.islinks) {
        o.leg = global[o.leg];
        remap(o.event, m);
      }
      for (auto& t : p.transfers) {
        t.leg = global[t.leg];
        remap(t.event, m);
        transfers_.push_back(std::move(t));
      }
      for (auto& [conn, o] : p.orphans) {
        for (auto& e : o.events)
          remap(e, m);
        for (auto& t : o.transfers)
          remap(t.event, m);
        orphans_.push_back(Orphans{site, conn, std::move(o)});
      }
      p.orphans.clear();
    }
    for (auto& l : c_.legs)
      life(l);
    for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
      for (const std::uint64_t conn : c_.legs[i].conn_ids)
        conn_index_[ConnKey{c_.legs[i].site, conn}].push_back(i);
    }
  }

  std::optional<std::uint32_t> leg_by_uuid(std::uint32_t site, std::string_view uuid) const {
    auto it = by_key_.find(LegKey{site, uuid});
    if (it == by_key_.end()) return std::nullopt;
    return it->second;
  }

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
  std::optional<std::uint32_t> leg_by_conn(std::uint32_t site, const std::string& conn,
                                           std::optional<Micros> t, std::uint32_t exclude = kNoLeg,
                                           std::optional<Micros> within = std::nullopt) const {
    auto n = conn_number(conn);
    if (!n) return std::nullopt;
    auto it = conn_index_.find(ConnKey{site, *n});
    if (it == conn_index_.end()) return std::nullopt;
    std::optional<std::uint32_t> best;
    Micros best_distance = 0;
    std::size_t candidates = 0;
    for (std::uint32_t leg : it->second) {
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

  void place_orphans() {
    for (auto& o : orphans_) {
      std::optional<Micros> t;
      for (const auto& e : o.events.events)
        if (e.has_utc()) {
          t = e.utc;
          break;
        }
      auto leg = leg_by_conn(o.site, o.conn, t);
      if (!leg) {
        c_.sites[o.site].unattached_events += o.events.events.size();
        continue;
      }
      Leg& l = c_.legs[*leg];
      l.events.insert(l.events.end(), o.events.events.begin(), o.events.events.end());
      for (auto& tr : o.events.transfers) {
        tr.leg = *leg;
        transfers_.push_back(std::move(tr));
      }
    }
    orphans_.clear();
  }

  // --- time --------------------------------------------------------------
  void resolve_times() {
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
        auto top = std::max_element(votes.begin(), votes.end(), [](const auto& x, const auto& y) {
          return x.second < y.second;
        });
        s.utc_offset = top->first;
      }
    }
    const Micros day = base::kMicrosPerDay;
    for (auto& l : c_.legs) {
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

  void find_gaps() {
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
  }

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
  void link_islinks() {
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
      const std::string& id = obs.front()->id;
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
    islinks_.clear();
  }

  void link_transfers() {
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> by_pair;
    std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> unpaired;
    for (const auto& t : transfers_) {
      const Leg& leg = c_.legs[t.leg];
      std::optional<std::uint32_t> partner;
      const bool by_uuid = t.via == TransferVia::RefCallUUID ||
                           t.via == TransferVia::OrigCallUUID || t.via == TransferVia::NewCallUUID;
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
    transfers_.clear();
  }

  // The leg's event at the place `e` names (a dialog keeps only where and
  // when its INVITE was), or `e` itself.
  static EventRef event_at(const Leg& leg, const EventRef& e) {
    for (const auto& x : leg.events)
      if (x.file == e.file && x.offset == e.offset) return x;
    return e;
  }

  // Links of kind sip (see docs/correlation.md, "SIP"): a dialog a site
  // received joins the leg of another site that sent the same Call-ID, and
  // the leg its X-Genesys-CallUUID names. Where an IS-Link already joins the
  // two legs, or is reported by one of them only toward the other's site,
  // the dialog confirms or completes it instead of making a second hop.
  void link_sip() {
    // Call-ID -> (leg, dialog) of the dialogs a site sent; CallUUID -> legs.
    absl::flat_hash_map<std::string_view, std::vector<std::pair<std::uint32_t, std::uint32_t>>>
        sent;
    absl::flat_hash_map<std::string_view, std::vector<std::uint32_t>> by_uuid;
    bool any_received = false;
    for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
      const Leg& l = c_.legs[i];
      for (std::uint32_t d = 0; d < l.sip_dialogs.size(); ++d) {
        const SipDialog& dialog = l.sip_dialogs[d];
        if (dialog.origin == SipDialog::Origin::Sent) sent[dialog.call_id].emplace_back(i, d);
        if (dialog.origin == SipDialog::Origin::Received) any_received = true;
      }
    }
    if (!any_received) return;
    for (std::uint32_t i = 0; i < c_.legs.size(); ++i)
      by_uuid[c_.legs[i].call_uuid].push_back(i);
    // Paired IS-Links by their legs, and IS-Links with one end by that end.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> paired;
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
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> made;
    auto join = [&](std::uint32_t from, const EventRef& from_event, std::uint32_t to,
                    const EventRef& to_event, const std::string& call_id, const char* via) {
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
        if (auto s = sent.find(d.call_id); s != sent.end()) {
          for (auto [from, k] : s->second) {
            const Leg& f = c_.legs[from];
            if (f.site == to.site) continue;
            join(from, event_at(f, *f.sip_dialogs[k].invite), i, to_event, d.call_id, "Call-ID");
          }
        }
        if (d.remote_uuid.empty()) continue;
        if (auto u = by_uuid.find(d.remote_uuid); u != by_uuid.end()) {
          for (std::uint32_t from : u->second) {
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
  }

  void find_hints(Groups& groups) {
    // (ConnID, leg) for every ConnID and First/LastTransferConnID, sorted: the
    // legs sharing a ConnID become adjacent, in ConnID order then leg order.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> uses;
    for (std::uint32_t i = 0; i < c_.legs.size(); ++i) {
      for (const auto* v : {&c_.legs[i].conn_ids, &c_.legs[i].transfer_conn_ids})
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

  // --- clocks ------------------------------------------------------------
  void fixed_clocks(const SiteFacts& facts) {
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

  void estimate_clocks() {
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

  // --- interactions ------------------------------------------------------
  void form_interactions(Groups& groups, const std::vector<std::uint32_t>& unpaired_arrivals) {
    const auto n = static_cast<std::uint32_t>(c_.legs.size());
    std::vector<std::vector<std::uint32_t>> leg_links(n);
    std::vector<bool> is_target(n, false);
    std::vector<bool> unpaired_arrival(n, false);
    for (const std::uint32_t l : unpaired_arrivals)
      unpaired_arrival[l] = true;
    for (std::uint32_t i = 0; i < c_.links.size(); ++i) {
      const Link& l = c_.links[i];
      if (l.from != kNoLeg) leg_links[l.from].push_back(i);
      if (l.to != kNoLeg && l.to != l.from) leg_links[l.to].push_back(i);
      if ((l.kind == LinkKind::IsLink || l.kind == LinkKind::Sip || l.kind == LinkKind::Iscc) &&
          l.paired())
        is_target[l.to] = true;
    }
    // Group roots are their smallest leg, so walking roots in index order
    // gives the groups in the order of their first leg.
    // The legs of every group, one run per root in a flat array.
    std::vector<std::uint32_t> root_of(n);
    std::vector<std::uint32_t> group_start(n + 1, 0);
    for (std::uint32_t i = 0; i < n; ++i) {
      root_of[i] = groups.find(i);
      ++group_start[root_of[i] + 1];
    }
    for (std::uint32_t r = 0; r < n; ++r)
      group_start[r + 1] += group_start[r];
    std::vector<std::uint32_t> member_legs(n);
    {
      std::vector<std::uint32_t> fill(group_start.begin(), group_start.end() - 1);
      for (std::uint32_t i = 0; i < n; ++i)
        member_legs[fill[root_of[i]]++] = i;
    }

    // Gaps per site, by the time after the gap, for the overlap search.
    std::vector<std::vector<std::uint32_t>> site_gaps(c_.sites.size());
    auto gap_end = [&](std::uint32_t g) {
      return c_.gaps[g].before_utc.value_or(std::numeric_limits<Micros>::max());
    };
    for (std::uint32_t g = 0; g < c_.gaps.size(); ++g)
      site_gaps[c_.gaps[g].site].push_back(g);
    for (auto& v : site_gaps)
      std::sort(v.begin(), v.end(), [&](auto a, auto b) { return gap_end(a) < gap_end(b); });

    auto start_of = [&](std::uint32_t leg) {
      return c_.corrected(c_.legs[leg].site, c_.legs[leg].start);
    };
    std::vector<std::uint32_t> links;
    std::vector<std::uint32_t> gaps;
    std::vector<Interaction> found;
    for (std::uint32_t r = 0; r < n; ++r) {
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
      gaps.clear();
      it.start = std::numeric_limits<Micros>::max();
      it.end = std::numeric_limits<Micros>::min();
      for (std::uint32_t l : legs) {
        links.insert(links.end(), leg_links[l].begin(), leg_links[l].end());
        const Leg& leg = c_.legs[l];
        if (leg.timed) {
          it.start = std::min(it.start, c_.corrected(leg.site, leg.start));
          it.end = std::max(it.end, c_.corrected(leg.site, leg.end));
          it.timed = true;
        }
        const auto& sg = site_gaps[leg.site];
        auto first = std::lower_bound(sg.begin(), sg.end(), leg.start,
                                      [&](std::uint32_t g, Micros t) { return gap_end(g) < t; });
        for (auto g = first; g != sg.end(); ++g) {
          const Gap& gap = c_.gaps[*g];
          const Micros begin = gap.after_utc.value_or(std::numeric_limits<Micros>::min());
          if (begin > leg.end) {
            // Gaps are ordered by their end; a later gap may still start
            // earlier only when times run backwards, which we accept missing.
            break;
          }
          gaps.push_back(*g);
        }
      }
      std::sort(links.begin(), links.end());
      links.erase(std::unique(links.begin(), links.end()), links.end());
      std::sort(gaps.begin(), gaps.end());
      gaps.erase(std::unique(gaps.begin(), gaps.end()), gaps.end());
      it.links.assign(links.begin(), links.end());
      std::stable_sort(it.links.begin(), it.links.end(), [&](std::uint32_t a, std::uint32_t b) {
        return link_time(a) < link_time(b);
      });
      it.gaps.assign(gaps.begin(), gaps.end());
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
      found.push_back(std::move(it));
    }
    // By start, then id: sort indices, then move each interaction once.
    std::vector<std::uint32_t> order(found.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (found[a].start != found[b].start) return found[a].start < found[b].start;
      return found[a].id < found[b].id;
    });
    c_.interactions.reserve(found.size());
    for (std::uint32_t i : order)
      c_.interactions.push_back(std::move(found[i]));
    c_.leg_interaction.assign(n, 0);
    for (std::uint32_t i = 0; i < c_.interactions.size(); ++i)
      for (std::uint32_t l : c_.interactions[i].legs)
        c_.leg_interaction[l] = i;
  }

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
  // (site, CallUUID) -> leg; the views point into c_.legs.
  using LegKey = std::pair<std::uint32_t, std::string_view>;
  absl::flat_hash_map<LegKey, std::uint32_t> by_key_;
  std::vector<std::uint32_t> site_legs_;  // facts_only: the one leg of each site
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<Micros>> clock_deltas_;
  // (site, ConnID) -> legs that carried it.
  using ConnKey = std::pair<std::uint32_t, std::uint64_t>;
  absl::flat_hash_map<ConnKey, std::vector<std::uint32_t>> conn_index_;
  // Every IS-Link observation (file, observation in partials_), and by id.
  std::vector<std::pair<std::uint32_t, IsLinkObservation*>> islinks_;
  Grouped by_islink_id_;
  std::vector<TransferObservation> transfers_;
  std::vector<Orphans> orphans_;
  // IS-Links reported by one side that a SIP dialog completed (link indices).
  absl::flat_hash_set<std::uint32_t> completed_by_sip_;
};

}  // namespace

bool site_override_matches(const SiteOverride& site, const std::string& path) {
  return override_matches(site, path);
}

Correlation build_correlation(std::vector<FilePartial> partials, std::vector<parse::FileInfo> files,
                              const BuildOptions& options) {
  Builder b(partials, files, options);
  return b.run();
}

}  // namespace calltrail::correlate
