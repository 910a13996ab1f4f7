// calltrail follow PATH... : tails every log like tail -F and prints the
// interaction updates as JSON lines; with --db, keeps a store current instead.
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/follow_store.hpp"
#include "calltrail/cli/live_input.hpp"
#include "calltrail/serve/follower.hpp"
#include "calltrail/serve/update_pump.hpp"

namespace calltrail::cli {

namespace {

struct FollowCommandOptions {
  LiveInput input;
  bool once = false;
  std::string db;
};

// --db: the store remembers the positions (store::follow), so a restart
// continues where the last run stopped.
int run_follow_db(const FollowCommandOptions& o) {
  if (!o.input.sites.empty() || o.input.merge_hints) {
    fmt::print(stderr,
               "calltrail follow: --site and --merge-hints apply to the updates printed without "
               "--db; with --db, name sites and merge hints when reading the store\n");
    return kExitUsage;
  }
  FollowStoreOptions fs;
  fs.paths = o.input.paths;
  fs.db = o.db;
  fs.poll_ms = o.input.poll_ms;
  fs.once = o.once;
  block_stop_signals();
  std::atomic<bool> stop{false};
  if (o.once) return run_follow_store(fs, stop);
  std::thread waiter([&stop] {
    wait_for_signal();
    stop = true;
  });
  const int code = run_follow_store(fs, stop);
  waiter.join();
  return code;
}

void print_updates(const std::vector<serve::Update>& updates) {
  std::string out;
  for (const auto& u : updates) {
    out += serve::update_json(u);
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

int run_follow(const FollowCommandOptions& o) {
  if (!o.db.empty()) return run_follow_db(o);
  auto live_opts = live_options(o.input, "follow");
  if (!live_opts) return kExitUsage;
  block_stop_signals();
  serve::MemoryLiveStore store;
  serve::LiveCorrelation live(*live_opts, &store);
  serve::FollowOptions fo;
  fo.poll = std::chrono::milliseconds(o.input.poll_ms);
  serve::Follower follower(live, o.input.paths, fo);
  auto report = [&] {
    for (const auto& m : follower.take_messages())
      fmt::print(stderr, "calltrail {}\n", m);
  };
  for (const auto& p : o.input.paths) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec))
      fmt::print(stderr, "calltrail follow: {} does not exist{}\n", p,
                 o.once ? "" : " yet; it is followed once it appears");
  }
  if (o.once) {
    follower.poll();
    for (const auto& s : live.metrics().sources)
      live.end_text(s.name);
    print_updates(live.recompute(true));
    report();
    return live.metrics().sources.empty() ? kExitInput : kExitOk;
  }
  serve::UpdatePump pump(live);
  pump.on_updates(print_updates);
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    follower.run(stop, [&] {
      pump.notify();
      report();
    });
  });
  wait_for_signal();
  stop = true;
  poller.join();
  pump.flush();
  pump.stop();
  return kExitOk;
}

}  // namespace

void add_follow_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FollowCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "follow",
      "Follow growing logs like tail -F (new segments, rotation by rename, truncation, files\n"
      "that appear later) and print every interaction update as a JSON line: created,\n"
      "leg_added, linked, completed, merged, updated. Runs until SIGINT or SIGTERM.\n\n"
      "Examples:\n"
      "  calltrail follow /var/log/genesys/ --site-name tserver/=Tserver2@Avaya_Switch1\n"
      "  calltrail follow /var/log/genesys/ --db calltrail.db   # keep a store current");
  cmd->add_option("paths", o->input.paths, "Log files or folders (recursive)")->required();
  cmd->add_flag("--once", o->once, "Read what is there now, print the updates and exit");
  cmd->add_option("--db", o->db,
                  "Keep this store current instead of printing updates (a SQLite file or "
                  "postgresql://...): each round ingests what the logs gained, exactly once, and "
                  "prints a JSON line of what it stored; a restart continues from the store");
  add_live_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_follow(*o); });
}

}  // namespace calltrail::cli
