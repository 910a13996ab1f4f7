// Data-driven cases for `calltrail trace`: every tests/cases/trace/<name>/
// holds log files (or paths to other cases' logs), `args` (the arguments after
// `trace`, one a line, paths relative to the case folder) and the expected
// output of each format: expected.txt (text), expected.mmd (mermaid) and
// expected.json, plus expected.err (the exit code, then stderr; a format whose
// stderr differs has its own, such as expected.mmd.err). The binary runs in
// the case folder.
// CALLTRAIL_UPDATE_GOLDEN=1 rewrites the expected files (review the diff!).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../golden_support.hpp"
#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(CALLTRAIL_SOURCE_DIR) / "tests" / "cases" / "trace";

struct Format {
  const char* name;
  const char* file;
};
constexpr Format kFormats[] = {
    {"text", "expected.txt"}, {"mermaid", "expected.mmd"}, {"json", "expected.json"}};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    v.push_back(line);
  return v;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (fs::exists(entry.path() / "args")) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

RunResult run_case(const std::string& name, const std::string& format) {
  std::string args = "trace";
  for (const auto& a : lines_of(read_file(kCases / name / "args")))
    if (!a.empty()) args += " " + shell_quote(a);
  args += " --format " + format;
  return run_calltrail(args, {}, (kCases / name).string());
}

std::string exit_and_err(const RunResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n" + r.err;
}

class TraceCase : public ::testing::TestWithParam<std::string> {};

TEST_P(TraceCase, EveryFormatMatches) {
  const std::string name = GetParam();
  const fs::path dir = kCases / name;
  const bool update = std::getenv("CALLTRAIL_UPDATE_GOLDEN") != nullptr;
  std::string text_err;
  for (const auto& f : kFormats) {
    const RunResult r = run_case(name, f.name);
    const std::string got_err = exit_and_err(r);
    const bool text = std::string(f.name) == "text";
    if (text) text_err = got_err;
    const fs::path own_err = dir / (std::string(f.file) + ".err");
    if (update) {
      std::ofstream(dir / f.file, std::ios::binary) << r.out;
      if (text) std::ofstream(dir / "expected.err", std::ios::binary) << got_err;
      if (!text && got_err != text_err)
        std::ofstream(own_err, std::ios::binary) << got_err;
      else
        fs::remove(own_err);
    }
    ASSERT_TRUE(fs::exists(dir / f.file)) << dir / f.file << " is missing";
    EXPECT_EQ(r.out, read_file(dir / f.file)) << name << " --format " << f.name;
    EXPECT_EQ(got_err, read_file(fs::exists(own_err) ? own_err : dir / "expected.err"))
        << name << " --format " << f.name;
  }
}

// What trace writes in a Mermaid text (a label) must not end the statement
// or start a comment: '#' and ';' only inside an entity code (#35;), no '%%',
// no HTML brackets.
bool plain_mermaid_text(const std::string& text) {
  static const std::regex entity("#[A-Za-z0-9]+;");
  const std::string rest = std::regex_replace(text, entity, "");
  return !text.empty() && rest.find_first_of("#;<>\r") == std::string::npos &&
         rest.find("%%") == std::string::npos;
}

// The subset of Mermaid's sequenceDiagram grammar trace writes: the header,
// comments, participant declarations, notes and messages between declared
// participants.
TEST_P(TraceCase, MermaidIsWellFormed) {
  const std::string mmd = read_file(kCases / GetParam() / "expected.mmd");
  if (mmd.empty()) GTEST_SKIP() << "no diagram in this case";
  static const std::regex participant(R"(  participant (S[0-9]+) as (.+))");
  static const std::regex note(R"(  Note over (S[0-9]+)(?:,(S[0-9]+))?: (.+))");
  static const std::regex message(R"(  (S[0-9]+)(->>|-->>|-x)(S[0-9]+): (.+))");
  std::set<std::string> declared;
  bool header = false;
  for (const auto& line : lines_of(mmd)) {
    std::smatch m;
    if (line == "sequenceDiagram") {
      EXPECT_FALSE(header) << "a second diagram in one output";
      header = true;
      declared.clear();
      continue;
    }
    ASSERT_TRUE(header) << "before sequenceDiagram: " << line;
    if (line.starts_with("  %% ")) continue;
    if (std::regex_match(line, m, participant)) {
      EXPECT_TRUE(declared.insert(m[1]).second) << "declared twice: " << line;
      EXPECT_TRUE(plain_mermaid_text(m[2])) << line;
    } else if (std::regex_match(line, m, note)) {
      EXPECT_TRUE(declared.count(m[1])) << "undeclared participant: " << line;
      EXPECT_TRUE(!m[2].matched || declared.count(m[2])) << "undeclared participant: " << line;
      EXPECT_TRUE(plain_mermaid_text(m[3])) << line;
    } else if (std::regex_match(line, m, message)) {
      EXPECT_TRUE(declared.count(m[1]) && declared.count(m[3])) << "undeclared: " << line;
      EXPECT_TRUE(plain_mermaid_text(m[4])) << line;
    } else {
      ADD_FAILURE() << "not a statement trace writes: '" << line << "'";
    }
  }
  EXPECT_TRUE(header);
}

INSTANTIATE_TEST_SUITE_P(Trace, TraceCase, ::testing::ValuesIn(case_names()), GoldenCaseName());

// Standard input cannot be read a second time, so trace reads it whole: the
// answer is the one the files give (evidence then names the input "-").
TEST(Trace, StandardInputAnswersAsFiles) {
  const fs::path seed = fs::path(CALLTRAIL_SOURCE_DIR) / "tests" / "cases" / "seed";
  const std::string id = "00RP30KH7088L1IC08GB82LAES000317";
  const std::string tserver = (seed / "tserver2.log").string();
  const std::string sip = (seed / "sipserver1.log").string();
  const RunResult files = run_calltrail("trace --format json " + id + " " + shell_quote(tserver) +
                                        " " + shell_quote(sip));
  const RunResult piped =
      run_calltrail("trace --format json " + id + " - " + shell_quote(sip), tserver);
  ASSERT_EQ(files.exit_code, 0) << files.err;
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  std::string expected = files.out;
  for (std::size_t at = expected.find(tserver); at != std::string::npos;
       at = expected.find(tserver, at + 1))
    expected.replace(at, tserver.size(), "-");
  EXPECT_NE(expected, files.out) << "the evidence names the T-Server's file";
  EXPECT_EQ(piped.out, expected);
}

}  // namespace
}  // namespace calltrail::test
