// Reading pushed events: serve::read_event_json (what `POST /api/events`
// does per line) against nlohmann::json::parse of the same lines (a JSON
// tree and nothing else), in the same run, on events-json lines written by
// `calltrail events`.
//
//   bench_events_json FILE.jsonl [RUNS]
//
// Prints the median of RUNS passes over every line for each reader and the
// ratio; exits 1 when a line is rejected.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calltrail/serve/event_reader.hpp"

namespace {

template <typename F>
double median_seconds(int runs, F&& pass) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_events_json FILE.jsonl [RUNS]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::ifstream in(argv[1]);
  std::vector<std::string> lines;
  std::size_t bytes = 0;
  for (std::string l; std::getline(in, l);) {
    bytes += l.size() + 1;
    lines.push_back(std::move(l));
  }
  if (lines.empty()) {
    std::fprintf(stderr, "bench_events_json: no lines in %s\n", argv[1]);
    return 2;
  }
  calltrail::model::Event e;
  std::size_t rejected = 0;
  const double ours = median_seconds(runs, [&] {
    for (const auto& l : lines)
      rejected += calltrail::serve::read_event_json(l, e).empty() ? 0 : 1;
  });
  std::size_t keys = 0;
  const double tree = median_seconds(runs, [&] {
    for (const auto& l : lines)
      keys += nlohmann::json::parse(l, nullptr, false).size();
  });
  const double mb = static_cast<double>(bytes) / 1e6;
  const double n = static_cast<double>(lines.size());
  std::printf("%zu lines, %.1f MB, median of %d\n", lines.size(), mb, runs);
  std::printf("read_event_json      %.3f s  %7.0f MB/s  %9.0f events/s\n", ours, mb / ours,
              n / ours);
  std::printf("nlohmann::json::parse %.3f s  %7.0f MB/s  %9.0f events/s  (%zu keys)\n", tree,
              mb / tree, n / tree, keys);
  std::printf("ratio nlohmann / read_event_json: %.1f\n", tree / ours);
  if (rejected > 0) {
    std::fprintf(stderr, "bench_events_json: %zu lines rejected\n", rejected);
    return 1;
  }
  return 0;
}
