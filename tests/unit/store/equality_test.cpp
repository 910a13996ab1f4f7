// A store answers as the files do: interactions, sites and traces compared as
// JSON on simulated data (several scenarios and seeds, small parts so that
// legs span parts) and on the seed sample.
#include <gtest/gtest.h>

#include <set>

#include "store_support.hpp"

namespace calltrail::test {
namespace {

struct Case {
  std::string name;
  std::string args;  // for calltrail simulate
  std::string part_bytes;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class StoreEquality : public ::testing::TestWithParam<Case> {};

TEST_P(StoreEquality, SameJsonAsFromFiles) {
  const Case& c = GetParam();
  TempDir dir(c.name);
  const std::string logs = dir.str("logs");
  simulate(logs, c.args);
  const std::string db = dir.str("store.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", c.part_bytes);
  auto r = run_calltrail("ingest " + q(logs) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_answers(q(logs), db, 12);
}

INSTANTIATE_TEST_SUITE_P(
    Simulated, StoreEquality,
    ::testing::Values(
        Case{"mixed", "--interactions 300 --seed 3 --segment-size 64k", "20000"},
        Case{"mixed_one_part", "--interactions 200 --seed 8", "100000000"},
        Case{"five_sites_spaces", "--interactions 200 --seed 6 --sites 5 --style spaces", "7000"},
        Case{"flat_gzip", "--interactions 150 --seed 5 --style flat --gzip", "15000"},
        Case{"consult", "--only consult --interactions 60 --seed 11", "5000"},
        Case{"multisite_consult", "--only multisite-consult --interactions 60 --seed 12", "5000"},
        Case{"postmortem", "--only postmortem-islink --interactions 60 --seed 13", "5000"},
        Case{"lost_events", "--only lost-events --interactions 60 --seed 14", "3000"},
        Case{"connid_reuse", "--only connid-reuse --interactions 60 --seed 15", "4000"},
        Case{"unmonitored", "--only unmonitored --interactions 60 --seed 16", "6000"},
        Case{"without_call_monitoring",
             "--interactions 150 --seed 17 --site Tserver2@Avaya_Switch1,-5h,+0ms --site "
             "SIPServer1@SIP_Switch1,-4h,-50ms,calls=off --site "
             "TServer3@Cisco_Switch3,+10h,+300ms,calls=off",
             "5000"}),
    [](const auto& p) { return p.param.name; });

// A store written before the identifier index took the link keys of trace
// and serve (schema 2, FNV hashes of the text) is migrated on open: its index
// is rebuilt from the stored legs, row for row what an ingest writes now.
TEST(StoreEquality, IdentifierIndexOfAnOlderStoreIsRebuilt) {
  TempDir dir("migrate");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 80 --seed 21 --sites 3");
  const std::string db = dir.str("store.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "1000000000");
  auto r = run_calltrail("ingest " + q(logs) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = [&] {
    std::set<std::pair<std::int64_t, std::int64_t>> out;
    auto d = store::open_database(db);
    auto s = d->prepare("SELECT key, ref FROM keys");
    while (s->step())
      out.emplace(s->integer(0), s->integer(1));
    return out;
  };
  const auto written = rows();
  ASSERT_FALSE(written.empty());
  {
    // What schema 2 held instead: other numbers for every key.
    auto d = store::open_database(db);
    d->exec("UPDATE keys SET key = key + 1");
    d->exec("UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  }
  ASSERT_NE(rows(), written);
  expect_same_answers(q(logs), db, 8);
  EXPECT_EQ(rows(), written);
  EXPECT_EQ(count_rows(db, "meta WHERE key = 'schema_version' AND value = '5'"), 1);
}

TEST(StoreEquality, SeedSample) {
  TempDir dir("seed");
  const std::string seed = std::string(CALLTRAIL_SOURCE_DIR) + "/samples/seed";
  const std::string db = dir.str("store.db");
  auto r = run_calltrail("ingest " + q(seed) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_answers(q(seed), db, 10);
  // Every identifier of the seed's interaction, in text form too.
  for (const char* id : {"00RP30KH7088L1IC08GB82LAES000317", "009a021843038407"}) {
    auto a = run_calltrail(std::string("trace ") + id + " " + q(seed));
    auto b = run_calltrail(std::string("trace ") + id + " --db " + q(db));
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(b.out, a.out) << id;
  }
}

TEST(StoreQueries, UnknownIdAndFilters) {
  TempDir dir("queries");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 80 --seed 21");
  const std::string db = dir.str("store.db");
  ASSERT_EQ(run_calltrail("ingest " + q(logs) + " --db " + q(db)).exit_code, 0);
  auto none = run_calltrail("trace no-such-id --db " + q(db));
  EXPECT_EQ(none.exit_code, 1);
  for (const std::string filter :
       {"--incomplete", "--from 2012-10-29T14:00:00Z", "--to 2012-10-29T13:50:00Z",
        "--from 2012-10-29T13:45:00Z --to 2012-10-29T14:00:00Z"}) {
    auto a = run_calltrail("interactions " + filter + " " + q(logs));
    auto b = run_calltrail("interactions " + filter + " --db " + q(db));
    EXPECT_EQ(b.out, a.out) << filter;
    auto all = run_calltrail("interactions --db " + q(db));
    EXPECT_LT(a.out.size(), all.out.size()) << filter << " filters nothing";
  }
  // --site NAME keeps the interactions with a leg on that site.
  auto sites = nlohmann::json::parse(run_calltrail("sites --format json --db " + q(db)).out);
  const std::string site = sites["sites"][0]["name"];
  auto only = run_calltrail("interactions --site " + q(site) + " --db " + q(db));
  std::istringstream in(only.out);
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    auto j = nlohmann::json::parse(line);
    bool on_site = false;
    for (const auto& s : j["sites"])
      on_site = on_site || s == site;
    EXPECT_TRUE(on_site) << line;
  }
  EXPECT_GT(n, 0);
  // Neither paths nor --db, or both: a usage error.
  EXPECT_EQ(run_calltrail("interactions").exit_code, 2);
  EXPECT_EQ(run_calltrail("interactions " + q(logs) + " --db " + q(db)).exit_code, 2);
}

}  // namespace
}  // namespace calltrail::test

namespace calltrail::test {
namespace {

TEST(StoreErrors, MissingOrForeignStoreIsAnInputError) {
  TempDir dir("errors");
  const std::string missing = dir.str("missing.db");
  auto r = run_calltrail("interactions --db " + q(missing));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("there is no store at " + missing), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(missing));
  const std::string junk = dir.str("junk.db");
  std::ofstream(junk) << std::string(5000, 'x');
  for (const std::string cmd : {"trace x --db ", "sites --db "}) {
    auto j = run_calltrail(cmd + q(junk));
    EXPECT_EQ(j.exit_code, 3) << cmd;
    EXPECT_NE(j.err.find(junk), std::string::npos) << j.err;
  }
  auto i = run_calltrail("ingest " + q(std::string(CALLTRAIL_SOURCE_DIR) + "/samples/seed") +
                         " --db " + q(junk));
  EXPECT_EQ(i.exit_code, 3);
}

}  // namespace
}  // namespace calltrail::test
