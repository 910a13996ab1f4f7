// `--stats`: where a command's time went, printed on stderr at its end: the
// reading (bytes and rate), the build's steps, the rest (matching and the
// output), and the peak memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calltrail/base/step_times.hpp"

namespace calltrail::cli {

struct RunStats {
  base::StepTimes times;
  std::uint64_t bytes = 0;  // bytes read, after decompression
  std::size_t files = 0;
  std::size_t legs = 0;
  std::size_t interactions = 0;
};

// The step times of `stats`, or null without them.
inline base::StepTimes* times_of(RunStats* stats) {
  return stats != nullptr ? &stats->times : nullptr;
}

// The report: one line a step, indented by depth, then the rest and the total.
std::string format_stats(const RunStats& stats, std::string_view command, std::uint64_t peak_kib);

// The peak resident memory of this process so far, in KiB.
std::uint64_t peak_memory_kib();

// Holds a command's RunStats when --stats was given, and prints them on
// stderr when the command ends, whichever way it ends.
class StatsReport {
 public:
  StatsReport(bool wanted, std::string_view command) : wanted_(wanted), command_(command) {}
  ~StatsReport();
  StatsReport(const StatsReport&) = delete;
  StatsReport& operator=(const StatsReport&) = delete;

  // What the loaders fill in, or null without --stats.
  RunStats* get() { return wanted_ ? &stats_ : nullptr; }

 private:
  bool wanted_;
  std::string command_;
  RunStats stats_;
};

}  // namespace calltrail::cli
