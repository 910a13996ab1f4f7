// Recording marks against the simulator's truth: on a SIP Server site with
// record=on every call an agent answers is recorded (MSML <record> with the
// recording's id, then <dialogend> when the agent releases); the marks the
// correlation reads from the logs must be exactly truth.json's recordings,
// leg by leg, and no leg of a site without recording has any.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// "kind" or "kind id" per recording, in order, by CallUUID.
using Marks = std::map<std::string, std::vector<std::string>>;

std::string param(const std::string& params, const std::string& key) {
  const std::string k = key + "=";
  for (std::size_t at = 0; at < params.size();) {
    const std::size_t end = params.find(';', at);
    const std::string p = params.substr(at, end == std::string::npos ? end : end - at);
    if (p.starts_with(k)) return p.substr(k.size());
    at = end == std::string::npos ? params.size() : end + 1;
  }
  return {};
}

TEST(RecordingMarks, AreTheSimulatedRecordings) {
  const fs::path dir =
      fs::temp_directory_path() / ("calltrail_recording_marks_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const RunResult sim = run_calltrail(
      "simulate -q --out " + shell_quote((dir / "logs").string()) +
      " --interactions 16 --seed 41 --site SIPRec@SIP_Switch1,-4h,+0ms,type=sip,record=on"
      " --site Tserver2@Avaya_Switch1,-5h,+20ms");
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  Json truth;
  {
    std::ifstream in(dir / "logs" / "truth.json");
    truth = Json::parse(in);
  }
  fs::rename(dir / "logs" / "truth.json", dir / "truth.json");

  Marks want;
  std::size_t recorded = 0;
  for (const auto& it : truth["interactions"])
    for (const auto& leg : it["legs"]) {
      auto& list = want[leg["call_uuid"]];
      for (const auto& r : leg.value("recordings", Json::array())) {
        list.push_back(r["kind"].get<std::string>() +
                       (r.contains("id") ? " " + r["id"].get<std::string>() : ""));
        ++recorded;
      }
    }
  ASSERT_GT(recorded, 4u) << "the simulation recorded too little to test";

  const RunResult out = run_calltrail("interactions " + shell_quote((dir / "logs").string()));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  Marks got;
  for (const auto& it : json_lines(out.out))
    for (const auto& leg : it["legs"]) {
      auto& list = got[leg["call_uuid"]];
      for (const auto& m : leg.value("recordings", Json::array())) {
        EXPECT_EQ(m["status"], "accepted") << leg["call_uuid"];
        // The recorder's INVITE is a mark of its own; truth counts the MSML requests.
        if (m["source"] == "uri") continue;
        ASSERT_EQ(m["source"], "msml") << leg["call_uuid"];
        const std::string id = param(m.value("params", ""), "id");
        list.push_back(m["kind"].get<std::string>() + (m["kind"] == "start" ? " " + id : ""));
      }
    }
  for (const auto& [uuid, marks] : want) {
    ASSERT_TRUE(got.contains(uuid)) << uuid << " is not among the correlated legs";
    EXPECT_EQ(got[uuid], marks) << uuid;
  }
  EXPECT_EQ(got.size(), want.size());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace calltrail::test
