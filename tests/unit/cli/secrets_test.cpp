// A database password given on the command line is never printed: the
// commands that open a store report its errors with the URL redacted.
#include <gtest/gtest.h>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

// Nothing listens on port 1: every command fails to connect.
const std::string kUrl = "postgresql://ops:hunter2@127.0.0.1:1/calltrail";

void expect_redacted(const RunResult& r, const std::string& what) {
  EXPECT_NE(r.exit_code, 0) << what;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << what << ": " << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << what << ": " << r.out;
  EXPECT_NE(r.err.find("ops:***@127.0.0.1"), std::string::npos) << what << ": " << r.err;
}

TEST(Secrets, IngestPrintsNoPassword) {
  const std::string log = std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/real";
  expect_redacted(run_calltrail("ingest -q " + shell_quote(log) + " --db " + shell_quote(kUrl)),
                  "ingest");
}

TEST(Secrets, QueriesPrintNoPassword) {
  expect_redacted(run_calltrail("trace 0123 --db " + shell_quote(kUrl)), "trace");
  expect_redacted(run_calltrail("interactions --db " + shell_quote(kUrl)), "interactions");
}

TEST(Secrets, ServePrintsNoPassword) {
  expect_redacted(
      run_calltrail("serve --listen 127.0.0.1:0 --db " + shell_quote(kUrl) + " </dev/null"),
      "serve");
}

}  // namespace
}  // namespace calltrail::test
