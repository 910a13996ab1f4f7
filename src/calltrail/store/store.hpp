// The store: parts of log files (legs, IS-Link observations, orphan events,
// summaries) in a SQLite file or a PostgreSQL database, an index from every
// identifier to its legs, and site facts computed over everything stored.
// Queries rebuild FilePartials from the rows and run build_correlation, so
// they answer as the files would. See docs/storage.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/recordings/manifest.hpp"
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

// A source pushed to `calltrail serve --db` (JSON events or raw log text
// from a site collector). Its parts live under a file row of its own
// (status 2, path = the source name), so queries see its events as those of
// a file of that name.
struct SourceRow {
  std::string name;
  std::int64_t kind = 0;   // serve::SourceKind
  std::int64_t file = 0;   // its file row
  std::uint64_t next = 0;  // the next byte or event number expected
  bool ended = false;      // a text source that takes no more text
  // Text sources: the bytes from `resume_offset` to `next`, received but
  // not yet in a part (the last record may still be growing).
  std::string pending;
  std::uint64_t resume_offset = 0;
  std::optional<ResumeState> resume;
  parse::FileInfo info;
  std::uint64_t events = 0;  // events in its parts
};

// Identifier-index entries already written for the legs of one file, by
// CallUUID: a later leg-part of the same leg then adds only its CallUUID (by
// which a query reaches every leg-part) and identifiers new to the leg.
using WrittenKeys = std::unordered_map<std::string, std::vector<std::int64_t>>;

// What serve commits after an accepted batch, in one transaction.
struct SourceCommit {
  std::int64_t file = 0;
  std::string name;
  std::uint64_t next = 0;
  bool ended = false;
  std::string_view pending;
  // The events collected since the last commit (none: the position only).
  const correlate::FilePartial* part = nullptr;
  std::uint64_t start_offset = 0;  // the part's range
  std::uint64_t end_offset = 0;
  std::uint64_t resume_offset = 0;
  std::string resume_state;  // encode_resume()
  const parse::FileInfo* info = nullptr;
  // Optional: the source's written keys, used and kept up to date (a leg's
  // entry is forgotten once it has seen EventCallDeleted).
  WrittenKeys* written = nullptr;
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
  // Site names given to ingest (--site-name FILE=app@switch), kept in the
  // store: refresh_facts() and load_all() name sites by them, after what the
  // logs say (site_names.cpp).
  std::vector<correlate::SiteOverride> site_names();
  // Keeps `names` too (a FILE named again takes the new name); true when
  // that changed what is kept (the site facts are then out of date).
  bool add_site_names(std::span<const correlate::SiteOverride> names);

  // --- sources pushed to serve ----------------------------------------
  std::vector<SourceRow> sources();
  // A new source with its file row; throws DbError when it exists.
  SourceRow add_source(const std::string& name, std::int64_t kind);
  // For each source: the part and the file row's resume state (when there is
  // a part) and its position; all in one transaction.
  void commit_sources(std::span<const SourceCommit> commits);
  // Everything stored of one file, its parts merged as one pass over it
  // (references to file index `index`).
  correlate::FilePartial load_file_partial(std::int64_t file, std::uint32_t index);

  // --- recordings given to serve (store_recordings.cpp) ---------------
  // Keeps `recordings` in one transaction; one with a recording id already
  // kept replaces it (and keeps its place in the order).
  void put_recordings(std::span<const recordings::Recording> recordings);
  // Every recording kept, in the order they first arrived.
  std::vector<recordings::Recording> recordings();

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
