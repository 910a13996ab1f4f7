// The gaps of an interaction's JSON, rendered once per correlation
// (gaps_json) for `interactions`: the same text as rendering them in place,
// and every gap listed is one the simulator dropped (truth.json's per-site
// gaps: the last number written before it and how many are missing).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/json.hpp"
#include "simulated.hpp"

namespace calltrail::correlate {
namespace {

namespace fs = std::filesystem;

TEST(InteractionJsonGaps, RenderedOnceAsInPlaceAndAsTheTruthDropped) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const testing::SimulatedCase lost{"lost-events",
                                    "--only lost-events --interactions 120 --seed 23 --sites 3"};
  const fs::path dir = testing::simulate_case(lost, "calltrail-json-gaps-");
  ASSERT_FALSE(dir.empty());

  // The simulator's gaps: (application, first missing number, count). A
  // site is named by its application (a site whose switch no link names is
  // "app@?").
  std::set<std::tuple<std::string, std::uint64_t, std::uint64_t>> truth;
  const Json t = Json::parse(std::ifstream(dir / "truth.json"));
  for (const auto& site : t.at("sites"))
    for (const auto& g : site.at("gaps"))
      truth.emplace(site.at("app").get<std::string>(), g.at("after_seq").get<std::uint64_t>() + 1,
                    g.at("missing").get<std::uint64_t>());
  ASSERT_FALSE(truth.empty()) << "the scenario drops no event";

  CollectOptions o;
  o.threads = 2;
  Loaded loaded = load(testing::simulated_logs(dir), o, BuildOptions{});
  const Correlation& c = loaded.correlation;
  const std::vector<std::string> cached = gaps_json(c);
  ASSERT_EQ(cached.size(), c.gaps.size());

  std::size_t listed = 0;
  std::set<std::tuple<std::string, std::uint64_t, std::uint64_t>> seen;
  for (const auto& it : c.interactions) {
    std::string in_place, once;
    append_interaction_json(in_place, c, it);
    append_interaction_json(once, c, it, {.gaps = &cached});
    EXPECT_EQ(once, in_place) << it.id;
    const Json j = Json::parse(once);
    for (const auto& g : j.at("gaps")) {
      ++listed;
      const auto first = g.at("first_missing").get<std::uint64_t>();
      const auto last = g.at("last_missing").get<std::uint64_t>();
      EXPECT_EQ(g.at("missing").get<std::uint64_t>(), last - first + 1);
      const auto site = g.at("site").get<std::string>();
      const auto key = std::make_tuple(site.substr(0, site.find('@')), first, last - first + 1);
      EXPECT_TRUE(truth.contains(key)) << it.id << ": " << g.dump();
      seen.insert(key);
    }
  }
  // Several interactions are under way across most gaps.
  EXPECT_GT(listed, seen.size());
  EXPECT_FALSE(seen.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace calltrail::correlate
