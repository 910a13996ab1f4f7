#include "calltrail/cli/follow_store.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/secrets.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/store/follow.hpp"

namespace calltrail::cli {

int run_follow_store(const FollowStoreOptions& options, const std::atomic<bool>& stop) {
  store::FollowOptions fo;
  fo.interval = std::chrono::milliseconds(options.poll_ms);
  if (options.once) fo.max_rounds = 1;
  std::set<std::string> told;  // problems already printed
  auto tell = [&](const std::string& message) {
    if (told.insert(message).second)
      fmt::print(stderr, "calltrail {}: {}\n", options.command, message);
  };
  bool failed = false;
  store::follow(options.db, options.paths, fo, stop, [&](const store::FollowRound& r) {
    if (r.error) {
      failed = true;
      tell(fmt::format("store {}: {}; retrying (what was committed is kept)",
                       base::redact_secrets(options.db), base::redact_secrets(*r.error)));
      return;
    }
    if (failed) {
      failed = false;
      told.clear();
      fmt::print(stderr, "calltrail {}: store {} is back\n", options.command,
                 base::redact_secrets(options.db));
    }
    if (!options.report_rounds) return;
    for (const auto& e : r.result.input_errors)
      tell(fmt::format("cannot read {}: {}", e.path, e.message));
    for (const auto& p : r.result.diagnostics.first())
      tell(fmt::format("{}:{}: {}: {}", p.file, p.line, p.code, p.message));
    const auto& s = r.result.stats;
    if (s.parts == 0) return;
    std::string line;
    base::JsonWriter w(line);
    w.begin_object()
        .field("round", r.round)
        .field("files", s.files)
        .field("new_files", s.new_files)
        .field("grown", s.grown)
        .field("replaced", s.replaced)
        .field("moved", s.moved)
        .field("parts", s.parts)
        .field("events", s.events)
        .field("bytes", s.bytes)
        .end_object();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  });
  return failed ? kExitInput : kExitOk;
}

}  // namespace calltrail::cli
