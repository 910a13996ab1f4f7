// `calltrail follow` and `calltrail serve` from the command line: output,
// exit codes and messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "../cli/run_support.hpp"

namespace calltrail::serve {
namespace {

using test::run_calltrail;
using test::shell_quote;

TEST(FollowCommand, OnceTellsTheSeedInteraction) {
  const std::string seed = std::string(CALLTRAIL_SOURCE_DIR) + "/samples/seed";
  auto r = run_calltrail("follow --once " + shell_quote(seed));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::set<std::string> kinds;
  nlohmann::json last;
  for (std::string line; std::getline(lines, line);) {
    const auto update = nlohmann::json::parse(line);
    kinds.insert(update["kind"]);
    if (update["kind"] == "clocks") {
      // The seed's two logged sites, their offsets estimated from its IS-Links.
      EXPECT_EQ(update["sites"].size(), 2u) << line;
      continue;
    }
    last = update;
    EXPECT_EQ(last["interaction_id"], "00RP30KH7088L1IC08GB82LAES000317");
  }
  EXPECT_TRUE(kinds.contains("clocks"));
  EXPECT_TRUE(kinds.contains("created"));
  EXPECT_TRUE(kinds.contains("linked"));
  EXPECT_TRUE(kinds.contains("completed"));
  EXPECT_EQ(last["interaction"]["legs"], 3);
  EXPECT_EQ(last["interaction"]["links_paired"], 2);
}

TEST(FollowCommand, MissingPathIsAnInputError) {
  auto r = run_calltrail("follow --once /nonexistent/calltrail-logs");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("/nonexistent/calltrail-logs does not exist"), std::string::npos) << r.err;
}

TEST(ServeCommand, BadListenAddressIsAUsageError) {
  for (const char* listen : {"127.0.0.1:x", "8080", "127.0.0.1:70000"}) {
    auto r = run_calltrail(std::string("serve --listen ") + listen);
    EXPECT_EQ(r.exit_code, 2) << listen;
    EXPECT_NE(r.err.find("should look like HOST:PORT"), std::string::npos) << r.err;
  }
  auto r = run_calltrail("serve --site nonsense");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("FILE=app@switch"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace calltrail::serve
