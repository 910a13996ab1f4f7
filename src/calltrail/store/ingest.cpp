#include "calltrail/store/ingest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/io/byte_source.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "calltrail/store/codec.hpp"

namespace calltrail::store {

namespace {

constexpr std::size_t kHeadBytes = 4096;
constexpr std::size_t kChunk = 1 << 20;

std::int64_t content_hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(h);
}

struct Probe {
  std::uint64_t size = 0;
  bool gz = false;
  std::string head;  // the first kHeadBytes bytes (fewer in a small file)
  std::string error;
};

Probe probe(const std::string& path) {
  Probe p;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    p.error = std::strerror(errno);
    return p;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    p.error = "not a regular file";
    ::close(fd);
    return p;
  }
  p.size = static_cast<std::uint64_t>(st.st_size);
  p.head.resize(std::min<std::uint64_t>(p.size, kHeadBytes));
  std::size_t got = 0;
  while (got < p.head.size()) {
    const ssize_t n =
        ::pread(fd, p.head.data() + got, p.head.size() - got, static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  p.head.resize(got);
  ::close(fd);
  p.gz = io::is_gzip(p.head);
  return p;
}

bool same_head(const Probe& p, const FileRow& r) {
  return r.head_len <= static_cast<std::int64_t>(p.head.size()) &&
         content_hash(std::string_view(p.head).substr(0, static_cast<std::size_t>(r.head_len))) ==
             r.head_hash;
}

// Writes parts on a thread of its own, so that the next part is parsed while
// the last one is written. At most two parts wait; a failed write is thrown
// again to the reading thread at its next push() or at finish().
class PartWriter {
 public:
  // `store` is a connection of the writer's own.
  PartWriter(std::unique_ptr<Store> store, const IngestOptions& options, IngestStats& stats)
      : store_(std::move(store)), options_(options), stats_(stats), thread_([this] { loop(); }) {}
  ~PartWriter() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  void push(PartWrite w, std::string path) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < 2 || error_; });
    if (error_) std::rethrow_exception(error_);
    queue_.push_back({std::move(w), std::move(path)});
    changed_.notify_all();
  }
  // Waits until every part is written.
  void finish() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return (queue_.empty() && !busy_) || error_; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void loop() {
    for (;;) {
      std::pair<PartWrite, std::string> job;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty() || error_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
      }
      try {
        if (!store_->write_part(job.first)) {
          throw DbError(job.second + " was written by another ingest at the same time; run again",
                        false);
        }
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        busy_ = false;
        changed_.notify_all();
        return;
      }
      ++stats_.parts;
      ++commits_;
      if (options_.after_commit) options_.after_commit(commits_);
      {
        std::lock_guard lock(mutex_);
        busy_ = false;
      }
      changed_.notify_all();
    }
  }

  std::unique_ptr<Store> store_;
  const IngestOptions& options_;
  IngestStats& stats_;
  std::uint64_t commits_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<PartWrite, std::string>> queue_;
  bool busy_ = false;
  bool closing_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

class FileIngest {
 public:
  FileIngest(Store& store, const IngestOptions& options, IngestResult& result,
             IngestProgress& progress, std::chrono::steady_clock::time_point start,
             PartWriter& writer)
      : store_(store),
        options_(options),
        result_(result),
        progress_(progress),
        start_(start),
        writer_(writer) {}

  struct Planned {
    std::string path;
    Probe probe;
    FileRow row;
  };

  // Finds the file's row (before any part is written, so that the writer's
  // connection is the only one writing while files are read).
  std::optional<Planned> plan(const std::string& path) {
    Probe p = probe(path);
    if (!p.error.empty()) {
      result_.input_errors.push_back({path, p.error});
      return std::nullopt;
    }
    ++result_.stats.files;
    std::optional<FileRow> row = identify(path, p);
    if (!row) {
      progress_.bytes_done += p.size;
      return std::nullopt;
    }
    return Planned{path, std::move(p), std::move(*row)};
  }

  void run(Planned& f) { read(f.path, f.probe, f.row); }

 private:
  // What the store has read of a file not read again in this run.
  void keep_info(parse::FileInfo info, const std::string& path) {
    info.path = path;
    result_.files.push_back(std::move(info));
  }

  // The file's row, continued or new; nullopt when there is nothing to read.
  std::optional<FileRow> identify(const std::string& path, const Probe& p) {
    const auto head_len = static_cast<std::int64_t>(p.head.size());
    const std::int64_t head_hash = content_hash(p.head);
    if (auto row = store_.active_file(path)) {
      const bool same =
          same_head(p, *row) && p.gz == row->gz &&
          p.size >= static_cast<std::uint64_t>(row->size) &&
          (!p.gz || p.size == static_cast<std::uint64_t>(row->size) || row->size == 0);
      if (same) {
        if (p.size == static_cast<std::uint64_t>(row->size) && (row->size > 0 || p.size == 0) &&
            (row->open_part || row->resume_offset == row->size)) {
          ++result_.stats.unchanged;
          keep_info(row->info, path);
          return std::nullopt;
        }
        ++result_.stats.grown;
        return row;
      }
      store_.retire_file(row->id);
      ++result_.stats.replaced;
    } else {
      for (FileRow& known : store_.files_with_head(head_hash)) {
        if (known.head_len != head_len || known.gz != p.gz) continue;
        if (p.size < static_cast<std::uint64_t>(known.size)) continue;
        const Probe there = probe(known.path);
        if (there.error.empty() && same_head(there, known) && known.path != path) {
          // The same content under both paths (a copy): stored once.
          ++result_.stats.unchanged;
          keep_info(known.info, path);
          return std::nullopt;
        }
        store_.set_file_path(known.id, path);
        known.path = path;
        known.info.path = path;
        ++result_.stats.moved;
        if (p.size == static_cast<std::uint64_t>(known.size)) {
          keep_info(known.info, path);
          return std::nullopt;
        }
        return known;
      }
    }
    FileRow row;
    row.id = store_.add_file(path, head_len, head_hash, p.gz);
    row.path = path;
    row.head_len = head_len;
    row.head_hash = head_hash;
    row.gz = p.gz;
    row.info.path = path;
    ++result_.stats.new_files;
    return row;
  }

  void read(const std::string& path, const Probe& p, FileRow& row) {
    // Plain files are read from the resume offset; gzip files are
    // decompressed from the start and the bytes before it skipped.
    io::OpenOutcome opened =
        io::open_source_at(path, static_cast<std::uint64_t>(row.resume_offset));
    if (!opened.source) {
      result_.input_errors.push_back({path, opened.error});
      return;
    }
    io::ByteSource& source = *opened.source;
    parse::FileInfo info = row.info;
    info.path = path;
    std::uint64_t max_emitted = 0;
    bool emitted = false;
    std::optional<correlate::FileCollector> collector;
    if (row.resume) {
      collector.emplace(0, row.resume->collector);
    } else {
      collector.emplace(0);
    }
    const parse::EventCallback sink = [&](model::Event& e) {
      collector->add(e);
      max_emitted = std::max(max_emitted, e.where.offset);
      emitted = true;
      ++progress_.events;
      ++result_.stats.events;
    };
    parse::LogParser parser(info, 0, result_.diagnostics, sink);
    parser.read_as(correlate::collector_read({}));
    if (row.resume) parser.resume(row.resume->parser);

    // The file row as this run last wrote it (the optimistic check).
    std::uint64_t part_start = static_cast<std::uint64_t>(row.resume_offset);
    std::string part_state = row.resume ? encode_resume(*row.resume) : std::string{};
    std::optional<std::int64_t> open_part = row.open_part;
    std::uint64_t fed = part_start;
    std::uint64_t fed_since_cut = 0;

    auto commit = [&](correlate::FilePartial partial, std::uint64_t end, std::uint64_t resume,
                      std::string state, bool open) {
      PartWrite w;
      w.file = row.id;
      w.start_offset = part_start;
      w.end_offset = end;
      w.partial = std::move(partial);
      w.resume_offset = resume;
      w.resume_state = state;
      w.size = open ? p.size : end;
      if (p.gz) w.size = open ? p.size : 0;
      w.info = info;
      w.open = open;
      w.expect_resume_offset = part_start;
      w.expect_open_part = open_part;
      writer_.push(std::move(w), path);
      open_part.reset();
      part_start = resume;
      part_state = std::move(state);
    };
    // Closes the part at the parser's latest record boundary when no event
    // from beyond it was handed out yet.
    auto try_cut = [&]() {
      const parse::ParserCheckpoint& cp = parser.checkpoint();
      if (cp.offset <= part_start || (emitted && max_emitted >= cp.offset)) return false;
      correlate::FilePartial partial = collector->cut();
      ResumeState state{cp, collector->carry()};
      emitted = false;
      max_emitted = 0;
      fed_since_cut = 0;
      commit(std::move(partial), cp.offset, cp.offset, encode_resume(state), false);
      return true;
    };

    std::string buffer(std::min<std::uint64_t>(kChunk, options_.part_bytes), '\0');
    for (;;) {
      io::ReadOutcome r = source.read(buffer.data(), buffer.size());
      if (!r.error.empty()) {
        result_.input_errors.push_back({path, r.error});
        break;
      }
      if (r.size == 0) break;
      parser.feed(std::string_view(buffer.data(), r.size));
      fed += r.size;
      fed_since_cut += r.size;
      progress_.bytes_done += r.size;
      result_.stats.bytes += r.size;
      if (fed_since_cut >= options_.part_bytes) try_cut();
      if (options_.progress) {
        progress_.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        options_.progress(progress_);
      }
    }
    if (fed > part_start) try_cut();
    // The last record may still be growing: it goes into an open part that a
    // later run replaces, reading again from the boundary before it.
    parser.finish();
    const std::uint64_t resume = part_start;
    std::string state = part_state;
    commit(collector->cut(), std::max(fed, part_start), resume, std::move(state), true);
    result_.files.push_back(std::move(info));
  }

  Store& store_;
  const IngestOptions& options_;
  IngestResult& result_;
  IngestProgress& progress_;
  std::chrono::steady_clock::time_point start_;
  PartWriter& writer_;
};

}  // namespace

IngestResult ingest(Store& store, std::span<const std::string> paths,
                    const IngestOptions& options) {
  IngestResult result;
  const auto start = std::chrono::steady_clock::now();
  const bool renamed = !options.site_names.empty() && store.add_site_names(options.site_names);
  std::vector<std::string> files = parse::expand_paths(paths, result.input_errors);
  IngestProgress progress;
  for (const auto& f : files) {
    if (f == "-") continue;
    std::error_code ec;
    progress.bytes_total += std::filesystem::file_size(f, ec);
  }
  PartWriter writer(std::make_unique<Store>(open_database(store.db().url())), options,
                    result.stats);
  FileIngest one(store, options, result, progress, start, writer);
  std::vector<FileIngest::Planned> planned;
  for (const auto& f : files) {
    if (f == "-") {
      result.input_errors.push_back({f, "ingest reads files, not standard input"});
      continue;
    }
    if (auto p = one.plan(f)) planned.push_back(std::move(*p));
  }
  for (auto& p : planned)
    one.run(p);
  writer.finish();
  if (result.stats.parts > 0 || renamed) store.refresh_facts();
  result.stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace calltrail::store
