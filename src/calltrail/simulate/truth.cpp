#include "calltrail/simulate/truth.hpp"

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
    leg["start"] = base::format_utc(l.true_start + l.skew, 6);
    leg["end"] = base::format_utc(l.true_end + l.skew, 6);
    leg["true_start"] = base::format_utc(l.true_start, 6);
    leg["true_end"] = base::format_utc(l.true_end, 6);
    leg["events"] = l.events;
    leg["role"] = l.role;
    legs.push_back(std::move(leg));
  }
  auto& links = j["links"] = nlohmann::ordered_json::array();
  for (const auto& l : ia.links) {
    nlohmann::ordered_json link;
    link["kind"] = l.kind == LinkKind::IsLink ? "islink" : "transfer";
    if (l.kind == LinkKind::IsLink) link["id"] = l.id;
    link["from"] = l.from;
    link["to"] = l.to.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(l.to);
    link["reason"] =
        l.reason.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(l.reason);
    link["from_site"] = site_names[l.from_site];
    link["to_site"] = site_names[l.to_site];
    if (l.kind == LinkKind::IsLink) {
      link["conn_id_kept"] = l.conn_id_kept;
    } else {
      link["survivor"] = l.survivor;
      link["conference"] = l.conference;
    }
    links.push_back(std::move(link));
  }
  return j.dump();
}

}  // namespace calltrail::simulate
