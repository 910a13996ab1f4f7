// Following logs as they are written: pieces with polls in between, rotation
// by rename (the old file keeps its last bytes to read), truncation, and
// files that appear later. Nothing may be lost or read twice: the events and
// interactions equal those of the finished files read by `trace`.
#include "calltrail/serve/follower.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "calltrail/parse/log_reader.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;

void append(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Site segments in time order: the files of one application.
std::map<std::string, std::vector<std::string>> segments_by_app(
    const std::vector<std::string>& files) {
  std::map<std::string, std::vector<std::string>> m;
  for (const auto& f : files) {
    std::string name = fs::path(f).filename().string();
    m[name.substr(0, name.find('.'))].push_back(f);
  }
  return m;
}

TEST(Follower, RotationTruncationAndLateFilesLoseAndRepeatNothing) {
  auto logs = test::simulate_logs("follow", "--interactions 80 --seed 31 --segment-size 48k");
  auto apps = segments_by_app(logs.files);
  ASSERT_EQ(apps.size(), 3u);
  for (const auto& [app, segs] : apps)
    ASSERT_GE(segs.size(), 2u) << app;

  const fs::path dir = logs.dir / "followed";
  fs::create_directories(dir);
  LiveCorrelation live;
  Follower follower(live, {dir.string()});
  std::mt19937 rng(7);

  // How each application's writer moves to its next segment.
  enum class Roll { RenameKeep, Truncate, NewFile };
  const std::vector<Roll> rolls = {Roll::RenameKeep, Roll::Truncate, Roll::NewFile};
  struct Writer {
    std::string app;
    std::vector<std::string> segs;
    Roll roll;
    std::size_t seg = 0;
    std::size_t pos = 0;
    std::string data;
    fs::path current;
    int rotated = 0;
  };
  std::vector<Writer> writers;
  std::size_t k = 0;
  for (const auto& [app, segs] : apps)
    writers.push_back({app, segs, rolls[k++ % rolls.size()], 0, 0, test::read_all(segs[0]),
                       dir / (app + ".log")});

  std::uint64_t polls = 0;
  for (bool more = true; more;) {
    more = false;
    for (auto& w : writers) {
      if (w.seg >= w.segs.size()) continue;
      more = true;
      // The third application's logs appear only once the others are well on.
      if (&w == &writers.back() && polls < 4) continue;
      const std::size_t n = std::min<std::size_t>(1 + rng() % 9000, w.data.size() - w.pos);
      append(w.current, std::string_view(w.data).substr(w.pos, n));
      w.pos += n;
      if (w.pos < w.data.size()) continue;
      // Segment written: roll over to the next (without polling first, so
      // the follower finds the last bytes in the rolled file).
      if (++w.seg == w.segs.size()) continue;
      w.data = test::read_all(w.segs[w.seg]);
      w.pos = 0;
      switch (w.roll) {
        case Roll::RenameKeep:
          fs::rename(w.current, dir / (w.app + ".log." + std::to_string(++w.rotated)));
          break;
        case Roll::Truncate:
          // Read the end first (a truncating writer gives no time otherwise).
          follower.poll();
          fs::resize_file(w.current, 0);
          break;
        case Roll::NewFile:
          w.current = dir / (w.app + "." + std::to_string(w.seg) + ".log");
          break;
      }
    }
    if (rng() % 2 == 0) {
      follower.poll();
      ++polls;
      live.recompute();
    }
  }
  follower.poll();
  for (const auto& s : live.metrics().sources)
    live.end_text(s.name);
  live.recompute();

  EXPECT_GT(follower.stats().truncations, 0u);
  parse::LogReader reader;
  std::uint64_t events = 0;
  reader.read(logs.files, [&](model::Event&) { ++events; });
  const auto m = live.metrics();
  EXPECT_EQ(m.events, events);
  for (const auto& s : m.sources)
    EXPECT_EQ(s.malformed, 0u) << s.name;
  // Same interactions as the finished files give.
  const test::Grouping got = test::live_grouping(live);
  {
    const auto want_grouping = test::file_grouping(logs.files);
    EXPECT_EQ(got.by_id, want_grouping.by_id) << test::difference(got, want_grouping);
  }
  EXPECT_TRUE(follower.take_messages().empty());
  fs::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
