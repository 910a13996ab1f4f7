// A summary collection (CollectMode::Summary) keeps of the legs' SIP messages
// only those a summary of the interaction reads, and its build
// (BuildOptions::summary) of their T-Library events only those a summary or
// the rest of the build reads once times are resolved. The oracle is a full
// collection and build of the same files: every interaction and every site must come
// out the same, byte for byte in their JSON (legs, event counts, times,
// recordings, links and their evidence; the sites' names, clocks and counts),
// while the summary keeps fewer events. Either build gives the same with its
// steps over every leg split over threads.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/json.hpp"
#include "simulated.hpp"

namespace calltrail::correlate {
namespace {

using testing::SimulatedCase;

struct Built {
  std::vector<std::string> interactions;  // their JSON
  std::vector<std::string> sites;         // the same of the sites (`calltrail sites`)
  std::uint64_t kept = 0;                 // events held by the legs
  std::uint64_t counted = 0;              // events the legs count
  std::size_t recorded = 0;               // interactions with a recording mark
};

// With `threads`, the build's steps over every leg are split over that many
// threads however few the legs.
Built build(const std::vector<std::string>& paths, CollectMode mode, unsigned threads = 1) {
  CollectOptions options;
  options.mode = mode;
  BuildOptions build_options;
  build_options.summary = mode == CollectMode::Summary;
  build_options.threads = threads;
  build_options.legs_per_thread = 1;
  const Loaded loaded = load(paths, options, build_options);
  Built b;
  for (const auto& it : loaded.correlation.interactions) {
    std::string json;
    append_interaction_json(json, loaded.correlation, it);
    if (json.find("\"recordings\":") != std::string::npos) ++b.recorded;
    b.interactions.push_back(std::move(json));
  }
  for (std::uint32_t s = 0; s < loaded.correlation.sites.size(); ++s)
    b.sites.push_back(site_json(loaded.correlation, s).dump());
  for (const auto& l : loaded.correlation.legs) {
    b.kept += l.events.size();
    b.counted += l.event_count();
  }
  return b;
}

// The full collection's figures, after checking the summary's against them.
Built expect_same(const std::vector<std::string>& paths) {
  const Built full = build(paths, CollectMode::Full);
  const Built summary = build(paths, CollectMode::Summary);
  EXPECT_FALSE(full.interactions.empty());
  EXPECT_EQ(summary.interactions.size(), full.interactions.size());
  for (std::size_t i = 0; i < full.interactions.size() && i < summary.interactions.size(); ++i)
    if (summary.interactions[i] != full.interactions[i]) {
      ADD_FAILURE() << "interaction " << i << " differs:\n  full:    " << full.interactions[i]
                    << "\n  summary: " << summary.interactions[i];
      break;
    }
  EXPECT_EQ(summary.sites, full.sites);
  EXPECT_EQ(summary.counted, full.counted);
  EXPECT_EQ(full.kept, full.counted);
  EXPECT_LT(summary.kept, full.kept);  // it did leave messages out
  EXPECT_EQ(summary.recorded, full.recorded);
  // The same again with the legs split over three threads.
  for (const CollectMode mode : {CollectMode::Full, CollectMode::Summary}) {
    const Built one = mode == CollectMode::Full ? full : summary;
    const Built three = build(paths, mode, 3);
    EXPECT_EQ(three.interactions, one.interactions);
    EXPECT_EQ(three.sites, one.sites);
    EXPECT_EQ(three.kept, one.kept);
    EXPECT_EQ(three.counted, one.counted);
  }
  return full;
}

class SummaryCollection : public ::testing::TestWithParam<SimulatedCase> {};

TEST_P(SummaryCollection, BuildsWhatAFullCollectionBuilds) {
  const auto dir = simulate_case(GetParam(), "calltrail_summary_");
  if (dir.empty()) {
    GTEST_SKIP() << "no calltrail binary";
  }
  const Built full = expect_same(testing::simulated_logs(dir));
  // The case with recordings has some to keep.
  if (GetParam().args.find("record=on") != std::string::npos) {
    EXPECT_GT(full.recorded, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Simulated, SummaryCollection,
    ::testing::Values(
        // Recorded calls (MSML <record> and <dialogend>), a SIP Server
        // passing calls to another over SIP, and a T-Server.
        SimulatedCase{"recorded_sip_sites",
                      "--interactions 120 --seed 41 --style mixed "
                      "--site SIPRec@SIP_Switch1,-4h,+0ms,type=sip,record=on "
                      "--site SIPServer4@SIP_Switch4,+1h,-1.2s,type=sip "
                      "--site Tserver2@Avaya_Switch1,-5h,+20ms"},
        // Sites that print no T-Library message: legs from SIP alone.
        SimulatedCase{"sip_only_sites",
                      "--interactions 150 --seed 7 --style mixed --segment-size 64k "
                      "--site SIPServer1@SIP_Switch1,-4h,-50ms "
                      "--site SIPServer7@SIP_Switch7,+2h,+30ms,tlib=off "
                      "--site SIPServer8@SIP_Switch8,-3h,-20ms,tlib=off"},
        // No call monitoring: hops joined by the ISCC call history, whose
        // origin events are T-Library events a summary keeps.
        SimulatedCase{"without_call_monitoring",
                      "--interactions 150 --seed 8 --style mixed --segment-size 64k "
                      "--site Tserver2@Avaya_Switch1,-5h,+0ms "
                      "--site SIPServer1@SIP_Switch1,-4h,-50ms,calls=off "
                      "--site TServer3@Cisco_Switch3,+10h,+300ms,calls=off"}),
    testing::case_name);

// The real SIP Server log: seven calls, two dialogs each, no T-Library.
TEST(SummaryCollection, RealSipServerLog) {
  expect_same({std::string(CALLTRAIL_SOURCE_DIR) +
               "/tests/cases/real/SIP_P-001.20260202_135459_850.log.gz"});
}

// A call logged across two segments of a T-Server whose clock stepped: a
// leg's earliest and latest stamps fall amid its events, not at its ends,
// and some events carry no stamp (their times come from the events beside
// them). A summary build thins each segment's part of the leg before the
// merge: the leg's life and every time the summary reads stay those of the
// full build.
TEST(SummaryCollection, LegAcrossSegmentsWithStampsOutOfOrder) {
  const std::string dir = ::testing::TempDir() + "calltrail_summary_segments/";
  std::filesystem::create_directories(dir);
  const std::string header =
      "Application name:\tTserver5\nApplication type:\tTServer\nHost name:\tts5.example.net\n";
  auto event = [](const std::string& time, const std::string& name, std::uint64_t seq,
                  const std::string& stamp) {
    std::string e = "@" + time + " [0] 8.1.001.05 distribute_event: message " + name + "\n";
    e += "\tAttributeEventSequenceNumber\t" + fmt::format("{:016x}", seq) + "\n";
    if (!stamp.empty()) e += "\tAttributeTimeStamp\t" + stamp + "\n";
    e += "\tAttributeConnID\t007d02a3c5e1b001\n";
    e += "\tAttributeCallUUID\t'05SEGMENTSPLITLEG0000000000000001'\n";
    e += "\tAttributeThisDN\t'7005'\n\tAttributeOtherDN\t'+15550007'\n";
    return e;
  };
  // 0x508f5ed1 s is 2012-10-30T05:00:01Z; local time is UTC-5h.
  const std::vector<std::pair<std::string, std::string>> segments = {
      {"Tserver5.20121029_235950_000.log",
       header + "23:59:50.000 Std 20001 Tserver5 started\n" +
           event("23:59:58.0000", "EventRinging", 1, "508f5ecd00000000") +
           event("23:59:58.5000", "EventPartyChanged", 2, "") +
           event("23:59:59.0000", "EventEstablished", 3, "508f5ec000000000") +
           event("23:59:59.5000", "EventHeld", 4, "508f5ed900000000") +
           event("23:59:59.6000", "EventRetrieved", 5, "") +
           event("23:59:59.8000", "EventCallDataChanged", 6, "508f5ecf000c3500")},
      {"Tserver5.20121030_000000_000.log",
       header + "00:00:00.000 Std 20001 Tserver5 continues\n" +
           event("00:00:00.2000", "EventAttachedDataChanged", 7, "") +
           event("00:00:00.5000", "EventHeld", 8, "508f5ec300000000") +
           event("00:00:00.7000", "EventRetrieved", 9, "508f5edf00000000") +
           event("00:00:01.0000", "EventPartyChanged", 10, "508f5ed100000000") +
           event("00:00:01.1000", "EventReleased", 11, "508f5ed1000186a0") +
           event("00:00:01.2000", "EventCallDeleted", 12, "")},
  };
  std::vector<std::string> paths;
  for (const auto& [name, text] : segments) {
    std::ofstream(dir + name) << text;
    paths.push_back(dir + name);
  }
  const Built full = expect_same(paths);
  ASSERT_EQ(full.interactions.size(), 1u);
  EXPECT_EQ(full.counted, 12u);
}

// Recordings asked for and answered over T-Library (RequestPrivateService,
// then EventACK or EventError): the events with their tokens are kept.
TEST(SummaryCollection, TLibraryRecordingRequests) {
  const Built full = expect_same(
      {std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/events/recording_sip_server.log"});
  EXPECT_GT(full.recorded, 0u);
}

}  // namespace
}  // namespace calltrail::correlate
