// `trace ID` over files without keeping every leg's events.
//
// The files are first collected in CollectMode::Scan with an IdProbe and
// parser checkpoints: every leg's link keys, byte span and stretches, every
// IS-Link observation and every summary, but no events. The legs the
// identifier reaches are found in those, then only they are collected again
// in full, by parsing each file in their stretches (LegStretch), each from
// the checkpoint before its first event to its last, and built with the site
// facts of the scan. The answer is the one the
// whole build gives. See docs/correlation.md "What trace builds".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "calltrail/correlate/collect.hpp"

namespace calltrail::correlate {

// How collect() should read for build_for_id_rescan().
CollectOptions scan_options(CollectOptions options, const IdProbe& probe);

struct RescanResult {
  // The reached legs built with the site facts; find_interactions() on it
  // answers as on the whole build. nullopt when the identifier reaches more
  // than RescanOptions::max_share of the legs or a file cannot be read again (standard
  // input): the caller then collects and builds everything.
  std::optional<Correlation> correlation;
  // The sites the scan found, and when nothing matched the legs it found (one
  // per site and CallUUID, as a whole build merges them): what a reply that
  // nothing matched says. When something matched, the legs of `correlation`.
  std::size_t legs = 0;
  std::size_t sites = 0;
};

struct RescanOptions {
  parse::ReadOptions read;
  unsigned threads = 0;  // files read again in parallel; 0: one per core
  // Called now and then, from any thread, with the bytes read again so far
  // and in all (as CollectOptions::progress), and once at the end.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  double max_share = 1.0;
};

// Takes `scanned.facts`.
RescanResult build_for_id_rescan(Collected& scanned, const BuildOptions& options,
                                 std::string_view id, const RescanOptions& rescan = {});

}  // namespace calltrail::correlate
