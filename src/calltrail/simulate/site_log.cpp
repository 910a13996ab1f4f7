#include "calltrail/simulate/site_log.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace calltrail::simulate {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
// A segment never spans more than this much local time, so that a reader can
// date its time-only lines from the header without ambiguity.
constexpr base::Micros kMaxSegmentSpan = 12 * 3600 * base::kMicrosPerSecond;

}  // namespace

struct SiteLog::Sink {
  std::FILE* file = nullptr;
  gzFile gz = nullptr;
};

SiteLog::SiteLog(const SiteSpec& site, std::string dir, std::uint64_t segment_size, bool gzip)
    : site_(site), dir_(std::move(dir)), segment_size_(segment_size), gzip_(gzip) {
  buffer_.reserve(kBufferSize + 64 * 1024);
}

SiteLog::~SiteLog() {
  close();
}

bool SiteLog::flush_buffer() {
  if (buffer_.empty() || !sink_) return true;
  bool ok = true;
  if (sink_->gz) {
    ok = gzwrite(sink_->gz, buffer_.data(), static_cast<unsigned>(buffer_.size())) ==
         static_cast<int>(buffer_.size());
  } else {
    ok = std::fwrite(buffer_.data(), 1, buffer_.size(), sink_->file) == buffer_.size();
  }
  buffer_.clear();
  if (!ok) {
    error_ = fmt::format("cannot write {}/{}: {}", dir_, files_.back(), std::strerror(errno));
  }
  return ok;
}

bool SiteLog::close() {
  if (!sink_) return error_.empty();
  bool ok = flush_buffer();
  if (sink_->gz) {
    ok = gzclose(sink_->gz) == Z_OK && ok;
  } else {
    ok = std::fclose(sink_->file) == 0 && ok;
  }
  sink_.reset();
  if (!ok && error_.empty()) error_ = fmt::format("cannot close {}/{}", dir_, files_.back());
  return ok;
}

bool SiteLog::open_segment(base::Micros logged_utc) {
  if (!close()) return false;
  const base::Micros local = logged_utc + base::Micros{site_.utc_offset} * base::kMicrosPerSecond;
  const auto date = base::civil_from_days(local / base::kMicrosPerDay);
  const auto in_day = local % base::kMicrosPerDay;
  const auto secs = in_day / base::kMicrosPerSecond;
  std::string stamp =
      fmt::format("{:04}{:02}{:02}_{:02}{:02}{:02}_{:03}", date.year, date.month, date.day,
                  secs / 3600, secs / 60 % 60, secs % 60, in_day % base::kMicrosPerSecond / 1000);
  if (stamp <= last_stamp_) stamp = last_stamp_ + "a";  // same millisecond: keep names unique
  last_stamp_ = stamp;
  std::string name = fmt::format("{}.{}.log{}", site_.app, stamp, gzip_ ? ".gz" : "");
  const std::string path = dir_ + "/" + name;
  auto sink = std::make_unique<Sink>();
  if (gzip_) {
    sink->gz = gzopen(path.c_str(), "wb1");
    if (sink->gz) gzbuffer(sink->gz, 256 * 1024);
  } else {
    sink->file = std::fopen(path.c_str(), "wb");
  }
  if (!sink->gz && !sink->file) {
    error_ = fmt::format("cannot create {}: {}", path, std::strerror(errno));
    return false;
  }
  sink_ = std::move(sink);
  files_.push_back(name);
  segment_bytes_ = 0;
  segment_start_local_ = local;
  const auto header = fmt::format(
      "Application name:\t{}\nApplication type:\t{}\nHost name:\t{}\nLocal time:\t{}\n"
      "Start time (UTC):\t{}\nTime zone:\t{}\nFile:\t({:04}) {}\n",
      site_.app, site_.kind == ServerKind::SipServer ? "SIPServer" : "TServer", site_.host,
      base::format_local(local, true, 3), base::format_local(logged_utc, true, 3),
      -site_.utc_offset, files_.size(), name.substr(0, name.size() - (gzip_ ? 3 : 0)));
  buffer_ += header;
  bytes_ += header.size();
  segment_bytes_ += header.size();
  return true;
}

bool SiteLog::write(base::Micros logged_utc, std::string_view text) {
  if (!error_.empty()) return false;
  const base::Micros local = logged_utc + base::Micros{site_.utc_offset} * base::kMicrosPerSecond;
  if (!sink_ || segment_bytes_ >= segment_size_ ||
      local - segment_start_local_ >= kMaxSegmentSpan) {
    if (!open_segment(logged_utc)) return false;
  }
  buffer_ += text;
  bytes_ += text.size();
  segment_bytes_ += text.size();
  if (buffer_.size() >= kBufferSize) return flush_buffer();
  return true;
}

}  // namespace calltrail::simulate
