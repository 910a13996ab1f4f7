#include <fmt/format.h>

#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

TEST(Determinism, SameOptionsGiveByteIdenticalFiles) {
  for (const bool gzip : {false, true}) {
    const auto a = fresh_dir("a");
    const auto b = fresh_dir("b");
    auto oa = small_options(a, 60);
    auto ob = small_options(b, 60);
    oa.gzip = ob.gzip = gzip;
    oa.segment_size = ob.segment_size = 16 * 1024;  // several segments per site
    run_simulation(oa);
    run_simulation(ob);
    const auto fa = folder_bytes(a);
    const auto fb = folder_bytes(b);
    ASSERT_GT(fa.size(), 4U);
    ASSERT_EQ(fa.size(), fb.size());
    for (const auto& [name, bytes] : fa) {
      ASSERT_TRUE(fb.count(name)) << name;
      EXPECT_TRUE(bytes == fb.at(name)) << name << " differs between two runs";
    }
  }
}

TEST(Determinism, AnotherSeedGivesOtherLogs) {
  const auto a = fresh_dir("a");
  const auto b = fresh_dir("b");
  auto ob = small_options(b);
  ob.seed = 8;
  run_simulation(small_options(a));
  run_simulation(ob);
  EXPECT_NE(all_log_text(a), all_log_text(b));
  EXPECT_NE(load_truth(a)["interactions"], load_truth(b)["interactions"]);
}

TEST(Segments, RollOverBySizeEachWithAHeader) {
  const auto dir = fresh_dir("seg");
  auto o = small_options(dir, 80);
  o.segment_size = 8 * 1024;
  const auto result = run_simulation(o);
  const auto truth = load_truth(dir);
  for (const auto& site : truth["sites"]) {
    if (!site["monitored"].get<bool>()) {
      EXPECT_TRUE(site["files"].empty());
      continue;
    }
    ASSERT_GT(site["files"].size(), 1U) << site["name"];
    int number = 0;
    for (const auto& f : site["files"]) {
      const auto name = f.get<std::string>();
      EXPECT_TRUE(name.starts_with(site["app"].get<std::string>() + ".")) << name;
      // <app>.<YYYYMMDD_HHMMSS_mmm>.log
      EXPECT_EQ(name.size(), site["app"].get<std::string>().size() + 1 + 19 + 4) << name;
      const auto text = folder_bytes(dir).at(name);
      EXPECT_TRUE(text.starts_with("Application name:\t" + site["app"].get<std::string>() + "\n"))
          << name;
      EXPECT_NE(text.find(fmt::format("File:\t({:04}) {}\n", ++number, name)), std::string::npos)
          << name;
      EXPECT_NE(text.find(fmt::format("Time zone:\t{}\n", -site["utc_offset"].get<int>())),
                std::string::npos);
    }
  }
}

}  // namespace
}  // namespace calltrail::test
