// calltrail push PATH... --to URL : the site collector. Follows the logs like
// `follow` and sends their text to a central `serve` (POST /api/logs),
// exactly once across restarts of either side (serve/push_client.hpp).
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/live_input.hpp"
#include "calltrail/serve/follower.hpp"
#include "calltrail/serve/push_client.hpp"

namespace calltrail::cli {

namespace {

struct PushCommandOptions {
  std::vector<std::string> paths;
  std::string to;
  std::string token;
  std::optional<std::string> source_prefix;
  bool once = false;
  bool final = false;
  unsigned poll_ms = 200;
  unsigned report_s = 60;
  unsigned max_retry_s = 30;
};

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string megabytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / (1 << 20));
}

void print_status(const serve::Follower& follower, const serve::PushClient& client) {
  const auto& f = follower.stats();
  const auto& p = client.stats();
  fmt::print(stderr,
             "calltrail push: {} files, {} sent ({} already there), {} behind, {} sources "
             "ended, {} failed requests, {} refused batches\n",
             f.files, megabytes(p.sent), megabytes(p.duplicates), megabytes(f.behind), p.ended,
             p.failures, p.refused);
}

int run_push(const PushCommandOptions& o) {
  if (auto error = serve::PushClient::check_url(o.to); !error.empty()) {
    fmt::print(stderr, "calltrail push: --to {}\n", error);
    return kExitUsage;
  }
  if (o.final && !o.once) {
    fmt::print(stderr, "calltrail push: --final applies to --once (logs that are complete)\n");
    return kExitUsage;
  }
  serve::PushOptions po;
  po.url = o.to;
  po.token = o.token;
  if (po.token.empty()) {
    if (const char* t = std::getenv("CALLTRAIL_TOKEN")) po.token = t;
  }
  po.source_prefix = o.source_prefix.value_or(host_name() + ":");
  po.max_retry = std::chrono::seconds(std::max(o.max_retry_s, 1u));
  for (const auto& p : o.paths) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
      fmt::print(stderr, "calltrail push: {} does not exist{}\n", p,
                 o.once ? "" : " yet; it is followed once it appears");
  }

  block_stop_signals();
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    if (wait_for_signal([&] { return !done; })) stop = true;
  });
  serve::PushClient client(
      po, stop, [](const std::string& m) { fmt::print(stderr, "calltrail push: {}\n", m); });
  serve::FollowOptions fo;
  fo.poll = std::chrono::milliseconds(o.poll_ms);
  serve::Follower follower(client, o.paths, fo);
  auto report = [&] {
    for (const auto& m : follower.take_messages())
      fmt::print(stderr, "calltrail {}\n", m);
  };

  int code = kExitOk;
  if (o.once) {
    // Until a pass reads nothing: each pass reads a bounded amount per file.
    while (!stop && follower.poll() > 0) {
    }
    if (o.final && !stop) follower.end_all();
    report();
    print_status(follower, client);
    if (follower.stats().files == 0)
      fmt::print(stderr, "calltrail push: nothing to send: no file under the paths given\n");
    if (stop || follower.stats().files == 0 || follower.stats().behind > 0 ||
        client.refused_sources() > 0)
      code = kExitInput;
  } else {
    const auto every = std::chrono::seconds(o.report_s);
    auto next_report = std::chrono::steady_clock::now() + every;
    while (!stop) {
      follower.poll();
      report();
      if (o.report_s > 0 && std::chrono::steady_clock::now() >= next_report) {
        print_status(follower, client);
        next_report = std::chrono::steady_clock::now() + every;
      }
      for (auto waited = std::chrono::milliseconds(0); waited < fo.poll && !stop;
           waited += std::chrono::milliseconds(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    print_status(follower, client);
  }
  done = true;
  waiter.join();
  return code;
}

}  // namespace

void add_push_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PushCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "push",
      "The site collector: follow logs like `follow` (new segments, rotation, truncation,\n"
      "files that appear later) and send their text to a central `calltrail serve`\n"
      "(POST /api/logs), in order and exactly once: a restart resumes where the server\n"
      "stands, and while the server is away push waits and tries again. Closed segments\n"
      "are marked complete. A status line with what is behind goes to stderr.\n"
      "Runs until SIGINT or SIGTERM (docs/deploy.md).");
  cmd->add_option("paths", o->paths, "Log files or folders (recursive)")->required();
  cmd->add_option("--to", o->to, "The server's URL, e.g. http://central:8080")->required();
  cmd->add_option("--token", o->token,
                  "Send 'Authorization: Bearer TOKEN' (default: $CALLTRAIL_TOKEN)");
  cmd->add_option("--source-prefix", o->source_prefix,
                  "Put this before each file's path to name its source on the server, so that "
                  "sites with the same paths stay apart (default: HOSTNAME:)");
  cmd->add_flag("--once", o->once,
                "Send what the logs hold now and exit (3 when something could not be sent, or "
                "there was nothing to send)");
  cmd->add_flag("--final", o->final,
                "With --once: the logs are complete; mark every file ended, the newest segments "
                "too, so that their last messages are read");
  cmd->add_option("--poll", o->poll_ms, "How often the logs are checked, in ms")
      ->check(CLI::Range(10u, 60'000u))
      ->capture_default_str();
  cmd->add_option("--report", o->report_s, "Seconds between status lines on stderr (0: none)")
      ->capture_default_str();
  cmd->add_option("--max-retry", o->max_retry_s,
                  "Longest wait, in seconds, between tries while the server is away")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_push(*o); });
}

}  // namespace calltrail::cli
