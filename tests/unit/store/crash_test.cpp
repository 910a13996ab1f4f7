// Crash safety: ingest killed at many points (an abrupt exit after N commits,
// and SIGKILL at random moments), then run again, gives exactly the store of
// one clean run: the same events, each once, and the same interactions.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "store_support.hpp"

namespace calltrail::test {
namespace {

struct Data {
  TempDir dir{"crash"};
  std::string logs = dir.str("logs");
  std::string clean_db = dir.str("clean.db");
  std::string interactions;
  std::map<std::string, int> events;
};

// Starts `calltrail ingest` as a child; returns its pid.
pid_t spawn_ingest(const std::string& logs, const std::string& db) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::execl(CALLTRAIL_BINARY, CALLTRAIL_BINARY, "ingest", "-q", logs.c_str(), "--db", db.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

class StoreCrash : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new Data;
    simulate(data_->logs, "--interactions 250 --seed 71 --segment-size 60k");
    ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "6000");
    auto r = run_calltrail("ingest -q " + q(data_->logs) + " --db " + q(data_->clean_db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    data_->interactions = run_calltrail("interactions --db " + q(data_->clean_db)).out;
    data_->events = stored_events(data_->clean_db);
    ASSERT_FALSE(data_->interactions.empty());
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  static void expect_as_clean(const std::string& db) {
    EXPECT_EQ(stored_events(db), data_->events);
    EXPECT_EQ(run_calltrail("interactions --db " + q(db)).out, data_->interactions);
    EXPECT_EQ(run_calltrail("interactions " + q(data_->logs)).out, data_->interactions);
    auto again = run_calltrail("ingest " + q(data_->logs) + " --db " + q(db));
    EXPECT_NE(again.err.find("0 new, 0 grown"), std::string::npos) << again.err;
  }

  static Data* data_;
};

Data* StoreCrash::data_ = nullptr;

TEST_F(StoreCrash, ExitAfterEveryFewCommits) {
  const std::string db = data_->dir.str("exits.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "6000");
  int crashes = 0;
  for (unsigned n : {1u, 1u, 2u, 3u, 5u, 8u, 13u, 21u, 34u, 55u, 89u}) {
    ScopedEnv exit_after("CALLTRAIL_INGEST_EXIT_AFTER_COMMITS", std::to_string(n));
    auto r = run_calltrail("ingest -q " + q(data_->logs) + " --db " + q(db));
    if (r.exit_code == 0) break;
    ASSERT_EQ(r.exit_code, 86) << r.err;
    ++crashes;
  }
  EXPECT_GE(crashes, 5);
  auto r = run_calltrail("ingest -q " + q(data_->logs) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_as_clean(db);
}

TEST_F(StoreCrash, SigkillAtRandomMoments) {
  const std::string db = data_->dir.str("kills.db");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "6000");
  std::mt19937 rng(7);
  int killed = 0;
  for (int round = 0; round < 400; ++round) {
    const pid_t pid = spawn_ingest(data_->logs, db);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 40000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
      break;  // it finished before the kill
    }
    ++killed;
  }
  EXPECT_GE(killed, 3);
  auto r = run_calltrail("ingest -q " + q(data_->logs) + " --db " + q(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_as_clean(db);
}

}  // namespace
}  // namespace calltrail::test
