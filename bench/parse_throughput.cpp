// bench_parse PATH...: parses logs into events (no output) and prints one
// line of figures: bytes, seconds, MB/s, events, events/s, peak RSS.
// bench/parse-bench runs it beside rg and grep over the same files.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "calltrail/parse/log_reader.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_parse PATH...\n");
    return 2;
  }
  std::vector<std::string> paths(argv + 1, argv + argc);
  calltrail::parse::LogReader reader;
  std::uint64_t events = 0, attributes = 0;
  const auto start = std::chrono::steady_clock::now();
  reader.read(paths, [&](calltrail::model::Event& e) {
    ++events;
    attributes += e.fields().size();
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::uint64_t bytes = 0;
  for (const auto& f : reader.files())
    bytes += f.bytes;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "bytes=%llu seconds=%.3f mb_per_s=%.1f events=%llu fields=%llu events_per_s=%.0f "
      "malformed=%llu peak_rss_mb=%.1f\n",
      static_cast<unsigned long long>(bytes), seconds, bytes / seconds / 1e6,
      static_cast<unsigned long long>(events), static_cast<unsigned long long>(attributes),
      events / seconds, static_cast<unsigned long long>(reader.diagnostics().count()),
      usage.ru_maxrss / 1024.0);
  return reader.input_errors().empty() ? 0 : 3;
}
