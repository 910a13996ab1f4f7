// Data-driven end-to-end cases of the command line's rules: every
// tests/cases/cli/<name>.case runs the calltrail binary in tests/cases/cli
// with `args:` and checks what the case says, one check a line:
//   exit: N                  the exit code
//   stdout-has: TEXT         stdout holds TEXT (stderr-has: the same for stderr)
//   stdout-lacks: TEXT       stdout does not hold TEXT (stderr-lacks: ...)
//   stdout-is: json          stdout is one JSON document
//   stdout-is: jsonl         every line of stdout is one JSON object (and there is one)
//   stdout-is: empty
//   json-size: KEY N         the document's array KEY holds N elements
//   width: N                 no line of stdout is wider than N columns
// `\e` in TEXT is the escape character. Lines starting with '#' say what
// the case is about.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "../golden_support.hpp"
#include "calltrail/cli/terminal_text.hpp"
#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(CALLTRAIL_SOURCE_DIR) / "tests" / "cases" / "cli";

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases))
    if (entry.path().extension() == ".case") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string unescape(std::string text) {
  for (auto at = text.find("\\e"); at != std::string::npos; at = text.find("\\e", at + 1))
    text.replace(at, 2, "\x1b");
  return text;
}

class CommandLineCase : public ::testing::TestWithParam<std::string> {};

TEST_P(CommandLineCase, BehavesAsItSays) {
  std::istringstream in(read_file(kCases / (GetParam() + ".case")));
  std::vector<std::pair<std::string, std::string>> checks;
  std::optional<std::string> args;  // may be empty: calltrail alone
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(": ");
    ASSERT_NE(colon, std::string::npos) << "not KEY: VALUE: " << line;
    const std::string key = line.substr(0, colon);
    const std::string value = line.substr(colon + 2);
    if (key == "args")
      args = value;
    else
      checks.emplace_back(key, unescape(value));
  }
  ASSERT_TRUE(args) << "no args:";
  ASSERT_FALSE(checks.empty()) << "a case checks something";
  const RunResult r = run_calltrail(*args, {}, kCases.string());
  SCOPED_TRACE("calltrail " + *args + "\nstdout:\n" + r.out.substr(0, 4000) + "\nstderr:\n" +
               r.err);
  nlohmann::json document;
  for (const auto& [key, value] : checks) {
    if (key == "exit") {
      EXPECT_EQ(r.exit_code, std::stoi(value));
    } else if (key == "stdout-has" || key == "stderr-has") {
      EXPECT_NE((key[3] == 'o' ? r.out : r.err).find(value), std::string::npos) << key << value;
    } else if (key == "stdout-lacks" || key == "stderr-lacks") {
      EXPECT_EQ((key[3] == 'o' ? r.out : r.err).find(value), std::string::npos) << key << value;
    } else if (key == "stdout-is" && value == "json") {
      document = nlohmann::json::parse(r.out, nullptr, false);
      EXPECT_FALSE(document.is_discarded()) << "not one JSON document";
    } else if (key == "stdout-is" && value == "jsonl") {
      std::istringstream lines(r.out);
      std::size_t n = 0;
      for (std::string line; std::getline(lines, line); ++n)
        EXPECT_TRUE(nlohmann::json::parse(line, nullptr, false).is_object()) << line;
      EXPECT_GT(n, 0u);
    } else if (key == "stdout-is" && value == "empty") {
      EXPECT_EQ(r.out, "");
    } else if (key == "json-size") {
      const auto space = value.find(' ');
      const std::string name = value.substr(0, space);
      ASSERT_TRUE(document.is_object() && document.contains(name))
          << "no " << name << " (stdout-is: json first)";
      EXPECT_EQ(document[name].size(), std::stoul(value.substr(space + 1))) << name;
    } else if (key == "width") {
      std::istringstream lines(r.out);
      for (std::string line; std::getline(lines, line);)
        EXPECT_LE(cli::visible_width(line), std::stoul(value)) << line;
    } else {
      ADD_FAILURE() << "unknown check " << key;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CommandLine, CommandLineCase, ::testing::ValuesIn(case_names()),
                         GoldenCaseName());

}  // namespace
}  // namespace calltrail::test
