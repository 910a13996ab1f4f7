#include "calltrail/simulate/site_log.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "calltrail/base/ascii.hpp"

namespace calltrail::simulate {

namespace {

constexpr std::size_t kBufferSize = 1 << 20;
// A segment never spans more than this much local time, so that a reader can
// date its time-only lines from the header without ambiguity.
constexpr base::Micros kMaxSegmentSpan = 12 * 3600 * base::kMicrosPerSecond;

// The standard name of a UTC offset (seconds east) as Windows names zones in
// the header's "Time zone:"; its daylight name replaces "Standard" by "Daylight".
std::string zone_name(std::int32_t offset) {
  struct Zone {
    std::int32_t offset;
    std::string_view name;
  };
  static constexpr Zone kZones[] = {
      {-10 * 3600, "Hawaiian Standard Time"},
      {-9 * 3600, "Alaskan Standard Time"},
      {-8 * 3600, "Pacific Standard Time"},
      {-7 * 3600, "Mountain Standard Time"},
      {-6 * 3600, "Central Standard Time"},
      {-5 * 3600, "Eastern Standard Time"},
      {-4 * 3600, "Atlantic Standard Time"},
      {-3 * 3600, "E. South America Standard Time"},
      {0, "GMT Standard Time"},
      {3600, "W. Europe Standard Time"},
      {2 * 3600, "E. Europe Standard Time"},
      {3 * 3600, "Russian Standard Time"},
      {4 * 3600, "Arabian Standard Time"},
      {5 * 3600, "Pakistan Standard Time"},
      {19800, "India Standard Time"},
      {7 * 3600, "SE Asia Standard Time"},
      {8 * 3600, "China Standard Time"},
      {9 * 3600, "Tokyo Standard Time"},
      {10 * 3600, "AUS Eastern Standard Time"},
      {12 * 3600, "New Zealand Standard Time"},
  };
  for (const auto& z : kZones)
    if (z.offset == offset) return std::string(z.name);
  const std::int32_t a = offset < 0 ? -offset : offset;
  return fmt::format("UTC{}{:02}:{:02} Standard Time", offset < 0 ? '-' : '+', a / 3600,
                     a / 60 % 60);
}

std::string daylight_name(std::string name) {
  if (const auto at = name.rfind("Standard"); at != std::string::npos)
    name.replace(at, 8, "Daylight");
  return name;
}

// "0:01:02:03": days, hours, minutes, seconds.
std::string running_time(base::Micros elapsed) {
  const auto secs = elapsed / base::kMicrosPerSecond;
  return fmt::format("{}:{:02}:{:02}:{:02}", secs / 86400, secs / 3600 % 24, secs / 60 % 60,
                     secs % 60);
}

}  // namespace

struct SiteLog::Sink {
  std::FILE* file = nullptr;
  gzFile gz = nullptr;
};

SiteLog::SiteLog(const SiteSpec& site, HeaderLayout layout, std::string dir,
                 std::uint64_t segment_size, bool gzip)
    : site_(site), layout_(layout), dir_(std::move(dir)), segment_size_(segment_size), gzip_(gzip) {
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
  if (process_start_ < 0) process_start_ = logged_utc - logged_utc % base::kMicrosPerSecond;
  const std::string header =
      this->header(logged_utc, name.substr(0, name.size() - (gzip_ ? 3 : 0)));
  buffer_ += header;
  bytes_ += header.size();
  segment_bytes_ += header.size();
  return true;
}

// SIP Server 8.x: labels padded so that values start at column 19 (but
// "Host info:", one space short, as the real header has it), the process's
// start and running time, the full path of the segment; SIP Servers on
// Windows, T-Servers on Linux. The Tab layout is the shorter form other
// copies show. Both carry the segment's first time on the site's clock.
std::string SiteLog::header(base::Micros logged_utc, const std::string& name) const {
  const base::Micros local = logged_utc + base::Micros{site_.utc_offset} * base::kMicrosPerSecond;
  const bool sip = site_.kind == ServerKind::SipServer;
  if (layout_ == HeaderLayout::Tab) {
    return fmt::format(
        "Application name:\t{}\nApplication type:\t{}\nHost name:\t{}\nLocal time:\t{}\n"
        "Start time (UTC):\t{}\nTime zone:\t{}\nFile:\t({:04}) {}\n",
        site_.app, sip ? "SIPServer" : "TServer", site_.host, base::format_local(local, true, 3),
        base::format_local(logged_utc, true, 3), -site_.utc_offset, files_.size(), name);
  }
  const std::string zone = zone_name(site_.utc_offset);
  const std::string command =
      sip ? fmt::format(
                "D:\\gcti_apps\\{0}\\sip_server.exe -host cfgserver1 -port 2020 -app {0} "
                "-service TSrv{0} -l 7260@10.1.2.9 ",
                site_.app)
          : fmt::format(
                "/genesys/apps/{0}/{1} -host cfgserver1 -port 2020 -app {0} -l 7260@10.1.2.9",
                site_.app, "tserver");
  const std::string path =
      sip ? fmt::format("D:\\gcti_logs\\{}\\{}", site_.app, name)
          : fmt::format("/genesys/logs/{}/{}", base::ascii_lower(site_.app), name);
  return fmt::format(
      "Application name: {}\n"
      "Application type: TServer (1)\n"
      "Command line:     {}\n"
      "Host name:        {}\n"
      "DST:              TZ = 0, timeb = 0\n"
      "Time zone:        {}, {}, {}\n"
      "UTC time:         {}\n"
      "Local time:       {}\n"
      "Start time (UTC): {}\n"
      "Running time:     {}\n"
      "Host info:       {}\n"
      "File:             ({}) {}\n"
      "\n",
      site_.app, command, site_.host, -site_.utc_offset, zone, daylight_name(zone),
      base::format_local(logged_utc, true, 3), base::format_local(local, true, 3),
      base::format_local(process_start_, true, 0), running_time(logged_utc - process_start_),
      sip ? "Windows Server 2019 Standard (17763.rs5_release.180914-1434.5830)"
          : "Linux 3.10.0-1160.el7.x86_64 (Red Hat Enterprise Linux Server 7.9)",
      files_.size(), path);
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
