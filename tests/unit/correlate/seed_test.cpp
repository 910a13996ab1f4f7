// The seed document's four events from two header-less sites: the golden
// case of correlation, read from tests/cases/seed/ by the real parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/timeline.hpp"

namespace calltrail::correlate {
namespace {

const std::string kDir = std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/seed/";

Correlation load_seed(unsigned threads = 1) {
  std::vector<std::string> paths = {kDir + "tserver2.log", kDir + "sipserver1.log"};
  CollectOptions o;
  o.threads = threads;
  Loaded l = load(paths, o, {});
  EXPECT_TRUE(l.input_errors.empty());
  EXPECT_EQ(l.diagnostics.count(), 0u);
  return std::move(l.correlation);
}

void base_names(Json& j) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if (k == "file" && v.is_string()) {
        v = std::filesystem::path(v.get<std::string>()).filename().string();
      } else {
        base_names(v);
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j)
      base_names(v);
  }
}

TEST(Seed, InteractionMatchesGolden) {
  for (unsigned threads : {1u, 2u}) {
    Correlation c = load_seed(threads);
    ASSERT_EQ(c.interactions.size(), 1u);
    Json got = interaction_json(c, c.interactions[0]);
    base_names(got);
    std::ifstream in(kDir + "interactions.json");
    ASSERT_TRUE(in) << "missing golden file";
    Json want = Json::parse(in);
    EXPECT_EQ(got, want) << got.dump(2);
  }
}

TEST(Seed, AnyIdTracesThreeLegsInCausalOrder) {
  Correlation c = load_seed();
  const std::vector<std::string> ids = {
      "009a021843038407",                  // ConnID
      "9A021843038407",                    // the same, short and upper case
      "00RP30KH7088L1IC08GB82LAES000317",  // CallUUIDs of all three legs
      "01AE904GK088LFQD2CGB02LAES0000EP",
      "00RP30KH7088L1IC08GB82LAES00031D",
      "00RP30KH7088L1IC08GB82LAES000316",  // both IS-Links
      "00EBGH4GK488LFQD2CGB02LAES0007J5",
  };
  for (const auto& id : ids) {
    auto m = find_interactions(c, id);
    ASSERT_EQ(m.size(), 1u) << id;
    const Interaction& it = c.interactions[m[0].interaction];
    EXPECT_EQ(it.id, "00RP30KH7088L1IC08GB82LAES000317");
    EXPECT_TRUE(it.complete);
    ASSERT_EQ(it.links.size(), 2u);
    for (auto li : it.links) {
      EXPECT_EQ(c.links[li].kind, LinkKind::IsLink);
      EXPECT_EQ(c.links[li].confidence, Confidence::Certain);
      EXPECT_TRUE(c.links[li].paired());
    }
    // Tserver2 -> SIPServer1 -> Tserver2, in causal order on the timeline.
    auto tl = build_timeline(c, it);
    std::vector<std::string> legs;
    for (const auto& e : tl) {
      const auto& leg = c.legs[e.leg];
      std::string s = c.sites[leg.site].name + " " + leg.call_uuid.str();
      if (legs.empty() || legs.back() != s) legs.push_back(s);
    }
    EXPECT_EQ(legs, (std::vector<std::string>{
                        "Tserver2@Avaya_Switch1 00RP30KH7088L1IC08GB82LAES000317",
                        "SIPServer1@SIP_Switch1 01AE904GK088LFQD2CGB02LAES0000EP",
                        "Tserver2@Avaya_Switch1 00RP30KH7088L1IC08GB82LAES00031D"}));
  }
}

TEST(Seed, SitesTimeZonesAndGaps) {
  Correlation c = load_seed();
  ASSERT_EQ(c.sites.size(), 2u);
  for (const auto& s : c.sites) {
    ASSERT_TRUE(s.utc_offset.has_value()) << s.name;
    EXPECT_EQ(*s.utc_offset, s.name == "Tserver2@Avaya_Switch1" ? -5 * 3600 : -4 * 3600);
    EXPECT_EQ(s.name_source, SiteNameSource::IsLinkPeer);
    EXPECT_TRUE(s.clock_offset.has_value());
    // The excerpt skips sequence numbers: one gap per site.
    EXPECT_EQ(s.gaps.size(), 1u);
  }
}

}  // namespace
}  // namespace calltrail::correlate
