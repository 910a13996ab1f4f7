// Ingesting log files into a store, exactly once: each file is read from
// where the store says it stopped (a record boundary, with the parser's and
// the collector's state saved there), in parts of about `part_bytes`; each
// part is written with the file's new position in one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::store {

struct IngestProgress {
  std::uint64_t bytes_done = 0;   // bytes read in this run
  std::uint64_t bytes_total = 0;  // bytes to read in this run (known files' new bytes)
  std::uint64_t events = 0;
  double seconds = 0;
};

struct IngestOptions {
  std::uint64_t part_bytes = 64 << 20;
  // Site names to keep in the store (Store::add_site_names).
  std::vector<correlate::SiteOverride> site_names;
  // Called after each chunk read (at most every few hundred ms is up to the
  // caller).
  std::function<void(const IngestProgress&)> progress;
  // Called on the writer thread after each committed part, with the parts
  // committed so far: a point where the caller knows what the store holds
  // (crash tests end or stop the process there).
  std::function<void(std::uint64_t commits)> after_commit;
};

struct IngestStats {
  std::uint64_t files = 0;
  std::uint64_t new_files = 0;
  std::uint64_t grown = 0;      // continued from where the store stopped
  std::uint64_t unchanged = 0;  // nothing new
  std::uint64_t replaced = 0;   // rotated, truncated or rewritten under the same path
  std::uint64_t moved = 0;      // a known file found under another path
  std::uint64_t bytes = 0;
  std::uint64_t events = 0;
  std::uint64_t parts = 0;
  double seconds = 0;
};

struct IngestResult {
  IngestStats stats;
  base::Diagnostics diagnostics;
  std::vector<parse::InputError> input_errors;
  // Each file found under the paths, as far as the store has read it (in
  // this run or before): what the caller needs to name the files that are
  // not logs (parse::is_log).
  std::vector<parse::FileInfo> files;
};

IngestResult ingest(Store& store, std::span<const std::string> paths, const IngestOptions& options);

}  // namespace calltrail::store
