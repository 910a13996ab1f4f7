// `calltrail follow PATH... --db URL`: keeps a store current with logs that
// grow, rotate and appear, through store::follow; the store remembers the
// positions, so a follower stopped or killed at any moment continues where it
// stopped when started again.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace calltrail::cli {

struct FollowStoreOptions {
  std::vector<std::string> paths;
  std::string db;
  unsigned poll_ms = 1000;
  bool once = false;  // one round, then return
  // Print a JSON line on stdout for each round that stored something and
  // name unreadable paths and malformed records on stderr (follow). serve
  // leaves both to its live follower and reports store errors only.
  bool report_rounds = true;
  std::string command = "follow";  // names the messages on stderr
};

// Follows until `stop` is set. Each round that stored something prints one
// JSON line on stdout ({"round":…,"parts":…,"events":…,…}); problems go to
// stderr once each (see `report_rounds`). Returns the exit code.
int run_follow_store(const FollowStoreOptions& options, const std::atomic<bool>& stop);

}  // namespace calltrail::cli
