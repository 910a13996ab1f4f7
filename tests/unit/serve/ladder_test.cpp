// The /ladder JSON of simulated multi-site calls against the correlation of
// the same logs read as files (correlate::load, what `trace` reads): one lane
// per site of the legs, each event on its leg's site and labelled with its
// leg, DNs as sub-lanes, a hop for every link whose ends are events, and
// links whose partner site has no logs drawn to the outside lane.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "calltrail/serve/views.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void push_files(LiveCorrelation& live, const std::vector<std::string>& files) {
  for (const auto& f : files) {
    ASSERT_EQ(live.add_text(f, 0, test::read_all(f)).status, Accepted::Ok) << f;
    live.end_text(f);
  }
  live.recompute();
}

// "…" and the last six characters, as a label shows an id.
std::string tail_of(const std::string& id) {
  std::string local = id.substr(0, id.find('@'));
  return local.size() <= 8 ? local : local.substr(local.size() - 6);
}

// Hops drawn, by kind, and the interactions on more than one site.
struct Drawn {
  std::map<std::string, std::size_t> hops;
  std::size_t multi_site = 0;
};

// Checks the ladder of every interaction of the simulated logs (`args`);
// counts what was drawn into `drawn`.
void expect_ladders_follow_the_correlation(const std::string& name, const std::string& args,
                                           Drawn& drawn) {
  auto logs = test::simulate_logs(name, args);
  const correlate::Loaded expected = correlate::load(logs.files, {}, {});
  const correlate::Correlation& c = expected.correlation;
  LiveCorrelation live;
  push_files(live, logs.files);

  for (const auto& it : c.interactions) {
    SCOPED_TRACE(it.id);
    auto built = live.build_interaction(it.id);
    ASSERT_TRUE(built.has_value());
    const json l = json::parse(ladder_json(*built));
    EXPECT_EQ(l["interaction_id"], it.id);
    EXPECT_EQ(l["complete"], it.complete);

    // The legs in the correlation's order, labelled L1, L2, ...
    std::map<std::string, std::size_t> position;  // CallUUID -> its place
    std::set<std::string> sites;
    bool open = false;
    ASSERT_EQ(l["legs"].size(), it.legs.size());
    for (std::size_t i = 0; i < it.legs.size(); ++i) {
      const correlate::Leg& leg = c.legs[it.legs[i]];
      position[leg.call_uuid.str()] = i;
      sites.insert(c.sites[leg.site].name);
      open = open || !leg.deleted;
      EXPECT_EQ(l["legs"][i]["call_uuid"], leg.call_uuid.str());
      EXPECT_EQ(l["legs"][i]["label"], "L" + std::to_string(i + 1));
      EXPECT_EQ(l["legs"][i]["site"], c.sites[leg.site].name);
    }
    EXPECT_EQ(l["open"], open);
    if (sites.size() > 1) ++drawn.multi_site;

    // One lane per site of the legs; outside (every site has logs) only
    // the caller.
    std::set<std::string> lane_sites;
    for (const json& lane : l["lanes"]) {
      if (lane["kind"] == "outside") {
        ASSERT_EQ(lane["sub_lanes"].size(), 1u) << lane.dump();
        EXPECT_EQ(lane["sub_lanes"][0]["kind"], "caller");
        EXPECT_EQ(lane["sub_lanes"][0]["ani"], c.legs[it.root].ani.str());
        continue;
      }
      EXPECT_EQ(lane["kind"], "site") << lane.dump();
      EXPECT_TRUE(lane_sites.insert(lane["site"].get<std::string>()).second) << lane.dump();
      EXPECT_EQ(lane["label"], lane["site"]);
      ASSERT_FALSE(lane["sub_lanes"].empty());
      for (const json& sub : lane["sub_lanes"])
        EXPECT_NE(sub["label"], "(no DN)") << sub.dump();
    }
    EXPECT_EQ(lane_sites, sites);

    // Every event of every leg, on its leg's site and on its DN's sub-lane.
    std::size_t events = 0;
    for (auto leg : it.legs)
      events += c.legs[leg].events.size();
    ASSERT_EQ(l["events"].size(), events);
    std::map<std::string, std::size_t> events_of_leg;
    for (const json& e : l["events"]) {
      const std::string uuid = e["leg"];
      ASSERT_TRUE(position.contains(uuid)) << e.dump();
      ++events_of_leg[uuid];
      const correlate::Leg& leg = c.legs[it.legs[position[uuid]]];
      EXPECT_EQ(e["leg_label"], "L" + std::to_string(position[uuid] + 1));
      const json& lane = l["lanes"][e["lane"].get<std::size_t>()];
      EXPECT_EQ(lane["site"], c.sites[leg.site].name) << e.dump();
      const json& sub = lane["sub_lanes"][e["sub_lane"].get<std::size_t>()];
      if (e["this_dn"] == "" || e["kind"] == "sip") {
        EXPECT_EQ(sub["kind"], "call") << e.dump();
      } else {
        EXPECT_EQ(sub["kind"], "dn") << e.dump();
        EXPECT_EQ(sub["dn"], e["this_dn"]) << e.dump();
        EXPECT_EQ(sub["label"], "DN " + e["this_dn"].get<std::string>());
      }
    }
    for (auto leg : it.legs)
      EXPECT_EQ(events_of_leg[c.legs[leg].call_uuid.str()], c.legs[leg].events.size());

    // A hop per link between two legs of the interaction that both have
    // the event that reported them: from the source leg to the target leg,
    // labelled with the kind and the id's end; IS-Links between two sites.
    std::multiset<std::pair<std::string, std::string>> want;  // kind, id
    for (auto k : it.links) {
      const correlate::Link& link = c.links[k];
      if (!link.paired() || !link.from_event || !link.to_event) continue;
      if (!position.contains(c.legs[link.from].call_uuid.str()) ||
          !position.contains(c.legs[link.to].call_uuid.str()))
        continue;
      want.insert({correlate::to_string(link.kind), link.id});
    }
    std::multiset<std::pair<std::string, std::string>> got;
    for (const json& h : l["hops"]) {
      SCOPED_TRACE(h.dump());
      if (h["kind"] == "caller") {
        // From outside to the root leg's first event.
        EXPECT_TRUE(h["from"].is_null());
        EXPECT_EQ(l["lanes"][h["from_lane"].get<std::size_t>()]["kind"], "outside");
        EXPECT_EQ(l["events"][h["to"].get<std::size_t>()]["leg"], c.legs[it.root].call_uuid.str());
        EXPECT_EQ(h["label"], "ANI " + c.legs[it.root].ani.str());
        continue;
      }
      ASSERT_FALSE(h["from"].is_null());
      ASSERT_FALSE(h["to"].is_null());
      got.insert({h["kind"].get<std::string>(), h["id"].get<std::string>()});
      const json& from = l["events"][h["from"].get<std::size_t>()];
      const json& to = l["events"][h["to"].get<std::size_t>()];
      EXPECT_EQ(h["from_lane"], from["lane"]);
      EXPECT_EQ(h["to_lane"], to["lane"]);
      EXPECT_EQ(h["from_sub_lane"], from["sub_lane"]);
      EXPECT_EQ(h["to_sub_lane"], to["sub_lane"]);
      const std::string label = h["label"];
      EXPECT_NE(label.find(tail_of(h["id"])), std::string::npos);
      ++drawn.hops[h["kind"].get<std::string>()];
      if (h["kind"] == "islink") {
        EXPECT_EQ(label.rfind("IS-Link ", 0), 0u);
        EXPECT_NE(h["from_lane"], h["to_lane"]);
      }
      if (h["kind"] == "transfer") {
        EXPECT_EQ(h["from_lane"], h["to_lane"]);
        EXPECT_EQ(label.rfind("transfer ", 0), 0u);
      }
    }
    EXPECT_EQ(got, want);

    // The SVG draws the same lanes and labels.
    const std::string svg = interaction_svg(*built);
    for (const auto& site : sites)
      EXPECT_NE(svg.find(">" + site + "</text>"), std::string::npos) << site;
    for (const json& h : l["hops"])
      EXPECT_NE(svg.find(">" + h["label"].get<std::string>() + "</text>"), std::string::npos);
  }
  fs::remove_all(logs.dir);
}

TEST(Ladder, LanesPerSiteLegsAndHopsFollowTheCorrelation) {
  Drawn d;
  expect_ladders_follow_the_correlation("ladder", "--only multisite --interactions 12 --seed 14",
                                        d);
  EXPECT_GE(d.multi_site, 3u);
  EXPECT_GE(d.hops["islink"], 3u);
}

// Same-site consult transfers: a hop on the site's own lane, labelled.
TEST(Ladder, TransfersAreLabelledHopsOnTheirSite) {
  Drawn d;
  expect_ladders_follow_the_correlation("ladder_consult",
                                        "--only consult --interactions 8 --seed 2", d);
  EXPECT_GE(d.hops["transfer"], 4u);
}

TEST(Ladder, LinksToSitesWithoutLogsGoToTheOutsideLane) {
  auto logs = test::simulate_logs("ladder_outside", "--only multisite --interactions 12 --seed 14");
  const correlate::Loaded all = correlate::load(logs.files, {}, {});
  // The logs of one site other than the first site of the largest call are
  // left out.
  const correlate::Interaction* pick = nullptr;
  for (const auto& it : all.correlation.interactions)
    if (pick == nullptr || it.legs.size() > pick->legs.size()) pick = &it;
  ASSERT_NE(pick, nullptr);
  const auto& ac = all.correlation;
  const std::uint32_t gone = ac.legs[pick->legs.back()].site;
  ASSERT_NE(gone, ac.legs[pick->root].site);
  std::set<std::string> gone_files;
  for (auto f : ac.sites[gone].files)
    gone_files.insert(ac.files[f].info.path);
  std::vector<std::string> kept;
  for (const auto& f : logs.files)
    if (!gone_files.contains(f)) kept.push_back(f);

  const correlate::Loaded expected = correlate::load(kept, {}, {});
  const correlate::Correlation& c = expected.correlation;
  LiveCorrelation live;
  push_files(live, kept);
  std::size_t outside_hops = 0;
  for (const auto& it : c.interactions) {
    SCOPED_TRACE(it.id);
    // What should lead outside: links with one end, its event known.
    std::multiset<std::pair<std::string, std::string>> want;  // id, remote site
    for (auto k : it.links) {
      const correlate::Link& link = c.links[k];
      if (link.paired()) continue;
      if (!(link.from != correlate::kNoLeg && link.from_event) &&
          !(link.to != correlate::kNoLeg && link.to_event))
        continue;
      want.insert({link.id, !link.remote_site.empty()        ? link.remote_site
                            : !link.skipped_location.empty() ? link.skipped_location
                                                             : "unknown site"});
    }
    auto built = live.build_interaction(it.id);
    ASSERT_TRUE(built.has_value());
    const json l = json::parse(ladder_json(*built));
    std::multiset<std::pair<std::string, std::string>> got;
    std::size_t outside_lanes = 0;
    for (const json& lane : l["lanes"])
      if (lane["kind"] == "outside") ++outside_lanes;
    for (const json& h : l["hops"]) {
      if (h["kind"] == "caller" || (!h["from"].is_null() && !h["to"].is_null())) continue;
      SCOPED_TRACE(h.dump());
      const bool out = h["to"].is_null();
      const json& lane = l["lanes"][(out ? h["to_lane"] : h["from_lane"]).get<std::size_t>()];
      EXPECT_EQ(lane["kind"], "outside");
      EXPECT_EQ(lane["label"], "outside");
      const json& sub =
          lane["sub_lanes"][(out ? h["to_sub_lane"] : h["from_sub_lane"]).get<std::size_t>()];
      EXPECT_EQ(sub["kind"], "remote_site");
      got.insert({h["id"].get<std::string>(), sub["site"].get<std::string>()});
      EXPECT_NE(h["label"].get<std::string>().find(tail_of(h["id"])), std::string::npos);
      const json& e = l["events"][(out ? h["from"] : h["to"]).get<std::size_t>()];
      EXPECT_EQ(l["lanes"][e["lane"].get<std::size_t>()]["kind"], "site");
      ++outside_hops;
    }
    EXPECT_EQ(got, want);
    EXPECT_LE(outside_lanes, 1u);
    if (!want.empty()) {
      EXPECT_EQ(outside_lanes, 1u);
    }
  }
  EXPECT_GT(outside_hops, 0u) << "no link led to the site left out";
  fs::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
