// store::follow: logs that grow, rotate by rename, gain new segments and are
// followed by a follower that is stopped and started again end up in the
// store exactly as one ingest of the final files: every event once, and the
// same answers as from the files; and the follow --db command killed and
// restarted while the logs grow.
#include "calltrail/store/follow.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <thread>

#include "store_support.hpp"

namespace calltrail::test {
namespace {

using namespace std::chrono_literals;

// A follower on its own thread, with a count of finished rounds.
class Follower {
 public:
  Follower(const std::string& url, const std::string& folder) {
    store::FollowOptions options;
    options.interval = 10ms;
    options.ingest.part_bytes = 8000;
    thread_ = std::thread([this, url, folder, options] {
      const std::vector<std::string> paths{folder};
      store::follow(url, paths, options, stop_, [this](const store::FollowRound& r) {
        if (r.error) errors_.fetch_add(1);
        rounds_.fetch_add(1);
      });
    });
  }
  ~Follower() { stop(); }
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Waits until two more rounds have finished: whatever was on disk before
  // the call has been read by then.
  bool settle() {
    const auto target = rounds_.load() + 2;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (rounds_.load() < target) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int errors() const { return errors_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> rounds_{0};
  std::atomic<int> errors_{0};
  std::thread thread_;
};

void append(const fs::path& file, const std::string& data) {
  std::ofstream(file, std::ios::binary | std::ios::app) << data;
}

TEST(StoreFollow, GrowthNewSegmentsRotationAndRestart) {
  TempDir dir("follow");
  const std::string full = dir.str("full");
  simulate(full, "--interactions 120 --segment-size 50k --seed 17");
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(full))
    if (e.path().extension() == ".log") segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());
  ASSERT_GE(segments.size(), 4u);

  const fs::path live = dir.path() / "live";
  fs::create_directories(live);
  const std::string url = dir.str("store.db");
  std::mt19937 rng(17);
  // The first half of the segments, each cut at a random byte (mid-line too).
  const std::size_t half = segments.size() / 2;
  std::vector<std::string> rest(segments.size());
  for (std::size_t i = 0; i < half; ++i) {
    const std::string data = read_text(segments[i].string());
    const std::size_t cut = rng() % (data.size() + 1);
    append(live / segments[i].filename(), data.substr(0, cut));
    rest[i] = data.substr(cut);
  }
  {
    Follower f(url, live.string());
    ASSERT_TRUE(f.settle());
    // The files grow in two steps while followed.
    for (std::size_t i = 0; i < half; ++i) {
      const std::size_t cut = rng() % (rest[i].size() + 1);
      append(live / segments[i].filename(), rest[i].substr(0, cut));
      rest[i] = rest[i].substr(cut);
    }
    ASSERT_TRUE(f.settle());
    for (std::size_t i = 0; i < half; ++i)
      append(live / segments[i].filename(), rest[i]);
    ASSERT_TRUE(f.settle());
    // Rotation by rename: the first segment moves to another name.
    fs::rename(live / segments[0].filename(), live / (segments[0].filename().string() + ".1"));
    ASSERT_TRUE(f.settle());
    EXPECT_EQ(f.errors(), 0);
  }
  // Stopped; new segments appear while nobody follows; started again.
  for (std::size_t i = half; i < segments.size(); ++i)
    append(live / segments[i].filename(), read_text(segments[i].string()));
  {
    Follower f(url, live.string());
    ASSERT_TRUE(f.settle());
    EXPECT_EQ(f.errors(), 0);
  }
  for (const auto& [where, n] : stored_events(url))
    EXPECT_EQ(n, 1) << where;
  expect_same_answers(q(live.string()), url, 5);
}

}  // namespace
}  // namespace calltrail::test

namespace calltrail::test {
namespace {

// `calltrail follow DIR --db URL` as a child process writing to `out`.
pid_t spawn_follow(const std::string& folder, const std::string& db, const std::string& out) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    ::execl(CALLTRAIL_BINARY, CALLTRAIL_BINARY, "follow", "--poll", "20", folder.c_str(), "--db",
            db.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Whether the process `pid` blocks SIGTERM (its main thread's SigBlk mask).
bool blocks_sigterm(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("SigBlk:", 0) == 0)
      return (std::stoull(line.substr(7), nullptr, 16) >> (SIGTERM - 1)) & 1U;
  return false;
}

// The command: killed at random moments while the logs grow, stopped with
// SIGTERM, run once more: every event stored once, the same answers as the
// files.
TEST(StoreFollowCommand, KilledAndRestartedWhileLogsGrow) {
  TempDir dir("follow-cli");
  const std::string full = dir.str("full");
  simulate(full, "--interactions 150 --segment-size 40k --seed 23");
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(full))
    if (e.path().extension() == ".log") segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());
  std::vector<std::string> data;
  for (const auto& s : segments)
    data.push_back(read_text(s.string()));

  const fs::path live = dir.path() / "live";
  fs::create_directories(live);
  const std::string db = dir.str("store.db");
  const std::string out = dir.str("follow.out");
  std::mt19937 rng(23);
  std::vector<std::size_t> written(segments.size(), 0);
  int kills = 0;
  for (int step = 0; step < 8; ++step) {
    const pid_t pid = spawn_follow(live.string(), db, out);
    ASSERT_GT(pid, 0);
    // Each step writes another slice of every file, cut anywhere.
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::size_t to =
          step == 7 ? data[i].size() : std::min(data[i].size(), written[i] + rng() % 30000);
      append(live / segments[i].filename(), data[i].substr(written[i], to - written[i]));
      written[i] = to;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 200));
    if (step == 7) {
      // SIGTERM is a clean stop once the follower blocks it to wait for it:
      // the signal must not come before (a minute at most).
      for (int i = 0; i < 600 && !blocks_sigterm(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid, step == 7 ? SIGTERM : SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (step == 7) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    } else {
      kills += WIFSIGNALED(status) ? 1 : 0;
    }
  }
  EXPECT_EQ(kills, 7);
  auto once = run_calltrail("follow --once " + q(live.string()) + " --db " + q(db));
  ASSERT_EQ(once.exit_code, 0) << once.err;
  // What the followers stored is reported as JSON lines.
  EXPECT_NE(read_text(out).find("\"parts\":"), std::string::npos);
  for (const auto& [where, n] : stored_events(db))
    EXPECT_EQ(n, 1) << where;
  expect_same_answers(q(live.string()), db, 5);
}

// `calltrail serve PATH --db URL` as a child process.
pid_t spawn_serve(const std::string& folder, const std::string& db) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(CALLTRAIL_BINARY, CALLTRAIL_BINARY, "serve", "--listen", "127.0.0.1:0", "--poll", "20",
            folder.c_str(), "--db", db.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Waits until `interactions --db` answers as the files do (or a minute).
bool store_caught_up(const std::string& folder, const std::string& db) {
  const std::string files = run_calltrail("interactions " + q(folder)).out;
  for (int i = 0; i < 300; ++i) {
    if (fs::exists(db) && run_calltrail("interactions --db " + q(db)).out == files) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

// serve --db keeps the store current with what it follows; stopped with
// SIGTERM, then killed with SIGKILL after the logs grew, every event is
// stored once.
TEST(StoreFollowCommand, ServeKeepsTheStoreCurrent) {
  TempDir dir("serve-db");
  const std::string full = dir.str("full");
  simulate(full, "--interactions 80 --segment-size 40k --seed 29");
  const fs::path live = dir.path() / "live";
  fs::create_directories(live);
  std::vector<std::pair<fs::path, std::string>> rest;
  for (const auto& e : fs::directory_iterator(full)) {
    if (e.path().extension() != ".log") continue;
    const std::string data = read_text(e.path().string());
    append(live / e.path().filename(), data.substr(0, data.size() / 2));
    rest.emplace_back(live / e.path().filename(), data.substr(data.size() / 2));
  }
  const std::string db = dir.str("store.db");
  pid_t pid = spawn_serve(live.string(), db);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(store_caught_up(live.string(), db));
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  pid = spawn_serve(live.string(), db);
  ASSERT_GT(pid, 0);
  for (const auto& [file, data] : rest)
    append(file, data);
  EXPECT_TRUE(store_caught_up(live.string(), db));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  for (const auto& [where, n] : stored_events(db))
    EXPECT_EQ(n, 1) << where;
  expect_same_answers(q(live.string()), db, 5);
}

}  // namespace
}  // namespace calltrail::test
