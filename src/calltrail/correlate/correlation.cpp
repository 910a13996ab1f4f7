#include "calltrail/correlate/correlation.hpp"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <map>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/release.hpp"
#include "calltrail/base/step_times.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/builder.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/iscc.hpp"
#include "calltrail/correlate/key_hash.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/site_override.hpp"
#include "calltrail/correlate/spare_events.hpp"
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

namespace detail {

namespace {

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

bool before(const std::optional<Micros>& a, const std::optional<Micros>& b) {
  if (a && b) return *a < *b;
  return a.has_value() && !b.has_value();
}

template <typename V>
using ViewMap = absl::flat_hash_map<std::string_view, V, ViewHash>;

template <typename KeyOf>
Grouped group_by_key(std::size_t n, KeyOf key_of) {
  ViewMap<std::uint32_t> group_of;
  return group_into(group_of, n, key_of);
}

using ConnSet = absl::flat_hash_set<std::uint64_t>;

// Adds the ConnIDs that `l`'s call history names as origins.
void add_named_origins(const Leg& l, ConnSet& named) {
  if (l.history)
    for (const CallHistory::Origin* o : {&l.history->last, &l.history->first})
      if (o->conn) named.insert(*o->conn);
}

// Whether a summary keeps every event of `l` (or of a part of it): the ISCC
// linker reads them all on a leg with a call history and on one of whose
// ConnIDs a history names.
bool keeps_every_event(const Leg& l, const ConnSet& named) {
  return l.history || std::any_of(l.conn_ids.begin(), l.conn_ids.end(),
                                  [&](std::uint64_t c) { return named.contains(c); });
}

}  // namespace

Correlation Builder::run() {
  const auto step = [this](std::string_view name, auto&& f) {
    return base::timed(options_.times, name, f);
  };
  step("name sites", [&] { name_sites(); });
  step("merge legs", [&] { merge_legs(); });
  step("place orphans", [&] { place_orphans(); });
  step("resolve times", [&] { resolve_times(); });
  step("find gaps", [&] { find_gaps(); });
  if (options_.summary) step("thin events", [&] { keep_summary_events(); });
  step("link IS-Links", [&] { link_islinks(); });
  if (options_.facts_only) {
    step("estimate clocks", [&] { estimate_clocks(); });
    return std::move(c_);
  }
  // Transfers on this thread while the SIP dialogs are indexed on another:
  // both only read the legs.
  SipIndex sip;
  step("link transfers, index SIP", [&] {
    base::for_parts(2, options_.threads, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t s = begin; s < end; ++s) {
        if (s == 0) {
          link_transfers();
        } else {
          sip = index_sip();
        }
      }
    });
  });
  // The legs that report an IS-Link themselves (before a dialog or the
  // call history completes one).
  std::vector<bool> reports_islink(c_.legs.size(), false);
  for (const Link& l : c_.links) {
    if (l.kind != LinkKind::IsLink) continue;
    for (const std::uint32_t end : {l.from, l.to})
      if (end != kNoLeg) reports_islink[end] = true;
  }
  step("link SIP", [&] { link_sip(sip); });
  base::release(sip);
  // Legs are found by CallUUID and ConnID no more: the indexes go before the
  // last steps, whose memory is the build's peak.
  base::release(by_key_);
  base::release(conn_group_);
  base::release(conn_legs_);
  // Clocks before the call history: they rest on IS-Links paired by their
  // own reports, not on the ones the history completes.
  step("estimate clocks", [&] { estimate_clocks(); });
  const std::vector<std::uint32_t> unpaired_arrivals = step("link call histories", [&] {
    return link_iscc(c_, reports_islink, options_.threads, options_.legs_per_thread);
  });
  Groups groups(c_.legs.size());
  for (const Link& l : c_.links)
    if (l.paired()) groups.unite(l.from, l.to);
  step("find hints", [&] { find_hints(groups); });
  // No link is added after the hints: the room their table grew into (up to
  // as much again) goes back before the interactions take theirs.
  c_.links.shrink_to_fit();
  base::give_back_freed();
  step("form interactions", [&] { form_interactions(groups, unpaired_arrivals); });
  return std::move(c_);
}

void Builder::name_sites() {
  const std::size_t n = partials_.size();
  // The locations the observations name, numbered (there are about as many
  // as sites, so most are found among the last few without hashing), and
  // the votes of each file by location number.
  std::vector<std::pair<std::string_view, std::uint64_t>> locations_seen;
  ViewMap<std::uint32_t> location_number;
  constexpr std::uint32_t kNoLocation = ~std::uint32_t{0};
  auto number_of = [&](std::string_view loc) {
    if (loc.empty()) return kNoLocation;
    if (locations_seen.size() <= 16) {
      for (std::uint32_t i = 0; i < locations_seen.size(); ++i)
        if (locations_seen[i].first == loc) return i;
    } else if (auto it = location_number.find(loc); it != location_number.end()) {
      return it->second;
    }
    const auto k = static_cast<std::uint32_t>(locations_seen.size());
    locations_seen.emplace_back(loc, 0);
    location_number.emplace(loc, k);
    return k;
  };
  std::vector<absl::flat_hash_map<std::uint32_t, std::uint64_t>> votes(n);
  // (file, observation), kept for link_islinks(): merge_legs() updates the
  // observations in place.
  auto& all = islinks_;
  std::size_t total = 0;
  for (const auto& p : partials_)
    total += p.islinks.size();
  all.reserve(total);
  std::vector<std::uint32_t> location_of;
  location_of.reserve(total);
  for (auto& p : partials_) {
    for (auto& o : p.islinks) {
      const std::uint32_t loc = number_of(o.location);
      if (loc != kNoLocation) ++locations_seen[loc].second;
      location_of.push_back(loc);
      all.emplace_back(p.file, &o);
    }
  }
  std::map<std::string, std::uint64_t> locations;
  for (const auto& [loc, count] : locations_seen)
    locations[std::string(loc)] += count;
  // merge_legs() gathers the observations in this order: link_islinks()
  // uses the same groups.
  by_islink_id_ =
      group_by_key(all.size(), [&](std::size_t i) { return std::string_view(all[i].second->id); });
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
        if (location_of[*a] != kNoLocation) ++votes[ft][location_of[*a]];
        if (location_of[*b] != kNoLocation) ++votes[fs][location_of[*b]];
      }
    }
  }
  // The name with the most votes; of equal ones, the first in name order.
  auto best = [](const auto& m, auto name_of) {
    std::string_view name;
    std::uint64_t most = 0;
    bool any = false;
    for (const auto& [k, count] : m) {
      const std::string_view key = name_of(k);
      if (!any || count > most || (count == most && key < name)) {
        name = key;
        most = count;
        any = true;
      }
    }
    return std::string(name);
  };
  auto by_name = [](std::string_view k) { return k; };
  auto by_number = [&](std::uint32_t k) { return locations_seen[k].first; };
  auto location_for = [&](std::string_view name, bool whole_too) {
    std::map<std::string, std::uint64_t> found;
    const std::string folded = fold_name(name);
    if (folded.empty()) return std::string{};
    for (const auto& [loc, count] : locations) {
      if (fold_name(split_site_name(loc).first) == folded ||
          (whole_too && fold_name(loc) == folded))
        found[loc] += count;
    }
    return best(found, by_name);
  };

  std::vector<std::uint32_t> file_site(n);
  std::map<std::string, std::uint32_t> site_index;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& info = c_.files[i].info;
    // Not a log (reported when it was read): no site. Its events, if a
    // partial has any, make it one whatever its file record says.
    if (!parse::is_log(info) && partials_[i].events == 0) continue;
    std::string app = info.app;
    if (app.empty()) app = best(partials_[i].apps, by_name);
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
      name = best(votes[i], by_number);
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

void Builder::merge_legs() {
  // Legs never move once the capacity is reserved, so keys can view their CallUUIDs.
  std::size_t total = 0;
  for (const auto& p : partials_)
    total += p.legs.size();
  c_.legs.reserve(total);
  by_key_.reserve(total);
  // At most every string of every partial: most are in several.
  std::size_t strings = 0;
  for (const auto& p : partials_)
    strings += p.strings.size();
  c_.strings.reserve(strings);
  // A partial's strings go into the merged pool and its events' references
  // are changed to name them (on a second thread, a partial or more ahead,
  // in file order so that the pool's ids are those of one thread), then its
  // legs join those of the site (on this thread, in file order).
  // The events a summary collection set aside (spare_events.hpp) stay out
  // of a leg unless it keeps every event (keep_summary_events) or an orphan
  // event without a UTC time could fall among its events and take its time
  // from one that is out.
  absl::flat_hash_set<std::uint64_t> whole;  // site and CallUUID, hashed
  bool thin = options_.summary && !options_.facts_only;
  if (thin) {
    ConnSet named;
    for (const auto& p : partials_) {
      for (const Leg& l : p.legs)
        add_named_origins(l, named);
      for (const auto& [conn, o] : p.orphans)
        for (const auto& e : o.events)
          thin = thin && e.has_utc();
    }
    for (const auto& p : partials_) {
      if (!c_.files[p.file].site) continue;
      const std::uint32_t site = *c_.files[p.file].site;
      for (const Leg& l : p.legs)
        if (keeps_every_event(l, named)) whole.insert(absl::HashOf(site, l.call_uuid.view()));
    }
  }
  const auto prepare = [&](std::size_t i) {
    FilePartial& p = partials_[i];
    if (!c_.files[p.file].site) return;
    // The events a summary collection set aside go back into the legs that
    // keep every event, and are counted for the others.
    if (!p.spare.empty()) {
      const std::uint32_t site = *c_.files[p.file].site;
      for (std::size_t k = 0; k < p.legs.size(); ++k) {
        Leg& l = p.legs[k];
        if (!thin || whole.contains(absl::HashOf(site, l.call_uuid.view()))) {
          restore(l, p.spare, k);
        } else {
          l.summarised_events += p.spare.count[k];
        }
      }
      base::release(p.spare);
    }
    std::vector<std::uint32_t> m(p.strings.size());
    for (std::uint32_t k = 0; k < m.size(); ++k)
      m[k] = c_.strings.intern(p.strings.at(k));
    // facts_only keeps no leg of its own (below).
    if (!options_.facts_only)
      for (Leg& l : p.legs)
        for (auto& e : l.events)
          remap(e, m);
    for (auto& o : p.islinks)
      remap(o.event, m);
    for (auto& t : p.transfers)
      remap(t.event, m);
    for (auto& [conn, o] : p.orphans) {
      for (auto& e : o.events)
        remap(e, m);
      for (auto& t : o.transfers)
        remap(t.event, m);
    }
    // Every reference now names the merged pool's strings.
    p.strings = StringPool();
  };
  const auto merge = [&](std::size_t i) {
    FilePartial& p = partials_[i];
    if (!c_.files[p.file].site) return;
    const std::uint32_t site = *c_.files[p.file].site;
    SiteInfo& s = c_.sites[site];
    s.events += p.events;
    s.call_events += p.call_events;
    s.sequence_out_of_order += p.sequence.out_of_order;
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
      auto found = by_key_.find(LegKey{site, from.call_uuid});
      if (found == by_key_.end()) {
        const auto index = static_cast<std::uint32_t>(c_.legs.size());
        global[k] = index;
        from.site = site;
        c_.legs.emplace_back(std::move(from));
        by_key_.insert(index);
        continue;
      }
      global[k] = *found;
      Leg& to = c_.legs[*found];
      merge_leg(to, std::move(from));
    }
    p.legs.clear();
    p.legs.shrink_to_fit();
    for (auto& o : p.islinks)
      o.leg = global[o.leg];
    for (auto& t : p.transfers) {
      t.leg = global[t.leg];
      transfers_.push_back(std::move(t));
    }
    base::release(p.transfers);
    for (auto& [conn, o] : p.orphans)
      orphans_.push_back(Orphans{site, conn, std::move(o)});
    p.orphans.clear();
    base::give_back_freed();
  };
  base::prepare_ahead(partials_.size(), options_.threads, prepare, merge);
  base::for_parts(c_.legs.size(), options_.threads, options_.legs_per_thread,
                  [&](std::size_t begin, std::size_t end) {
                    for (std::size_t k = begin; k < end; ++k)
                      life(c_.legs[k]);
                  });
  conn_legs_ = group_legs_by_conn(c_.legs, conn_group_, [&](std::uint32_t leg, std::uint64_t conn) {
    return ConnKey{c_.legs[leg].site, conn};
  });
}

void Builder::keep_summary_events() {
  // What the steps after this one and a summary read of a leg's events: its
  // first (the end of a transfer, SIP or hint link that names no event of
  // its own), its SIP messages (a summary collection kept only those it
  // reads), and those with a note (recording marks). The ISCC linker reads
  // every event of a leg with a call history and of every leg it may name as
  // an origin (one of whose ConnIDs a history names): for their DNs, and the
  // origin's event by the arrival's time.
  ConnSet named;
  for (const Leg& l : c_.legs)
    add_named_origins(l, named);
  // Every leg's events are copied anew, those it keeps all, and the old
  // lists freed a block of legs at a time: the copies fill pages of their
  // own, and the old lists' pages are then empty and go back to the system
  // (EventList) instead of staying held by the few lists left on each.
  constexpr std::size_t kBlock = 8192;
  std::vector<EventList> kept(std::min(kBlock, c_.legs.size()));
  for (std::size_t from = 0; from < c_.legs.size(); from += kBlock) {
    const std::size_t to = std::min(c_.legs.size(), from + kBlock);
    // The legs of a block split over the threads, each copying and then
    // swapping its own.
    base::for_parts(to - from, options_.threads, options_.legs_per_thread,
                    [&](std::size_t begin, std::size_t end) {
                      thin_summary_events(from + begin, from + end, from, named, kept);
                    });
  }
  base::give_back_freed();
}

void Builder::thin_summary_events(std::size_t begin, std::size_t end, std::size_t block,
                                  const absl::flat_hash_set<std::uint64_t>& named,
                                  std::vector<EventList>& kept) {
  for (std::size_t k = begin; k < end; ++k) {
    const Leg& l = c_.legs[k];
    const bool all = keeps_every_event(l, named);
    auto keep = [&](std::size_t i) {
      const EventRef& e = l.events[i];
      return all || i == 0 || e.is_sip() || e.note != 0;
    };
    std::size_t n = 0;
    for (std::size_t i = 0; i < l.events.size(); ++i)
      n += keep(i) ? 1 : 0;
    EventList& x = kept[k - block];
    x.reserve(n);
    for (std::size_t i = 0; i < l.events.size(); ++i)
      if (keep(i)) x.push_back(l.events[i]);
  }
  for (std::size_t k = begin; k < end; ++k) {
    Leg& l = c_.legs[k];
    l.summarised_events += l.events.size() - kept[k - block].size();
    l.events.swap(kept[k - block]);
    base::release(kept[k - block]);
  }
}

void Builder::place_orphans() {
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

}  // namespace detail

bool site_override_matches(const SiteOverride& site, const std::string& path) {
  return detail::override_matches(site, path);
}

Correlation build_correlation(std::vector<FilePartial> partials, std::vector<parse::FileInfo> files,
                              const BuildOptions& options) {
  detail::Builder b(partials, files, options);
  return b.run();
}

}  // namespace calltrail::correlate
