// ingest --site-name: a site named at ingest is named so in every answer
// from the store (a store used to keep "Alpha@?" forever), as reading the
// files with --site-name names it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

const std::string kSeed =
    shell_quote((fs::path(CALLTRAIL_SOURCE_DIR) / "samples" / "seed").string());
const std::string kName = "tserver2.log=Tserver9@Elsewhere";

struct Store {
  Store()
      : path(fs::temp_directory_path() / ("calltrail-site-name-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
  }
  ~Store() { fs::remove_all(path); }
  std::string db() const { return " --db " + shell_quote(path.string()); }
  fs::path path;
};

std::vector<std::string> site_names(const std::string& sites_json) {
  std::vector<std::string> names;
  const auto j = nlohmann::json::parse(sites_json);
  for (const auto& s : j["sites"])
    names.push_back(s["name"]);
  return names;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(IngestSiteName, IsKeptInTheStoreForEveryAnswer) {
  Store store;
  const RunResult ingest =
      run_calltrail("ingest -q " + kSeed + store.db() + " --site-name " + kName);
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_EQ(ingest.err.find("warning"), std::string::npos) << ingest.err;

  const RunResult sites = run_calltrail("sites --format json" + store.db());
  ASSERT_EQ(sites.exit_code, 0) << sites.err;
  EXPECT_TRUE(has(site_names(sites.out), "Tserver9@Elsewhere")) << sites.out;
  EXPECT_FALSE(has(site_names(sites.out), "Tserver2@Avaya_Switch1")) << sites.out;

  // trace --db and interactions --db answer as the files read with --site-name.
  const std::string id = " 009a021843038407";
  const RunResult files =
      run_calltrail("trace --format json" + id + " " + kSeed + " --site-name " + kName);
  const RunResult stored = run_calltrail("trace --format json" + id + store.db());
  ASSERT_EQ(files.exit_code, 0) << files.err;
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  const auto a = nlohmann::json::parse(files.out)["interactions"][0];
  const auto b = nlohmann::json::parse(stored.out)["interactions"][0];
  EXPECT_EQ(a["sites"], b["sites"]);
  EXPECT_NE(b["sites"].dump().find("Tserver9@Elsewhere"), std::string::npos) << stored.out;
  EXPECT_EQ(a["legs"].size(), b["legs"].size());
  const RunResult listed = run_calltrail("interactions" + store.db());
  EXPECT_NE(listed.out.find("Tserver9@Elsewhere"), std::string::npos) << listed.out;

  // A later ingest without --site-name keeps the name; one naming no file says so.
  const RunResult again =
      run_calltrail("ingest -q " + kSeed + store.db() + " --site-name nosuchfile=A@B");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("--site-name nosuchfile=A@B named no file"), std::string::npos)
      << again.err;
  EXPECT_TRUE(
      has(site_names(run_calltrail("sites --format json" + store.db()).out), "Tserver9@Elsewhere"));

  // Naming it again renames it, though no byte of the logs is new.
  const RunResult renamed = run_calltrail("ingest -q " + kSeed + store.db() +
                                          " --site-name tserver2.log=Tserver2@Avaya_Switch1");
  EXPECT_EQ(renamed.exit_code, 0) << renamed.err;
  const auto now = site_names(run_calltrail("sites --format json" + store.db()).out);
  EXPECT_TRUE(has(now, "Tserver2@Avaya_Switch1"));
  EXPECT_FALSE(has(now, "Tserver9@Elsewhere"));
}

}  // namespace
}  // namespace calltrail::test
