#include "calltrail/simulate/options.hpp"

#include <gtest/gtest.h>

#include "calltrail/simulate/simulator.hpp"

namespace calltrail::simulate {
namespace {

TEST(SiteSpec, ParsesNameOffsetSkewAndSettings) {
  std::string error;
  const auto site = parse_site_spec("SIPServer1@SIP_Switch1,-4h,-50ms,time=secs,host=h1", error);
  ASSERT_TRUE(site) << error;
  EXPECT_EQ(site->app, "SIPServer1");
  EXPECT_EQ(site->switch_name, "SIP_Switch1");
  EXPECT_EQ(site->name(), "SIPServer1@SIP_Switch1");
  EXPECT_EQ(site->utc_offset, -14400);
  EXPECT_EQ(site->clock_skew_us, -50000);
  EXPECT_EQ(site->time_form, TimeForm::Secs);
  EXPECT_EQ(site->kind, ServerKind::SipServer);
  EXPECT_EQ(site->host, "h1");
  EXPECT_TRUE(site->monitored);
}

TEST(SiteSpec, DefaultsAndUnmonitoredFlag) {
  std::string error;
  const auto site = parse_site_spec("Tserver2@Avaya_Switch1,unmonitored", error);
  ASSERT_TRUE(site) << error;
  EXPECT_EQ(site->utc_offset, 0);
  EXPECT_EQ(site->clock_skew_us, 0);
  EXPECT_EQ(site->kind, ServerKind::TServer);
  EXPECT_FALSE(site->monitored);
  EXPECT_EQ(site->host, "tserver2.example.net");
}

TEST(SiteSpec, SipServerWithoutTLibraryAndHeaderLayout) {
  std::string error;
  const auto site = parse_site_spec("SIPServer7@SIP_Switch7,+2h,tlib=off,header=tab", error);
  ASSERT_TRUE(site) << error;
  EXPECT_FALSE(site->tlib);
  EXPECT_EQ(site->header, HeaderLayout::Tab);
  const auto plain = parse_site_spec("SIPServer1@SIP_Switch1", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_TRUE(plain->tlib);
  EXPECT_EQ(plain->header, HeaderLayout::Auto);
  // A T-Server without T-Library messages would log nothing of its calls.
  error.clear();
  EXPECT_FALSE(parse_site_spec("Tserver2@Avaya_Switch1,tlib=off", error));
  EXPECT_NE(error.find("tlib=off"), std::string::npos) << error;
  EXPECT_TRUE(parse_site_spec("Tserver2@Avaya_Switch1,type=sip,tlib=off", error)) << error;
  EXPECT_FALSE(parse_site_spec("SIPServer1@SIP_Switch1,tlib=maybe", error));
  EXPECT_FALSE(parse_site_spec("SIPServer1@SIP_Switch1,header=fancy", error));
}

TEST(SiteSpec, RecordingIsForSipServers) {
  std::string error;
  const auto site = parse_site_spec("SIPServer1@SIP_Switch1,-4h,record=on", error);
  ASSERT_TRUE(site) << error;
  EXPECT_TRUE(site->record);
  EXPECT_FALSE(parse_site_spec("SIPServer1@SIP_Switch1", error)->record);
  error.clear();
  EXPECT_FALSE(parse_site_spec("Tserver2@Avaya_Switch1,record=on", error));
  EXPECT_NE(error.find("record=on"), std::string::npos) << error;
  EXPECT_FALSE(parse_site_spec("SIPServer1@SIP_Switch1,record=always", error));
  // The setting is part of what truth.json says shaped the output.
  SimulateOptions o;
  o.sites = {*site};
  EXPECT_NE(describe(o).find(",record=on"), std::string::npos) << describe(o);
}

TEST(SiteSpec, RejectsMalformedSpecs) {
  std::string error;
  for (const char* bad : {"NoSwitch", "@X", "A@", "A@B,5x", "A@B,0,7parsecs", "A@B,0,0,color=red",
                          "A@B,0,0,9", "A B@C", "A@B@C"}) {
    error.clear();
    EXPECT_FALSE(parse_site_spec(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(Units, OffsetsSkewsSizesDurations) {
  EXPECT_EQ(parse_utc_offset("+5:30"), 19800);
  EXPECT_EQ(parse_utc_offset("-05:00"), -18000);
  EXPECT_EQ(parse_utc_offset("+10"), 36000);
  EXPECT_FALSE(parse_utc_offset("+15h"));
  EXPECT_EQ(parse_skew("+1.5s"), 1500000);
  EXPECT_EQ(parse_skew("-300us"), -300);
  EXPECT_EQ(parse_skew("0"), 0);
  EXPECT_FALSE(parse_skew("12"));
  EXPECT_EQ(parse_byte_size("1G"), 1ULL << 30);
  EXPECT_EQ(parse_byte_size("64k"), 65536U);
  EXPECT_EQ(parse_byte_size("1234"), 1234U);
  EXPECT_FALSE(parse_byte_size("1T"));
  EXPECT_EQ(parse_duration("1h30m"), 5400LL * 1000000);
  EXPECT_EQ(parse_duration("90s"), 90LL * 1000000);
  EXPECT_FALSE(parse_duration("10 parsecs"));
}

TEST(Scenarios, NamesRoundTripAndListsParse) {
  for (auto s : all_scenarios())
    EXPECT_EQ(scenario_from_name(scenario_name(s)), s);
  std::string error;
  const auto set = parse_scenario_list("single,late-islink", error);
  ASSERT_TRUE(set) << error;
  EXPECT_TRUE(set->has(Scenario::Single));
  EXPECT_TRUE(set->has(Scenario::LateIsLink));
  EXPECT_FALSE(set->has(Scenario::Multisite));
  EXPECT_EQ(set->to_string(), "single,late-islink");
  EXPECT_FALSE(parse_scenario_list("single,bogus", error));
  EXPECT_NE(error.find("bogus"), std::string::npos);
  EXPECT_EQ(parse_scenario_list("all", error), ScenarioSet::all());
}

TEST(FinalizeOptions, AddsAnUnmonitoredSiteOnlyWhenNeeded) {
  SimulateOptions o;
  o.out_dir = "x";
  EXPECT_EQ(finalize_options(o), "");
  ASSERT_EQ(o.sites.size(), 4U);
  EXPECT_FALSE(o.sites.back().monitored);

  SimulateOptions p;
  p.out_dir = "x";
  p.only = Scenario::Single;
  EXPECT_EQ(finalize_options(p), "");
  EXPECT_EQ(p.sites.size(), 3U);
}

TEST(FinalizeOptions, RejectsImpossibleRequests) {
  SimulateOptions o;
  o.out_dir = "x";
  o.sites = default_sites(1);
  o.only = Scenario::Multisite;
  EXPECT_NE(finalize_options(o), "");

  SimulateOptions dup;
  dup.out_dir = "x";
  dup.sites = default_sites(2);
  dup.sites[1].app = dup.sites[0].app;
  EXPECT_NE(finalize_options(dup), "");
}

TEST(FinalizeOptions, ScenariosSeenInTLibraryNeedSitesThatPrintIt) {
  std::string error;
  SimulateOptions o;
  o.out_dir = "x";
  o.sites = {*parse_site_spec("SIPServer7@SIP_Switch7,tlib=off", error),
             *parse_site_spec("SIPServer8@SIP_Switch8,tlib=off", error)};
  for (auto s : {Scenario::Consult, Scenario::LateIsLink, Scenario::FailedTransfer,
                 Scenario::LostEvents, Scenario::HaSync}) {
    auto copy = o;
    copy.only = s;
    EXPECT_NE(finalize_options(copy).find("T-Library"), std::string::npos) << scenario_name(s);
  }
  // Calls pass between them over SIP.
  for (auto s : {Scenario::Single, Scenario::Multisite, Scenario::PingPong, Scenario::Noise}) {
    auto copy = o;
    copy.only = s;
    EXPECT_EQ(finalize_options(copy), "") << scenario_name(s);
  }
}

}  // namespace
}  // namespace calltrail::simulate
