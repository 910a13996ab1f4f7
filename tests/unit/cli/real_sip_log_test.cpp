// The whole real SIP Server log (tests/cases/real/, verbatim from a lab that
// joins a SIP Server to a WebRTC gateway) through the real binary, checked
// against what is known of its contents (docs of the excerpt: seven calls,
// CallUUIDs TTL7J9EM750GP936CFL0EOACN8000001 .. 7, two dialogs each, Call-IDs
// 640476ED-F320-46F0-975D-6290F4CB29F6-<n>@192.168.210.81 with n = 2k+1 and
// 2k+2 for call k; the second dialog of calls 1, 3 to 7 answered 403, of call
// 2 ended by 487; no T-Library message at all).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

const std::string kLog = shell_quote(
    (fs::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/real/SIP_P-001.20260202_135459_850.log.gz")
        .string());

std::string call_uuid(int call) {
  return "TTL7J9EM750GP936CFL0EOACN800000" + std::to_string(call);
}

std::string call_id(int n) {
  return "640476ED-F320-46F0-975D-6290F4CB29F6-" + std::to_string(n) + "@192.168.210.81";
}

TEST(RealSipLog, SevenInteractionsEachLegWithItsTwoCallIds) {
  RunResult r = run_calltrail("interactions " + kLog);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "the real log reads without a diagnostic";
  const auto interactions = json_lines(r.out);
  ASSERT_EQ(interactions.size(), 7u);
  for (int call = 1; call <= 7; ++call) {
    const auto& it = interactions[static_cast<std::size_t>(call - 1)];
    SCOPED_TRACE(call);
    EXPECT_EQ(it["interaction_id"], call_uuid(call));
    ASSERT_EQ(it["legs"].size(), 1u);
    const auto& leg = it["legs"][0];
    EXPECT_EQ(leg["call_uuid"], call_uuid(call));
    EXPECT_EQ(leg["site"], "SIP_P@?");
    EXPECT_EQ(leg["sip_call_ids"],
              nlohmann::json::array({call_id(2 * call + 1), call_id(2 * call + 2)}));
    // Parties from SIP alone: the server calls 1003, then 1002.
    std::set<std::string> dns(leg["dns"].begin(), leg["dns"].end());
    EXPECT_TRUE(dns.count("1002") == 1 && dns.count("1003") == 1) << leg["dns"];
    EXPECT_TRUE(it["links"].empty());
  }
}

TEST(RealSipLog, EveryEventIsSipAndTheAnswersAreTheKnownOnes) {
  RunResult r = run_calltrail("events " + kLog);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::map<std::string, std::string> final_answer;  // Call-ID -> last final status of its INVITE
  std::map<std::string, std::string> call_of;       // Call-ID -> the call's CallUUID
  for (int call = 1; call <= 7; ++call) {
    call_of[call_id(2 * call + 1)] = call_uuid(call);
    call_of[call_id(2 * call + 2)] = call_uuid(call);
  }
  std::size_t not_found = 0;
  std::size_t invites_with_their_call = 0;
  for (const auto& e : json_lines(r.out)) {
    ASSERT_EQ(e["kind"], "sip") << e.dump();
    const auto& a = e["attributes"];
    // A message the mapping line after it names the call of: the right one.
    if (a.contains("CallUUID")) {
      const auto known = call_of.find(a["Call-ID"]);
      ASSERT_NE(known, call_of.end()) << e.dump();
      EXPECT_EQ(a["CallUUID"], known->second) << e.dump();
      if (e["name"] == "INVITE") ++invites_with_their_call;
    }
    if (e["name"] == "CID:CUUID" || !a.contains("Status")) continue;
    const int status = a["Status"];
    if (status == 404) ++not_found;
    if (status >= 300 && a["Method"] == "INVITE") final_answer[a["Call-ID"]] = e["name"];
  }
  // Each dialog's INVITE is followed by the line that maps it.
  EXPECT_EQ(invites_with_their_call, 14u);
  EXPECT_EQ(not_found, 6u);
  for (int call = 1; call <= 7; ++call) {
    SCOPED_TRACE(call);
    EXPECT_EQ(final_answer[call_id(2 * call + 2)],
              call == 2 ? "487 Request Terminated" : "403 Forbidden");
    EXPECT_EQ(final_answer.count(call_id(2 * call + 1)), 0u) << "the first dialog is answered";
  }
}

TEST(RealSipLog, TraceByTheCallIdOfCallOnesSecondDialogShowsThe403) {
  for (const std::string& id :
       {call_id(4), std::string("640476ED-F320-46F0-975D-6290F4CB29F6-4")}) {
    SCOPED_TRACE(id);
    RunResult r = run_calltrail("trace " + shell_quote(id) + " " + kLog + " --format json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto trace = nlohmann::json::parse(r.out);
    ASSERT_EQ(trace["interactions"].size(), 1u) << r.out;
    EXPECT_EQ(trace["matches"][0]["interaction_id"], call_uuid(1));
    const auto& it = trace["interactions"][0];
    EXPECT_EQ(it["interaction_id"], call_uuid(1));
    bool forbidden = false;
    for (const auto& e : it["timeline"]) {
      EXPECT_EQ(e["kind"], "sip");
      EXPECT_EQ(e["site"], "SIP_P@?");
      if (e["name"] == "403 Forbidden") {
        forbidden = true;
        EXPECT_EQ(e["direction"], "in");
        EXPECT_EQ(e["peer"], "192.168.210.54:5061");
        EXPECT_NE(e["note"].get<std::string>().find(call_id(4)), std::string::npos);
        EXPECT_EQ(e["utc"], "2026-02-02T08:26:06.111000Z");
        EXPECT_EQ(e["local"], "2026-02-02T13:56:06.111");
      }
    }
    EXPECT_TRUE(forbidden);
  }
  RunResult text = run_calltrail("trace " + shell_quote(call_id(4)) + " " + kLog);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("SIP< 403 Forbidden (INVITE) from 192.168.210.54:5061"),
            std::string::npos)
      << text.out;
  RunResult quiet = run_calltrail("trace " + shell_quote(call_id(4)) + " --no-sip " + kLog);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out.find("SIP<"), std::string::npos) << quiet.out;
}

TEST(RealSipLog, HeaderGivesTheSiteItsOffsetAndEventsFilterByCallId) {
  RunResult r = run_calltrail("sites --format json " + kLog);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto sites = nlohmann::json::parse(r.out)["sites"];
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["utc_offset"], 19800);
  EXPECT_EQ(sites[0]["utc_offset_source"], "header");
  EXPECT_EQ(sites[0]["legs"], 7);

  RunResult one = run_calltrail("events --id " + shell_quote(call_id(6)) + " " + kLog);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto events = json_lines(one.out);
  ASSERT_FALSE(events.empty());
  for (const auto& e : events)
    EXPECT_EQ(e["attributes"]["Call-ID"], call_id(6));
}

TEST(RealSipLog, TheStoreAnswersByCallIdAsTheFilesDo) {
  const fs::path db =
      fs::temp_directory_path() / ("calltrail-real-sip-" + std::to_string(::getpid()) + ".db");
  fs::remove(db);
  RunResult ingest = run_calltrail("ingest -q " + kLog + " --db " + shell_quote(db.string()));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  for (const std::string& id :
       {call_id(4), std::string("640476ED-F320-46F0-975D-6290F4CB29F6-6")}) {
    SCOPED_TRACE(id);
    RunResult files = run_calltrail("trace " + shell_quote(id) + " " + kLog + " --format json");
    RunResult stored = run_calltrail("trace " + shell_quote(id) + " --db " +
                                     shell_quote(db.string()) + " --format json");
    ASSERT_EQ(stored.exit_code, 0) << stored.err;
    auto a = nlohmann::json::parse(files.out).at("interactions").at(0);
    auto b = nlohmann::json::parse(stored.out).at("interactions").at(0);
    // File paths differ (the store names the file as ingested): compare the rest.
    for (auto* j : {&a, &b}) {
      for (auto& e : (*j)["timeline"])
        e.erase("file");
    }
    EXPECT_EQ(a["legs"], b["legs"]);
    EXPECT_EQ(a["timeline"], b["timeline"]);
  }
  fs::remove(db);
}

}  // namespace
}  // namespace calltrail::test
