// serve --db: pushed sources are stored with their position before a batch
// is acknowledged, and a restarted server resumes them (docs/http-api.md,
// "Persistence and restart").
#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "persist_support.hpp"
#include "serve_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

struct Scratch {
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() /
            ("calltrail-persist-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path dir;
};

TEST(ServePersist, PushedTextSurvivesRestartsOnSqlite) {
  Scratch s("text");
  expect_pushed_text_survives_restarts((s.dir / "store.db").string(), s.dir.string());
}

// Events JSON: the server ends between a commit and its answer; the resend
// (overlapping what was committed) is taken once, and the store groups the
// legs as the files do.
TEST(ServePersist, PushedEventsResentAfterARestartAreStoredOnce) {
  Scratch s("events");
  auto logs = simulate_logs("persist_events", "--interactions 25 --seed 41");
  const std::string db = (s.dir / "store.db").string();
  parse::LogReader reader;
  std::map<std::string, std::vector<std::string>> lines;  // source -> events JSON lines
  for (const auto& f : logs.files) {
    const std::string name = fs::path(f).filename().string();
    reader.read_file(f, [&](model::Event& e) {
      std::string l;
      model::append_event_json(l, e, name);
      lines[name].push_back(std::move(l));
    });
  }
  auto post = [](httplib::Client& c, const std::string& source, const std::vector<std::string>& v,
                 std::size_t first, std::size_t n) {
    std::string body;
    for (std::size_t i = first; i < std::min(v.size(), first + n); ++i)
      body += v[i] + "\n";
    return c.Post(("/api/events?source=" + source + "&first=" + std::to_string(first)).c_str(),
                  body, "application/x-ndjson");
  };
  // Batches of 40; the server ends after the 9th commit, unanswered.
  std::map<std::string, std::size_t> sent;
  {
    ServeProcess serve(db, (s.dir / "serve1.err").string(), 9);
    ASSERT_GT(serve.port(), 0);
    auto c = serve.client();
    int batches = 0;
    for (bool more = true; more && batches < 9;) {
      more = false;
      for (const auto& [source, v] : lines) {
        if (sent[source] >= v.size() || batches == 9) continue;
        auto r = post(c, source, v, sent[source], 40);
        if (++batches < 9) {
          ASSERT_TRUE(r);
          ASSERT_EQ(r->status, 200) << r->body;
        } else {
          EXPECT_FALSE(r);
        }
        sent[source] = std::min(v.size(), sent[source] + 40);
        more = true;
      }
    }
    serve.wait();
  }
  {
    ServeProcess serve(db, (s.dir / "serve2.err").string());
    ASSERT_GT(serve.port(), 0);
    auto c = serve.client();
    for (const auto& [source, v] : lines) {
      EXPECT_EQ(serve.get("/api/sources?source=" + source)["next"], sent[source]) << source;
      // Resent from 20 events back: those are skipped, the rest taken.
      const std::size_t from = sent[source] >= 20 ? sent[source] - 20 : 0;
      for (std::size_t first = from; first < v.size(); first += 40) {
        auto r = post(c, source, v, first, 40);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << r->body;
        const auto a = nlohmann::json::parse(r->body);
        if (first == from && sent[source] > 0) {
          EXPECT_EQ(a["duplicates"], sent[source] - from);
        }
        EXPECT_EQ(a["next"], std::min(v.size(), first + 40));
      }
    }
    // In memory, or left in the store at start (complete before the restart),
    // once the updates are computed.
    const std::size_t want = file_grouping(logs.files).by_id.size();
    nlohmann::json m;
    for (int i = 0; i < 100; ++i) {
      m = serve.get("/metrics");
      if (m["interactions"].get<std::size_t>() + m["evicted_interactions"].get<std::size_t>() ==
          want)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(m["interactions"].get<std::size_t>() + m["evicted_interactions"].get<std::size_t>(),
              want)
        << m.dump();
    serve.kill(SIGKILL);
  }
  // Stored once: the store's grouping is the files'.
  const auto stored = run_calltrail("interactions --format jsonl --db " + shell_quote(db));
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  Grouping got;
  std::istringstream in(stored.out);
  std::uint64_t events = 0;
  for (std::string line; std::getline(in, line);) {
    const auto it = nlohmann::json::parse(line);
    auto& [legs, complete] = got.by_id[it["interaction_id"]];
    for (const auto& l : it["legs"]) {
      legs.insert(lower_case(l["call_uuid"]));
      events += l["events"].get<std::uint64_t>();
    }
    complete = it["complete"];
  }
  const Grouping want = file_grouping(logs.files);
  EXPECT_EQ(difference(got, want), "");
  std::uint64_t want_events = 0;
  for (const auto& l : correlate::load(logs.files, {}, {}).correlation.legs)
    want_events += l.events.size();
  EXPECT_EQ(events, want_events);
  fs::remove_all(logs.dir);
}

// --retention 1: complete interactions leave memory a second after their
// last change and are still served, from the store.
TEST(ServePersist, EvictedInteractionsAreAnsweredFromTheStore) {
  Scratch s("evict");
  const std::string logs = (s.dir / "logs").string();
  const FileAnswers files = simulated_answers(logs, "--interactions 20 --seed 43");
  const auto& [names, paths, jsonl, want, conn, traces] = files;
  ASSERT_FALSE(want.empty());

  ServeProcess serve((s.dir / "store.db").string(), (s.dir / "serve.err").string(), 0,
                     {"--retention", "1"});
  ASSERT_GT(serve.port(), 0);
  auto c = serve.client();
  for (const auto& k : chunks_of(logs, names, 9)) {
    auto r = post_chunk(c, k);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  nlohmann::json m;
  for (int i = 0; i < 300; ++i) {
    m = serve.get("/metrics");
    if (m["evicted_interactions"].get<std::uint64_t>() > 0 && m["updates"].get<int>() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto evicted = m["evicted_interactions"].get<std::uint64_t>();
  ASSERT_GT(evicted, 0u) << m.dump();
  EXPECT_GT(m["evicted_legs"].get<std::uint64_t>(), 0u);
  // What stays in memory is what is not complete (or still open).
  EXPECT_EQ(m["interactions"].get<std::uint64_t>() + evicted, want.size());
  for (const auto& [id, legs] : want) {
    const auto got = serve.get("/api/interactions/" + id);
    ASSERT_FALSE(got.is_null()) << id;
    EXPECT_EQ(legs_of(got), legs) << id;
    // From memory or from the store, what trace says over the files (but
    // a hint toward an interaction already evicted, which memory does not see).
    EXPECT_EQ(json_difference(got, traces.at(id), false), "") << id;
    const auto hits = serve.get("/api/search?q=" + conn.at(id));
    ASSERT_FALSE(hits.is_null()) << id;
    bool found = false;
    for (const auto& h : hits["interactions"])
      found = found || h["interaction_id"] == id;
    EXPECT_TRUE(found) << id << " by " << conn.at(id);
  }
  auto svg = c.Get(("/api/interactions/" + want.begin()->first + "/svg").c_str());
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->status, 200);
}

}  // namespace
}  // namespace calltrail::test
