// Reads log inputs (files, folders, .gz, standard input) into T-Library
// events, one file after the other, in file order. Memory stays bounded by the
// chunk size and the longest line kept, whatever the size of the input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/checkpoint.hpp"
#include "calltrail/parse/message_builder.hpp"
#include "calltrail/parse/sip_message.hpp"

namespace calltrail::parse {

// What a file's header (or its name) says about it, and what was read.
struct FileInfo {
  std::string path;                          // as given or found in a folder; "-" for stdin
  std::string app;                           // "Application name:" or the file name's <app> part
  std::string app_type;                      // "Application type:"
  std::string host;                          // "Host name:"
  std::optional<model::Micros> local_start;  // "Local time:" (or the file name's date)
  std::optional<model::Micros> utc_start;    // "Start time (UTC):"
  // The site's offset (local - UTC, seconds): from the header when it gives
  // one, else derived from the first event carrying both a UTC stamp and a
  // dated local time.
  std::optional<std::int32_t> utc_offset;
  bool utc_offset_from_header = false;
  std::uint64_t bytes = 0;  // bytes read (after decompression)
  std::uint64_t lines = 0;
  std::uint64_t events = 0;
  std::uint64_t malformed = 0;
  std::uint64_t timed_lines = 0;  // lines that begin with a record time
};

// Whether what was read of a file makes it a log: a T-Library or SIP message,
// a header (a header-only segment is a log without events), or lines that
// begin with a record time (a URS or other Genesys trace without messages). Anything
// else — a JSON file, a binary, an empty file — names no site; the commands
// say it is not a log (it is not malformed input: no record was misread).
bool is_log(const FileInfo& info);

// A path that could not be read at all (missing, unreadable, corrupt .gz).
struct InputError {
  std::string path;
  std::string message;
};

struct ReadOptions {
  std::size_t chunk_size = 1 << 20;
  // Lines longer than this are cut (the tail is kept, since junk glued before
  // a record ends with the record) and reported.
  std::size_t max_line = 16 << 20;
  // Whether each message's emitter, peer, thread and version are read from
  // its header line; a reader that looks at none of them (correlate's
  // collectors, which read the logs of every command but `events`) is
  // spared the work. Everything else, the diagnostics too, is the same.
  bool header_details = true;
  // How much of each SIP message is read (SipDetail); the messages, their
  // extent and the diagnostics are the same at every level.
  SipDetail sip_detail = SipDetail::Whole;
  // How much of a T-Library message's attributes is kept (TlibDetail); the
  // messages, their extent and the diagnostics are the same at every level.
  TlibDetail tlib_detail = TlibDetail::Whole;
};

using EventCallback = std::function<void(model::Event&)>;

class LogReader {
 public:
  explicit LogReader(ReadOptions options = {});

  // Expands folders (recursively, sorted by name) and reads every file; calls
  // `sink` for each event, in the order of the input. Event::where.file_index
  // indexes files().
  void read(std::span<const std::string> paths, const EventCallback& sink);
  // Reads one already expanded path (a file, .gz or "-"). With
  // `checkpoints`, appends a parser checkpoint after every chunk that moved
  // it, so that a range of the file can be parsed again (reparse_range).
  void read_file(const std::string& path, const EventCallback& sink,
                 std::vector<ParserCheckpoint>* checkpoints = nullptr);

  const std::vector<FileInfo>& files() const { return files_; }
  const base::Diagnostics& diagnostics() const { return diagnostics_; }
  const std::vector<InputError>& input_errors() const { return input_errors_; }

 private:
  ReadOptions options_;
  std::vector<FileInfo> files_;
  base::Diagnostics diagnostics_;
  std::vector<InputError> input_errors_;
};

// Parses `path` again from `from` (a checkpoint its earlier read took) up to
// the first event that starts after byte `last`, or its end; `info` is what
// that read said of the file. Problems are not reported (the first read did).
// Returns an error message, or empty.
std::string reparse_range(const std::string& path, FileInfo info, std::uint32_t file_index,
                          const ParserCheckpoint& from, std::uint64_t last,
                          const EventCallback& sink, const ReadOptions& options = {});

// Expands folders recursively (sorted) into regular files; "-" stays "-".
// Paths that do not exist are reported in `errors`.
std::vector<std::string> expand_paths(std::span<const std::string> paths,
                                      std::vector<InputError>& errors);

}  // namespace calltrail::parse
