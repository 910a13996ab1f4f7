// The log files of one site: segments named <app>.<YYYYMMDD_HHMMSS_mmm>.log
// (.log.gz with gzip), each opened with its header, rolled over by size (and
// before a segment spans half a day, so that time-only lines stay datable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/base/time.hpp"
#include "calltrail/simulate/options.hpp"

namespace calltrail::simulate {

class SiteLog {
 public:
  // `layout` is Spaces or Tab (Auto is resolved by the caller).
  SiteLog(const SiteSpec& site, HeaderLayout layout, std::string dir, std::uint64_t segment_size,
          bool gzip);
  ~SiteLog();
  SiteLog(const SiteLog&) = delete;
  SiteLog& operator=(const SiteLog&) = delete;

  // Appends one record (complete lines) logged at the site's clock time
  // `logged_utc`. Returns false on an I/O error (see error()).
  bool write(base::Micros logged_utc, std::string_view text);
  bool close();

  const std::vector<std::string>& files() const { return files_; }
  std::uint64_t bytes() const { return bytes_; }  // uncompressed, all segments
  const std::string& error() const { return error_; }

 private:
  bool open_segment(base::Micros logged_utc);
  bool flush_buffer();
  std::string header(base::Micros logged_utc, const std::string& name) const;

  SiteSpec site_;
  HeaderLayout layout_;
  base::Micros process_start_ = -1;  // UTC on the site's clock, whole seconds
  std::string dir_;
  std::uint64_t segment_size_;
  bool gzip_;
  std::vector<std::string> files_;
  std::string buffer_;
  std::uint64_t bytes_ = 0;
  std::uint64_t segment_bytes_ = 0;
  base::Micros segment_start_local_ = 0;
  std::string last_stamp_;
  struct Sink;
  std::unique_ptr<Sink> sink_;
  std::string error_;
};

}  // namespace calltrail::simulate
