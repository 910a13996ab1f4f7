// bench_simulate [--size BYTES] [--runs N] [--style tab|spaces|flat] [--gzip] DIR:
// generates DIR N times with the default sites and scenarios and prints one
// line per run and a median line: bytes, seconds, MB/s (uncompressed log
// bytes written per second), interactions, peak RSS.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "calltrail/simulate/simulator.hpp"

int main(int argc, char** argv) {
  namespace sim = calltrail::simulate;
  sim::SimulateOptions options;
  options.target_bytes = 256ULL << 20;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) {
      const auto bytes = sim::parse_byte_size(argv[++i]);
      if (!bytes) return std::fprintf(stderr, "bad --size\n"), 2;
      options.target_bytes = *bytes;
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--style" && i + 1 < argc) {
      const std::string s = argv[++i];
      options.style = s == "flat"     ? sim::PrintStyle::Flat
                      : s == "spaces" ? sim::PrintStyle::Spaces
                                      : sim::PrintStyle::Tab;
    } else if (a == "--gzip") {
      options.gzip = true;
    } else if (options.out_dir.empty() && !a.starts_with("-")) {
      options.out_dir = a;
    } else {
      std::fprintf(stderr,
                   "usage: bench_simulate [--size 256M] [--runs 3] [--style S] [--gzip] DIR\n");
      return 2;
    }
  }
  if (options.out_dir.empty()) {
    std::fprintf(stderr, "usage: bench_simulate [--size 256M] [--runs 3] [--gzip] DIR\n");
    return 2;
  }
  std::vector<double> rates;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const auto result = sim::simulate(options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.error.empty()) {
      std::fprintf(stderr, "bench_simulate: %s\n", result.error.c_str());
      return 3;
    }
    const double rate = static_cast<double>(result.bytes) / seconds / 1e6;
    rates.push_back(rate);
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "run=%d bytes=%llu seconds=%.3f mb_per_s=%.1f interactions=%llu events=%llu "
        "peak_rss_mb=%.1f\n",
        run + 1, static_cast<unsigned long long>(result.bytes), seconds, rate,
        static_cast<unsigned long long>(result.interactions),
        static_cast<unsigned long long>(result.events), usage.ru_maxrss / 1024.0);
    std::fflush(stdout);
  }
  std::sort(rates.begin(), rates.end());
  std::printf("median_mb_per_s=%.1f runs=%d gzip=%d\n", rates[rates.size() / 2], runs,
              options.gzip ? 1 : 0);
  return 0;
}
