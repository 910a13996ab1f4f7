// --color auto on a real terminal (script(1) gives the command one): colour
// unless NO_COLOR is set; the text cases (tests/cases/cli) cover pipes,
// always and never.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "calltrail/cli/terminal_text.hpp"
#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

// The output of `calltrail ARGS` run on a terminal, with `env` before it.
std::string on_a_terminal(const std::string& env, const std::string& args) {
  const std::string inner =
      "env " + env + " TERM=xterm " + shell_quote(CALLTRAIL_BINARY) + " " + args;
  const std::string cmd = "script -qec " + shell_quote(inner) + " /dev/null";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 65536> buf;
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

const std::string kSeed =
    shell_quote((fs::path(CALLTRAIL_SOURCE_DIR) / "tests" / "cases" / "seed").string());

TEST(TerminalColor, AutoColoursATerminal) {
  const std::string out = on_a_terminal("-u NO_COLOR", "trace 009a021843038407 " + kSeed);
  ASSERT_NE(out.find("EventCallDataChanged"), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[34mTserver2@Avaya_Switch1\x1b[0m"), std::string::npos) << out;
}

TEST(TerminalColor, NoColorIsHonoured) {
  const std::string out = on_a_terminal("NO_COLOR=1", "trace 009a021843038407 " + kSeed);
  ASSERT_NE(out.find("EventCallDataChanged"), std::string::npos) << out;
  EXPECT_EQ(out.find("\x1b["), std::string::npos) << out;
  const std::string always =
      on_a_terminal("NO_COLOR=1", "trace 009a021843038407 --color always " + kSeed);
  EXPECT_NE(always.find("\x1b[34m"), std::string::npos) << "always wins over NO_COLOR";
}

TEST(TerminalText, WrapsAtSpacesUnderTheIndentAndCutsLongWords) {
  std::string out;
  cli::append_wrapped(out, "  abc def ghi", 4, 10);
  EXPECT_EQ(out, "  abc def\n    ghi\n");
  out.clear();
  cli::append_wrapped(out, "xxxxxxxxxxxxxxx", 2, 10);
  EXPECT_EQ(out, "xxxxxxxxxx\n  xxxxx\n");
  out.clear();
  // Colour takes no column.
  const std::string red = "\x1b[31mabc\x1b[0m";
  cli::append_wrapped(out, red + " " + red + " " + red, 0, 8);
  EXPECT_EQ(out, red + " " + red + "\n" + red + "\n");
  EXPECT_EQ(cli::visible_width(red + " é"), 5u);
}

}  // namespace
}  // namespace calltrail::test
