// Correlation against the ground truth of `calltrail simulate`, scenario by
// scenario and mixed, in every print style: precision and recall must be 1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/score.hpp"
#include "simulated.hpp"

namespace calltrail::correlate {
namespace {

namespace fs = std::filesystem;

using Case = testing::SimulatedCase;

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const char* s :
       {"single", "multisite", "pingpong", "connid-change", "connid-reuse", "consult", "conference",
        "multisite-consult", "late-islink", "postmortem-islink", "unmonitored", "failed-transfer",
        "lost-events", "ha-sync", "noise"}) {
    v.push_back({s, std::string("--only ") + s + " --interactions 60 --seed 11"});
  }
  v.push_back({"mixed_tab", "--interactions 400 --seed 3 --segment-size 64k"});
  v.push_back({"mixed_spaces", "--interactions 200 --seed 4 --style spaces"});
  v.push_back({"mixed_flat_gzip", "--interactions 200 --seed 5 --style flat --gzip"});
  v.push_back({"mixed_five_sites", "--interactions 300 --seed 6 --sites 5"});
  v.push_back({"sip_only_sites_mixed_styles",
               "--interactions 300 --seed 7 --style mixed --site SIPServer1@SIP_Switch1,-4h,-50ms "
               "--site Tserver2@Avaya_Switch1,-5h,+0ms --site SIPServer4@SIP_Switch4,+1h,-1.2s "
               "--site SIPServer7@SIP_Switch7,+2h,+30ms,tlib=off --site "
               "SIPServer8@SIP_Switch8,-3h,-20ms,tlib=off"});
  // Sites without call monitoring report no IS-Link: their hops are joined
  // by the arrivals' call history (completing the IS-Links the other site
  // reports, or as iscc links between two of them).
  v.push_back(
      {"sites_without_call_monitoring",
       "--interactions 300 --seed 8 --style mixed --segment-size 64k "
       "--site Tserver2@Avaya_Switch1,-5h,+0ms --site SIPServer1@SIP_Switch1,-4h,-50ms,calls=off "
       "--site TServer3@Cisco_Switch3,+10h,+300ms,calls=off --site "
       "Tserver5@Nortel_Switch5,+1h,-200ms,calls=off"});
  v.push_back({"no_site_monitors_calls",
               "--interactions 200 --seed 9 --scenarios single,multisite,pingpong,connid-change,"
               "multisite-consult,consult --site Tserver2@Avaya_Switch1,-5h,+0ms,calls=off "
               "--site SIPServer1@SIP_Switch1,-4h,-50ms,calls=off --site "
               "TServer3@Cisco_Switch3,+10h,+300ms,calls=off"});
  // The middle of a chain has no logs (A -> [B] -> C): the arrival after it
  // names the chain's first leg by its first transfer, an hour later at most.
  v.push_back({"middle_site_without_logs",
               "--only multisite --interactions 300 --seed 8 --style mixed --segment-size 64k "
               "--site Tserver2@Avaya_Switch1,-5h,+0ms,calls=off --site "
               "SIPServer1@SIP_Switch1,-4h,-50ms,calls=off --site "
               "TServer3@Cisco_Switch3,+10h,+300ms,calls=off --site "
               "Tserver5@Nortel_Switch5,+1h,-200ms,calls=off",
               "Tserver5."});
  // ConnIDs used again on the same site later: no interaction may merge.
  v.push_back(
      {"connid_reuse_same_site", "--only connid-reuse --interactions 240 --duration 4h --seed 12"});
  return v;
}

class SimulateAccuracy : public ::testing::TestWithParam<Case> {};

TEST_P(SimulateAccuracy, PerfectAgainstTruth) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const fs::path dir = testing::simulate_case(GetParam(), "calltrail_accuracy_");
  ASSERT_FALSE(dir.empty());

  std::ifstream in(dir / "truth.json");
  ASSERT_TRUE(in);
  nlohmann::json truth = nlohmann::json::parse(in);
  std::vector<std::string> paths = testing::simulated_logs(dir);
  const std::string& without = GetParam().without;
  if (!without.empty()) {
    std::erase_if(paths, [&](const std::string& p) {
      return fs::path(p).filename().string().starts_with(without);
    });
    EXPECT_EQ(mark_sites_without_logs(truth, paths).size(), 1u);
  }
  for (unsigned threads : {1u, 2u}) {
    CollectOptions o;
    o.threads = threads;
    Loaded l = load(paths, o, {});
    EXPECT_TRUE(l.input_errors.empty());
    std::vector<nlohmann::json> predicted;
    for (const auto& it : l.correlation.interactions)
      predicted.push_back(nlohmann::json::parse(interaction_json(l.correlation, it).dump()));
    const ScoreReport r = score(truth, predicted);
    std::string mistakes;
    for (const auto& m : r.mistakes)
      mistakes += "\n  " + m;
    EXPECT_TRUE(r.perfect()) << mistakes;
    EXPECT_EQ(r.pair_precision.value(), 1.0);
    EXPECT_EQ(r.pair_recall.value(), 1.0);
    EXPECT_EQ(r.link_precision.value(), 1.0);
    EXPECT_EQ(r.link_recall.value(), 1.0);
    EXPECT_EQ(r.complete.value(), 1.0);
    EXPECT_GT(r.leg_recall.total, 0u);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, SimulateAccuracy, ::testing::ValuesIn(cases()),
                         testing::case_name);

}  // namespace
}  // namespace calltrail::correlate
