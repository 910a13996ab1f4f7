#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/serve/live_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

using base::ascii_lower;
using detail::prefixed;

void append_summary_json(std::string& out, const InteractionSummary& s) {
  base::JsonWriter w(out);
  w.begin_object();
  w.field("interaction_id", s.id);
  w.field("complete", s.complete);
  w.field("open", s.open);
  w.field("legs", std::uint64_t{s.legs});
  w.field("links_paired", std::uint64_t{s.links_paired});
  w.field("events", s.events);
  w.field("start", base::format_utc(s.start));
  w.field("end", base::format_utc(s.end));
  w.key("sites").begin_array();
  for (const auto& site : s.sites)
    w.value(site);
  w.end_array();
  w.end_object();
}

std::string update_json(const Update& u) {
  std::string out;
  out += "{\"seq\":";
  out += std::to_string(u.seq);
  out += ",\"kind\":";
  base::append_json_string(out, to_string(u.kind));
  if (u.kind == UpdateKind::Clocks) {
    // {"seq":…,"kind":"clocks","sites":[{"site":…,"clock_offset_us":…,"clock_reference":…,"links":…}]}
    base::JsonWriter w(out);
    out += ",\"sites\":";
    w.begin_array();
    for (const auto& c : u.clocks) {
      w.begin_object();
      w.field("site", c.site);
      if (c.offset) {
        w.field("clock_offset_us", std::int64_t{*c.offset});
      } else {
        w.key("clock_offset_us").null();
      }
      w.field("clock_reference", c.reference);
      w.field("links", std::uint64_t{c.links});
      w.end_object();
    }
    w.end_array();
    out += '}';
    return out;
  }
  out += ",\"interaction_id\":";
  base::append_json_string(out, u.interaction.id);
  if (u.kind == UpdateKind::Merged ||
      (u.kind == UpdateKind::RecordingsGrouped && !u.merged.empty())) {
    out += ",\"survivor\":";
    base::append_json_string(out, u.interaction.id);
    out += ",\"merged\":[";
    for (std::size_t i = 0; i < u.merged.size(); ++i) {
      if (i > 0) out += ',';
      base::append_json_string(out, u.merged[i]);
    }
    out += ']';
  }
  if (u.kind == UpdateKind::RecordingsGrouped) {
    // The group now (by position) and what joined it.
    for (const auto* list : {&u.interaction.recordings, &u.recordings_added}) {
      out += list == &u.recordings_added ? ",\"added\":" : ",\"recordings\":";
      base::JsonWriter w(out);
      w.begin_array();
      for (const auto& id : *list)
        w.value(id);
      w.end_array();
    }
  }
  out += ",\"interaction\":";
  append_summary_json(out, u.interaction);
  out += '}';
  return out;
}

InteractionSummary LiveCorrelation::summarize(const correlate::Correlation& c,
                                              const correlate::Interaction& it) const {
  InteractionSummary s;
  s.id = it.id;
  s.complete = it.complete;
  s.legs = static_cast<std::uint32_t>(it.legs.size());
  s.start = it.start;
  s.end = it.end;
  // Links that join two of its legs: a hint toward another interaction has
  // both ends too, but joins nothing.
  for (std::uint32_t l : it.links)
    if (c.links[l].paired() && c.links[l].kind != correlate::LinkKind::Hint) ++s.links_paired;
  for (std::uint32_t l : it.legs) {
    const correlate::Leg& leg = c.legs[l];
    s.events += leg.event_count();
    s.open = s.open || !leg.deleted;
    const std::string& site = c.sites[leg.site].name;
    if (std::find(s.sites.begin(), s.sites.end(), site) == s.sites.end()) s.sites.push_back(site);
    s.leg_keys.push_back(ascii_lower(leg.call_uuid));
  }
  return s;
}

std::vector<std::uint32_t> LiveCorrelation::roots_for_query(std::string_view id) {
  std::set<std::uint32_t> roots;
  auto try_index = [&](const std::string& key) {
    if (auto it = search_index_.find(key); it != search_index_.end())
      for (std::uint32_t n : it->second)
        roots.insert(find(n));
  };
  correlate::LinkKey keys[2];
  for (int i = 0, k = correlate::query_keys(id, keys); i < k; ++i)
    if (auto it = nodes_.find(keys[i]); it != nodes_.end()) roots.insert(find(it->second));
  try_index(prefixed('d', id));
  try_index(prefixed('a', id));
  try_index(prefixed('n', id));
  if (id.find('=') != std::string_view::npos) try_index(prefixed('k', id));
  return {roots.begin(), roots.end()};
}

std::vector<SearchHit> LiveCorrelation::search(const SearchQuery& q, std::size_t* total) {
  std::unique_lock lock(mutex_);
  std::vector<SearchHit> hits;
  auto keep = [&](const InteractionSummary& s) {
    if (q.from && s.end < *q.from) return false;
    if (q.to && s.start > *q.to) return false;
    if (!q.site.empty()) {
      bool any = false;
      for (const auto& site : s.sites)
        any = any || site.find(q.site) != std::string::npos;
      if (!any) return false;
    }
    return true;
  };
  if (q.id.empty()) {
    for (const auto& [id, s] : summaries_)
      if (keep(s)) hits.push_back({s, ""});
  } else {
    const auto roots = roots_for_query(q.id);
    if (!roots.empty()) {
      refresh_facts(true);
      Built b = build_roots(roots);
      for (const auto& m : correlate::find_interactions(b.correlation, q.id)) {
        InteractionSummary s = summarize(b.correlation, b.correlation.interactions[m.interaction]);
        if (keep(s)) hits.push_back({std::move(s), m.matched});
      }
    }
    if (counters_.evicted_interactions > 0 && store_ != nullptr) {
      // Some may have been evicted, beside those still here: the store
      // answers too (outside the lock). What memory holds is the newer: a
      // stored interaction with a leg of one found here is left out.
      lock.unlock();
      std::set<std::string> here;
      for (const auto& h : hits)
        here.insert(h.interaction.leg_keys.begin(), h.interaction.leg_keys.end());
      if (auto b = built_from_store(q.id)) {
        for (const auto& m : correlate::find_interactions(b->correlation, q.id)) {
          InteractionSummary s =
              summarize(b->correlation, b->correlation.interactions[m.interaction]);
          const bool known = std::any_of(s.leg_keys.begin(), s.leg_keys.end(),
                                         [&](const std::string& k) { return here.contains(k); });
          if (!known && keep(s)) hits.push_back({std::move(s), m.matched});
        }
      }
    }
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.interaction.start != b.interaction.start ? a.interaction.start > b.interaction.start
                                                      : a.interaction.id < b.interaction.id;
  });
  if (total != nullptr) *total = hits.size();
  if (hits.size() > q.limit) hits.resize(q.limit);
  return hits;
}

namespace {

// The interaction `id` names in `b`: its own id, else the first carrying it.
bool choose_interaction(Built& b, std::string_view id) {
  const auto& c = b.correlation;
  for (std::uint32_t i = 0; i < c.interactions.size(); ++i) {
    if (ascii_lower(c.interactions[i].id) == ascii_lower(id)) {
      b.interaction = i;
      return true;
    }
  }
  auto matches = correlate::find_interactions(c, id);
  if (matches.empty()) return false;
  b.interaction = matches.front().interaction;
  return true;
}

}  // namespace

std::optional<Built> LiveCorrelation::build_interaction(std::string_view id) {
  {
    std::lock_guard lock(mutex_);
    const auto roots = roots_for_query(id);
    if (!roots.empty()) {
      refresh_facts(true);
      Built b = build_roots(roots);
      if (choose_interaction(b, id)) {
        // A leg evicted earlier that got events again is only partly here.
        bool partial = false;
        for (std::uint32_t l : b.correlation.interactions[b.interaction].legs)
          partial =
              partial || evicted_uuids_.contains(ascii_lower(b.correlation.legs[l].call_uuid));
        if (!partial) return b;
      }
    }
    if (counters_.evicted_interactions == 0) return std::nullopt;
  }
  return built_from_store(id);
}

std::optional<Built> LiveCorrelation::built_from_store(std::string_view id) {
  if (store_ == nullptr) return std::nullopt;
  // Outside the lock: batches go on while the store is read.
  std::optional<correlate::Correlation> c = store_->load(id, options_.build);
  if (!c) return std::nullopt;
  Built b;
  b.correlation = std::move(*c);
  for (const auto& f : b.correlation.files)
    b.file_sources.push_back(f.info.path);
  if (!choose_interaction(b, id)) return std::nullopt;
  return b;
}

std::optional<std::string> LiveCorrelation::raw_lines(std::string_view source, std::uint64_t offset,
                                                      std::size_t lines, std::string& error) {
  std::string text;
  std::string path;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = source_index_.find(std::string(source));
    if (it == source_index_.end()) {
      error = "no source named '" + std::string(source) + "'";
      return std::nullopt;
    }
    const Source& s = *sources_[it->second];
    if (s.path.empty()) {
      if (offset < s.raw_base) {
        error = "the raw text of source '" + s.name + "' at offset " + std::to_string(offset) +
                " was received before the server restarted and is not kept";
        return std::nullopt;
      }
      const std::uint64_t at = offset - s.raw_base;
      if (at >= s.raw.size()) {
        error = s.raw_complete ? "offset " + std::to_string(offset) +
                                     " is past the end of source '" + s.name + "'"
                               : "the raw text of source '" + s.name +
                                     "' was not kept at that offset (--retain-raw limit)";
        return std::nullopt;
      }
      text = s.raw.substr(at, 1 << 20);
    } else {
      path = s.path;
      dev = s.dev;
      ino = s.ino;
    }
  }
  if (!path.empty()) {
    // A followed file may have been rotated by rename: find it by identity
    // in its folder.
    std::string actual = path;
    struct stat st {};
    if (ino != 0 && (::stat(path.c_str(), &st) != 0 || st.st_ino != ino || st.st_dev != dev)) {
      actual.clear();
      std::error_code ec;
      const auto dir = std::filesystem::path(path).parent_path();
      for (const auto& entry : std::filesystem::directory_iterator(
               dir.empty() ? std::filesystem::path(".") : dir, ec)) {
        if (::stat(entry.path().c_str(), &st) == 0 && st.st_ino == ino && st.st_dev == dev) {
          actual = entry.path().string();
          break;
        }
      }
      if (actual.empty()) {
        error = "the file of source '" + std::string(source) + "' is gone (" + path + ")";
        return std::nullopt;
      }
    }
    std::ifstream in(actual, std::ios::binary);
    if (!in || !in.seekg(static_cast<std::streamoff>(offset))) {
      error = "cannot read " + actual + " at offset " + std::to_string(offset);
      return std::nullopt;
    }
    text.resize(1 << 20);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.empty()) {
      error = "offset " + std::to_string(offset) + " is past the end of " + actual;
      return std::nullopt;
    }
  }
  std::size_t pos = 0;
  for (std::size_t i = 0; i < lines && pos < text.size(); ++i) {
    auto nl = text.find('\n', pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  text.resize(pos);
  return text;
}

}  // namespace calltrail::serve
