// The store on a real PostgreSQL server, started for these tests by the ctest
// fixture (scripts/pg-test-server; its URL is in $CALLTRAIL_PG_URL_FILE):
// the same answers as from the files, one ingest process per site writing at
// the same time, a lost connection reported (exit 3) and resumed, and
// `serve --db` keeping pushed text and recordings across restarts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../unit/serve/persist_support.hpp"
#include "../unit/store/store_support.hpp"
#include "calltrail/serve/store_live_store.hpp"

namespace calltrail::test {
namespace {

std::string server_url() {
  const char* file = std::getenv("CALLTRAIL_PG_URL_FILE");
  if (file == nullptr) return {};
  std::string url = read_text(file);
  while (!url.empty() && (url.back() == '\n' || url.back() == ' '))
    url.pop_back();
  return url;
}

// A database of its own for each test: postgresql://.../<name>.
std::string fresh_database(const std::string& name) {
  const std::string admin = server_url();
  auto db = store::open_database(admin);
  db->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  db->exec("CREATE DATABASE " + name);
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

class Postgres : public ::testing::Test {
 protected:
  void SetUp() override {
    // The fixture starts the server; without it this is a failure, not a skip.
    ASSERT_FALSE(server_url().empty())
        << "CALLTRAIL_PG_URL_FILE is not set: run through ctest (fixture postgres)";
  }
};

// `calltrail ingest -q ARGS --db URL` as a child, stderr to `err`.
pid_t spawn_ingest(const std::vector<std::string>& paths, const std::string& url,
                   const std::string& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    std::vector<std::string> args{CALLTRAIL_BINARY, "ingest", "-q"};
    args.insert(args.end(), paths.begin(), paths.end());
    args.push_back("--db");
    args.push_back(url);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(CALLTRAIL_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

TEST_F(Postgres, SameAnswersAsFilesAndIncremental) {
  TempDir dir("pg-same");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 200 --seed 81 --segment-size 50k");
  const std::string url = fresh_database("calltrail_same");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "9000");
  auto r = run_calltrail("ingest -q " + q(logs) + " --db " + q(url));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_same_answers(q(logs), url, 10);
  auto again = run_calltrail("ingest " + q(logs) + " --db " + q(url));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("0 new, 0 grown"), std::string::npos) << again.err;
  for (const auto& [where, n] : stored_events(url))
    EXPECT_EQ(n, 1) << where;
}

TEST_F(Postgres, OneIngestPerSiteAtTheSameTime) {
  TempDir dir("pg-sites");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 300 --seed 82 --sites 4 --segment-size 80k");
  std::map<std::string, std::vector<std::string>> by_site;
  for (const auto& e : fs::directory_iterator(logs)) {
    if (e.path().extension() != ".log") continue;  // truth.json: ingest says it is no log
    const std::string name = e.path().filename().string();
    by_site[name.substr(0, name.find('.'))].push_back(e.path().string());
  }
  ASSERT_GE(by_site.size(), 4u);
  const std::string url = fresh_database("calltrail_sites");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "7000");
  std::vector<pid_t> children;
  int k = 0;
  for (const auto& [site, files] : by_site)
    children.push_back(spawn_ingest(files, url, dir.str("err" + std::to_string(k++))));
  for (std::size_t i = 0; i < children.size(); ++i) {
    int status = 0;
    ::waitpid(children[i], &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_text(dir.str("err" + std::to_string(i)));
  }
  // Every interaction is whole (the sites' legs stitched), as from the files.
  expect_same_answers(q(logs), url, 15);
}

TEST_F(Postgres, LostConnectionIsReportedAndARerunResumes) {
  TempDir dir("pg-lost");
  const std::string logs = dir.str("logs");
  simulate(logs, "--interactions 200 --seed 83 --segment-size 60k");
  const std::string url = fresh_database("calltrail_lost");
  ScopedEnv parts("CALLTRAIL_INGEST_PART_BYTES", "6000");
  const std::string err = dir.str("err");
  pid_t pid;
  {
    ScopedEnv stop("CALLTRAIL_INGEST_STOP_AFTER_COMMITS", "5");
    pid = spawn_ingest({logs}, url, err);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, WUNTRACED), pid);
  ASSERT_TRUE(WIFSTOPPED(status)) << "ingest ended before its fifth commit";
  {
    // The server drops the ingest's connection while it is stopped.
    auto admin = store::open_database(server_url());
    admin->exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "'calltrail_lost' AND pid <> pg_backend_pid()");
  }
  ::kill(pid, SIGCONT);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  const std::string message = read_text(err);
  EXPECT_NE(message.find("calltrail ingest: store postgresql://"), std::string::npos) << message;
  EXPECT_NE(message.find("connection"), std::string::npos) << message;
  EXPECT_NE(message.find("run the same command again"), std::string::npos) << message;
  EXPECT_GT(count_rows(url, "parts"), 0);

  auto r = run_calltrail("ingest -q " + q(logs) + " --db " + q(url));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("grown"), std::string::npos) << r.err;
  expect_same_answers(q(logs), url, 8);
  for (const auto& [where, n] : stored_events(url))
    EXPECT_EQ(n, 1) << where;
}

TEST_F(Postgres, UnreachableServerIsAnInputError) {
  auto r = run_calltrail("ingest " + q(std::string(CALLTRAIL_SOURCE_DIR) + "/samples/seed") +
                         " --db postgresql://calltrail@127.0.0.1:1/nothing");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("cannot connect to postgresql://calltrail@127.0.0.1:1/nothing"),
            std::string::npos)
      << r.err;
  auto t = run_calltrail("trace x --db postgresql://calltrail@127.0.0.1:1/nothing");
  EXPECT_EQ(t.exit_code, 3);
}

// serve --db on PostgreSQL: the same restart scenario as on SQLite.
TEST_F(Postgres, ServePushedTextSurvivesRestarts) {
  TempDir dir("pg-serve");
  expect_pushed_text_survives_restarts(fresh_database("serve_persist"), dir.str());
}

// serve --db on PostgreSQL keeps the recordings it is given: one given again
// replaces the earlier record in its place, and a restarted server gets them
// back in the order they came, empty fields empty.
TEST_F(Postgres, ServeKeepsRecordings) {
  const std::string url = fresh_database("serve_recordings");
  using recordings::Recording;
  const Recording a{"rec-a", "U1", "006a021a6b11c806", "SIPServer1@SIP_Switch1",
                    "",      "",   "s3://a.wav",       1};
  const Recording b{"rec-b", "U2", "", "", "2012-10-29T13:30:26Z", "", "", 2};
  const Recording c{"rec-c", "U3", "", "", "", "", "", 3};
  Recording b_again = b;
  b_again.call_uuid = "U4";
  b_again.start.clear();
  b_again.line = 7;
  {
    serve::StoreLiveStore store(url);
    store.put_recordings(std::vector<Recording>{a, b});
    store.put_recordings(std::vector<Recording>{c, b_again});
  }
  serve::StoreLiveStore store(url);
  const std::vector<Recording> kept = store.restore_recordings();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].recording_id, "rec-a");
  EXPECT_EQ(kept[0].conn_id, a.conn_id);
  EXPECT_EQ(kept[0].site, a.site);
  EXPECT_EQ(kept[0].media, a.media);
  EXPECT_EQ(kept[0].start, "");
  EXPECT_EQ(kept[1].recording_id, "rec-b");
  EXPECT_EQ(kept[1].call_uuid, "U4");
  EXPECT_EQ(kept[1].start, "");  // the record given again, whole
  EXPECT_EQ(kept[1].line, 7u);
  EXPECT_EQ(kept[2].recording_id, "rec-c");
}

}  // namespace
}  // namespace calltrail::test
