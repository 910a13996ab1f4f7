#include "calltrail/simulate/truth.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace calltrail::simulate {

std::string interaction_json(const TruthInteraction& ia,
                             const std::vector<std::string>& site_names) {
  nlohmann::ordered_json j;
  j["interaction_id"] = ia.interaction_id;
  auto& scenarios = j["scenarios"] = nlohmann::ordered_json::array();
  for (auto s : ia.scenarios)
    scenarios.push_back(scenario_name(s));
  j["complete"] = ia.complete();
  j["ani"] = ia.ani;
  j["dnis"] = ia.dnis;
  j["customer_id"] = ia.customer_id;
  if (!ia.reused_conn_id_from.empty()) j["reuses_conn_id_of"] = ia.reused_conn_id_from;
  auto& legs = j["legs"] = nlohmann::ordered_json::array();
  for (const auto& l : ia.legs) {
    nlohmann::ordered_json leg;
    leg["site"] = site_names[l.site];
    leg["call_uuid"] = l.call_uuid;
    leg["conn_ids"] = l.conn_ids;
    if (l.events > 0 || l.sip_dialogs.empty()) {
      leg["start"] = base::format_utc(l.true_start + l.skew, 6);
      leg["end"] = base::format_utc(l.true_end + l.skew, 6);
      leg["true_start"] = base::format_utc(l.true_start, 6);
      leg["true_end"] = base::format_utc(l.true_end, 6);
    } else {
      // Only SIP lines: their times have milliseconds.
      auto logged_ms = [&](base::Micros t) {
        const base::Micros logged = t + l.skew;
        return logged - (logged % 1000 + 1000) % 1000;
      };
      leg["start"] = base::format_utc(logged_ms(l.sip_start), 6);
      leg["end"] = base::format_utc(logged_ms(l.sip_end), 6);
      leg["true_start"] = base::format_utc(l.sip_start, 6);
      leg["true_end"] = base::format_utc(l.sip_end, 6);
    }
    leg["events"] = l.events;
    leg["role"] = l.role;
    // In order of their first CID:CUUID line.
    auto dialogs = l.sip_dialogs;
    std::stable_sort(dialogs.begin(), dialogs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    auto& ids = leg["sip_call_ids"] = nlohmann::ordered_json::array();
    for (const auto& d : dialogs)
      ids.push_back(d.call_id);
    if (!l.recordings.empty()) {
      auto& recordings = leg["recordings"] = nlohmann::ordered_json::array();
      for (const auto& r : l.recordings) {
        nlohmann::ordered_json one;
        one["kind"] = r.kind;
        if (!r.id.empty()) one["id"] = r.id;
        recordings.push_back(std::move(one));
      }
    }
    legs.push_back(std::move(leg));
  }
  auto& links = j["links"] = nlohmann::ordered_json::array();
  for (const auto& l : ia.links) {
    nlohmann::ordered_json link;
    link["kind"] = l.kind == LinkKind::IsLink ? "islink"
                   : l.kind == LinkKind::Sip  ? "sip"
                   : l.kind == LinkKind::Iscc ? "iscc"
                                              : "transfer";
    if (l.kind != LinkKind::Transfer) link["id"] = l.id;
    link["from"] = l.from;
    link["to"] = l.to.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(l.to);
    link["reason"] =
        l.reason.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(l.reason);
    link["from_site"] = site_names[l.from_site];
    link["to_site"] = site_names[l.to_site];
    if (l.kind == LinkKind::IsLink) {
      link["conn_id_kept"] = l.conn_id_kept;
    } else if (l.kind == LinkKind::Transfer) {
      link["survivor"] = l.survivor;
      link["conference"] = l.conference;
    }
    if (!l.sip_call_id.empty()) link["sip_call_id"] = l.sip_call_id;
    links.push_back(std::move(link));
  }
  return j.dump();
}

}  // namespace calltrail::simulate
