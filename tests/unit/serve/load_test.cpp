// A bounded load test: `calltrail serve` in its own process, this process
// pushing simulated events on loopback as a site collector for a fixed time;
// afterwards every event the server acknowledged is counted once, and the
// server stops cleanly on SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../bench/live_load.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;

struct ServerProcess {
  pid_t pid = -1;
  int port = -1;
  int stderr_fd = -1;  // kept open until the server ends
};

// Starts `calltrail serve --listen 127.0.0.1:0` and reads the port it prints.
ServerProcess start_server() {
  ServerProcess p;
  int err[2];
  if (::pipe(err) != 0) return p;
  p.pid = ::fork();
  if (p.pid == 0) {
    ::dup2(err[1], 2);
    ::close(err[0]);
    ::close(err[1]);
    ::execl(CALLTRAIL_BINARY, CALLTRAIL_BINARY, "serve", "--listen", "127.0.0.1:0",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(err[1]);
  std::string text;
  char buf[256];
  for (ssize_t n;
       text.find('\n') == std::string::npos && (n = ::read(err[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  p.stderr_fd = err[0];
  const auto at = text.find("127.0.0.1:");
  if (at != std::string::npos) p.port = std::atoi(text.c_str() + at + 10);
  return p;
}

TEST(Load, EveryAcknowledgedEventCountedOnce) {
  auto logs = test::simulate_logs("load", "--interactions 5000 --seed 17 --sites 4");
  const auto sources = load::prepare(logs.files);
  std::uint64_t available = 0;
  for (const auto& s : sources)
    available += s.lines.size();

  ServerProcess server = start_server();
  ASSERT_GT(server.pid, 0);
  ASSERT_GT(server.port, 0) << "calltrail serve did not print its port";
  load::Options o;
  o.port = server.port;
  o.seconds = 3;
  o.batch = 100;
  o.connections = 4;
  const load::Result r = load::run(sources, o);

  httplib::Client c("127.0.0.1", server.port);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  const auto metrics = nlohmann::json::parse(m->body);
  EXPECT_EQ(r.failures, 0u);
  EXPECT_GT(r.sent, 0u);
  EXPECT_EQ(r.accepted, r.sent);  // nothing acknowledged twice
  EXPECT_EQ(metrics["events"], r.sent);
  EXPECT_GT(r.created, 0u);
  if (r.sent == available) {
    // Everything went out in time: the interactions are those of the files,
    // in memory or gone with the retention (hours of logs are pushed in
    // seconds, and the retention counts the logs' time).
    EXPECT_EQ(metrics["interactions"].get<std::size_t>() +
                  metrics["evicted_interactions"].get<std::size_t>(),
              test::file_grouping(logs.files).by_id.size());
  }
  ASSERT_EQ(::kill(server.pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(server.pid, &status, 0), server.pid);
  ::close(server.stderr_fd);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  fs::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
