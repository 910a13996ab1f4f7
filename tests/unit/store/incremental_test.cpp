// Exactly once across runs: the same files again add nothing, grown files
// continue from where they stopped, rotated and truncated files are told
// apart, and another site's logs added later are stitched to the first.
#include <gtest/gtest.h>

#include "store_support.hpp"

namespace calltrail::test {
namespace {

// Writes `from`'s files into `to` cut at a random byte each (mid-line
// included); returns the rest of each file.
std::map<std::string, std::string> write_prefixes(const fs::path& from, const fs::path& to,
                                                  std::mt19937& rng) {
  std::map<std::string, std::string> rest;
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    const std::string data = read_text(e.path().string());
    const std::size_t cut = data.empty() ? 0 : rng() % (data.size() + 1);
    std::ofstream(to / e.path().filename(), std::ios::binary) << data.substr(0, cut);
    rest[e.path().filename().string()] = data.substr(cut);
  }
  return rest;
}

TEST(StoreIncremental, SameFilesAgainAddNothing) {
  TempDir dir("again");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 100 --seed 31 --segment-size 40k");
  const std::string db = dir.str("store.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "9000");
  ASSERT_EQ(run_calltrail("ingest " + q(logs) + " --db " + q(db)).exit_code, 0);
  const auto legs = count_rows(db, "legs");
  const auto keys = count_rows(db, "keys");
  const auto events = stored_events(db);
  auto again = run_calltrail("ingest " + q(logs) + " --db " + q(db));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new, 0 grown"), std::string::npos) << again.err;
  EXPECT_EQ(count_rows(db, "legs"), legs);
  EXPECT_EQ(count_rows(db, "keys"), keys);
  EXPECT_EQ(stored_events(db), events);
  for (const auto& [where, n] : events)
    EXPECT_EQ(n, 1) << where;
}

class StoreGrowth : public ::testing::TestWithParam<unsigned> {};

// Files grow in three steps, cut anywhere (even inside a line or a message).
TEST_P(StoreGrowth, GrownFilesContinue) {
  const unsigned seed = GetParam();
  TempDir dir("grow");
  const std::string full = dir.str("full");
  simulate(full, "--interactions 150 --segment-size 60k --seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const fs::path live = dir.path() / "live";
  const fs::path half = dir.path() / "half";
  auto rest = write_prefixes(full, half, rng);
  const std::string db = dir.str("store.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "8000");
  // Step 1: a prefix of each file; step 2: part of the rest; step 3: all.
  fs::create_directories(live);
  for (const auto& e : fs::directory_iterator(half))
    fs::copy_file(e.path(), live / e.path().filename());
  ASSERT_EQ(run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db)).exit_code, 0);
  for (int step = 0; step < 2; ++step) {
    for (auto& [name, tail] : rest) {
      const std::size_t n = step == 0 ? rng() % (tail.size() + 1) : tail.size();
      std::ofstream(live / name, std::ios::binary | std::ios::app) << tail.substr(0, n);
      tail.erase(0, n);
    }
    auto r = run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("0 new"), std::string::npos) << r.err;
  }
  for (const auto& e : fs::directory_iterator(full))
    ASSERT_EQ(read_text((live / e.path().filename()).string()), read_text(e.path().string()));
  expect_same_answers(q(live.string()), db, 10, seed);
  for (const auto& [where, n] : stored_events(db))
    EXPECT_EQ(n, 1) << where;
}

INSTANTIATE_TEST_SUITE_P(Seeds, StoreGrowth, ::testing::Values(41u, 42u, 43u));

TEST(StoreIncremental, RotatedAndTruncatedFiles) {
  TempDir dir("rotate");
  const std::string a = dir.str("a");
  const std::string b = dir.str("b");
  simulate(a, "--interactions 60 --seed 51 --sites 2");
  simulate(b, "--interactions 60 --seed 52 --sites 2 --start 2012-10-30T13:30:00Z");
  // One file per site in each run (default segment size).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(a))
    if (e.path().extension() == ".log") names.push_back(e.path().filename().string());
  ASSERT_FALSE(names.empty());
  const std::string db = dir.str("store.db");
  const fs::path live = dir.path() / "live";
  fs::create_directories(live);
  // live/site.log holds run a, then is rotated to site.log.1 and a new
  // site.log holds run b (under the same name).
  for (const auto& n : names)
    fs::copy_file(fs::path(a) / n, live / (n + ".current"));
  ASSERT_EQ(run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db)).exit_code, 0);
  std::vector<std::string> b_names;
  for (const auto& e : fs::directory_iterator(b))
    if (e.path().extension() == ".log") b_names.push_back(e.path().filename().string());
  ASSERT_EQ(b_names.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    fs::rename(live / (names[i] + ".current"), live / (names[i] + ".1"));
    fs::copy_file(fs::path(b) / b_names[i], live / (names[i] + ".current"));
  }
  auto r = run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The old content is found under its new name (moved, not read again);
  // the new content under the old name is a file of its own.
  EXPECT_NE(r.err.find(std::to_string(names.size()) + " moved"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" 0 new"), std::string::npos) << r.err;
  expect_same_answers(q(live.string()), db, 6);

  // Truncated in place (copytruncate) and written again: recognised as a new
  // file; the store keeps what the old content said.
  const auto before = stored_events(db);
  const fs::path victim = live / (names[0] + ".current");
  const std::string old = read_text(victim.string());
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << old.substr(0, old.size() / 3);
  r = run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("1 replaced"), std::string::npos) << r.err;
  // The same path and offsets now name two contents: each old event is kept,
  // and the events of the shorter new content are added.
  const auto after = stored_events(db);
  int added = 0;
  for (const auto& [where, n] : after) {
    const auto it = before.find(where);
    added += n - (it == before.end() ? 0 : it->second);
  }
  EXPECT_GT(added, 0);
  for (const auto& [where, n] : before)
    EXPECT_GE(after.count(where), 1u) << where;
}

// Another site's logs ingested later join the interactions of the first.
TEST(StoreIncremental, SitesArrivingLaterAreStitched) {
  TempDir dir("later");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 120 --seed 61 --only multisite");
  std::vector<std::string> first, second;
  for (const auto& e : fs::directory_iterator(logs)) {
    const std::string p = e.path().string();
    (e.path().filename().string().rfind("SIPServer1", 0) == 0 ? second : first).push_back(p);
  }
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  const std::string db = dir.str("store.db");
  std::string args;
  for (const auto& p : first)
    args += " " + q(p);
  ASSERT_EQ(run_calltrail("ingest -q" + args + " --db " + q(db)).exit_code, 0);
  auto partial = run_calltrail("interactions --db " + q(db));
  args.clear();
  for (const auto& p : second)
    args += " " + q(p);
  ASSERT_EQ(run_calltrail("ingest -q" + args + " --db " + q(db)).exit_code, 0);
  expect_same_answers(q(logs), db, 12);
  EXPECT_NE(partial.out, run_calltrail("interactions --db " + q(db)).out);
}

}  // namespace
}  // namespace calltrail::test

namespace calltrail::test {
namespace {

// An ingest that ended after its last part but before it refreshed the site
// facts (files that grew, so every file already has facts, only older ones):
// trace brings them up to date and still answers as the files do.
TEST(StoreIncremental, StaleSiteFactsAreRefreshed) {
  TempDir dir("stale");
  const std::string full = dir.str("full");
  simulate(full, "--interactions 200 --seed 62 --only multisite --sites 3");
  std::mt19937 rng(62);
  const fs::path live = dir.path() / "live";
  auto rest = write_prefixes(full, live, rng);
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "20000");
  const std::string db = dir.str("store.db");
  ASSERT_EQ(run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db)).exit_code, 0);
  const auto parts_before = count_rows(db, "parts");
  // How many parts the rest makes: from a copy of the store.
  for (const auto& [name, tail] : rest)
    std::ofstream(live / name, std::ios::binary | std::ios::app) << tail;
  const std::string probe = dir.str("probe.db");
  fs::copy_file(db, probe);
  ASSERT_EQ(run_calltrail("ingest -q " + q(live.string()) + " --db " + q(probe)).exit_code, 0);
  // A grown file's first commit also removes its open part.
  std::int64_t grown = 0;
  for (const auto& [name, tail] : rest)
    grown += tail.empty() ? 0 : 1;
  const auto commits = count_rows(probe, "parts") - parts_before + grown;
  ASSERT_GT(commits, 0);
  {
    ScopedEnv exit_after("CALLTRAIL_INGEST_EXIT_AFTER_COMMITS", std::to_string(commits));
    EXPECT_EQ(run_calltrail("ingest -q " + q(live.string()) + " --db " + q(db)).exit_code, 86);
  }
  EXPECT_EQ(stored_events(db), stored_events(probe));
  expect_same_answers(q(live.string()), db, 25);
}

}  // namespace
}  // namespace calltrail::test
