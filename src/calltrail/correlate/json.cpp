#include "calltrail/correlate/json.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/base/utf8.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/recording.hpp"
#include "calltrail/correlate/timeline.hpp"

namespace calltrail::correlate {

namespace {

Json utc_or_null(const std::optional<Micros>& t) {
  if (!t) return nullptr;
  return base::format_utc(*t);
}

void utc_or_null(base::JsonWriter& w, bool known, Micros t) {
  if (known) {
    w.utc(t);
  } else {
    w.null();
  }
}

Json gap_json(const Correlation& c, const Gap& g) {
  Json j;
  j["site"] = c.sites[g.site].name;
  j["first_missing"] = g.first_missing;
  j["last_missing"] = g.last_missing;
  j["missing"] = g.missing();
  j["after"] = utc_or_null(g.after_utc);
  j["before"] = utc_or_null(g.before_utc);
  j["file"] = c.files[g.file].info.path;
  j["line"] = g.line;
  return j;
}

}  // namespace

namespace {

void append_timeline(base::JsonWriter& w, const Correlation& c, const Interaction& it) {
  std::map<std::pair<std::uint32_t, std::uint32_t>, RecordingMark> marks;
  for (std::uint32_t leg : it.legs)
    for (auto& m : recording_marks(c, c.legs[leg]))
      marks.emplace(std::make_pair(leg, m.event), std::move(m));
  w.key("timeline").begin_array();
  for (const TimelineEntry& t : build_timeline(c, it)) {
    const Leg& leg = c.legs[t.leg];
    const EventRef& e = leg.events[t.event];
    const auto position = std::find(it.legs.begin(), it.legs.end(), t.leg) - it.legs.begin();
    w.begin_object();
    w.field("leg", static_cast<std::uint64_t>(position + 1));
    w.field("call_uuid", std::string_view(leg.call_uuid));
    w.field("site", std::string_view(c.sites[leg.site].name));
    w.key("utc");
    if (e.has_utc()) {
      w.utc(e.utc);
    } else {
      w.null();
    }
    if (e.has_utc() && c.sites[leg.site].clock_offset && *c.sites[leg.site].clock_offset != 0) {
      w.key("corrected_utc").utc(t.corrected);
      w.field("clock_reference", std::string_view(c.sites[c.sites[leg.site].clock_reference].name));
      w.field("clock_offset_us", std::int64_t{*c.sites[leg.site].clock_offset});
    }
    if (auto local = c.local_time(leg.site, e)) {
      const bool dated = (e.flags & EventRef::kLocalDated) != 0 || e.has_utc();
      w.field("local", base::format_local(*local, dated, e.local_digits == 0 ? 3 : e.local_digits));
    }
    w.field("kind", e.is_sip() ? "sip" : "tlib");
    w.field("name", std::string_view(c.str(e.name)));
    if (e.is_sip()) {
      w.field("direction", (e.flags & EventRef::kSipSent) != 0 ? "out" : "in");
      if (e.other_dn != 0) w.field("peer", std::string_view(c.str(e.other_dn)));
      if (e.this_dn != 0) w.field("request_uri", std::string_view(c.str(e.this_dn)));
    } else {
      if (e.this_dn != 0) w.field("this_dn", std::string_view(c.str(e.this_dn)));
      if (e.other_dn != 0) w.field("other_dn", std::string_view(c.str(e.other_dn)));
    }
    if (e.note != 0) w.field("note", std::string_view(c.str(e.note)));
    if (auto m = marks.find({t.leg, t.event}); m != marks.end()) {
      w.key("recording").begin_object();
      append_recording_fields(w, c, leg, m->second);
      w.end_object();
    }
    if (t.reordered) w.field("reordered", true);
    w.field("file", std::string_view(c.files[e.file].info.path));
    w.field("line", static_cast<std::uint64_t>(e.line));
    w.end_object();
  }
  w.end_array();
}

void append_gap(base::JsonWriter& w, const Correlation& c, const Gap& gap) {
  w.begin_object();
  w.field("site", std::string_view(c.sites[gap.site].name));
  w.field("first_missing", static_cast<std::uint64_t>(gap.first_missing));
  w.field("last_missing", static_cast<std::uint64_t>(gap.last_missing));
  w.field("missing", static_cast<std::uint64_t>(gap.missing()));
  w.key("after");
  if (gap.after_utc) {
    w.utc(*gap.after_utc);
  } else {
    w.null();
  }
  w.key("before");
  if (gap.before_utc) {
    w.utc(*gap.before_utc);
  } else {
    w.null();
  }
  w.field("file", std::string_view(c.files[gap.file].info.path));
  w.field("line", static_cast<std::uint64_t>(gap.line));
  w.end_object();
}

}  // namespace

std::vector<std::string> gaps_json(const Correlation& c) {
  std::vector<std::string> out(c.gaps.size());
  for (std::size_t g = 0; g < c.gaps.size(); ++g) {
    base::JsonWriter w(out[g]);
    append_gap(w, c, c.gaps[g]);
  }
  return out;
}

void append_interaction_json(std::string& out, const Correlation& c, const Interaction& it,
                             const InteractionJsonOptions& options) {
  base::JsonWriter w(out);
  w.begin_object();
  w.field("interaction_id", std::string_view(it.id));
  w.field("complete", it.complete);
  utc_or_null(w.key("start"), it.timed, it.start);
  utc_or_null(w.key("end"), it.timed, it.end);
  w.key("sites").begin_array();
  {
    std::vector<std::uint32_t> seen;
    for (std::uint32_t l : it.legs) {
      const std::uint32_t s = c.legs[l].site;
      if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
      seen.push_back(s);
      w.value(std::string_view(c.sites[s].name));
    }
  }
  w.end_array();
  w.key("legs").begin_array();
  for (std::uint32_t li : it.legs) {
    const Leg& l = c.legs[li];
    w.begin_object();
    w.field("site", std::string_view(c.sites[l.site].name));
    w.field("call_uuid", std::string_view(l.call_uuid));
    w.key("conn_ids").begin_array();
    for (const std::uint64_t x : l.conn_ids)
      w.value(ConnText(x).view());
    w.end_array();
    w.key("sip_call_ids").begin_array();
    for (const auto& d : l.sip_dialogs)
      w.value(std::string_view(d.call_id));
    w.end_array();
    utc_or_null(w.key("start"), l.timed, l.start);
    utc_or_null(w.key("end"), l.timed, l.end);
    w.field("events", l.event_count());
    w.field("root", li == it.root);
    if (!l.call_type.empty()) w.field("call_type", std::string_view(l.call_type));
    if (!l.ani.empty()) w.field("ani", std::string_view(l.ani));
    if (!l.dnis.empty()) w.field("dnis", std::string_view(l.dnis));
    if (!l.dns.empty()) {
      w.key("dns").begin_array();
      for (const auto& x : l.dns)
        w.value(std::string_view(x));
      w.end_array();
    }
    if (!l.user_data.empty()) {
      w.key("user_data").begin_object();
      std::vector<std::string_view> keys;
      for (const auto& [k, v] : l.user_data) {
        if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
        keys.push_back(k);
        w.field(k, std::string_view(v));
      }
      w.end_object();
    }
    w.field("deleted", l.deleted);
    if (const auto marks = recording_marks(c, l); !marks.empty()) {
      w.key("recordings").begin_array();
      for (const auto& m : marks) {
        const EventRef& e = l.events[m.event];
        w.begin_object();
        append_recording_fields(w, c, l, m);
        utc_or_null(w.key("utc"), e.has_utc(), e.utc);
        w.field("file", std::string_view(c.files[e.file].info.path));
        w.field("line", static_cast<std::uint64_t>(e.line));
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("links").begin_array();
  for (std::uint32_t li : it.links) {
    const Link& l = c.links[li];
    w.begin_object();
    w.field("kind", to_string(l.kind));
    w.field("id", std::string_view(l.id));
    w.field("via", std::string_view(l.via));
    auto leg_field = [&](std::string_view key, std::uint32_t leg, bool site) {
      w.key(key);
      if (leg == kNoLeg) {
        w.null();
      } else {
        w.value(std::string_view(site ? c.sites[c.legs[leg].site].name : c.legs[leg].call_uuid));
      }
    };
    leg_field("from", l.from, false);
    leg_field("to", l.to, false);
    leg_field("from_site", l.from, true);
    leg_field("to_site", l.to, true);
    if (!l.remote_site.empty()) w.field("remote_site", std::string_view(l.remote_site));
    if (!l.sip_call_id.empty()) w.field("sip_call_id", std::string_view(l.sip_call_id));
    if (!l.skipped_location.empty())
      w.field("skipped_location", std::string_view(l.skipped_location));
    w.field("confidence", to_string(l.confidence));
    w.key("reason");
    if (l.reason == LinkReason::None) {
      w.null();
    } else {
      w.value(to_string(l.reason));
    }
    if (l.kind == LinkKind::Hint) {
      for (std::uint32_t end : {l.from, l.to}) {
        auto other = c.interaction_of_leg(end);
        if (other && c.interactions[*other].id != it.id)
          w.field("other_interaction", std::string_view(c.interactions[*other].id));
      }
    }
    w.key("evidence").begin_array();
    for (const auto& e : l.evidence) {
      w.begin_object();
      w.field("file", std::string_view(c.files[e.file].info.path));
      w.field("line", static_cast<std::uint64_t>(e.line));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("gaps").begin_array();
  const auto* cached = options.gaps;
  for (std::uint32_t g : c.gaps_of(it)) {
    if (cached != nullptr && g < cached->size()) {
      w.raw((*cached)[g]);
    } else {
      append_gap(w, c, c.gaps[g]);
    }
  }
  w.end_array();
  if (options.timeline) append_timeline(w, c, it);
  w.end_object();
}

Json interaction_json(const Correlation& c, const Interaction& it) {
  std::string text;
  append_interaction_json(text, c, it);
  return Json::parse(text);
}

Json site_json(const Correlation& c, std::uint32_t si) {
  const SiteInfo& s = c.sites[si];
  Json j;
  j["name"] = s.name;
  j["app"] = s.app;
  j["switch"] = s.switch_name.empty() ? Json(nullptr) : Json(s.switch_name);
  j["name_source"] = to_string(s.name_source);
  Json files = Json::array();
  for (std::uint32_t f : s.files)
    files.push_back(c.files[f].info.path);
  j["files"] = std::move(files);
  j["start"] = utc_or_null(s.first_utc);
  j["end"] = utc_or_null(s.last_utc);
  j["utc_offset"] = s.utc_offset ? Json(*s.utc_offset) : Json(nullptr);
  j["utc_offset_text"] = s.utc_offset ? Json(base::format_offset(*s.utc_offset)) : Json(nullptr);
  j["utc_offset_source"] = !s.utc_offset              ? Json(nullptr)
                           : s.utc_offset_from_header ? Json("header")
                                                      : Json("events");
  j["clock_offset_us"] = s.clock_offset ? Json(*s.clock_offset) : Json(nullptr);
  j["clock_reference"] = s.clock_offset ? Json(c.sites[s.clock_reference].name) : Json(nullptr);
  j["clock_links"] = s.clock_links;
  j["events"] = s.events;
  j["call_events"] = s.call_events;
  j["unattached_events"] = s.unattached_events;
  j["legs"] = s.legs;
  j["sequence_out_of_order"] = s.sequence_out_of_order;
  std::uint64_t missing = 0;
  Json gaps = Json::array();
  for (std::uint32_t g : s.gaps) {
    missing += c.gaps[g].missing();
    gaps.push_back(gap_json(c, c.gaps[g]));
  }
  j["missing_events"] = missing;
  j["gaps"] = std::move(gaps);
  return j;
}

std::string dump_json(Json j, int indent) {
  // A walk with a stack of the values still to look at, not recursion.
  std::vector<Json*> todo{&j};
  while (!todo.empty()) {
    Json& v = *todo.back();
    todo.pop_back();
    if (v.is_string()) {
      auto& text = v.get_ref<std::string&>();
      if (!base::is_valid_utf8(text)) text = base::valid_utf8(text);
    } else if (v.is_array()) {
      for (Json& e : v)
        todo.push_back(&e);
    } else if (v.is_object()) {
      bool keys_valid = true;
      for (auto it = v.begin(); it != v.end() && keys_valid; ++it)
        keys_valid = base::is_valid_utf8(it.key());
      if (!keys_valid) {
        Json repaired = Json::object();
        for (auto it = v.begin(); it != v.end(); ++it)
          repaired[base::valid_utf8(it.key())] = std::move(it.value());
        v = std::move(repaired);
      }
      for (auto it = v.begin(); it != v.end(); ++it)
        todo.push_back(&it.value());
    }
  }
  return j.dump(indent);
}

}  // namespace calltrail::correlate
