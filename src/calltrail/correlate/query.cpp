#include "calltrail/correlate/query.hpp"

#include <algorithm>
#include <map>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/model/identifiers.hpp"
#include "calltrail/parse/text.hpp"

namespace calltrail::correlate {

using parse::iequals;

std::vector<Match> find_interactions(const Correlation& c, std::string_view id) {
  std::map<std::uint32_t, std::string> found;
  auto hit = [&](std::uint32_t leg, const char* what) {
    if (leg == kNoLeg) return;
    auto it = c.interaction_of_leg(leg);
    if (it) found.emplace(*it, what);
  };
  if (id.empty()) return {};
  const std::optional<std::uint64_t> conn = conn_number(model::normalize_conn_id(id));
  std::string_view key;
  std::string_view value;
  if (auto eq = id.find('='); eq != std::string_view::npos) {
    key = id.substr(0, eq);
    value = id.substr(eq + 1);
  }
  for (std::uint32_t i = 0; i < c.legs.size(); ++i) {
    const Leg& l = c.legs[i];
    if (iequals(l.call_uuid, id)) hit(i, "CallUUID");
    if (conn) {
      if (l.has_conn_id(*conn)) hit(i, "ConnID");
      if (std::find(l.transfer_conn_ids->begin(), l.transfer_conn_ids->end(), *conn) !=
          l.transfer_conn_ids->end())
        hit(i, "TransferConnID");
    }
    for (const auto& dn : l.dns)
      if (dn == id) hit(i, "DN");
    for (const auto& d : l.sip_dialogs) {
      // The Call-ID whole, or the part before '@'.
      const std::string_view call_id = d.call_id;
      if (iequals(call_id, id) || (call_id.size() > id.size() && call_id[id.size()] == '@' &&
                                   iequals(call_id.substr(0, id.size()), id)))
        hit(i, "SIP Call-ID");
    }
    if (l.ani == id) hit(i, "ANI");
    if (l.dnis == id) hit(i, "DNIS");
    if (!key.empty()) {
      for (const auto& [k, v] : l.user_data)
        if (k == key && v == value) hit(i, "UserData");
    }
  }
  for (const Link& l : c.links) {
    if (l.kind != LinkKind::IsLink || !iequals(l.id, id)) continue;
    hit(l.from, "IS-Link");
    hit(l.to, "IS-Link");
  }
  std::vector<Match> out;
  for (auto& [i, what] : found)
    out.push_back(Match{i, what});
  return out;
}

}  // namespace calltrail::correlate
