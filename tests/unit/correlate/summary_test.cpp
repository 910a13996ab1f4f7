// A summary collection (CollectMode::Summary) keeps of the legs' SIP messages
// only those a summary of the interaction reads, and its build
// (BuildOptions::summary) of their T-Library events only those a summary or
// the rest of the build reads once times are resolved. The oracle is a full
// collection and build of the same files: every interaction and every site must come
// out the same, byte for byte in their JSON (legs, event counts, times,
// recordings, links and their evidence; the sites' names, clocks and counts),
// while the summary keeps fewer events. Either build gives the same with its
// steps over every leg split over threads.
#include <gtest/gtest.h>

#include <cstdint>
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

// Recordings asked for and answered over T-Library (RequestPrivateService,
// then EventACK or EventError): the events with their tokens are kept.
TEST(SummaryCollection, TLibraryRecordingRequests) {
  const Built full = expect_same(
      {std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/events/recording_sip_server.log"});
  EXPECT_GT(full.recorded, 0u);
}

}  // namespace
}  // namespace calltrail::correlate
