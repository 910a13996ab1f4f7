// Sites without call monitoring (calls=off): no call-based event, hence no
// IS-Link, on that site; every arriving call carries its ISCC call history,
// naming the sender's switch, DN and ConnID (checked against the logs as
// the parser reads them).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

TEST(SiteSpec, CallMonitoringSetting) {
  std::string error;
  const auto off = simulate::parse_site_spec("Tserver2@Avaya_Switch1,-5h,calls=off", error);
  ASSERT_TRUE(off) << error;
  EXPECT_FALSE(off->call_monitoring);
  EXPECT_TRUE(off->tlib);
  EXPECT_TRUE(simulate::parse_site_spec("Tserver2@Avaya_Switch1", error)->call_monitoring);
  EXPECT_FALSE(simulate::parse_site_spec("Tserver2@Avaya_Switch1,calls=maybe", error));
  simulate::SimulateOptions o;
  o.sites = {*off};
  EXPECT_NE(simulate::describe(o).find(",calls=off"), std::string::npos);
}

TEST(CallHistory, ArrivalsNameTheirOriginAndUnmonitoredSitesReportNoCalls) {
  const auto dir = fresh_dir("call_history");
  auto o = small_options(dir, 150);
  std::string error;
  for (const char* spec :
       {"Tserver2@Avaya_Switch1,-5h,+0ms", "SIPServer1@SIP_Switch1,-4h,-50ms,calls=off",
        "TServer3@Cisco_Switch3,+10h,+300ms,calls=off"})
    o.sites.push_back(*simulate::parse_site_spec(spec, error));
  run_simulation(o);
  const auto truth = load_truth(dir);
  const ParsedLogs logs = parse_folder(dir);
  EXPECT_EQ(logs.diagnostics, 0u) << logs.first_diagnostic;

  std::map<std::string, std::string> switch_of_app;  // Tserver2 -> Avaya_Switch1
  std::map<std::string, bool> monitors;
  for (const auto& s : truth["sites"]) {
    switch_of_app[s["app"]] = s["switch"];
    monitors[s["app"]] = s["call_monitoring"];
  }
  // CallUUID -> (app, ConnID, ThisDNs) of the legs, from the logs.
  std::map<std::string, std::string> app_of;
  std::map<std::string, std::string> conn_of;
  std::map<std::string, std::set<std::string>> dns_of;
  for (const auto& e : logs.events) {
    if (e.name.starts_with("EventCall")) {
      EXPECT_TRUE(monitors.at(e.app)) << e.app << " " << e.name;
    }
    if (e.call_uuid.empty()) continue;
    app_of[e.call_uuid] = e.app;
    if (!e.conn_id.empty()) conn_of[e.call_uuid] = e.conn_id;
    if (auto dn = e.attributes.find("AttributeThisDN"); dn != e.attributes.end())
      dns_of[e.call_uuid].insert(dn->second);
  }
  std::size_t arrivals = 0, iscc = 0;
  for (const auto& ia : truth["interactions"]) {
    for (const auto& l : ia["links"]) {
      if (l["kind"] == "transfer" || l["to"].is_null()) continue;
      if (l["kind"] == "iscc") ++iscc;
      const std::string from = l["from"], to = l["to"];
      // The arrival's history names the sender.
      bool named = false;
      for (const auto& e : logs.events) {
        if (e.call_uuid != to || !e.attributes.contains("AttributeLastTransferHomeLocation"))
          continue;
        EXPECT_EQ(e.attributes.at("AttributeLastTransferHomeLocation"),
                  switch_of_app.at(app_of.at(from)));
        EXPECT_EQ(e.attributes.at("AttributeLastTransferConnID"), conn_of.at(from));
        EXPECT_TRUE(dns_of[from].contains(e.attributes.at("AttributeLastTransferOrigDN")));
        EXPECT_TRUE(e.attributes.contains("AttributeFirstTransferConnID"));
        named = true;
      }
      EXPECT_TRUE(named) << "arrival without call history: " << to;
      ++arrivals;
    }
  }
  EXPECT_GT(arrivals, 10u);
  EXPECT_GT(iscc, 0u) << "no hop between two sites without call monitoring";
}

}  // namespace
}  // namespace calltrail::test
