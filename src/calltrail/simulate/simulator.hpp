// `calltrail simulate`: writes multi-site T-Server / SIP Server logs whose
// right answer is known, and that answer as truth.json. Output streams to
// disk; memory is bounded by the number of calls in progress, not by size.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "calltrail/simulate/options.hpp"
#include "calltrail/simulate/truth.hpp"

namespace calltrail::simulate {

inline constexpr int kGeneratorVersion = 2;

struct Progress {
  std::uint64_t bytes = 0;         // log bytes written so far (uncompressed)
  std::uint64_t interactions = 0;  // interactions generated so far
  double fraction = 0;             // 0..1 of the requested volume
};
using ProgressFn = std::function<void(const Progress&)>;

struct SimulateResult {
  std::string error;  // empty on success; otherwise what went wrong, with the path
  std::uint64_t bytes = 0;
  std::uint64_t interactions = 0;
  std::uint64_t events = 0;
  std::vector<TruthSite> sites;
};

// Fills defaults (sites, the unmonitored site a scenario needs, start) and
// checks that the options can be honoured. Returns an error message or "".
std::string finalize_options(SimulateOptions& options);

// Writes the logs and truth.json into options.out_dir (created if missing).
// Calls finalize_options first. Same options, same bytes.
SimulateResult simulate(SimulateOptions options, const ProgressFn& progress = {});

}  // namespace calltrail::simulate
