// Building only what an identifier reaches must answer as building
// everything does: for identifiers of every kind taken from simulated
// scenarios, the matches and each matched interaction's JSON are compared
// with the whole build's, and the site facts with the whole build's facts;
// both from fully collected partials (build_for_id) and from a scan that
// reads the reached legs again (build_for_id_rescan).
#include "calltrail/correlate/reach.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/rescan.hpp"
#include "calltrail/io/byte_source.hpp"
#include "simulated.hpp"

namespace calltrail::correlate {
namespace {

namespace fs = std::filesystem;

using Case = testing::SimulatedCase;

std::vector<Case> cases() {
  std::vector<Case> v;
  for (const char* s :
       {"multisite", "connid-change", "connid-reuse", "consult", "conference", "late-islink",
        "postmortem-islink", "unmonitored", "failed-transfer", "lost-events", "ha-sync"}) {
    v.push_back({s, std::string("--only ") + s + " --interactions 40 --seed 21"});
  }
  v.push_back({"mixed_segments", "--interactions 300 --seed 8 --segment-size 64k"});
  v.push_back({"mixed_five_sites_flat", "--interactions 200 --seed 9 --sites 5 --style flat"});
  // SIP Servers that print no T-Library message, calls passed over SIP.
  v.push_back({"sip_only_sites_mixed_styles",
               "--interactions 200 --seed 10 --style mixed --segment-size 64k --site "
               "SIPServer1@SIP_Switch1,-4h,-50ms --site Tserver2@Avaya_Switch1,-5h,+0ms --site "
               "SIPServer4@SIP_Switch4,+1h,-1.2s --site SIPServer7@SIP_Switch7,+2h,+30ms,tlib=off "
               "--site SIPServer8@SIP_Switch8,-3h,-20ms,tlib=off"});
  // Sites without call monitoring, joined by call history.
  v.push_back(
      {"sites_without_call_monitoring",
       "--interactions 200 --seed 11 --style mixed --segment-size 64k "
       "--site Tserver2@Avaya_Switch1,-5h,+0ms --site SIPServer1@SIP_Switch1,-4h,-50ms,calls=off "
       "--site TServer3@Cisco_Switch3,+10h,+300ms,calls=off --site "
       "Tserver5@Nortel_Switch5,+1h,-200ms,calls=off"});
  return v;
}

Collected collect_files(const std::vector<std::string>& paths) {
  CollectOptions o;
  o.threads = 2;
  o.index_keys = true;
  return collect(paths, o);
}

Collected collect_dir(const fs::path& dir) {
  return collect_files(testing::simulated_logs(dir));
}

// The scan path, in small chunks so that legs start between many checkpoints,
// and with stretches that end after a kilobyte without an event of their leg
// (of a megabyte log's legs, most are then read again in several ranges).
RescanResult rescan(const std::vector<std::string>& paths, const std::string& id,
                    double max_share = 1.0) {
  const IdProbe probe(id);
  CollectOptions o;
  o.threads = 2;
  o.read.chunk_size = 4096;
  o.stretch_gap = 1024;
  Collected scanned = collect(paths, scan_options(o, probe));
  EXPECT_TRUE(scanned.input_errors.empty());
  RescanOptions r;
  r.read = o.read;
  r.threads = 2;
  r.max_share = max_share;
  return build_for_id_rescan(scanned, {}, id, r);
}

// Its correlation when the identifier matches.
std::optional<Correlation> rescan_for(const std::vector<std::string>& paths, const std::string& id,
                                      double max_share = 1.0) {
  RescanResult r = rescan(paths, id, max_share);
  if (!r.correlation || find_interactions(*r.correlation, id).empty()) return std::nullopt;
  return std::move(r.correlation);
}

// The identifiers to try: per interaction (a stride of them) its id, a
// ConnID, a DN, the ANI, a user-data pair and its IS-Link ids, in the case
// a user might type them.
std::vector<std::string> identifiers(const Correlation& c) {
  std::set<std::string> ids;
  const std::size_t stride = std::max<std::size_t>(1, c.interactions.size() / 25);
  for (std::size_t i = 0; i < c.interactions.size(); i += stride) {
    const Interaction& it = c.interactions[i];
    ids.insert(it.id);
    for (std::uint32_t li : it.legs) {
      const Leg& l = c.legs[li];
      if (!l.conn_ids.empty()) ids.insert(std::string(ConnText(l.conn_ids.back()).view()));
      if (!l.dns.empty()) ids.insert(l.dns.front().str());
      if (!l.ani.empty()) ids.insert(l.ani.str());
      if (!l.user_data.empty())
        ids.insert(std::string(l.user_data.front().first) + "=" +
                   std::string(l.user_data.front().second));
      if (!l.sip_dialogs.empty()) {
        // A Call-ID whole, and one by the part before '@'.
        ids.insert(l.sip_dialogs.back().call_id.str());
        const std::string first = l.sip_dialogs.front().call_id.str();
        ids.insert(first.substr(0, first.find('@')));
      }
    }
    for (std::uint32_t k : it.links)
      if (c.links[k].kind == LinkKind::IsLink) ids.insert(c.links[k].id);
  }
  if (!c.interactions.empty()) {
    std::string lower = c.interactions.front().id;
    for (char& ch : lower)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
    ids.insert(lower);
  }
  ids.insert("no-such-identifier");
  return {ids.begin(), ids.end()};
}

std::vector<std::string> answer(const Correlation& c, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& m : find_interactions(c, id)) {
    out.push_back(m.matched);
    out.push_back(interaction_json(c, c.interactions[m.interaction]).dump());
  }
  return out;
}

class Reach : public ::testing::TestWithParam<Case> {};

TEST_P(Reach, AnswersAsTheWholeBuild) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const fs::path dir = testing::simulate_case(GetParam(), "calltrail_reach_");
  ASSERT_FALSE(dir.empty());

  Collected whole_input = collect_dir(dir);
  ASSERT_TRUE(whole_input.input_errors.empty());
  const Correlation whole = build_correlation(std::move(whole_input.partials),
                                              std::move(whole_input.files), BuildOptions{});
  ASSERT_FALSE(whole.interactions.empty());
  const Collected input = collect_dir(dir);

  // The facts from IS-Link observations alone are the whole build's.
  BuildOptions facts_only;
  facts_only.facts_only = true;
  const SiteFacts facts =
      facts_of(build_correlation(facts_partials(input.partials), input.files, facts_only));
  const SiteFacts expected = facts_of(whole);
  ASSERT_EQ(facts.files.size(), expected.files.size());
  for (std::size_t i = 0; i < facts.files.size(); ++i) {
    EXPECT_EQ(facts.files[i].site, expected.files[i].site) << "file " << i;
    EXPECT_EQ(facts.files[i].source, expected.files[i].source) << "file " << i;
  }
  ASSERT_EQ(facts.clocks.size(), expected.clocks.size());
  for (std::size_t i = 0; i < facts.clocks.size(); ++i) {
    EXPECT_EQ(facts.clocks[i].site, expected.clocks[i].site);
    EXPECT_EQ(facts.clocks[i].offset, expected.clocks[i].offset) << facts.clocks[i].site;
    EXPECT_EQ(facts.clocks[i].reference, expected.clocks[i].reference);
    EXPECT_EQ(facts.clocks[i].links, expected.clocks[i].links);
  }

  const std::vector<std::string> paths = testing::simulated_logs(dir);
  std::size_t matched = 0;
  std::size_t smaller = 0;
  for (const std::string& id : identifiers(whole)) {
    auto part = build_for_id(input.partials, input.files, input.keys, {}, id, 1.0);
    auto rescanned = rescan_for(paths, id);
    if (find_interactions(whole, id).empty()) {
      EXPECT_FALSE(part.has_value()) << "no match builds everything: " << id;
      EXPECT_FALSE(rescanned.has_value()) << id;
      // Nothing matched: the scan says what was searched as the whole build would.
      const RescanResult miss = rescan(paths, id);
      ASSERT_TRUE(miss.correlation.has_value());
      EXPECT_EQ(miss.legs, whole.legs.size());
      EXPECT_EQ(miss.sites, whole.sites.size());
      continue;
    }
    ASSERT_TRUE(part.has_value()) << id;
    EXPECT_EQ(answer(*part, id), answer(whole, id)) << "identifier " << id;
    ASSERT_TRUE(rescanned.has_value()) << id;
    EXPECT_EQ(answer(*rescanned, id), answer(whole, id)) << "identifier (rescan) " << id;
    ++matched;
    if (part->legs.size() < whole.legs.size()) ++smaller;
    // Without the collector's key index, and with the default share.
    if (id == whole.interactions.front().id) {
      auto again = build_for_id(input.partials, input.files, {}, {}, id);
      ASSERT_TRUE(again.has_value());
      EXPECT_EQ(answer(*again, id), answer(whole, id));
    }
  }
  EXPECT_GT(matched, 10u);
  EXPECT_GT(smaller, matched / 2) << "most identifiers reach a small part of the legs";
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Reach, ::testing::ValuesIn(cases()), [](const auto& p) {
  std::string n = p.param.name;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
});

TEST(Reach, SharesOverTheLimitFallBack) {
  const std::string dir = std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/seed/";
  const Collected input = collect_files({dir + "tserver2.log", dir + "sipserver1.log"});
  ASSERT_EQ(input.partials.size(), 2u);
  // The seed's three legs are one interaction: any id reaches all of them.
  const std::string id = "01AE904GK088LFQD2CGB02LAES0000EP";
  EXPECT_FALSE(build_for_id(input.partials, input.files, input.keys, {}, id, 0.5).has_value());
  auto all = build_for_id(input.partials, input.files, input.keys, {}, id, 1.0);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->legs.size(), 3u);
  ASSERT_EQ(find_interactions(*all, id).size(), 1u);

  const std::vector<std::string> paths{dir + "tserver2.log", dir + "sipserver1.log"};
  EXPECT_FALSE(rescan(paths, id, 0.5).correlation.has_value());
  auto rescanned = rescan_for(paths, id);
  ASSERT_TRUE(rescanned.has_value());
  EXPECT_EQ(answer(*rescanned, id), answer(*all, id));
}

// The second read reports its progress: bytes up to the total of the reached
// legs' ranges, ending with the total.
TEST(Reach, RescanReportsProgress) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const fs::path dir = testing::simulate_case(
      {"progress", "--interactions 200 --seed 3 --segment-size 128k"}, "calltrail_reach_");
  ASSERT_FALSE(dir.empty());
  const std::vector<std::string> paths = testing::simulated_logs(dir);
  Collected whole_input = collect_files(paths);
  const Correlation whole = build_correlation(std::move(whole_input.partials),
                                              std::move(whole_input.files), BuildOptions{});
  ASSERT_FALSE(whole.interactions.empty());
  const std::string id = whole.interactions.back().id;
  const IdProbe probe(id);
  CollectOptions o;
  o.read.chunk_size = 4096;
  Collected scanned = collect(paths, scan_options(o, probe));
  std::mutex m;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
  RescanOptions ro;
  ro.read = o.read;
  ro.threads = 3;  // more threads than the cores of a small machine
  ro.progress = [&](std::uint64_t d, std::uint64_t t) {
    std::lock_guard<std::mutex> lock(m);
    reports.emplace_back(d, t);
  };
  RescanResult r = build_for_id_rescan(scanned, {}, id, ro);
  ASSERT_TRUE(r.correlation.has_value());
  EXPECT_EQ(answer(*r.correlation, id), answer(whole, id));
  ASSERT_FALSE(reports.empty());
  const std::uint64_t total = reports.back().second;
  EXPECT_GT(total, 0u);
  EXPECT_EQ(reports.back().first, total);
  for (const auto& [d, t] : reports) {
    EXPECT_EQ(t, total);
    EXPECT_LE(d, t);
  }
  fs::remove_all(dir);
}

// Compressed files cannot be read from an offset: the scan path reads them
// again from the start, to the same answer.
TEST(Reach, RescanReadsCompressedFilesAgain) {
  if (!fs::exists(CALLTRAIL_BINARY)) GTEST_SKIP() << "build the calltrail binary first";
  const fs::path dir = testing::simulate_case(
      {"gz", "--interactions 60 --seed 5 --segment-size 256k"}, "calltrail_reach_");
  ASSERT_FALSE(dir.empty());
  std::vector<std::string> paths;
  for (const std::string& p : testing::simulated_logs(dir)) {
    EXPECT_TRUE(io::seekable(p)) << p;
    ASSERT_EQ(std::system(("gzip -f " + p).c_str()), 0);
    paths.push_back(p + ".gz");
    // Read again in one range, not decompressed from the start for each.
    EXPECT_FALSE(io::seekable(paths.back())) << paths.back();
  }
  Collected input = collect_files(paths);
  ASSERT_TRUE(input.input_errors.empty());
  const Correlation whole =
      build_correlation(std::move(input.partials), std::move(input.files), BuildOptions{});
  ASSERT_GT(whole.interactions.size(), 10u);
  for (std::size_t i = 0; i < whole.interactions.size(); i += 7) {
    const std::string& id = whole.interactions[i].id;
    auto rescanned = rescan_for(paths, id);
    ASSERT_TRUE(rescanned.has_value()) << id;
    EXPECT_EQ(answer(*rescanned, id), answer(whole, id)) << id;
  }
  fs::remove_all(dir);
}

// A SIP message waits for the line that maps its Call-ID to a CallUUID; when
// that line comes long after it (other calls' records between), reading the
// leg's stretches again must still meet it, or the message would stay
// unplaced and the leg lost.
TEST(Reach, RescanMeetsAMappingLongAfterItsMessage) {
  const fs::path dir = fs::temp_directory_path() / "calltrail_reach_mapping";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "SIPS_MAP.20260301_100000_000.log").string();
  {
    std::ofstream out(path);
    out << "Application name: SIPS_MAP\n"
           "Time zone:        0, UTC, UTC\n"
           "UTC time:         2026-03-01T10:00:00.000\n"
           "Local time:       2026-03-01T10:00:00.000\n\n"
           "10:00:01.000: SIPTR: Received [0,UDP] 300 bytes from 10.0.0.10:5060 <<<<<\n"
           "INVITE sip:7001@10.0.0.20:5060 SIP/2.0\n"
           "From: <sip:+15550001@10.0.0.10>;tag=ga1\n"
           "To: <sip:7001@10.0.0.20>\n"
           "Call-ID: LATE-1@10.0.0.10\n"
           "CSeq: 1 INVITE\n"
           "Content-Length: 0\n\n";
    // Other calls' records, many kilobytes of them.
    for (int i = 0; i < 300; ++i) {
      char conn[17];
      std::snprintf(conn, sizeof(conn), "00b1%012d", i);
      char uuid[33];
      std::snprintf(uuid, sizeof(uuid), "0B1C2D3E4F5G6H7I8J9K0LMNOP%06d", i);
      out << "@10:00:01." << 100 + i << "0 [0] 8.1.103.47 distribute_event: message EventRinging\n"
          << "\tAttributeEventSequenceNumber\t" << 1000 + i << "\n"
          << "\tAttributeConnID\t" << conn << "\n"
          << "\tAttributeCallUUID\t'" << uuid << "'\n"
          << "\tAttributeThisDN\t'" << 7100 + i << "'\n";
    }
    out << "10:00:01.900: CID:CUUID>LATE-1@10.0.0.10:0A1B2C3D4E5F6G7H8I9J0KLMNOPLATE1:\n"
           "@10:00:02.0000 [0] 8.1.103.47 distribute_event: message EventRinging\n"
           "\tAttributeEventSequenceNumber\t2000\n"
           "\tAttributeConnID\t00b1999999999999\n"
           "\tAttributeCallUUID\t'0B1C2D3E4F5G6H7I8J9K0LMNOP999999'\n"
           "\tAttributeThisDN\t'7999'\n";
  }
  const std::vector<std::string> paths{path};
  Collected input = collect_files(paths);
  ASSERT_TRUE(input.input_errors.empty());
  const Correlation whole =
      build_correlation(std::move(input.partials), std::move(input.files), BuildOptions{});
  const std::string id = "0A1B2C3D4E5F6G7H8I9J0KLMNOPLATE1";
  const std::vector<std::string> expected = answer(whole, id);
  ASSERT_EQ(expected.size(), 2u) << "the whole build places the INVITE on the leg";
  EXPECT_NE(expected[1].find("\"sip_call_ids\":[\"LATE-1@10.0.0.10\"]"), std::string::npos)
      << expected[1];
  auto rescanned = rescan_for(paths, id);
  ASSERT_TRUE(rescanned.has_value());
  EXPECT_EQ(answer(*rescanned, id), expected);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace calltrail::correlate
