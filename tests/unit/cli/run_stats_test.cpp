// --stats: the commands that read logs print on stderr where the time went
// (reading with its bytes and files, the build's steps, the rest and the
// total with the peak memory), and their output is the same with it. The
// bytes and files are checked against the folder, the interactions against
// the output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

class RunStats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("calltrail-run-stats-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    const RunResult sim = run_calltrail("simulate -q --sites 3 --interactions 60 --seed 11 --out " +
                                        shell_quote(dir_.string()));
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    fs::remove(dir_ / "truth.json");
    for (const auto& e : fs::directory_iterator(dir_)) {
      bytes_ += e.file_size();
      ++files_;
      if (first_.empty() || e.path() < first_) first_ = e.path();
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string logs() { return " " + shell_quote(dir_.string()); }
  // The CallUUID of the first T-Library event of the first file.
  static std::string first_call_uuid() {
    std::ifstream in(first_);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    const std::regex uuid("AttributeCallUUID[^A-Z0-9]*([A-Z0-9]{20,})");
    return std::regex_search(text, m, uuid) ? m[1].str() : std::string();
  }
  // The report's line for `step` (indented by `depth`), or "".
  static std::string line_of(const std::string& err, const std::string& step, unsigned depth) {
    const std::string start = std::string(2 + 2 * depth, ' ') + step + " ";
    for (std::size_t at = 0; at < err.size();) {
      const std::size_t end = std::min(err.find('\n', at), err.size());
      const std::string line = err.substr(at, end - at);
      if (line.rfind(start, 0) == 0) return line;
      at = end + 1;
    }
    return {};
  }

  static fs::path dir_;
  static fs::path first_;
  static std::uint64_t bytes_;
  static std::size_t files_;
};
fs::path RunStats::dir_;
fs::path RunStats::first_;
std::uint64_t RunStats::bytes_ = 0;
std::size_t RunStats::files_ = 0;

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

TEST_F(RunStats, InteractionsReportsReadingTheBuildsStepsAndTheTotal) {
  const RunResult plain = run_calltrail("interactions -q --format jsonl" + logs());
  const RunResult stats = run_calltrail("interactions -q --stats --format jsonl" + logs());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(plain.out, stats.out);
  EXPECT_EQ(plain.err.find("where the time went"), std::string::npos) << plain.err;
  EXPECT_NE(stats.err.find("calltrail interactions: where the time went (--stats)"),
            std::string::npos)
      << stats.err;
  const std::string read = line_of(stats.err, "read", 0);
  EXPECT_NE(read.find(megabytes(bytes_) + " in " + std::to_string(files_) + " files"),
            std::string::npos)
      << stats.err;
  const auto lines = static_cast<std::size_t>(std::count(plain.out.begin(), plain.out.end(), '\n'));
  ASSERT_GT(lines, 0u);
  EXPECT_NE(line_of(stats.err, "build", 0).find(", " + std::to_string(lines) + " interactions"),
            std::string::npos)
      << stats.err;
  for (const char* step :
       {"name sites", "merge legs", "resolve times", "thin events", "link IS-Links", "link SIP",
        "link call histories", "form interactions"}) {
    EXPECT_FALSE(line_of(stats.err, step, 1).empty()) << step << "\n" << stats.err;
  }
  EXPECT_FALSE(line_of(stats.err, "the rest (matching, output)", 0).empty()) << stats.err;
  const std::string total = line_of(stats.err, "total", 0);
  EXPECT_TRUE(std::regex_search(total, std::regex(R"(\d+\.\d{3} s  peak memory \d+\.\d MB$)")))
      << total;
}

TEST_F(RunStats, TraceReportsTheScanAndTheReachedLegsReadAgain) {
  const std::string id = first_call_uuid();
  ASSERT_FALSE(id.empty());
  const RunResult plain = run_calltrail("trace -q --format json " + id + logs());
  const RunResult stats = run_calltrail("trace -q --stats --format json " + id + logs());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(plain.out, stats.out);
  EXPECT_NE(line_of(stats.err, "read", 0).find(megabytes(bytes_)), std::string::npos) << stats.err;
  EXPECT_NE(line_of(stats.err, "build", 0).find(", 1 interaction"), std::string::npos) << stats.err;
  EXPECT_FALSE(line_of(stats.err, "read the reached legs again", 1).empty()) << stats.err;
  // The build of the reached legs, and its own steps beneath it.
  EXPECT_FALSE(line_of(stats.err, "build the reached legs", 1).empty()) << stats.err;
  EXPECT_FALSE(line_of(stats.err, "merge legs", 2).empty()) << stats.err;
}

TEST_F(RunStats, SitesReportsToo) {
  const RunResult plain = run_calltrail("sites -q" + logs());
  const RunResult stats = run_calltrail("sites -q --stats" + logs());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, stats.out);
  EXPECT_FALSE(line_of(stats.err, "name sites", 1).empty()) << stats.err;
}

TEST_F(RunStats, ReportsWhenNothingMatches) {
  const RunResult stats = run_calltrail("trace -q --stats NO-SUCH-ID" + logs());
  EXPECT_EQ(stats.exit_code, 1) << stats.err;
  EXPECT_NE(stats.err.find("no interaction carries"), std::string::npos) << stats.err;
  EXPECT_FALSE(line_of(stats.err, "total", 0).empty()) << stats.err;
}

}  // namespace
}  // namespace calltrail::test
