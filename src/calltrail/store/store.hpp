// The store: parts of log files (legs, IS-Link observations, orphan events,
// summaries) in a SQLite file or a PostgreSQL database, an index from every
// identifier to its legs, and site facts computed over everything stored.
// Queries rebuild FilePartials from the rows and run build_correlation, so
// they answer as the files would. See docs/storage.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/store/database.hpp"
#include "calltrail/store/records.hpp"

namespace calltrail::store {

// A file's row.
struct FileRow {
  std::int64_t id = 0;
  std::string path;
  std::int64_t head_len = 0;
  std::int64_t head_hash = 0;
  std::int64_t size = 0;
  bool gz = false;
  std::int64_t resume_offset = 0;
  std::optional<ResumeState> resume;
  std::optional<std::int64_t> open_part;
  parse::FileInfo info;
};

// One part of a file ready to be written: its byte range and what was
// collected from it (file index 0 in the partial's references).
struct PartWrite {
  std::int64_t file = 0;
  std::uint64_t start_offset = 0;
  std::uint64_t end_offset = 0;
  correlate::FilePartial partial;
  // The file row after this part.
  std::uint64_t resume_offset = 0;
  std::string resume_state;  // encode_resume()
  std::uint64_t size = 0;    // bytes of the file covered
  parse::FileInfo info;
  bool open = false;  // replaced when the file is read further
  // Optimistic check: the file row must still say this.
  std::uint64_t expect_resume_offset = 0;
  std::optional<std::int64_t> expect_open_part;
};

struct LoadStats {
  std::uint64_t legs = 0;  // leg rows read
  bool whole = false;      // everything was loaded
};

class Store {
 public:
  explicit Store(std::unique_ptr<Database> db);
  Database& db() { return *db_; }

  // --- ingest ---------------------------------------------------------
  std::optional<FileRow> active_file(const std::string& path);
  // Active or replaced files whose first `head_len` bytes hash to `head_hash`.
  std::vector<FileRow> files_with_head(std::int64_t head_hash);
  std::int64_t add_file(const std::string& path, std::int64_t head_len, std::int64_t head_hash,
                        bool gz);
  void set_file_path(std::int64_t id, const std::string& path);
  void retire_file(std::int64_t id);  // the path now holds another file
  // Writes a part and moves the file row on, in one transaction; false when
  // another process moved the file row first (nothing is written then).
  bool write_part(const PartWrite& w);
  // Site names and clock offsets over everything stored.
  void refresh_facts();

  // --- queries --------------------------------------------------------
  // Everything.
  correlate::Correlation load_all(const correlate::BuildOptions& options, LoadStats* stats);
  // The legs an identifier reaches through links (with the store's site
  // facts); nullopt when the store has no facts yet or the closure is too big
  // (then load_all answers).
  std::optional<correlate::Correlation> load_for_id(std::string_view id,
                                                    const correlate::BuildOptions& options,
                                                    LoadStats* stats);

 private:
  struct Loader;
  std::unique_ptr<Database> db_;
};

}  // namespace calltrail::store
