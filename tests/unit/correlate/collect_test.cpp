// collect(): read progress as the command line shows it.
#include "calltrail/correlate/collect.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "simulated.hpp"

namespace calltrail::correlate {
namespace {

namespace fs = std::filesystem;

TEST(Collect, ReportsProgressUpToTheSizeOfEveryFile) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const fs::path dir = testing::simulate_case(
      {"progress", "--interactions 200 --seed 12 --segment-size 64k"}, "calltrail_collect_");
  ASSERT_FALSE(dir.empty());
  const std::vector<std::string> paths = testing::simulated_logs(dir);
  std::uint64_t size = 0;
  for (const auto& p : paths)
    size += fs::file_size(p);

  for (unsigned threads : {1u, 2u}) {
    std::mutex mutex;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    CollectOptions o;
    o.threads = threads;
    o.progress = [&](std::uint64_t done, std::uint64_t total) {
      std::lock_guard lock(mutex);
      calls.emplace_back(done, total);
    };
    const Collected c = collect(paths, o);
    ASSERT_EQ(c.partials.size(), paths.size());
    // One call per file at least, then the final one.
    ASSERT_GT(calls.size(), paths.size());
    for (const auto& [done, total] : calls) {
      EXPECT_EQ(total, size);
      EXPECT_LE(done, total);
    }
    EXPECT_EQ(calls.back(), std::make_pair(size, size));
    if (threads == 1) {
      for (std::size_t i = 1; i < calls.size(); ++i)
        EXPECT_GE(calls[i].first, calls[i - 1].first) << "call " << i;
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace calltrail::correlate
