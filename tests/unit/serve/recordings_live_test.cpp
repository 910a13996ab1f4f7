// Recordings on a live server (POST and GET /api/recordings, the
// recordings_grouped update) against the simulator's truth: a manifest of
// one recording per simulated leg, POSTed before the logs arrive or after
// them, is grouped exactly as truth.json groups the legs; interactions that
// merge say so in an update naming the surviving group; bad lines are
// reported by line; the limit holds; `serve --db` keeps the recordings across
// a restart, and `calltrail recordings --db` reads that store as before.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "calltrail/serve/http_server.hpp"
#include "calltrail/serve/store_live_store.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Groups = std::set<std::set<std::string>>;

// Simulated logs and one recording per leg: "rec-N" on the leg's CallUUID,
// with its first ConnID and (every other one) its site.
struct Recorded {
  test::SimulatedLogs logs;
  std::map<std::string, std::string> truth_of;  // recording id -> truth interaction
  std::string manifest;                         // JSON lines
  Groups truth;                                 // recording ids grouped as truth groups legs
};

Recorded recorded(const std::string& name, const std::string& args) {
  Recorded r;
  r.logs = test::simulate_logs(name, args);
  std::ifstream in(r.logs.dir / "truth.json");
  const json truth = json::parse(in);
  std::map<std::string, std::set<std::string>> groups;
  int n = 0;
  for (const auto& it : truth["interactions"])
    for (const auto& leg : it["legs"]) {
      const std::string id = "rec-" + std::to_string(++n);
      json line{{"recording_id", id}, {"call_uuid", leg["call_uuid"]}};
      if (!leg["conn_ids"].empty()) line["conn_id"] = leg["conn_ids"][0];
      if (n % 2 == 0) line["site"] = leg["site"];
      r.manifest += line.dump() + "\n";
      r.truth_of[id] = it["interaction_id"];
      groups[it["interaction_id"]].insert(id);
    }
  for (auto& [_, g] : groups)
    r.truth.insert(g);
  return r;
}

class RecordingsLive : public ::testing::Test {
 protected:
  void start(LiveOptions options = {}, LiveStore* store = nullptr) {
    live_ = std::make_unique<LiveCorrelation>(options, store);
    if (store != nullptr) live_->restore();
    pump_ = std::make_unique<UpdatePump>(*live_, std::chrono::milliseconds(2));
    ServerOptions o;
    o.port = 0;
    o.token = "s3cret";
    server_ = std::make_unique<HttpServer>(*live_, *pump_, o);
    ASSERT_GT(server_->start(), 0);
  }
  void stop() {
    if (server_) server_->stop();
    if (pump_) pump_->stop();
    server_.reset();
    pump_.reset();
    live_.reset();
  }
  void TearDown() override { stop(); }
  httplib::Client client(bool with_token = true) {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    if (with_token) c.set_bearer_token_auth("s3cret");
    return c;
  }
  json post_recordings(const std::string& body, int status = 200) {
    auto r = client().Post("/api/recordings", body, "application/x-ndjson");
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, status) << r->body;
    return json::parse(r->body);
  }
  json get(const std::string& path, int status = 200) {
    auto r = client().Get(path.c_str());
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    return json::parse(r->body);
  }
  // Each file's text, POSTed whole and ended, then the updates computed.
  void push_logs(const std::vector<std::string>& files) {
    for (const auto& f : files) {
      auto r = client().Post(("/api/logs?source=" + f + "&offset=0&end=1").c_str(),
                             test::read_all(f), "text/plain");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
      pump_->flush();
    }
  }
  // GET /api/recordings/{id} of every recording: the groups by the
  // interaction id each answers, checking what each says of its group.
  Groups placed_groups(const Recorded& r) {
    std::map<std::string, std::set<std::string>> by_interaction;
    for (const auto& [id, truth_id] : r.truth_of) {
      const json o = get("/api/recordings/" + id);
      EXPECT_EQ(o["recording_id"], id);
      if (o["interaction_id"].is_null()) {
        ADD_FAILURE() << "not placed: " << o.dump();
        continue;
      }
      by_interaction[o["interaction_id"]].insert(id);
      EXPECT_EQ(o["conn_id_matches"], true) << o.dump();
      EXPECT_GE(o["position"].get<int>(), 1);
      EXPECT_LE(o["position"].get<int>(), o["legs"].get<int>());
      // The others it names are those of its truth group (itself too).
      std::set<std::string> named(o["recordings"].begin(), o["recordings"].end());
      std::set<std::string> want;
      for (const auto& [other, t] : r.truth_of)
        if (t == truth_id) want.insert(other);
      EXPECT_EQ(named, want) << o.dump();
    }
    Groups out;
    for (auto& [_, g] : by_interaction)
      out.insert(g);
    return out;
  }
  // The groups a subscriber holds after replaying the recordings_grouped
  // updates published so far: each update gives its interaction's group
  // whole, and the groups it merged are gone.
  Groups replayed_groups(std::size_t* merges = nullptr) {
    std::map<std::string, std::set<std::string>> by_interaction;
    for (const auto& p : pump_->since(0, std::chrono::milliseconds(0), SIZE_MAX)) {
      if (p.kind != "recordings_grouped") continue;
      const json u = json::parse(p.json);
      for (const auto& m : u.value("merged", json::array())) {
        EXPECT_NE(m, u["interaction_id"]) << p.json;
        by_interaction.erase(m.get<std::string>());
      }
      if (u.contains("merged")) {
        EXPECT_EQ(u["survivor"], u["interaction_id"]) << p.json;
        if (merges != nullptr) ++*merges;
      }
      std::set<std::string> group(u["recordings"].begin(), u["recordings"].end());
      for (const auto& a : u["added"])
        EXPECT_TRUE(group.contains(a.get<std::string>())) << p.json;
      by_interaction[u["interaction_id"]] = std::move(group);
    }
    Groups out;
    for (auto& [_, g] : by_interaction)
      out.insert(g);
    return out;
  }

  std::unique_ptr<LiveCorrelation> live_;
  std::unique_ptr<UpdatePump> pump_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(RecordingsLive, PostedBeforeTheLogsArePlacedWhenTheyArriveAndMergesAreTold) {
  // The later sites first, so that interactions holding recordings merge.
  const Recorded r = recorded("rec_before", "--only multisite --interactions 12 --seed 9");
  start();
  const json taken = post_recordings(r.manifest);
  EXPECT_EQ(taken["accepted"], r.truth_of.size());
  EXPECT_EQ(taken["held"], r.truth_of.size());
  EXPECT_TRUE(taken["problems"].empty()) << taken.dump();
  // No log yet: each one is held, not placed, and says why.
  const json pending = get("/api/recordings/rec-1");
  EXPECT_TRUE(pending["interaction_id"].is_null()) << pending.dump();
  EXPECT_NE(pending["reason"].get<std::string>().find("CallUUID"), std::string::npos);

  std::vector<std::string> files = r.logs.files;
  std::reverse(files.begin(), files.end());
  push_logs(files);
  EXPECT_EQ(placed_groups(r), r.truth);
  std::size_t merges = 0;
  EXPECT_EQ(replayed_groups(&merges), r.truth);
  EXPECT_GT(merges, 0u);

  // An interaction's recordings listed by any identifier of it.
  const json one = get("/api/recordings/rec-1");
  const json listed =
      get("/api/recordings?interaction=" + one["interaction_id"].get<std::string>());
  EXPECT_EQ(listed["interaction_id"], one["interaction_id"]);
  std::set<std::string> ids;
  for (const auto& o : listed["recordings"])
    ids.insert(o["recording_id"].get<std::string>());
  EXPECT_EQ(ids, std::set<std::string>(one["recordings"].begin(), one["recordings"].end()));
  fs::remove_all(r.logs.dir);
}

TEST_F(RecordingsLive, PostedAfterTheLogsAreGroupedAtOnce) {
  const Recorded r = recorded("rec_after",
                              "--scenarios multisite,consult,multisite-consult,pingpong "
                              "--interactions 16 --seed 31");
  start();
  push_logs(r.logs.files);
  EXPECT_EQ(replayed_groups(), Groups{});
  // In two halves: the second half's updates add to the first's groups.
  std::istringstream in(r.manifest);
  std::string first, second;
  int k = 0;
  for (std::string line; std::getline(in, line);)
    (k++ % 2 == 0 ? first : second) += line + "\n";
  EXPECT_EQ(post_recordings(first)["accepted"], (r.truth_of.size() + 1) / 2);
  pump_->flush();
  EXPECT_EQ(post_recordings(second)["accepted"], r.truth_of.size() / 2);
  pump_->flush();
  EXPECT_EQ(placed_groups(r), r.truth);
  EXPECT_EQ(replayed_groups(), r.truth);
  // Given again, nothing is new: taken as replacing, and no update.
  const std::uint64_t seq = pump_->last_seq();
  const json again = post_recordings(r.manifest);
  EXPECT_EQ(again["replaced"], r.truth_of.size());
  pump_->flush();
  EXPECT_EQ(pump_->last_seq(), seq);
  fs::remove_all(r.logs.dir);
}

TEST_F(RecordingsLive, BadLinesAreReportedByLineAndTheRestIsTaken) {
  LiveOptions o;
  o.max_recordings = 3;
  start(o);
  const json t = post_recordings(
      "{\"recording_id\":\"a\",\"call_uuid\":\"U1\"}\n"
      "not json\n"
      "{\"recording_id\":\"b\"}\n"
      "\n"
      "{\"recording_id\":\"a\",\"call_uuid\":\"U2\"}\n"
      "{\"recording_id\":\"c\",\"call_uuid\":\"U3\"}\n"
      "{\"recording_id\":\"d\",\"call_uuid\":\"U4\"}\n"
      "{\"recording_id\":\"e\",\"call_uuid\":\"U5\"}\n");
  EXPECT_EQ(t["accepted"], 3u);
  std::vector<std::uint64_t> lines;
  for (const auto& p : t["problems"])
    lines.push_back(p["line"]);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 3, 5, 8})) << t.dump();
  EXPECT_NE(t["problems"][2]["error"].get<std::string>().find("line 1"), std::string::npos);
  EXPECT_NE(t["problems"][3]["error"].get<std::string>().find("limit of 3"), std::string::npos);
  EXPECT_EQ(t["left_out"], 4u);
  // At the limit, a recording held may still be given again.
  const json again = post_recordings("{\"recording_id\":\"d\",\"call_uuid\":\"U9\"}\n");
  EXPECT_EQ(again["replaced"], 1u);
  EXPECT_EQ(get("/api/recordings/d")["call_uuid"], "U9");
  get("/api/recordings/b", 404);
  get("/api/recordings", 400);
  get("/api/recordings?interaction=U1", 404);
  // Counted in /metrics.
  const json m = get("/metrics");
  EXPECT_EQ(m["recordings"], 3u);
  EXPECT_EQ(m["recordings_refused"], 1u);
  EXPECT_EQ(m["recordings_invalid"], 3u);
  // A body that is no manifest at all, and one without the token.
  EXPECT_NE(post_recordings("id,uuid\nx,y\n", 400)["error"].get<std::string>().find("recording_id"),
            std::string::npos);
  auto r = client(false).Post("/api/recordings", "{\"recording_id\":\"z\",\"call_uuid\":\"U\"}\n",
                              "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  get("/api/recordings/z", 404);
}

TEST_F(RecordingsLive, KeptByTheStoreAcrossARestart) {
  const Recorded r = recorded("rec_db", "--only multisite --interactions 8 --seed 32");
  const std::string db = (r.logs.dir / "store.db").string();
  {
    StoreLiveStore store(db);
    start({}, &store);
    EXPECT_EQ(post_recordings(r.manifest)["accepted"], r.truth_of.size());
    push_logs(r.logs.files);
    EXPECT_EQ(placed_groups(r), r.truth);
    stop();
  }
  {
    // Restarted: the same answers, and the same once the interactions left
    // memory for the store.
    StoreLiveStore store(db);
    start({}, &store);
    EXPECT_EQ(get("/metrics")["recordings"], r.truth_of.size());
    EXPECT_EQ(placed_groups(r), r.truth);
    EXPECT_GT(live_->evict(std::chrono::steady_clock::now() + std::chrono::hours(2)), 0u);
    EXPECT_EQ(placed_groups(r), r.truth);
    stop();
  }
  // `calltrail recordings --db` reads the store serve wrote as any other.
  const fs::path manifest = r.logs.dir / "manifest.jsonl";
  std::ofstream(manifest) << r.manifest;
  const std::string cmd =
      std::string(CALLTRAIL_BINARY) + " recordings -q " + manifest.string() + " --db " + db;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;)
    out.append(buffer, n);
  EXPECT_EQ(::pclose(p), 0) << cmd;
  std::map<std::string, std::set<std::string>> by_interaction;
  std::istringstream lines(out);
  for (std::string l; std::getline(lines, l);) {
    const json o = json::parse(l);
    by_interaction[o["interaction_id"].get<std::string>()].insert(o["recording_id"]);
  }
  Groups from_cli;
  for (auto& [_, g] : by_interaction)
    from_cli.insert(g);
  EXPECT_EQ(from_cli, r.truth);
  fs::remove_all(r.logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
