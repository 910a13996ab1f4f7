// Reads log inputs and collects every file into a FilePartial, on several
// threads (each with its own parse::LogReader), then builds the correlation.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/reach.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::correlate {

struct CollectOptions {
  unsigned threads = 0;  // 0: one per core, at most one per file
  parse::ReadOptions read;
  bool index_keys = false;  // also fill Collected::keys (for build_for_id)
  CollectMode mode = CollectMode::Full;
  const IdProbe* probe = nullptr;  // for CollectMode::Scan
  bool checkpoints = false;        // also fill Collected::checkpoints
  bool facts = false;              // also fill Collected::facts
  // CollectMode::Scan: the bytes between two events of a leg that end a
  // stretch of it (LegStretch).
  std::uint64_t stretch_gap = LegStretch::kGap;
  // Called now and then from the reading threads (at once, so it must be
  // thread-safe) with the bytes read so far and in all, and once at the end
  // with both equal. Bytes of compressed files count as their size on disk.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct Collected {
  std::vector<parse::FileInfo> files;  // by global file index (the expanded path order)
  std::vector<FilePartial> partials;   // partials[i].file == i
  std::vector<KeyIndex> keys;          // by file, with CollectOptions::index_keys
  // By file, with CollectOptions::checkpoints: where a parse of it can start.
  std::vector<std::vector<parse::ParserCheckpoint>> checkpoints;
  // By file, with CollectOptions::facts: facts_partial() of each partial (a
  // scan with index_keys hands its IS-Link observations over to them).
  std::vector<FilePartial> facts;
  base::Diagnostics diagnostics;
  std::vector<parse::InputError> input_errors;
};

// Expands `paths` (folders recursively) and collects every file.
Collected collect(std::span<const std::string> paths, const CollectOptions& options);

// How long reading the file of `size` bytes takes, in bytes of canonical
// text: T-Library attribute lines (TAB first) cost about twice a line of
// other text, so the share of them in the first 64 KB weighs the size.
// collect() reads the costliest files first, so that its threads finish
// close together.
double read_cost(const std::string& path, std::uintmax_t size);

// collect() then build_correlation().
struct Loaded {
  Correlation correlation;
  base::Diagnostics diagnostics;
  std::vector<parse::InputError> input_errors;
};
Loaded load(std::span<const std::string> paths, const CollectOptions& collect_options,
            const BuildOptions& build_options);

}  // namespace calltrail::correlate
