// collect(): read progress as the command line shows it.
#include "calltrail/correlate/collect.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

TEST(Collect, ReadCostWeighsAttributeLinesAndCompression) {
  const fs::path dir = fs::temp_directory_path() / "calltrail_read_cost";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  };
  std::string attributes, prose;
  while (attributes.size() < 100'000) {
    attributes += "\tAttributeConnID\t006a0240d1e23402\n";
    prose += "Via: SIP/2.0/UDP 10.51.31.100:506\n";  // as long as the line above
  }
  const std::string a = write("attributes.log", attributes);
  const std::string p = write("prose.log", prose);
  const std::string z = write("packed.log.gz", std::string("\x1f\x8b\x08\x00", 4) + prose);
  ASSERT_EQ(fs::file_size(a), fs::file_size(p));
  // Every line an attribute: twice the size; none: the size.
  EXPECT_DOUBLE_EQ(read_cost(a, fs::file_size(a)), 2.0 * static_cast<double>(fs::file_size(a)));
  EXPECT_DOUBLE_EQ(read_cost(p, fs::file_size(p)), static_cast<double>(fs::file_size(p)));
  EXPECT_GT(read_cost(z, fs::file_size(z)), read_cost(a, fs::file_size(a)));
  EXPECT_EQ(read_cost("-", 0), 0.0);
  EXPECT_EQ(read_cost((dir / "missing.log").string(), 0), 0.0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace calltrail::correlate
