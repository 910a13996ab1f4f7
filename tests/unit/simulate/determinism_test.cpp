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
  std::set<std::string> layouts;
  for (const auto& site : truth["sites"]) {
    if (!site["monitored"].get<bool>()) {
      EXPECT_TRUE(site["files"].empty());
      continue;
    }
    ASSERT_GT(site["files"].size(), 1U) << site["name"];
    const auto app = site["app"].get<std::string>();
    const auto layout = site["header"].get<std::string>();
    layouts.insert(layout);
    const int west = -site["utc_offset"].get<int>();
    std::string process_start;
    int number = 0;
    for (const auto& f : site["files"]) {
      const auto name = f.get<std::string>();
      ++number;
      EXPECT_TRUE(name.starts_with(app + ".")) << name;
      // <app>.<YYYYMMDD_HHMMSS_mmm>.log
      EXPECT_EQ(name.size(), app.size() + 1 + 19 + 4) << name;
      const auto text = folder_bytes(dir).at(name);
      if (layout == "tab") {
        EXPECT_TRUE(text.starts_with("Application name:\t" + app + "\n")) << name;
        EXPECT_NE(text.find(fmt::format("File:\t({:04}) {}\n", number, name)), std::string::npos)
            << name;
        EXPECT_NE(text.find(fmt::format("Time zone:\t{}\n", west)), std::string::npos);
        continue;
      }
      ASSERT_EQ(layout, "spaces");
      // As the real SIP Server 8.x header: these labels in this order, values
      // at column 19 ("Host info:" one space short, as there), a blank line.
      const auto end = text.find("\n\n");
      ASSERT_NE(end, std::string::npos) << name;
      std::vector<std::string> lines;
      for (std::size_t at = 0; at <= end;) {
        const auto nl = text.find('\n', at);
        lines.push_back(text.substr(at, nl - at));
        at = nl + 1;
      }
      const std::vector<std::string> labels = {"Application name:",
                                               "Application type:",
                                               "Command line:",
                                               "Host name:",
                                               "DST:",
                                               "Time zone:",
                                               "UTC time:",
                                               "Local time:",
                                               "Start time (UTC):",
                                               "Running time:",
                                               "Host info:",
                                               "File:"};
      ASSERT_EQ(lines.size(), labels.size()) << name;
      for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto& line = lines[i];
        EXPECT_TRUE(line.starts_with(labels[i])) << line;
        const std::size_t column = labels[i] == "Host info:" ? 17 : 18;
        ASSERT_GT(line.size(), column) << line;
        EXPECT_EQ(line.find_first_not_of(' ', labels[i].size()), column) << line;
      }
      EXPECT_EQ(lines[0], "Application name: " + app);
      EXPECT_EQ(lines[1], "Application type: TServer (1)");
      EXPECT_TRUE(lines[5].starts_with(fmt::format("Time zone:        {}, ", west))) << lines[5];
      EXPECT_NE(lines[5].find(" Standard Time, "), std::string::npos) << lines[5];
      // UTC and local time of the same instant, with milliseconds.
      const auto utc = base::parse_iso_time(lines[6].substr(18));
      const auto local = base::parse_iso_time(lines[7].substr(18));
      ASSERT_TRUE(utc && local) << lines[6] << " / " << lines[7];
      EXPECT_EQ(lines[6].size(), 18U + 23U) << lines[6];
      EXPECT_EQ(*local - *utc, static_cast<base::Micros>(-west) * base::kMicrosPerSecond);
      // The process's start, without a fraction, the same in every segment.
      EXPECT_EQ(lines[8].size(), 18U + 19U) << lines[8];
      if (number == 1) process_start = lines[8];
      EXPECT_EQ(lines[8], process_start);
      EXPECT_TRUE(lines[11].starts_with(fmt::format("File:             ({}) ", number)))
          << lines[11];
      EXPECT_TRUE(lines[11].ends_with("\\" + name) || lines[11].ends_with("/" + name)) << lines[11];
    }
  }
  EXPECT_EQ(layouts, (std::set<std::string>{"spaces", "tab"})) << "both layouts are covered";
}

}  // namespace
}  // namespace calltrail::test
