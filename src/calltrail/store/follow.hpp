// Following growing logs through the store: ingest the same paths again and
// again, like tail -F. Each round is an ordinary exactly-once ingest (grown
// files continue from the position stored with their last part; rotated,
// truncated and new files are recognised), so a follower killed at any
// moment and started again continues with nothing lost and nothing stored
// twice: the store, not the process, remembers the positions.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "calltrail/store/ingest.hpp"

namespace calltrail::store {

struct FollowOptions {
  // Pause between the end of one round and the start of the next.
  std::chrono::milliseconds interval{1000};
  // Pause before opening the store again after it failed (connection lost).
  std::chrono::milliseconds retry{2000};
  // Stop after this many rounds; 0: until `stop` is set.
  std::uint64_t max_rounds = 0;
  IngestOptions ingest;
};

struct FollowRound {
  std::uint64_t round = 0;
  IngestResult result;
  // Set when the store could not be opened, read or written this round;
  // the next round opens it again and continues from what was committed.
  std::optional<std::string> error;

  // Whether the round has anything to tell: parts stored, malformed
  // records, unreadable paths or an error.
  bool eventful() const {
    return error || result.stats.parts > 0 || result.diagnostics.count() > 0 ||
           !result.input_errors.empty();
  }
};

// Runs rounds until `stop` is set (checked between rounds and while
// waiting); `on_round` is called after every round.
void follow(const std::string& url, std::span<const std::string> paths,
            const FollowOptions& options, const std::atomic<bool>& stop,
            const std::function<void(const FollowRound&)>& on_round);

}  // namespace calltrail::store
