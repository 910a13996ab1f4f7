#include "calltrail/correlate/score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

namespace calltrail::correlate {

namespace {

using nlohmann::json;

std::string str_or_empty(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->get<std::string>();
}

struct Side {
  // leg call_uuid -> (interaction index, site)
  std::map<std::string, std::pair<std::size_t, std::string>> legs;
  // leg call_uuid -> its SIP Call-IDs, for legs that state them
  std::map<std::string, std::set<std::string>> sip_call_ids;
  std::vector<std::vector<std::string>> groups;  // legs of each interaction, sorted
  std::vector<std::string> ids;
  std::vector<bool> complete;
  std::set<std::string> links;
  // Links that skip sites with no logs (`skipped_location`): (from, to).
  std::vector<std::pair<std::string, std::string>> skips;
};

// The hops of the truth (IS-Links, SIP and ISCC links, from → to) and the
// legs on sites without logs, to judge links across such sites.
struct Hops {
  std::map<std::string, std::vector<std::string>> into;  // to → froms
  std::set<std::string> hidden;                          // legs on sites without logs
  // `from` (or, when empty, any leg with logs) reaches `to` through hops
  // with some leg in between hidden (a chain's first leg, named by the first
  // transfer, may be several hops before).
  bool across_hidden(const std::string& from, const std::string& to) const {
    std::vector<std::pair<std::string, bool>> todo{{to, false}};
    std::set<std::pair<std::string, bool>> seen{{to, false}};
    while (!todo.empty()) {
      auto [leg, via_hidden] = todo.back();
      todo.pop_back();
      auto it = into.find(leg);
      if (it == into.end()) continue;
      for (const auto& f : it->second) {
        const bool f_hidden = hidden.count(f) != 0;
        if (via_hidden && (from.empty() ? !f_hidden : f == from)) return true;
        const std::pair<std::string, bool> next{f, via_hidden || f_hidden};
        if (seen.insert(next).second) todo.push_back(next);
      }
    }
    return false;
  }
};

bool is_hop(const std::string& kind) {
  return kind == "islink" || kind == "sip" || kind == "iscc";
}

std::string link_key(const json& l) {
  const std::string kind = str_or_empty(l, "kind");
  const std::string reason = str_or_empty(l, "reason");
  std::string from = str_or_empty(l, "from");
  std::string to = str_or_empty(l, "to");
  if (is_hop(kind))
    return fmt::format("{} {} {}->{} {}", kind, str_or_empty(l, "id"), from, to, reason);
  if (from > to && !from.empty() && !to.empty()) std::swap(from, to);
  return fmt::format("transfer {}~{} {}", from, to, reason);
}

// `monitored` (the truth): the sites with logs; `hops` gathers the truth's
// hops and its legs on the other sites.
void add_interaction(Side& s, const json& ia, const std::set<std::string>* monitored, Hops* hops) {
  const std::size_t index = s.groups.size();
  std::vector<std::string> group;
  for (const auto& leg : ia.at("legs")) {
    const std::string site = str_or_empty(leg, "site");
    const std::string uuid = leg.at("call_uuid").get<std::string>();
    if (monitored != nullptr && monitored->count(site) == 0) {
      if (hops != nullptr) hops->hidden.insert(uuid);
      continue;
    }
    s.legs[uuid] = {index, site};
    if (auto ids = leg.find("sip_call_ids"); ids != leg.end() && ids->is_array()) {
      auto& set = s.sip_call_ids[uuid];
      for (const auto& id : *ids)
        set.insert(id.get<std::string>());
    }
    group.push_back(uuid);
  }
  std::sort(group.begin(), group.end());
  s.groups.push_back(std::move(group));
  // An interaction that began on a site without logs has no id to find.
  std::string id = str_or_empty(ia, "interaction_id");
  if (hops != nullptr && hops->hidden.count(id) != 0) id.clear();
  s.ids.push_back(std::move(id));
  s.complete.push_back(ia.value("complete", false));
  if (auto links = ia.find("links"); links != ia.end()) {
    for (const auto& l : *links) {
      const std::string kind = str_or_empty(l, "kind");
      if (kind != "transfer" && !is_hop(kind)) continue;
      const std::string from = str_or_empty(l, "from");
      const std::string to = str_or_empty(l, "to");
      if (hops != nullptr && is_hop(kind) && !from.empty() && !to.empty())
        hops->into[to].push_back(from);
      if (!str_or_empty(l, "skipped_location").empty()) {
        s.skips.emplace_back(from, to);
        continue;
      }
      // A hop to or from a leg whose site has no logs cannot be seen.
      if (hops != nullptr && (hops->hidden.count(from) != 0 || hops->hidden.count(to) != 0))
        continue;
      s.links.insert(link_key(l));
    }
  }
}

std::set<std::pair<std::string, std::string>> pairs(const Side& s) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& g : s.groups)
    for (std::size_t a = 0; a < g.size(); ++a)
      for (std::size_t b = a + 1; b < g.size(); ++b)
        out.emplace(g[a], g[b]);
  return out;
}

}  // namespace

bool ScoreReport::perfect() const {
  for (const Ratio* r : {&pair_precision, &pair_recall, &leg_recall, &link_precision, &link_recall,
                         &exact, &complete, &ids, &sip_call_ids})
    if (r->hit != r->total) return false;
  return true;
}

ScoreReport score(const json& truth, const std::vector<json>& predicted, std::size_t keep) {
  ScoreReport r;
  auto mistake = [&](std::string m) {
    if (r.mistakes.size() < keep) r.mistakes.push_back(std::move(m));
  };
  std::set<std::string> monitored;
  for (const auto& s : truth.at("sites"))
    if (s.value("monitored", true)) monitored.insert(s.at("name").get<std::string>());
  Side t;
  Side p;
  Hops hops;
  for (const auto& ia : truth.at("interactions"))
    add_interaction(t, ia, &monitored, &hops);
  for (const auto& ia : predicted)
    add_interaction(p, ia, nullptr, nullptr);
  // A leg whose hop in comes from a site without logs, from a leg of a site
  // with logs before it: a link across that site is expected.
  for (const auto& [to, froms] : hops.into) {
    if (hops.hidden.count(to) != 0) continue;
    const bool from_hidden = std::any_of(froms.begin(), froms.end(),
                                         [&](const auto& f) { return hops.hidden.count(f) != 0; });
    if (from_hidden && hops.across_hidden({}, to)) t.links.insert("across ->" + to);
  }
  // A link across such a site is true when the truth's hops lead from its
  // origin to its arrival through a leg there.
  for (const auto& [from, to] : p.skips)
    p.links.insert(hops.across_hidden(from, to) ? "across ->" + to
                                                : fmt::format("across {}->{}", from, to));

  const auto tp = pairs(t);
  const auto pp = pairs(p);
  for (const auto& x : pp) {
    ++r.pair_precision.total;
    if (tp.count(x) != 0) {
      ++r.pair_precision.hit;
    } else {
      mistake(fmt::format("legs {} and {} grouped but belong to different interactions", x.first,
                          x.second));
    }
  }
  for (const auto& x : tp) {
    ++r.pair_recall.total;
    if (pp.count(x) != 0) {
      ++r.pair_recall.hit;
    } else {
      mistake(
          fmt::format("legs {} and {} belong together but were not grouped", x.first, x.second));
    }
  }
  for (const auto& [uuid, where] : t.legs) {
    ++r.leg_recall.total;
    auto it = p.legs.find(uuid);
    if (it == p.legs.end()) {
      mistake(fmt::format("leg {} on {} not found", uuid, where.second));
      continue;
    }
    ++r.leg_recall.hit;
    ++r.site_names.total;
    if (it->second.second == where.second) {
      ++r.site_names.hit;
    } else {
      mistake(
          fmt::format("leg {} on {} reported on site {}", uuid, where.second, it->second.second));
    }
  }
  auto joined = [](const std::set<std::string>& ids) {
    std::string out;
    for (const auto& id : ids)
      out += (out.empty() ? "" : ", ") + id;
    return "[" + out + "]";
  };
  for (const auto& [uuid, ids] : t.sip_call_ids) {
    ++r.sip_call_ids.total;
    if (p.legs.count(uuid) == 0) continue;  // reported as not found above
    const auto it = p.sip_call_ids.find(uuid);
    const std::set<std::string> none;
    const auto& predicted_ids = it == p.sip_call_ids.end() ? none : it->second;
    if (predicted_ids == ids) {
      ++r.sip_call_ids.hit;
    } else {
      mistake(fmt::format("leg {}: SIP Call-IDs {}, should be {}", uuid, joined(predicted_ids),
                          joined(ids)));
    }
  }
  for (const auto& k : p.links) {
    ++r.link_precision.total;
    if (t.links.count(k) != 0) {
      ++r.link_precision.hit;
    } else {
      mistake("link reported but not true: " + k);
    }
  }
  for (const auto& k : t.links) {
    ++r.link_recall.total;
    if (p.links.count(k) != 0) {
      ++r.link_recall.hit;
    } else {
      mistake("true link not reported: " + k);
    }
  }
  std::map<std::vector<std::string>, std::size_t> predicted_groups;
  for (std::size_t i = 0; i < p.groups.size(); ++i)
    predicted_groups.emplace(p.groups[i], i);
  for (std::size_t i = 0; i < t.groups.size(); ++i) {
    if (t.groups[i].empty()) continue;  // only unmonitored legs
    ++r.exact.total;
    ++r.complete.total;
    if (!t.ids[i].empty()) ++r.ids.total;
    auto it = predicted_groups.find(t.groups[i]);
    if (it == predicted_groups.end()) {
      mistake(fmt::format("interaction {} not reproduced exactly", t.ids[i]));
      continue;
    }
    ++r.exact.hit;
    if (p.complete[it->second] == t.complete[i]) {
      ++r.complete.hit;
    } else {
      mistake(fmt::format("interaction {}: complete is {}, should be {}", t.ids[i],
                          p.complete[it->second], t.complete[i]));
    }
    if (t.ids[i].empty()) continue;
    if (p.ids[it->second] == t.ids[i]) {
      ++r.ids.hit;
    } else {
      mistake(fmt::format("interaction {} reported with id {}", t.ids[i], p.ids[it->second]));
    }
  }
  return r;
}

std::vector<std::string> mark_sites_without_logs(json& truth,
                                                 const std::vector<std::string>& paths) {
  std::set<std::string> given;
  for (const auto& p : paths)
    given.insert(std::filesystem::path(p).filename().string());
  std::vector<std::string> marked;
  auto sites = truth.find("sites");
  if (sites == truth.end() || !sites->is_array()) return marked;
  for (auto& site : *sites) {
    auto files = site.find("files");
    if (!site.value("monitored", true) || files == site.end() || !files->is_array() ||
        files->empty())
      continue;
    const bool any = std::any_of(files->begin(), files->end(), [&](const json& f) {
      return f.is_string() &&
             given.count(std::filesystem::path(f.get<std::string>()).filename().string()) != 0;
    });
    if (any) continue;
    site["monitored"] = false;
    marked.push_back(site.value("name", std::string("?")));
  }
  return marked;
}

}  // namespace calltrail::correlate
