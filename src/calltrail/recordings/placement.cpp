#include "calltrail/recordings/placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "calltrail/base/ascii.hpp"
#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/text.hpp"

namespace calltrail::recordings {

namespace {

using correlate::Correlation;
using correlate::Leg;

// `site` names the leg's site: its name (app@switch), or its application.
bool names_site(const Correlation& c, const Leg& l, const std::string& site) {
  const std::string& name = c.sites[l.site].name;
  const std::string s = base::ascii_lower(site);
  if (base::ascii_lower(name) == s) return true;
  const std::size_t at = name.find('@');
  return at != std::string::npos && base::ascii_lower(std::string_view(name).substr(0, at)) == s;
}

// The leg's start in full and its end as a time of day (the line stays
// within 120 columns), or "?" when the leg has no time.
std::string time_or_empty(const Leg& l, bool start) {
  if (!l.timed) return "?";
  const std::string t = base::format_utc(start ? l.start : l.end, 3);
  return start || t.size() < 12 ? t : t.substr(11);
}

}  // namespace

Placed place_recordings(const Correlation& c, const std::vector<Recording>& recordings) {
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_uuid;
  for (std::uint32_t l = 0; l < c.legs.size(); ++l)
    by_uuid[base::ascii_lower(c.legs[l].call_uuid)].push_back(l);
  Placed out;
  out.placements.resize(recordings.size());
  out.by_interaction.resize(c.interactions.size());
  for (std::size_t i = 0; i < recordings.size(); ++i) {
    const Recording& r = recordings[i];
    Placement& p = out.placements[i];
    const std::optional<std::uint64_t> conn =
        r.conn_id.empty() ? std::nullopt : correlate::conn_number(r.conn_id);
    auto it = by_uuid.find(base::ascii_lower(r.call_uuid));
    std::vector<std::uint32_t> legs;
    if (it != by_uuid.end())
      for (std::uint32_t l : it->second)
        if (r.site.empty() || names_site(c, c.legs[l], r.site)) legs.push_back(l);
    if (legs.empty()) {
      p.reason = it == by_uuid.end() ? "no leg in the logs has this CallUUID"
                                     : fmt::format("no leg of site {} has this CallUUID", r.site);
      continue;
    }
    // Of several sites' legs with one CallUUID, the one with the ConnID.
    std::uint32_t leg = legs.front();
    if (conn)
      for (std::uint32_t l : legs)
        if (c.legs[l].has_conn_id(*conn)) {
          leg = l;
          break;
        }
    p.leg = leg;
    if (!r.conn_id.empty()) p.conn_id_matches = conn && c.legs[leg].has_conn_id(*conn);
    if (leg < c.leg_interaction.size()) {
      const std::uint32_t in = c.leg_interaction[leg];
      const auto& its = c.interactions[in].legs;
      p.interaction = in;
      p.position =
          static_cast<std::uint32_t>(std::find(its.begin(), its.end(), leg) - its.begin()) + 1;
      out.by_interaction[in].push_back(i);
    }
  }
  for (auto& group : out.by_interaction)
    std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
      const auto pa = out.placements[a].position;
      const auto pb = out.placements[b].position;
      return pa != pb ? pa < pb : recordings[a].recording_id < recordings[b].recording_id;
    });
  return out;
}

void append_recording_json(std::string& out, const Correlation& c,
                           const std::vector<Recording>& recordings, const Placed& placed,
                           std::size_t i) {
  const Recording& r = recordings[i];
  const Placement& p = placed.placements[i];
  base::JsonWriter w(out);
  w.begin_object();
  w.field("recording_id", std::string_view(r.recording_id));
  w.field("call_uuid", std::string_view(r.call_uuid));
  if (!r.conn_id.empty()) w.field("conn_id", std::string_view(r.conn_id));
  if (!r.media.empty()) w.field("media", std::string_view(r.media));
  w.field("line", r.line);
  if (!p.interaction) {
    w.key("interaction_id").null();
    w.field("reason", std::string_view(p.reason));
    w.end_object();
    return;
  }
  const correlate::Interaction& it = c.interactions[*p.interaction];
  const Leg& l = c.legs[*p.leg];
  w.field("interaction_id", std::string_view(it.id));
  w.field("site", std::string_view(c.sites[l.site].name));
  if (l.timed) {
    w.key("start").utc(l.start);
    w.key("end").utc(l.end);
  } else {
    w.key("start").null();
    w.key("end").null();
  }
  w.field("position", static_cast<std::uint64_t>(p.position));
  w.field("legs", static_cast<std::uint64_t>(it.legs.size()));
  if (p.conn_id_matches) w.field("conn_id_matches", *p.conn_id_matches);
  w.key("recordings").begin_array();
  for (std::size_t k : placed.by_interaction[*p.interaction])
    w.value(std::string_view(recordings[k].recording_id));
  w.end_array();
  w.end_object();
}

void append_recordings_text(std::string& out, const Correlation& c,
                            const std::vector<Recording>& recordings, const Placed& placed) {
  for (std::uint32_t in = 0; in < placed.by_interaction.size(); ++in) {
    const auto& group = placed.by_interaction[in];
    if (group.empty()) continue;
    const correlate::Interaction& it = c.interactions[in];
    fmt::format_to(std::back_inserter(out), "interaction {}  {} recording{} of {} leg{}\n", it.id,
                   group.size(), group.size() == 1 ? "" : "s", it.legs.size(),
                   it.legs.size() == 1 ? "" : "s");
    for (std::size_t k : group) {
      const Placement& p = placed.placements[k];
      const Leg& l = c.legs[*p.leg];
      fmt::format_to(
          std::back_inserter(out), "  {:>2}. {}  {}  {}  {} .. {}{}\n", p.position,
          recordings[k].recording_id, c.sites[l.site].name, l.call_uuid, time_or_empty(l, true),
          time_or_empty(l, false),
          p.conn_id_matches && !*p.conn_id_matches ? "  (its ConnID is not the leg's)" : "");
    }
  }
  bool header = false;
  for (std::size_t k = 0; k < recordings.size(); ++k) {
    if (placed.placements[k].interaction) continue;
    if (!header) out += "not placed\n";
    header = true;
    fmt::format_to(std::back_inserter(out), "  {}  {}  {}\n", recordings[k].recording_id,
                   recordings[k].call_uuid, placed.placements[k].reason);
  }
}

}  // namespace calltrail::recordings
