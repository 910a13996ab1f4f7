// calltrail serve [PATH...] : the live HTTP API and web page over followed
// logs and pushed events (docs/http-api.md).
#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "calltrail/base/secrets.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/follow_store.hpp"
#include "calltrail/cli/live_input.hpp"
#include "calltrail/serve/follower.hpp"
#include "calltrail/serve/http_server.hpp"
#include "calltrail/serve/store_live_store.hpp"

namespace calltrail::cli {

namespace {

struct ServeOptions {
  LiveInput input;
  std::string listen = "127.0.0.1:8080";
  std::string token;
  std::size_t retain_raw_mb = 64;
  std::size_t max_body_mb = 64;
  std::string db;  // pushed sources (and followed paths) kept in this store
  unsigned retention_s = 3600;
  std::vector<std::string> allow_hosts;
  std::size_t max_header_kb = 8;
  std::size_t max_sources = 1000;
  std::size_t max_recordings = 100'000;
  std::uint64_t max_source_mb = 16384;
  std::string access_log;  // a file, or - for stderr
};

int run_serve(const ServeOptions& o, const Seams& seams) {
  auto live_opts = live_options(o.input, "serve");
  if (!live_opts) return kExitUsage;
  live_opts->retain_raw_bytes = o.retain_raw_mb << 20;
  live_opts->retention = std::chrono::seconds(o.retention_s);
  live_opts->max_sources = o.max_sources;
  live_opts->max_recordings = o.max_recordings;
  live_opts->max_source_bytes = o.max_source_mb << 20;
  serve::ServerOptions server_opts;
  const auto colon = o.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    try {
      std::size_t used = 0;
      port = std::stoi(o.listen.substr(colon + 1), &used);
      if (used != o.listen.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    fmt::print(stderr, "calltrail serve: --listen '{}' should look like HOST:PORT (PORT 0: any)\n",
               o.listen);
    return kExitUsage;
  }
  server_opts.host = o.listen.substr(0, colon);
  server_opts.port = port;
  server_opts.token = o.token;
  if (server_opts.token.empty()) {
    if (const char* t = std::getenv("CALLTRAIL_TOKEN")) server_opts.token = t;
  }
  server_opts.max_body = o.max_body_mb << 20;
  server_opts.max_header = std::max<std::size_t>(o.max_header_kb, 1) << 10;
  server_opts.allow_hosts = o.allow_hosts;
  server_opts.followed = o.input.paths;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> access_log(nullptr, &std::fclose);
  if (!o.access_log.empty()) {
    std::FILE* out = stderr;
    if (o.access_log != "-") {
      access_log.reset(std::fopen(o.access_log.c_str(), "a"));
      if (!access_log) {
        fmt::print(stderr, "calltrail serve: cannot open the access log {}: {}\n", o.access_log,
                   std::strerror(errno));
        return kExitInput;
      }
      out = access_log.get();
    }
    server_opts.access_log = [out](std::string_view line) {
      fmt::print(out, "{}\n", line);
      std::fflush(out);
    };
  }

  block_stop_signals();
  std::signal(SIGPIPE, SIG_IGN);  // a client or stderr gone away is not a reason to die
  // --db: pushed sources are committed to the store before each batch is
  // acknowledged, and resumed from it at start.
  std::unique_ptr<serve::LiveStore> store;
  if (o.db.empty()) {
    store = std::make_unique<serve::MemoryLiveStore>();
  } else {
    try {
      auto durable = std::make_unique<serve::StoreLiveStore>(o.db);
      if (seams.serve_commit) durable->after_commit = seams.serve_commit;
      store = std::move(durable);
    } catch (const std::exception& e) {
      fmt::print(stderr, "calltrail serve: cannot open the store {}: {}\n",
                 base::redact_secrets(o.db), base::redact_secrets(e.what()));
      return kExitInput;
    }
  }
  serve::LiveCorrelation live(*live_opts, store.get());
  if (!o.db.empty()) {
    try {
      const std::size_t n = live.restore();
      if (n > 0) {
        // What was complete before the restart is not kept in memory.
        const std::size_t evicted =
            live.evict(std::chrono::steady_clock::now() + live_opts->retention);
        fmt::print(stderr,
                   "calltrail serve: resumed {} pushed sources from {} ({} complete "
                   "interactions left in the store)\n",
                   n, base::redact_secrets(o.db), evicted);
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "calltrail serve: cannot read the store {}: {}\n",
                 base::redact_secrets(o.db), base::redact_secrets(e.what()));
      return kExitInput;
    }
  }
  serve::UpdatePump pump(live);
  serve::HttpServer server(live, pump, server_opts);
  const int bound = server.start();
  if (bound < 0) {
    fmt::print(stderr, "calltrail serve: cannot listen on {}\n", o.listen);
    return kExitInput;
  }
  fmt::print(stderr, "calltrail serve: listening on http://{}:{}/{}\n", server_opts.host, bound,
             server_opts.token.empty() ? "" : " (bearer token required)");
  std::fflush(stderr);

  std::atomic<bool> stop{false};
  std::thread follow_thread;
  std::unique_ptr<serve::Follower> follower;
  if (!o.input.paths.empty()) {
    serve::FollowOptions fo;
    fo.poll = std::chrono::milliseconds(o.input.poll_ms);
    follower = std::make_unique<serve::Follower>(live, o.input.paths, fo);
    follow_thread = std::thread([&] {
      follower->run(stop, [&] {
        pump.notify();
        for (const auto& m : follower->take_messages())
          fmt::print(stderr, "calltrail serve: {}\n", m);
      });
    });
  }
  // --db: the same paths are ingested into the store, which keeps its own
  // positions (a restart continues there; the live state reads the files again).
  std::thread store_thread;
  if (!o.db.empty() && !o.input.paths.empty()) {
    store_thread = std::thread([&] {
      FollowStoreOptions fs;
      fs.paths = o.input.paths;
      fs.db = o.db;
      fs.poll_ms = std::max(o.input.poll_ms, 1000u);
      fs.report_rounds = false;
      fs.command = "serve";
      run_follow_store(fs, stop);
    });
  }
  int code = kExitOk;
  if (wait_for_signal([&] {
        live.evict();
        return !live.store_error();
      })) {
    fmt::print(stderr, "calltrail serve: stopping\n");
  } else {
    // The live state is ahead of the store: stop, so that a restart resumes
    // from what was committed (collectors resend the rest).
    fmt::print(stderr, "calltrail serve: {} ({}); stopping\n",
               base::redact_secrets(*live.store_error()), base::redact_secrets(o.db));
    code = kExitInput;
  }
  stop = true;
  if (follow_thread.joinable()) follow_thread.join();
  if (store_thread.joinable()) store_thread.join();
  server.stop();
  pump.stop();
  return code;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code, const Seams& seams) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the live correlation over HTTP: search, interactions as JSON and SVG, a web page,\n"
      "POST of events and log text from site collectors, and a stream of updates (SSE).\n"
      "PATHs are followed like tail -F. Runs until SIGINT or SIGTERM (docs/http-api.md).\n\n"
      "Examples:\n"
      "  calltrail serve logs/ --listen 127.0.0.1:8080       # then open http://127.0.0.1:8080/\n"
      "  calltrail serve --listen 0.0.0.0:8080 --token \"$(cat token)\" --db calltrail.db");
  cmd->add_option("paths", o->input.paths, "Log files or folders to follow (optional)");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (PORT 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--token", o->token,
                  "Require 'Authorization: Bearer TOKEN' on every endpoint but /health "
                  "(?token=TOKEN on the page and /api/updates only; default: $CALLTRAIL_TOKEN). "
                  "Without a token, Host and Origin are checked (--allow-host)");
  cmd->add_option("--retain-raw", o->retain_raw_mb,
                  "MB of pushed raw text kept for the raw-lines endpoint")
      ->capture_default_str();
  cmd->add_option("--max-body", o->max_body_mb, "Largest request body accepted, in MB (413)")
      ->capture_default_str();
  cmd->add_option("--allow-host", o->allow_hosts,
                  "Without --token, a name (besides the listening address, localhost, "
                  "127.0.0.1 and [::1]) that requests may carry in Host and pages may POST "
                  "from (Origin); repeatable. Others get 403")
      ->allow_extra_args(false);
  cmd->add_option("--max-header-kb", o->max_header_kb,
                  "Largest request line and headers, in KB (431 past it)")
      ->capture_default_str();
  cmd->add_option("--max-sources", o->max_sources,
                  "Most pushed sources taken (429 for one more; 0: no limit)")
      ->capture_default_str();
  cmd->add_option("--max-recordings", o->max_recordings,
                  "Most recordings held (POST /api/recordings; records past it are left out, "
                  "each said with its line; 0: no limit)")
      ->capture_default_str();
  cmd->add_option("--max-source-mb", o->max_source_mb,
                  "Most MB of log text or events JSON one pushed source may send in all (413 "
                  "past it; 0: no limit)")
      ->capture_default_str();
  cmd->add_option("--access-log", o->access_log,
                  "Write one line per request to FILE (appended) or - (stderr); tokens are "
                  "never written");
  cmd->add_option("--db", o->db,
                  "Keep pushed events in this store (a SQLite file or postgresql://...) and "
                  "resume from it at start; followed PATHs are ingested into it as by follow "
                  "--db. trace, interactions and sites --db read it");
  cmd->add_option("--retention", o->retention_s,
                  "Complete interactions whose calls ended and that did not change for this "
                  "many seconds (of the logs' time, the newest event time taken, or of wall-clock "
                  "time, whichever passes first) leave memory: with --db they are answered from "
                  "the store, without it they are forgotten (0: keep everything)")
      ->capture_default_str();
  add_live_input_options(cmd, o->input);
  cmd->callback([o, &exit_code, &seams] { exit_code = run_serve(*o, seams); });
}

}  // namespace calltrail::cli
