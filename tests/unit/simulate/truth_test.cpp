// truth.json is consistent with itself: every link joins legs of its own
// interaction, identifiers are well-formed, completeness follows the links.
#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

TEST(Truth, IsConsistent) {
  const auto dir = fresh_dir("truth");
  auto o = small_options(dir, 400);
  const auto result = run_simulation(o);
  const auto truth = load_truth(dir);
  EXPECT_EQ(truth["generator"]["version"], 2);
  EXPECT_EQ(truth["generator"]["seed"], 7);
  EXPECT_FALSE(truth["generator"]["args"].get<std::string>().empty());

  std::map<std::string, bool> site_monitored;
  for (const auto& s : truth["sites"]) {
    EXPECT_EQ(s["name"], s["app"].get<std::string>() + "@" + s["switch"].get<std::string>());
    site_monitored[s["name"]] = s["monitored"];
    EXPECT_TRUE(s["tlib"].get<bool>()) << "the built-in sites print T-Library messages";
    EXPECT_TRUE(s["header"] == "spaces" || s["header"] == "tab") << s["header"];
    for (const auto& f : s["files"])
      EXPECT_TRUE(fs::exists(dir / f.get<std::string>())) << f;
  }
  ASSERT_EQ(truth["interactions"].size(), 400U);
  EXPECT_EQ(result.interactions, 400U);

  std::set<std::string> all_uuids;
  std::size_t islinks = 0, transfers = 0, incomplete = 0, sip_shared = 0;
  for (const auto& ia : truth["interactions"]) {
    ASSERT_FALSE(ia["legs"].empty());
    EXPECT_EQ(ia["interaction_id"], ia["legs"][0]["call_uuid"]);
    EXPECT_FALSE(ia["scenarios"].empty());
    std::map<std::string, std::string> leg_site;
    std::map<std::string, const nlohmann::json*> leg_call_ids;
    for (const auto& leg : ia["legs"]) {
      const auto uuid = leg["call_uuid"].get<std::string>();
      EXPECT_TRUE(is_call_uuid(uuid)) << uuid;
      EXPECT_TRUE(all_uuids.insert(uuid).second) << "CallUUID used twice: " << uuid;
      ASSERT_TRUE(site_monitored.count(leg["site"])) << leg["site"];
      EXPECT_TRUE(site_monitored[leg["site"]]) << "legs are on monitored sites only";
      ASSERT_FALSE(leg["conn_ids"].empty());
      for (const auto& c : leg["conn_ids"])
        EXPECT_TRUE(is_conn_id(c)) << c;
      EXPECT_LE(leg["true_start"].get<std::string>(), leg["true_end"].get<std::string>());
      EXPECT_GT(leg["events"].get<int>(), 0);
      ASSERT_TRUE(leg["sip_call_ids"].is_array());
      if (!leg["site"].get<std::string>().starts_with("SIPServer")) {
        EXPECT_TRUE(leg["sip_call_ids"].empty()) << "a T-Server logs no SIP";
      }
      leg_site[uuid] = leg["site"];
      leg_call_ids[uuid] = &leg["sip_call_ids"];
    }
    bool complete = true;
    for (const auto& link : ia["links"]) {
      const auto from = link["from"].get<std::string>();
      ASSERT_TRUE(leg_site.count(from)) << "link from a call that is not a leg: " << from;
      EXPECT_EQ(leg_site[from], link["from_site"]);
      if (link["kind"] == "islink") {
        ++islinks;
        EXPECT_TRUE(is_call_uuid(link["id"])) << link["id"];
        EXPECT_NE(link["from_site"], link["to_site"]);
      } else {
        ASSERT_EQ(link["kind"], "transfer");
        ++transfers;
        EXPECT_EQ(link["from_site"], link["to_site"]);
      }
      if (link["to"].is_null()) {
        ASSERT_TRUE(link["reason"].is_string());
        const auto reason = link["reason"].get<std::string>();
        EXPECT_TRUE(reason == "unmonitored" || reason == "partner-missing") << reason;
        EXPECT_EQ(site_monitored[link["to_site"]], reason != "unmonitored");
        if (reason != "unmonitored") complete = false;
      } else {
        EXPECT_TRUE(link["reason"].is_null());
        ASSERT_TRUE(leg_site.count(link["to"])) << "link to a call that is not a leg";
        EXPECT_EQ(leg_site[link["to"]], link["to_site"]);
        if (link.contains("sip_call_id")) {
          // Both legs map the Call-ID of the dialog that carried the call.
          ++sip_shared;
          for (const auto& end : {link["from"], link["to"]}) {
            const auto& ids = *leg_call_ids[end];
            EXPECT_NE(std::find(ids.begin(), ids.end(), link["sip_call_id"]), ids.end()) << link;
          }
        }
      }
    }
    EXPECT_EQ(ia["complete"].get<bool>(), complete);
    incomplete += complete ? 0 : 1;
  }
  // With every scenario on, 400 interactions hold both kinds of link and
  // some failed transfers.
  EXPECT_GT(islinks, 20U);
  EXPECT_GT(transfers, 5U);
  EXPECT_GT(incomplete, 0U);
  // The built-in sites hold one SIP Server: no call passes between two.
  EXPECT_EQ(sip_shared, 0U);
}

TEST(Truth, ProportionsKeepSingleSiteCallsTheMajority) {
  const auto dir = fresh_dir("mix");
  run_simulation(small_options(dir, 400));
  std::map<std::string, int> count;
  const auto truth = load_truth(dir);
  for (const auto& ia : truth["interactions"])
    for (const auto& s : ia["scenarios"])
      ++count[s.get<std::string>()];
  EXPECT_GT(count["single"], 200);
  EXPECT_LT(count["single"], 360);
  for (const char* s : {"multisite", "consult", "conference", "multisite-consult"})
    EXPECT_GT(count[s], 0) << s;
}

TEST(Truth, ScenariosOffAreAbsent) {
  const auto dir = fresh_dir("plain");
  auto o = small_options(dir, 60);
  std::string error;
  o.scenarios = *simulate::parse_scenario_list("single", error);
  run_simulation(o);
  const auto truth = load_truth(dir);
  for (const auto& ia : truth["interactions"]) {
    EXPECT_EQ(ia["legs"].size(), 1U);
    EXPECT_TRUE(ia["links"].empty());
    EXPECT_EQ(ia["scenarios"], nlohmann::json::array({"single"}));
  }
  for (const auto& s : truth["sites"]) {
    EXPECT_TRUE(s["gaps"].empty());
    EXPECT_TRUE(s["monitored"].get<bool>()) << "no unmonitored site without the scenario";
  }
  const auto text = all_log_text(dir);
  EXPECT_EQ(text.find("BSYNC"), std::string::npos);
  EXPECT_EQ(text.find("SIPTR"), std::string::npos);
  EXPECT_EQ(text.find("AttributeISLinkList"), std::string::npos);
}

}  // namespace
}  // namespace calltrail::test
