// `calltrail push` (the binary) against a server on a loopback port: killed
// and started again in the middle of its files, the server restarted under
// it, and two pushes of the same files at once. Whatever happens, the server
// ends up holding every event exactly once: the events and interactions of
// the finished files read by `trace`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <thread>

#include "../cli/run_support.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/serve/http_server.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;

// A central server in this process (memory only), on `port` (0: any).
struct Central {
  explicit Central(int at = 0) : pump(live, std::chrono::milliseconds(2)) {
    ServerOptions o;
    o.port = at;
    o.token = "site-token";
    server = std::make_unique<HttpServer>(live, pump, o);
    port = server->start();
  }
  ~Central() {
    server->stop();
    pump.stop();
  }
  std::uint64_t position(const std::string& source) { return live.position(source).value_or(0); }

  LiveCorrelation live;
  UpdatePump pump;
  std::unique_ptr<HttpServer> server;
  int port = -1;
};

// `calltrail push` as a child process, its stderr in a file.
class PushProcess {
 public:
  PushProcess(const std::vector<std::string>& args, const fs::path& err) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 2);
      std::vector<std::string> all{CALLTRAIL_BINARY, "push"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~PushProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }
  PushProcess(const PushProcess&) = delete;
  PushProcess& operator=(const PushProcess&) = delete;
  // Sends `signal` (0: none) and returns the exit code (-1: killed).
  int stop(int signal) {
    if (signal != 0) ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

void append(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Waits (up to two minutes) until `done` holds.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2400; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

class Push : public ::testing::Test {
 protected:
  void SetUp() override {
    logs_ = test::simulate_logs(
        std::string("push_") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        "--interactions 40 --seed 23 --segment-size 64k");
    ASSERT_GE(logs_.files.size(), 4u);
    dir_ = logs_.dir / "site";
    fs::create_directories(dir_);
    err_ = logs_.dir / "push.err";
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "push's stderr:\n" << test::read_all(err_.string());
    fs::remove_all(logs_.dir);
  }
  std::vector<std::string> args(int port, std::vector<std::string> more) const {
    std::vector<std::string> a{
        dir_.string(), "--to",       "http://127.0.0.1:" + std::to_string(port),
        "--token",     "site-token", "--source-prefix",
        "site1:",      "--poll",     "20",
        "--max-retry", "1"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  // Bytes [from, to) (fractions) of every application's log written into the
  // site's folder, its segments one after the other as a server writes them.
  void write_part(double from, double to) {
    std::map<std::string, std::vector<std::string>> apps;
    for (const auto& f : logs_.files) {
      const std::string name = fs::path(f).filename().string();
      apps[name.substr(0, name.find('.'))].push_back(f);
    }
    for (const auto& [app, segments] : apps) {
      std::uint64_t total = 0;
      for (const auto& f : segments)
        total += fs::file_size(f);
      const auto a = static_cast<std::uint64_t>(static_cast<double>(total) * from);
      const auto b = static_cast<std::uint64_t>(static_cast<double>(total) * to);
      std::uint64_t start = 0;  // of this segment in the whole
      for (const auto& f : segments) {
        const std::string data = test::read_all(f);
        const std::uint64_t lo = std::max(a, start);
        const std::uint64_t hi = std::min(b, start + data.size());
        if (lo < hi)
          append(dir_ / fs::path(f).filename(), std::string_view(data).substr(lo - start, hi - lo));
        start += data.size();
      }
    }
  }
  // Whether the server holds every byte written into the site's folder.
  bool holds_all_written(Central& c) const {
    for (const auto& f : logs_.files) {
      const fs::path copy = dir_ / fs::path(f).filename();
      std::error_code ec;
      const std::uint64_t size = fs::file_size(copy, ec);
      if (!ec && c.position(source_of(f)) < size) return false;
    }
    return true;
  }
  std::string source_of(const std::string& file) const {
    return "site1:" + (dir_ / fs::path(file).filename()).string();
  }
  // The server holds every file whole, every event once, the interactions
  // of the files.
  void expect_everything_once(Central& c) {
    for (const auto& f : logs_.files)
      EXPECT_EQ(c.position(source_of(f)), fs::file_size(f)) << f;
    // Quiet: no request or recompute runs beside the checks.
    c.server->stop();
    c.pump.stop();
    for (const auto& s : c.live.metrics().sources)
      c.live.end_text(s.name);
    c.live.recompute(true);
    parse::LogReader reader;
    std::uint64_t events = 0;
    reader.read(logs_.files, [&](model::Event&) { ++events; });
    const auto m = c.live.metrics();
    EXPECT_EQ(m.events, events);
    EXPECT_EQ(m.sources.size(), logs_.files.size());
    for (const auto& s : m.sources)
      EXPECT_EQ(s.malformed, 0u) << s.name;
    // Each interaction as the server answers for it (built from the events
    // it holds), reached from every one it lists; and the listing itself,
    // which incremental rebuilds keep (built on the site facts of their
    // moment, then again on the settled ones).
    test::Grouping got;
    SearchQuery all;
    all.limit = SIZE_MAX;
    for (const auto& hit : c.live.search(all)) {
      const auto built = c.live.build_interaction(hit.interaction.id);
      ASSERT_TRUE(built) << hit.interaction.id;
      const auto& it = built->correlation.interactions[built->interaction];
      auto& [legs, complete] = got.by_id[it.id];
      for (auto leg : it.legs)
        legs.insert(test::lower_case(built->correlation.legs[leg].call_uuid.str()));
      complete = it.complete;
    }
    const auto want = test::file_grouping(logs_.files);
    EXPECT_EQ(got.by_id, want.by_id) << test::difference(got, want);
    const auto listed = test::live_grouping(c.live);
    EXPECT_EQ(listed.by_id, want.by_id) << "the listing: " << test::difference(listed, want);
  }

  test::SimulatedLogs logs_;
  fs::path dir_;
  fs::path err_;
};

TEST_F(Push, KilledMidFileAndStartedAgainSendsTheRestOnce) {
  Central central;
  ASSERT_GT(central.port, 0);
  write_part(0, 0.5);
  {
    PushProcess push(args(central.port, {}), err_);
    ASSERT_TRUE(eventually([&] { return holds_all_written(central); }));
    write_part(0.5, 0.7);
    ASSERT_TRUE(eventually([&] { return holds_all_written(central); }));
    push.stop(SIGKILL);  // no chance to say goodbye
  }
  write_part(0.7, 1.0);
  // Started again: resumes where the server stands, sends the rest, ends the
  // files (they are complete) and exits.
  const fs::path again_err = logs_.dir / "again.err";
  PushProcess again(args(central.port, {"--once", "--final"}), again_err);
  EXPECT_EQ(again.stop(0), 0);
  // Nothing the server had was sent again.
  const std::string said = test::read_all(again_err.string());
  EXPECT_NE(said.find("MB sent (0.0 MB already there)"), std::string::npos) << said;
  expect_everything_once(central);
}

TEST_F(Push, ServerRestartedUnderItGetsEverythingAgain) {
  auto central = std::make_unique<Central>();
  const int port = central->port;
  ASSERT_GT(port, 0);
  write_part(0, 0.4);
  PushProcess push(args(port, {}), err_);
  ASSERT_TRUE(eventually([&] { return holds_all_written(*central); }));
  // The server goes away (without a store, it forgets everything); the
  // logs grow meanwhile; a new server comes up at the same address.
  central.reset();
  write_part(0.4, 1.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // push finds it away
  central = std::make_unique<Central>(port);
  ASSERT_EQ(central->port, port);
  ASSERT_TRUE(eventually([&] { return holds_all_written(*central); }));
  EXPECT_EQ(push.stop(SIGTERM), 0);
  expect_everything_once(*central);
  const std::string err = test::read_all(err_.string());
  EXPECT_NE(err.find("sending again from there"), std::string::npos) << err;
}

TEST_F(Push, TwoPushesOfTheSameFilesDeliverEachByteOnce) {
  Central central;
  ASSERT_GT(central.port, 0);
  write_part(0, 1.0);
  PushProcess a(args(central.port, {"--once", "--final"}), err_);
  PushProcess b(args(central.port, {"--once", "--final"}), err_);
  EXPECT_EQ(a.stop(0), 0);
  EXPECT_EQ(b.stop(0), 0);
  // And once more, after both: nothing new.
  const auto before = central.live.metrics();
  PushProcess c(args(central.port, {"--once", "--final"}), err_);
  EXPECT_EQ(c.stop(0), 0);
  EXPECT_EQ(central.live.metrics().batches, before.batches);
  expect_everything_once(central);
}

TEST_F(Push, BadUrlNothingToSendAndWrongTokenAreTold) {
  write_part(0, 1.0);
  const auto bad = test::run_calltrail("push " + dir_.string() + " --to ftp://x --once");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("should start with http:// or https://"), std::string::npos) << bad.err;

  // Nothing there: said, and exit code 3.
  const auto none = test::run_calltrail("push " + (logs_.dir / "nowhere").string() +
                                        " --to http://127.0.0.1:9 --once");
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("nothing to send"), std::string::npos) << none.err;

  // A wrong token: push says so and keeps trying until it is stopped.
  Central central;
  ASSERT_GT(central.port, 0);
  PushProcess push({dir_.string(), "--to", "http://127.0.0.1:" + std::to_string(central.port),
                    "--token", "wrong", "--once", "--max-retry", "1"},
                   err_);
  ASSERT_TRUE(eventually(
      [&] { return test::read_all(err_.string()).find("HTTP 401") != std::string::npos; }));
  EXPECT_EQ(push.stop(SIGTERM), 3);  // stopped before everything was sent
  EXPECT_TRUE(central.live.metrics().sources.empty());
}

}  // namespace
}  // namespace calltrail::serve
