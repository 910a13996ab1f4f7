// `calltrail score` on truth.json: SIP links are scored directed like
// IS-Links, and each leg's SIP Call-IDs must be exactly those of truth.
#include <fstream>

#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

// What a shell command prints on its standard output.
std::string command_output(const std::string& cmd) {
  std::string out;
  std::FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  for (std::size_t n = 0; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, n);
  pclose(p);
  return out;
}

struct Scored {
  int status = -1;
  nlohmann::json report;
  std::string output;
};

Scored score(const fs::path& dir, const nlohmann::json& truth,
             const std::vector<nlohmann::json>& predicted, const std::string& extra = "") {
  std::ofstream(dir / "truth.json") << truth.dump();
  {
    std::ofstream out(dir / "predicted.jsonl");
    for (const auto& p : predicted)
      out << p.dump() << "\n";
  }
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " score '" +
                          (dir / "truth.json").string() + "' --interactions '" +
                          (dir / "predicted.jsonl").string() + "' --format json " + extra + " 2>&1";
  Scored s;
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return s;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    s.output.append(buf, n);
  const int status = pclose(p);
  s.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  s.report = nlohmann::json::parse(s.output, nullptr, false);
  return s;
}

// Two SIP Server sites without T-Library messages pass a call over SIP, the
// second sends it on to a T-Server over an IS-Link.
const nlohmann::json kTruth = nlohmann::json::parse(R"({
  "sites": [{"name": "S7@s7", "monitored": true}, {"name": "S8@s8", "monitored": true},
            {"name": "T2@t2", "monitored": true}],
  "interactions": [
    {"interaction_id": "a1", "complete": true,
     "legs": [{"site": "S7@s7", "call_uuid": "a1", "sip_call_ids": ["gw-1", "A-1@s7", "A-2@s7"]},
              {"site": "S8@s8", "call_uuid": "b1", "sip_call_ids": ["A-2@s7", "B-1@s8"]},
              {"site": "T2@t2", "call_uuid": "c1", "sip_call_ids": []}],
     "links": [{"kind": "sip", "id": "A-2@s7", "from": "a1", "to": "b1", "reason": null,
                "sip_call_id": "A-2@s7"},
               {"kind": "islink", "id": "L1", "from": "b1", "to": "c1", "reason": null}]}
  ]})");

nlohmann::json predicted() {
  // As `calltrail interactions` prints it: Call-IDs in any order, the
  // IS-Link confirmed by nothing, a hint that is not scored.
  return nlohmann::json::parse(R"({"interaction_id": "a1", "complete": true,
     "legs": [{"site": "S7@s7", "call_uuid": "a1", "sip_call_ids": ["A-2@s7", "A-1@s7", "gw-1"]},
              {"site": "S8@s8", "call_uuid": "b1", "sip_call_ids": ["B-1@s8", "A-2@s7"]},
              {"site": "T2@t2", "call_uuid": "c1", "sip_call_ids": []}],
     "links": [{"kind": "sip", "id": "A-2@s7", "from": "a1", "to": "b1", "reason": null,
                "sip_call_id": "A-2@s7"},
               {"kind": "islink", "id": "L1", "from": "b1", "to": "c1", "reason": null},
               {"kind": "hint", "id": "x", "from": "a1", "to": "c1", "reason": null}]})");
}

TEST(Score, SipLinksAndCallIdsPerfectWhenEqual) {
  const auto dir = fresh_dir("score");
  const auto s = score(dir, kTruth, {predicted()}, "--require-perfect");
  ASSERT_TRUE(s.report.is_object()) << s.output;
  EXPECT_EQ(s.status, 0) << s.output;
  EXPECT_TRUE(s.report["perfect"].get<bool>());
  EXPECT_EQ(s.report["sip_call_ids"]["hit"], 3);
  EXPECT_EQ(s.report["sip_call_ids"]["total"], 3);
  EXPECT_EQ(s.report["link_recall"]["total"], 2);
  EXPECT_EQ(s.report["link_precision"]["total"], 2);
}

TEST(Score, WrongCallIdSetLowersTheRatio) {
  const auto dir = fresh_dir("score");
  auto p = predicted();
  p["legs"][0]["sip_call_ids"] = {"gw-1", "A-1@s7"};  // one missing
  p["legs"][2]["sip_call_ids"] = {"B-1@s8"};          // one too many
  p["legs"][1].erase("sip_call_ids");                 // none stated: empty
  const auto s = score(dir, kTruth, {p}, "--require-perfect");
  ASSERT_TRUE(s.report.is_object()) << s.output;
  EXPECT_EQ(s.status, 1) << "--require-perfect";
  EXPECT_FALSE(s.report["perfect"].get<bool>());
  EXPECT_EQ(s.report["sip_call_ids"]["hit"], 0);
  EXPECT_EQ(s.report["sip_call_ids"]["total"], 3);
  EXPECT_EQ(s.report["sip_call_ids"]["value"], 0.0);
  // Everything else is still right.
  for (const char* ratio : {"pair_precision", "pair_recall", "link_precision", "link_recall",
                            "exact_interactions", "completeness", "interaction_ids"})
    EXPECT_EQ(s.report[ratio]["value"], 1.0) << ratio;
  bool named = false;
  for (const auto& m : s.report["mistakes"])
    named |= m.get<std::string>().find("leg a1: SIP Call-IDs") != std::string::npos;
  EXPECT_TRUE(named) << s.report["mistakes"];
}

TEST(Score, SipLinksAreDirected) {
  const auto dir = fresh_dir("score");
  auto p = predicted();
  p["links"][0]["from"] = "b1";
  p["links"][0]["to"] = "a1";
  const auto s = score(dir, kTruth, {p});
  ASSERT_TRUE(s.report.is_object()) << s.output;
  EXPECT_EQ(s.status, 0) << "without --require-perfect";
  EXPECT_FALSE(s.report["perfect"].get<bool>());
  EXPECT_EQ(s.report["link_precision"]["hit"], 1);
  EXPECT_EQ(s.report["link_recall"]["hit"], 1);
  EXPECT_EQ(s.report["sip_call_ids"]["value"], 1.0);
}

TEST(Score, TruthWithoutCallIdsDoesNotCountThem) {
  const auto dir = fresh_dir("score");
  auto truth = kTruth;
  for (auto& leg : truth["interactions"][0]["legs"])
    leg.erase("sip_call_ids");
  const auto s = score(dir, truth, {predicted()});
  ASSERT_TRUE(s.report.is_object()) << s.output;
  EXPECT_EQ(s.report["sip_call_ids"]["total"], 0);
  EXPECT_TRUE(s.report["perfect"].get<bool>());
}

TEST(Score, TextReportNamesTheRatio) {
  const auto dir = fresh_dir("score");
  std::ofstream(dir / "truth.json") << kTruth.dump();
  std::ofstream(dir / "predicted.jsonl") << predicted().dump() << "\n";
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " score '" +
                          (dir / "truth.json").string() + "' --interactions '" +
                          (dir / "predicted.jsonl").string() + "'";
  const std::string out = command_output(cmd);
  EXPECT_NE(out.find("sip_call_ids         1.0000  (3/3)"), std::string::npos) << out;
}

// The correlation of simulated logs, sites without T-Library messages
// included, against their truth.
TEST(Score, SimulatedSipSitesScorePerfect) {
  const auto dir = fresh_dir("end_to_end");
  auto o = small_options(dir, 150);
  std::string error;
  for (const char* spec :
       {"SIPServer1@SIP_Switch1,-4h,-50ms", "Tserver2@Avaya_Switch1,-5h,+0ms",
        "SIPServer4@SIP_Switch4,+1h,-1.2s", "SIPServer7@SIP_Switch7,+2h,+30ms,tlib=off",
        "SIPServer8@SIP_Switch8,-3h,-20ms,tlib=off"})
    o.sites.push_back(*simulate::parse_site_spec(spec, error));
  run_simulation(o);
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " score '" +
                          (dir / "truth.json").string() + "' --format json 2>&1";
  const std::string out = command_output(cmd);
  const auto report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << out;
  EXPECT_TRUE(report["perfect"].get<bool>()) << report["mistakes"];
  EXPECT_GT(report["sip_call_ids"]["total"].get<int>(), 100);
}

}  // namespace
}  // namespace calltrail::test
