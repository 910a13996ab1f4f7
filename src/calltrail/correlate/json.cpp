#include "calltrail/correlate/json.hpp"

#include <algorithm>

#include "calltrail/base/time.hpp"

namespace calltrail::correlate {

namespace {

Json utc_or_null(const std::optional<Micros>& t) {
  if (!t) return nullptr;
  return base::format_utc(*t);
}

Json leg_uuid(const Correlation& c, std::uint32_t leg) {
  if (leg == kNoLeg) return nullptr;
  return c.legs[leg].call_uuid;
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

Json interaction_json(const Correlation& c, const Interaction& it) {
  Json j;
  j["interaction_id"] = it.id;
  j["complete"] = it.complete;
  j["start"] = base::format_utc(it.start);
  j["end"] = base::format_utc(it.end);
  Json sites = Json::array();
  for (std::uint32_t l : it.legs) {
    const std::string& name = c.sites[c.legs[l].site].name;
    if (std::find(sites.begin(), sites.end(), name) == sites.end()) sites.push_back(name);
  }
  j["sites"] = std::move(sites);
  Json legs = Json::array();
  for (std::uint32_t li : it.legs) {
    const Leg& l = c.legs[li];
    Json x;
    x["site"] = c.sites[l.site].name;
    x["call_uuid"] = l.call_uuid;
    x["conn_ids"] = l.conn_ids;
    x["start"] = base::format_utc(l.start);
    x["end"] = base::format_utc(l.end);
    x["events"] = l.events.size();
    x["root"] = li == it.root;
    if (!l.call_type.empty()) x["call_type"] = l.call_type;
    if (!l.ani.empty()) x["ani"] = l.ani;
    if (!l.dnis.empty()) x["dnis"] = l.dnis;
    if (!l.dns.empty()) x["dns"] = l.dns;
    if (!l.user_data.empty()) {
      Json ud = Json::object();
      for (const auto& [k, v] : l.user_data)
        if (!ud.contains(k)) ud[k] = v;
      x["user_data"] = std::move(ud);
    }
    x["deleted"] = l.deleted;
    legs.push_back(std::move(x));
  }
  j["legs"] = std::move(legs);
  Json links = Json::array();
  for (std::uint32_t li : it.links) {
    const Link& l = c.links[li];
    Json x;
    x["kind"] = to_string(l.kind);
    x["id"] = l.id;
    x["via"] = l.via;
    x["from"] = leg_uuid(c, l.from);
    x["to"] = leg_uuid(c, l.to);
    x["from_site"] = l.from == kNoLeg ? Json(nullptr) : Json(c.sites[c.legs[l.from].site].name);
    x["to_site"] = l.to == kNoLeg ? Json(nullptr) : Json(c.sites[c.legs[l.to].site].name);
    if (!l.remote_site.empty()) x["remote_site"] = l.remote_site;
    x["confidence"] = to_string(l.confidence);
    x["reason"] = l.reason == LinkReason::None ? Json(nullptr) : Json(to_string(l.reason));
    if (l.kind == LinkKind::Hint) {
      for (std::uint32_t end : {l.from, l.to}) {
        auto other = c.interaction_of_leg(end);
        if (other && c.interactions[*other].id != it.id)
          x["other_interaction"] = c.interactions[*other].id;
      }
    }
    Json ev = Json::array();
    for (const auto& e : l.evidence) {
      ev.push_back(Json{{"file", c.files[e.file].info.path}, {"line", e.line}});
    }
    x["evidence"] = std::move(ev);
    links.push_back(std::move(x));
  }
  j["links"] = std::move(links);
  Json gaps = Json::array();
  for (std::uint32_t g : it.gaps)
    gaps.push_back(gap_json(c, c.gaps[g]));
  j["gaps"] = std::move(gaps);
  return j;
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

}  // namespace calltrail::correlate
