// The simulate command line: help, argument errors, and a real run.
#include <cstdio>
#include <fstream>

#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

struct Ran {
  int status = -1;
  std::string output;
};

Ran run(const std::string& args) {
  Ran r;
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " simulate " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    r.output.append(buf, n);
  const int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(SimulateCli, HelpExplainsEveryOption) {
  const auto r = run("--help");
  EXPECT_EQ(r.status, 0);
  for (const char* option :
       {"--out", "--site", "--sites", "--interactions", "--size", "--start", "--duration", "--seed",
        "--scenarios", "--only", "--segment-size", "--style", "--gzip", "--quiet"})
    EXPECT_NE(r.output.find(option), std::string::npos) << option;
  for (auto s : simulate::all_scenarios())
    EXPECT_NE(r.output.find(std::string(simulate::scenario_name(s))), std::string::npos);
}

TEST(SimulateCli, BadArgumentsAreUsageErrors) {
  const auto dir = fresh_dir("bad").string();
  EXPECT_EQ(run("--out " + dir + " --site NoSwitch").status, 2);
  EXPECT_EQ(run("--out " + dir + " --only bogus").status, 2);
  EXPECT_EQ(run("--out " + dir + " --size 12parsecs").status, 2);
  EXPECT_EQ(run("--out " + dir + " --interactions 5 --size 1M").status, 2);
  EXPECT_EQ(run("--out " + dir + " --site A@B --only multisite").status, 2);
}

TEST(SimulateCli, WritesTheSitesItIsGiven) {
  const auto dir = fresh_dir("cli");
  const auto r = run("--out " + dir.string() +
                     " --site Tserver2@Avaya_Switch1,-5h,+0ms"
                     " --site SIPServer1@SIP_Switch1,-4h,-50ms,time=mixed"
                     " --interactions 25 --seed 3 --start 2012-10-29T14:00:00Z --duration 5m");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto truth = load_truth(dir);
  ASSERT_EQ(truth["sites"].size(), 3U);  // + the unmonitored site the default scenarios need
  EXPECT_EQ(truth["sites"][0]["name"], "Tserver2@Avaya_Switch1");
  EXPECT_EQ(truth["sites"][0]["utc_offset"], -18000);
  EXPECT_EQ(truth["sites"][1]["clock_skew_us"], -50000);
  EXPECT_EQ(truth["sites"][1]["time_form"], "mixed");
  EXPECT_FALSE(truth["sites"][2]["monitored"].get<bool>());
  EXPECT_EQ(truth["interactions"].size(), 25U);
  EXPECT_EQ(truth["generator"]["seed"], 3);
  const auto text = all_log_text(dir);
  EXPECT_NE(text.find("AttributeTimeinSecs"), std::string::npos);
  EXPECT_NE(text.find("AttributeTimeStamp"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / truth["sites"][0]["files"][0].get<std::string>()));
}

TEST(SimulateCli, SizeTargetIsReached) {
  const auto dir = fresh_dir("size");
  const auto r = run("--out " + dir.string() + " --size 300k -q");
  ASSERT_EQ(r.status, 0) << r.output;
  std::uint64_t bytes = 0;
  const auto truth = load_truth(dir);
  for (const auto& s : truth["sites"])
    bytes += s["bytes"].get<std::uint64_t>();
  EXPECT_GE(bytes, 300U * 1024);
  EXPECT_LT(bytes, 600U * 1024);
}

}  // namespace
}  // namespace calltrail::test
