// `calltrail events` end to end: the real binary on the repository's cases.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;
const fs::path kCases = fs::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/events";

std::string case_path(const std::string& name) {
  return shell_quote((kCases / name).string());
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("calltrail-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(EventsCommand, SeedGivesFourEventsWithTheirUtcTimes) {
  RunResult r = run_calltrail("events " + case_path("seed_tserver2.log") + " " +
                              case_path("seed_sipserver1.log"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto events = json_lines(r.out);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["utc"], "2012-10-29T14:41:00.540480Z");
  EXPECT_EQ(events[1]["utc"], "2012-10-29T14:41:02.967460Z");
  EXPECT_EQ(events[2]["utc"], "2012-10-29T14:41:00.495558Z");
  EXPECT_EQ(events[3]["utc"], "2012-10-29T14:41:03.546558Z");
  const auto& links = events[3]["attributes"]["AttributeISLinkList"];
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[1][0], "00EBGH4GK488LFQD2CGB02LAES0007J5");
  EXPECT_EQ(links[1][1][1][1], "source");
}

TEST(EventsCommand, FiltersByNameIdAndTime) {
  const std::string file = case_path("tserver2.20121029_234500_000.log");
  auto by_name = json_lines(run_calltrail("events --name EventEstablished " + file).out);
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0]["name"], "EventEstablished");
  // A ConnID matches however it is written: upper case, without leading zeros.
  auto by_conn = json_lines(run_calltrail("events --id 9A021843038407 " + file).out);
  EXPECT_EQ(by_conn.size(), 5u);
  auto by_islink =
      json_lines(run_calltrail("events --id 00RP30KH7088L1IC08GB82LAES000403 " + file).out);
  ASSERT_EQ(by_islink.size(), 1u);
  EXPECT_EQ(by_islink[0]["name"], "EventCallDataChanged");
  // The ANI of a T-Library event, and the From user of the SIP INVITE.
  auto by_ani = json_lines(run_calltrail("events --id +15551234567 " + file).out);
  ASSERT_EQ(by_ani.size(), 2u);
  EXPECT_EQ(by_ani[0]["name"], "EventRinging");
  EXPECT_EQ(by_ani[1]["kind"], "sip");
  EXPECT_EQ(by_ani[1]["attributes"]["From"], "+15551234567");
  auto by_time = json_lines(
      run_calltrail("events --from 2012-10-30T05:00:00Z --to 2012-10-30T05:00:01.2Z " + file).out);
  ASSERT_EQ(by_time.size(), 3u);
  EXPECT_EQ(by_time[0]["name"], "EventEstablished");
  EXPECT_EQ(by_time[2]["name"], "RequestSetCallInfo");
}

TEST(EventsCommand, ExitCodesSayWhatHappened) {
  const std::string file = case_path("seed_tserver2.log");
  EXPECT_EQ(run_calltrail("events --name EventNothing " + file).exit_code, 1);
  EXPECT_EQ(run_calltrail("events --bogus " + file).exit_code, 2);
  EXPECT_EQ(run_calltrail("events --from yesterday " + file).exit_code, 2);
  RunResult missing = run_calltrail("events /nonexistent/calltrail.log " + file);
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("/nonexistent/calltrail.log"), std::string::npos);
  EXPECT_EQ(json_lines(missing.out).size(), 2u) << "the readable input still counts";
  RunResult strict = run_calltrail("events --strict " + case_path("malformed_attributes.log"));
  EXPECT_EQ(strict.exit_code, 4);
  EXPECT_EQ(json_lines(strict.out).size(), 2u);
}

TEST(EventsCommand, MalformedInputIsReportedWithFileAndLine) {
  RunResult r = run_calltrail("events " + case_path("malformed_attributes.log"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("malformed_attributes.log:3: kv-list-header"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("6 malformed records"), std::string::npos) << r.err;
}

TEST(EventsCommand, ReadsFoldersGzipAndStandardInputAlike) {
  TempDir dir;
  const fs::path src = kCases / "tserver2.20121029_234500_000.log";
  std::ifstream in(src, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::create_directories(dir.path() / "a" / "b");
  const fs::path gz = dir.path() / "a" / "b" / "tserver2.20121029_234500_000.log.gz";
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);

  auto plain = json_lines(run_calltrail("events " + shell_quote(src.string())).out);
  auto folder = json_lines(run_calltrail("events " + shell_quote(dir.path().string())).out);
  auto piped = json_lines(run_calltrail("events -", src.string()).out);
  ASSERT_EQ(plain.size(), 6u);
  ASSERT_EQ(folder.size(), plain.size());
  ASSERT_EQ(piped.size(), plain.size());
  for (std::size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(folder[i]["attributes"], plain[i]["attributes"]);
    EXPECT_EQ(folder[i]["utc"], plain[i]["utc"]) << "the .gz name carries the date too";
    EXPECT_EQ(piped[i]["attributes"], plain[i]["attributes"]);
    EXPECT_EQ(folder[i]["offset"], plain[i]["offset"]);
  }
  EXPECT_EQ(piped[0]["file"], "-");
}

TEST(EventsCommand, TextFormatShowsOneLinePerEvent) {
  RunResult r = run_calltrail("events --format text " + case_path("seed_sipserver1.log"));
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(
      lines[1].find("islink=00EBGH4GK488LFQD2CGB02LAES0007J5(source->Tserver2@Avaya_Switch1)"),
      std::string::npos)
      << lines[1];
  EXPECT_NE(lines[1].find("seed_sipserver1.log:2"), std::string::npos);
}

}  // namespace
}  // namespace calltrail::test
