// The live correlation fed in pieces gives the same interactions as the
// file-based correlation of the same logs, tells every change as an update,
// and takes each byte or event once whatever a collector resends.
#include "calltrail/serve/live_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/serve/event_reader.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

using test::Grouping;
using test::live_grouping;
namespace fs = std::filesystem;

// Replays created/merged updates into the set of ids a subscriber believes in.
std::set<std::string> replay_ids(const std::vector<Update>& updates) {
  std::set<std::string> ids;
  for (const auto& u : updates) {
    if (u.kind == UpdateKind::Created) ids.insert(u.interaction.id);
    if (u.kind == UpdateKind::Merged) {
      for (const auto& m : u.merged)
        ids.erase(m);
      ids.insert(u.interaction.id);
    }
  }
  return ids;
}

std::set<std::string> ids_of(const Grouping& g) {
  std::set<std::string> ids;
  for (const auto& [id, v] : g.by_id)
    ids.insert(id);
  return ids;
}

// Feeds every file in random pieces, interleaved across files, recomputing
// along the way; resends some pieces (whole or overlapping).
std::vector<Update> feed_interleaved(LiveCorrelation& live, const std::vector<std::string>& files,
                                     unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> data;
  std::vector<std::size_t> pos(files.size(), 0);
  for (const auto& f : files)
    data.push_back(test::read_all(f));
  std::vector<Update> updates;
  for (bool more = true; more;) {
    more = false;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (pos[i] >= data[i].size()) continue;
      more = true;
      const std::size_t n = std::min<std::size_t>(1 + rng() % 20000, data[i].size() - pos[i]);
      auto a = live.add_text(files[i], pos[i], std::string_view(data[i]).substr(pos[i], n));
      EXPECT_EQ(a.status, Accepted::Ok) << a.error;
      EXPECT_EQ(a.accepted, n);
      if (rng() % 4 == 0) {  // a collector resending what it sent, and a bit before it
        const std::size_t back = std::min<std::size_t>(pos[i], rng() % 5000);
        auto again = live.add_text(files[i], pos[i] - back,
                                   std::string_view(data[i]).substr(pos[i] - back, back + n));
        EXPECT_EQ(again.status, Accepted::Ok);
        EXPECT_EQ(again.accepted, 0u);
        EXPECT_EQ(again.duplicates, back + n);
      }
      pos[i] += n;
      if (pos[i] == data[i].size()) live.end_text(files[i]);
      if (rng() % 3 == 0) {
        auto u = live.recompute();
        updates.insert(updates.end(), u.begin(), u.end());
      }
    }
  }
  auto u = live.recompute();
  updates.insert(updates.end(), u.begin(), u.end());
  return updates;
}

TEST(LiveCorrelation, PiecesGiveTheFileBasedInteractions) {
  auto logs = test::simulate_logs("pieces", "--interactions 120 --seed 21 --segment-size 64k");
  ASSERT_FALSE(logs.files.empty());
  LiveCorrelation live;
  const auto updates = feed_interleaved(live, logs.files, 5);
  const Grouping expected = test::file_grouping(logs.files);
  const Grouping got = live_grouping(live);
  ASSERT_GT(expected.by_id.size(), 50u);
  EXPECT_EQ(got.by_id, expected.by_id) << test::difference(got, expected);
  // A subscriber that applies created and merged knows exactly the final ids.
  EXPECT_EQ(replay_ids(updates), ids_of(expected));
  // Every interaction with a paired link was announced as linked, every
  // complete one as completed.
  std::set<std::string> linked;
  std::set<std::string> completed;
  for (const auto& u : updates) {
    if (u.kind == UpdateKind::Linked) linked.insert(u.interaction.id);
    if (u.kind == UpdateKind::Completed) completed.insert(u.interaction.id);
    // A merge tells the survivor whole: when earlier events arrive late (a
    // segment's start after the next segment), the root and so the id can
    // change without a new link.
    if (u.kind == UpdateKind::Merged && u.interaction.links_paired > 0)
      linked.insert(u.interaction.id);
    if (u.kind == UpdateKind::Merged && u.interaction.complete) completed.insert(u.interaction.id);
  }
  const auto m = live.metrics();
  SearchQuery all;
  all.limit = SIZE_MAX;
  for (const auto& hit : live.search(all)) {
    if (hit.interaction.links_paired > 0) {
      EXPECT_TRUE(linked.contains(hit.interaction.id)) << hit.interaction.id;
    }
    if (hit.interaction.complete) {
      EXPECT_TRUE(completed.contains(hit.interaction.id)) << hit.interaction.id;
    }
  }
  parse::LogReader reader;
  std::uint64_t events = 0;
  reader.read(logs.files, [&](model::Event&) { ++events; });
  EXPECT_EQ(m.events, events);
  fs::remove_all(logs.dir);
}

// One rule for times: the clocks come from every link received, as trace
// takes them from all its files, so an interaction gets the same start and
// end from the files and from a query (its component built again), the live
// list (its summary, rebuilt after batches) within the clock moves not told,
// and a site's one-leg calls are corrected like the rest of the site.
TEST(LiveCorrelation, TimesAgreeWithTheFilesWhereverTheyAreAsked) {
  auto logs = test::simulate_logs("times", "--interactions 150 --seed 22 --segment-size 64k");
  ASSERT_FALSE(logs.files.empty());
  LiveOptions options;
  options.clock_refresh = std::chrono::milliseconds(0);
  LiveCorrelation live(options);
  auto updates = feed_interleaved(live, logs.files, 9);
  // What clocks that moved left to rebuild is rebuilt a slice at a time.
  for (int i = 0; i < 100 && live.dirty(); ++i) {
    auto more = live.recompute();
    updates.insert(updates.end(), more.begin(), more.end());
  }
  EXPECT_FALSE(live.dirty());
  const correlate::Loaded files = correlate::load(logs.files, {}, {});
  const correlate::Correlation& c = files.correlation;
  // Meaningful only where some site's clock is estimated off the reference.
  std::size_t skewed = 0;
  for (const auto& site : c.sites)
    if (site.clock_offset && *site.clock_offset != 0) ++skewed;
  ASSERT_GT(skewed, 0u);
  std::map<std::string, std::pair<Micros, Micros>> want;
  for (const auto& it : c.interactions)
    want[it.id] = {it.start, it.end};
  SearchQuery all;
  all.limit = SIZE_MAX;
  std::size_t multi_site = 0;
  const auto listed = live.search(all);
  ASSERT_EQ(listed.size(), want.size());
  for (const auto& hit : listed) {
    const std::string& id = hit.interaction.id;
    auto w = want.find(id);
    ASSERT_NE(w, want.end()) << id;
    // The list holds what was last rebuilt: on clocks that moved since by
    // less than LiveCorrelation tells (10 ms) at most.
    EXPECT_LE(std::llabs(hit.interaction.start - w->second.first), 10'000) << id << " listed";
    EXPECT_LE(std::llabs(hit.interaction.end - w->second.second), 10'000) << id << " listed";
    SearchQuery one;
    one.id = id;
    const auto asked = live.search(one);
    ASSERT_FALSE(asked.empty()) << id;
    EXPECT_EQ(asked.front().interaction.start, w->second.first) << id << " asked";
    EXPECT_EQ(asked.front().interaction.end, w->second.second) << id << " asked";
    if (hit.interaction.sites.size() > 1) ++multi_site;
  }
  EXPECT_GT(multi_site, 10u);
  // The clocks were told, and what they were last told is what the files say.
  const Update* told = nullptr;
  for (const auto& u : updates)
    if (u.kind == UpdateKind::Clocks) told = &u;
  ASSERT_NE(told, nullptr);
  for (const auto& site : c.sites) {
    auto clock = std::find_if(told->clocks.begin(), told->clocks.end(),
                              [&](const auto& k) { return k.site == site.name; });
    ASSERT_NE(clock, told->clocks.end()) << site.name;
    ASSERT_EQ(clock->offset.has_value(), site.clock_offset.has_value()) << site.name;
    // Told again only when a clock moves by more than 10 ms.
    if (site.clock_offset) {
      EXPECT_LE(std::llabs(*clock->offset - *site.clock_offset), 10'000) << site.name;
    }
  }
  const std::string json = update_json(*told);
  EXPECT_NE(json.find("\"kind\":\"clocks\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"clock_offset_us\""), std::string::npos) << json;
  fs::remove_all(logs.dir);
}

// Sites without call monitoring: the hops are joined by call history, live
// as from files.
TEST(LiveCorrelation, CallHistoryJoinsLiveAsFromFiles) {
  auto logs = test::simulate_logs("history",
                                  "--interactions 80 --seed 22 --segment-size 64k --site "
                                  "Tserver2@Avaya_Switch1,-5h,+0ms,calls=off --site "
                                  "SIPServer1@SIP_Switch1,-4h,-50ms,calls=off --site "
                                  "TServer3@Cisco_Switch3,+10h,+300ms");
  ASSERT_FALSE(logs.files.empty());
  LiveCorrelation live;
  feed_interleaved(live, logs.files, 5);
  const Grouping expected = test::file_grouping(logs.files);
  const Grouping got = live_grouping(live);
  EXPECT_EQ(got.by_id, expected.by_id) << test::difference(got, expected);
  fs::remove_all(logs.dir);
}

TEST(LiveCorrelation, SiteAfterSiteMergesAndNamesTheSurvivor) {
  // Every interaction crosses sites; feeding the sites one after the other in
  // reverse order makes the later legs arrive first, so the root moves.
  auto logs = test::simulate_logs("merge", "--only multisite --interactions 30 --seed 8");
  std::vector<std::string> files = logs.files;
  std::reverse(files.begin(), files.end());
  LiveCorrelation live;
  std::vector<Update> updates;
  for (const auto& f : files) {
    const std::string data = test::read_all(f);
    ASSERT_EQ(live.add_text(f, 0, data).status, Accepted::Ok);
    live.end_text(f);
    auto u = live.recompute();
    updates.insert(updates.end(), u.begin(), u.end());
  }
  const Grouping expected = test::file_grouping(logs.files);
  EXPECT_EQ(live_grouping(live).by_id, expected.by_id)
      << test::difference(live_grouping(live), expected);
  std::size_t merged = 0;
  for (const auto& u : updates) {
    if (u.kind != UpdateKind::Merged) continue;
    ++merged;
    EXPECT_FALSE(u.merged.empty());
    for (const auto& m : u.merged)
      EXPECT_NE(m, u.interaction.id);
  }
  EXPECT_GT(merged, 0u);
  EXPECT_EQ(replay_ids(updates), ids_of(expected));
  fs::remove_all(logs.dir);
}

TEST(LiveCorrelation, PushedEventsOnceEachAndGapsRefused) {
  auto logs = test::simulate_logs("events", "--interactions 40 --seed 3");
  // The events of every file as JSON lines, as a collector would push them.
  std::vector<std::vector<std::string>> lines(logs.files.size());
  parse::LogReader reader;
  for (std::size_t i = 0; i < logs.files.size(); ++i) {
    reader.read_file(logs.files[i], [&](model::Event& e) {
      std::string line;
      model::append_event_json(line, e, logs.files[i]);
      lines[i].push_back(std::move(line));
    });
  }
  LiveCorrelation live;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < logs.files.size(); ++i) {
    const auto& l = lines[i];
    total += l.size();
    for (std::size_t first = 0; first < l.size(); first += 50) {
      const std::size_t n = std::min<std::size_t>(50, l.size() - first);
      auto push = [&](std::size_t from) {
        std::vector<model::Event> events(first + n - from);
        for (std::size_t k = from; k < first + n; ++k)
          EXPECT_EQ(read_event_json(l[k], events[k - from]), "");
        const std::vector<std::string_view> raw(l.begin() + static_cast<std::ptrdiff_t>(from),
                                                l.begin() + static_cast<std::ptrdiff_t>(first + n));
        return live.add_events(logs.files[i], from, events, raw);
      };
      EXPECT_EQ(push(first).accepted, n);
      if (first >= 10) {
        auto again = push(first - 10);  // overlapping resend
        EXPECT_EQ(again.accepted, 0u);
        EXPECT_EQ(again.duplicates, n + 10);
      }
    }
    std::vector<model::Event> ahead(1);
    ASSERT_EQ(read_event_json(l[0], ahead[0]), "");
    auto gap = live.add_events(logs.files[i], l.size() + 5, ahead);
    EXPECT_EQ(gap.status, Accepted::Gap);
    EXPECT_EQ(gap.next, l.size());
  }
  live.recompute();
  EXPECT_EQ(live.metrics().events, total);
  {
    const auto want_grouping = test::file_grouping(logs.files);
    EXPECT_EQ(live_grouping(live).by_id, want_grouping.by_id)
        << test::difference(live_grouping(live), want_grouping);
  }
  fs::remove_all(logs.dir);
}

TEST(EventReader, RejectsBadInputWithAReason) {
  model::Event e;
  EXPECT_NE(read_event_json("{", e), "");
  EXPECT_NE(read_event_json("[]", e), "");
  EXPECT_NE(read_event_json(R"({"kind":"event"})", e), "");
  EXPECT_NE(read_event_json(R"({"name":"EventRinging","utc":"yesterday"})", e), "");
  EXPECT_NE(read_event_json(R"({"name":"EventRinging","attributes":[1]})", e), "");
  EXPECT_NE(read_event_json(R"({"name":"EventRinging","attributes":{"A":[[1,2]]}})", e), "");
  EXPECT_EQ(read_event_json(R"({"name":"EventRinging","attributes":{"AttributeConnID":"00a"}})", e),
            "");
  EXPECT_EQ(e.attribute_value("AttributeConnID"), "00a");
}

}  // namespace
}  // namespace calltrail::serve

namespace calltrail::serve {
namespace {

TEST(EventReader, RoundTripsTheEventsJsonOfEverySimulatedEvent) {
  auto logs = test::simulate_logs("roundtrip", "--interactions 30 --seed 2 --style flat");
  parse::LogReader reader;
  std::size_t n = 0;
  for (const auto& f : logs.files) {
    reader.read_file(f, [&](model::Event& e) {
      std::string line;
      model::append_event_json(line, e, f);
      model::Event back;
      ASSERT_EQ(read_event_json(line, back), "") << line;
      std::string again;
      model::append_event_json(again, back, f);
      EXPECT_EQ(again, line);
      ++n;
    });
  }
  EXPECT_GT(n, 100u);
  std::filesystem::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
