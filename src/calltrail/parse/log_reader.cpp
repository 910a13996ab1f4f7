#include "calltrail/parse/log_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "calltrail/io/byte_source.hpp"
#include "calltrail/parse/log_parser.hpp"

namespace calltrail::parse {

namespace fs = std::filesystem;

std::vector<std::string> expand_paths(std::span<const std::string> paths,
                                      std::vector<InputError>& errors) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    if (path == "-") {
      out.push_back(path);
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      errors.push_back({path, ec ? ec.message() : "no such file or folder"});
      continue;
    }
    if (fs::is_regular_file(status)) {
      out.push_back(path);
      continue;
    }
    if (!fs::is_directory(status)) {
      // A FIFO or a device would block or never end: its content can come
      // on standard input instead.
      errors.push_back({path, std::string(io::kNotRegularFile)});
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code fec;
      if (it->is_regular_file(fec)) found.push_back(it->path().string());
    }
    if (ec) errors.push_back({path, ec.message()});
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

bool is_log(const FileInfo& info) {
  return info.events > 0 || !info.app.empty() || !info.app_type.empty() || !info.host.empty() ||
         info.local_start || info.utc_start || info.utc_offset_from_header || info.timed_lines > 0;
}

LogReader::LogReader(ReadOptions options) : options_(options) {
  if (options_.chunk_size == 0) options_.chunk_size = 1;
}

void LogReader::read(std::span<const std::string> paths, const EventCallback& sink) {
  for (const std::string& path : expand_paths(paths, input_errors_))
    read_file(path, sink);
}

void LogReader::read_file(const std::string& path, const EventCallback& sink,
                          std::vector<ParserCheckpoint>* checkpoints) {
  io::OpenOutcome opened = io::open_source(path);
  if (!opened.source) {
    input_errors_.push_back({path, opened.error});
    return;
  }
  const auto index = static_cast<std::uint32_t>(files_.size());
  files_.push_back({});
  // Stays valid while this file is read: nothing else is added to files_ meanwhile,
  // and the sink may look the file up by Event::where.file_index.
  FileInfo& info = files_.back();
  info.path = path;
  LogParser parser(info, index, diagnostics_, sink, options_.max_line);
  parser.read_as(options_);
  std::string buffer(options_.chunk_size, '\0');
  for (;;) {
    io::ReadOutcome r = opened.source->read(buffer.data(), buffer.size());
    if (!r.error.empty()) {
      input_errors_.push_back({path, r.error});
      break;
    }
    if (r.size == 0) break;
    parser.feed(std::string_view(buffer.data(), r.size));
    if (checkpoints != nullptr &&
        (checkpoints->empty() || checkpoints->back().offset < parser.checkpoint().offset)) {
      checkpoints->push_back(parser.checkpoint());
    }
  }
  parser.finish();
}

std::string reparse_range(const std::string& path, FileInfo info, std::uint32_t file_index,
                          const ParserCheckpoint& from, std::uint64_t last,
                          const EventCallback& sink, const ReadOptions& options) {
  io::OpenOutcome opened = io::open_source_at(path, from.offset);
  if (!opened.source) return opened.error;
  base::Diagnostics ignored;
  bool past = false;
  const EventCallback until = [&](model::Event& e) {
    if (e.where.offset > last) {
      past = true;
      return;
    }
    sink(e);
  };
  // From the start, the file's facts are read again as the first time.
  if (from.offset == 0) {
    FileInfo fresh;
    fresh.path = std::move(info.path);
    info = std::move(fresh);
  }
  LogParser parser(info, file_index, ignored, until, options.max_line);
  parser.read_as(options);
  if (from.offset > 0) parser.resume(from);
  std::string buffer(std::max<std::size_t>(options.chunk_size, 1), '\0');
  while (!past) {
    io::ReadOutcome r = opened.source->read(buffer.data(), buffer.size());
    if (!r.error.empty()) return r.error;
    if (r.size == 0) break;
    parser.feed(std::string_view(buffer.data(), r.size));
  }
  if (!past) parser.finish();
  return {};
}

}  // namespace calltrail::parse
