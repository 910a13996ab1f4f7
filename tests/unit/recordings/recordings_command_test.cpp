// `calltrail recordings` against the simulator's truth: a manifest of one
// recording per simulated leg is grouped as truth.json groups the legs, in
// CSV, JSON lines and recording metadata alike; a CallUUID no log carries is
// not placed, with its reason.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../cli/run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct Simulated {
  fs::path dir;
  Json truth;
  // recording id -> truth interaction, CallUUID, first ConnID, site
  struct Rec {
    std::string truth_id, call_uuid, conn_id, site;
  };
  std::map<std::string, Rec> recs;
};

Simulated simulate(const std::string& name, const std::string& args) {
  Simulated s;
  s.dir = fs::temp_directory_path() /
          ("calltrail_recordings_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(s.dir);
  const RunResult r =
      run_calltrail("simulate -q --out " + shell_quote((s.dir / "logs").string()) + " " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(s.dir / "logs" / "truth.json");
  s.truth = Json::parse(in);
  fs::remove(s.dir / "logs" / "truth.json");
  int n = 0;
  for (const auto& it : s.truth["interactions"])
    for (const auto& leg : it["legs"]) {
      const std::string conn = leg["conn_ids"].empty() ? "" : leg["conn_ids"][0].get<std::string>();
      s.recs["rec-" + std::to_string(++n)] = {it["interaction_id"], leg["call_uuid"], conn,
                                              leg["site"]};
    }
  return s;
}

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// The recordings of each output interaction, and of each truth interaction,
// as sets of recording ids: the two partitions must be the same.
void expect_grouped_as_truth(const Simulated& s, const std::vector<Json>& out) {
  std::map<std::string, std::set<std::string>> got, want;
  for (const auto& [id, r] : s.recs)
    want[r.truth_id].insert(id);
  for (const Json& o : out) {
    const std::string rec = o["recording_id"];
    if (!s.recs.contains(rec)) continue;
    ASSERT_FALSE(o["interaction_id"].is_null()) << o.dump();
    got[o["interaction_id"]].insert(rec);
    // The other recordings it names are those of its group (itself too).
    std::set<std::string> named(o["recordings"].begin(), o["recordings"].end());
    EXPECT_EQ(named, want[s.recs.at(rec).truth_id]) << o.dump();
    EXPECT_EQ(o["conn_id_matches"], true) << o.dump();
    EXPECT_GE(o["position"].get<int>(), 1);
    EXPECT_LE(o["position"].get<int>(), o["legs"].get<int>());
  }
  std::set<std::set<std::string>> got_groups, want_groups;
  for (auto& [_, g] : got)
    got_groups.insert(g);
  for (auto& [_, g] : want)
    want_groups.insert(g);
  EXPECT_EQ(got_groups, want_groups);
}

std::vector<Json> lines_of(const std::string& out) {
  std::vector<Json> v;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) v.push_back(Json::parse(l));
  return v;
}

TEST(Recordings, CsvManifestIsGroupedAsTruthGroupsTheLegs) {
  const Simulated s = simulate("csv",
                               "--scenarios multisite,consult,multisite-consult,pingpong "
                               "--interactions 24 --seed 31");
  ASSERT_GT(s.recs.size(), 24u);
  std::string csv = "recording_id,call_uuid,conn_id,site,media\n";
  int k = 0;
  for (const auto& [id, r] : s.recs)  // every other one names its site
    csv += id + "," + r.call_uuid + "," + r.conn_id + "," + (k++ % 2 == 0 ? r.site : "") +
           ",\"media, " + id + "\"\n";
  csv += "rec-unknown,NOSUCHCALLUUID0000000000000000,,,\n";
  const std::string manifest = write(s.dir / "recordings.csv", csv);
  const RunResult r = run_calltrail("recordings " + shell_quote(manifest) + " " +
                                    shell_quote((s.dir / "logs").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), s.recs.size() + 1);
  expect_grouped_as_truth(s, out);
  const Json& unknown = out.back();
  EXPECT_EQ(unknown["recording_id"], "rec-unknown");
  EXPECT_TRUE(unknown["interaction_id"].is_null());
  EXPECT_NE(unknown["reason"].get<std::string>().find("CallUUID"), std::string::npos);
  EXPECT_NE(r.err.find("1 not placed"), std::string::npos) << r.err;

  // The text groups them too: each truth group's recordings under one header.
  const RunResult text = run_calltrail("recordings " + shell_quote(manifest) + " " +
                                       shell_quote((s.dir / "logs").string()) + " --format text");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("not placed\n  rec-unknown"), std::string::npos) << text.out;
  fs::remove_all(s.dir);
}

TEST(Recordings, JsonLinesAndRecordingMetadataFromAStore) {
  const Simulated s = simulate("jsonl", "--only multisite --interactions 8 --seed 32");
  std::string jsonl;
  Json gir = Json::array();
  for (const auto& [id, r] : s.recs) {
    jsonl += Json{{"recording_id", id}, {"call_uuid", r.call_uuid}, {"conn_id", r.conn_id}}.dump() +
             "\n";
    gir.push_back({{"id", id},
                   {"mediaFiles", Json::array({{{"callUUID", r.call_uuid},
                                                {"parameters", {{"connId", r.conn_id}}}}})}});
  }
  jsonl += "{broken\n";
  const std::string db = (s.dir / "store.db").string();
  ASSERT_EQ(run_calltrail("ingest -q --db " + shell_quote(db) + " " +
                          shell_quote((s.dir / "logs").string()))
                .exit_code,
            0);
  const RunResult a = run_calltrail("recordings " + shell_quote(write(s.dir / "r.jsonl", jsonl)) +
                                    " --db " + shell_quote(db));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  expect_grouped_as_truth(s, lines_of(a.out));
  // The broken line is said with its line, and --strict makes it count.
  const std::string where = "r.jsonl:" + std::to_string(s.recs.size() + 1) + ":";
  EXPECT_NE(a.err.find(where), std::string::npos) << a.err;
  EXPECT_EQ(run_calltrail("recordings " + shell_quote((s.dir / "r.jsonl").string()) + " --db " +
                          shell_quote(db) + " --strict -q")
                .exit_code,
            4);

  const RunResult b =
      run_calltrail("recordings " + shell_quote(write(s.dir / "recording.json", gir.dump(2))) +
                    " --db " + shell_quote(db) + " --format json");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const Json doc = Json::parse(b.out);
  expect_grouped_as_truth(s, doc["recordings"].get<std::vector<Json>>());
  fs::remove_all(s.dir);
}

TEST(Recordings, NothingPlacedOrNothingReadableSaysSo) {
  const Simulated s = simulate("none", "--only single --interactions 2 --seed 33");
  const std::string logs = shell_quote((s.dir / "logs").string());
  const RunResult none = run_calltrail(
      "recordings " + shell_quote(write(s.dir / "a.csv", "recording_id,call_uuid\nr,NOPE\n")) +
      " " + logs);
  EXPECT_EQ(none.exit_code, 1) << none.err;
  const RunResult bad = run_calltrail(
      "recordings " + shell_quote(write(s.dir / "b.csv", "id,uuid\nr,NOPE\n")) + " " + logs);
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("b.csv"), std::string::npos) << bad.err;
  const RunResult missing = run_calltrail("recordings /nonexistent.csv " + logs);
  EXPECT_EQ(missing.exit_code, 3);
  fs::remove_all(s.dir);
}

}  // namespace
}  // namespace calltrail::test
