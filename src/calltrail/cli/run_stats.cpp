#include "calltrail/cli/run_stats.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>
#include <iterator>

#include "calltrail/cli/progress.hpp"

namespace calltrail::cli {

namespace {

constexpr std::size_t kNameWidth = 34;

void step_line(std::string& out, unsigned depth, std::string_view name, double seconds,
               std::string_view note) {
  const std::string label = std::string(2 + 2 * depth, ' ') + std::string(name);
  fmt::format_to(std::back_inserter(out), "{:<{}} {:>8.3f} s{}{}\n", label, kNameWidth, seconds,
                 note.empty() ? "" : "  ", note);
}

}  // namespace

std::string format_stats(const RunStats& stats, std::string_view command, std::uint64_t peak_kib) {
  std::string out = fmt::format("calltrail {}: where the time went (--stats)\n", command);
  const base::StepTimes& t = stats.times;
  t.walk([&](const base::StepTimes::Step& s, unsigned depth) {
    std::string note;
    if (depth == 0 && s.name == "read" && stats.files > 0) {
      note = fmt::format("{} in {} file{}", megabytes(stats.bytes), stats.files,
                         stats.files == 1 ? "" : "s");
      if (s.seconds > 0)
        note += fmt::format(", {:.0f} MB/s", static_cast<double>(stats.bytes) / 1e6 / s.seconds);
    } else if (depth == 0 && s.name == "build") {
      note = fmt::format("{} leg{}, {} interaction{}", stats.legs, stats.legs == 1 ? "" : "s",
                         stats.interactions, stats.interactions == 1 ? "" : "s");
    }
    if (s.runs > 1) note += fmt::format("{}{} runs", note.empty() ? "" : ", ", s.runs);
    step_line(out, depth, s.name, s.seconds, note);
  });
  const double total = t.elapsed();
  const double rest = total > t.top_seconds() ? total - t.top_seconds() : 0.0;
  step_line(out, 0, "the rest (matching, output)", rest, "");
  step_line(out, 0, "total", total, fmt::format("peak memory {}", megabytes(peak_kib * 1024)));
  return out;
}

std::uint64_t peak_memory_kib() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss);
}

StatsReport::~StatsReport() {
  if (!wanted_) return;
  std::fflush(stdout);
  const std::string report = format_stats(stats_, command_, peak_memory_kib());
  std::fputs(report.c_str(), stderr);
}

}  // namespace calltrail::cli
