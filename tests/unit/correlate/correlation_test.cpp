#include "calltrail/correlate/correlation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/timeline.hpp"
#include "event_builder.hpp"

namespace calltrail::correlate {
namespace {

using testing::call_event;
using testing::EventBuilder;
using testing::Logs;

constexpr Micros kT0 = 1'351'521'660'000'000;  // 2012-10-29T14:41:00Z
constexpr Micros kMs = 1000;

const char* kA = "TsA@SwitchA";
const char* kB = "TsB@SwitchB";

const Interaction& only_interaction_with(const Correlation& c, std::string_view uuid) {
  auto m = find_interactions(c, uuid);
  EXPECT_EQ(m.size(), 1u) << uuid;
  return c.interactions.at(m.at(0).interaction);
}

const SiteInfo& site_of(const Correlation& c, std::uint32_t file) {
  return c.sites.at(c.files.at(file).site.value());
}

std::vector<std::string> leg_uuids(const Correlation& c, const Interaction& it) {
  std::vector<std::string> v;
  for (auto l : it.legs)
    v.push_back(c.legs[l].call_uuid.str());
  return v;
}

TEST(Correlation, IsLinkPairJoinsTwoSitesWithDirection) {
  Logs logs;
  auto a = logs.file("a/TsA.log", "TsA");
  auto b = logs.file("b/TsB.log", "TsB");
  logs.add(a, call_event("EventRinging", kT0, 1, "UA", "11"));
  logs.add(a, call_event("EventCallDataChanged", kT0 + 10 * kMs, 2, "UA", "11")
                  .islinks({{"L1", kB, "source"}}));
  logs.add(b, call_event("EventCallDataChanged", kT0 + 20 * kMs, 1, "UB", "22")
                  .islinks({{"L1", kA, "target"}}));
  Correlation c = logs.build();
  ASSERT_EQ(c.interactions.size(), 1u);
  const auto& it = c.interactions[0];
  EXPECT_EQ(it.id, "UA");
  EXPECT_TRUE(it.complete);
  EXPECT_EQ(leg_uuids(c, it), (std::vector<std::string>{"UA", "UB"}));
  ASSERT_EQ(it.links.size(), 1u);
  const Link& l = c.links[it.links[0]];
  EXPECT_EQ(l.kind, LinkKind::IsLink);
  EXPECT_EQ(l.confidence, Confidence::Certain);
  EXPECT_EQ(c.legs[l.from].call_uuid, "UA");
  EXPECT_EQ(c.legs[l.to].call_uuid, "UB");
  EXPECT_EQ(l.evidence.size(), 2u);
  // Sites were named by what the other site calls them.
  EXPECT_EQ(c.sites[c.legs[l.from].site].name, kA);
  EXPECT_EQ(c.sites[c.legs[l.to].site].name, kB);
  EXPECT_EQ(c.sites[0].name_source, SiteNameSource::IsLinkPeer);
}

TEST(Correlation, UnpairedLinkSaysWhy) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  auto b = logs.file("TsB.log", "TsB");
  // UA -> unmonitored site; UB -> TsA which is present but never reports L3.
  logs.add(a, call_event("EventCallDataChanged", kT0, 1, "UA", "11")
                  .islinks({{"L2", "Far@Away", "source"}, {"L9", kB, "source"}}));
  logs.add(b,
           call_event("EventCallDataChanged", kT0, 1, "UB9", "99").islinks({{"L9", kA, "target"}}));
  logs.add(b,
           call_event("EventCallDataChanged", kT0, 2, "UB", "22").islinks({{"L3", kA, "source"}}));
  Correlation c = logs.build();
  const auto& ia = only_interaction_with(c, "UA");
  EXPECT_TRUE(ia.complete);
  const auto& ib = only_interaction_with(c, "UB");
  EXPECT_FALSE(ib.complete);
  for (const auto& l : c.links) {
    if (l.id == "L2") {
      EXPECT_EQ(l.reason, LinkReason::Unmonitored);
    } else if (l.id == "L3") {
      EXPECT_EQ(l.reason, LinkReason::PartnerMissing);
    } else {
      EXPECT_TRUE(l.paired());
    }
  }
}

TEST(Correlation, SameSiteTransfersMerge) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  logs.add(a, call_event("EventEstablished", kT0, 1, "MAIN", "11"));
  logs.add(
      a,
      call_event("EventDialing", kT0 + kMs, 2, "CONS", "12").attr("AttributeOrigCallUUID", "MAIN"));
  logs.add(a, call_event("EventReleased", kT0 + 2 * kMs, 3, "MAIN", "11")
                  .attr("AttributeTransferConnID", "12", model::ValueKind::Hex));
  logs.add(a, call_event("EventCallDeleted", kT0 + 3 * kMs, 4, "CONS", "12")
                  .attr("AttributeRefCallUUID", "MAIN"));
  // A second, unrelated call on the same site.
  logs.add(a, call_event("EventRinging", kT0 + 4 * kMs, 5, "OTHER", "13"));
  Correlation c = logs.build();
  ASSERT_EQ(c.interactions.size(), 2u);
  const auto& it = only_interaction_with(c, "CONS");
  EXPECT_EQ(it.id, "MAIN");
  EXPECT_EQ(leg_uuids(c, it), (std::vector<std::string>{"MAIN", "CONS"}));
  ASSERT_EQ(it.links.size(), 1u);  // three observations, one link
  const Link& l = c.links[it.links[0]];
  EXPECT_EQ(l.kind, LinkKind::Transfer);
  EXPECT_EQ(c.legs[l.from].call_uuid, "MAIN");
  EXPECT_EQ(l.evidence.size(), 3u);
}

TEST(Correlation, SameSiteConnIdReferenceJoinsOnlyTheCallAliveThen) {
  constexpr Micros kMinute = 60'000 * kMs;
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  // An old call had ConnID 0a; an hour later an unrelated call releases
  // with TransferConnID 0a (its consult call's events are not in the logs).
  logs.add(a, call_event("EventEstablished", kT0, 1, "OLD", "0a"));
  logs.add(a, call_event("EventCallDeleted", kT0 + kMs, 2, "OLD", "0a"));
  logs.add(a, call_event("EventEstablished", kT0 + 60 * kMinute, 3, "NEW", "0b"));
  logs.add(a, call_event("EventReleased", kT0 + 61 * kMinute, 4, "NEW", "0b")
                  .attr("AttributeTransferConnID", "0a", model::ValueKind::Hex));
  // ... and a consult call alive at its reference joins.
  logs.add(a, call_event("EventDialing", kT0 + 61 * kMinute, 5, "CONS", "0c"));
  logs.add(a, call_event("EventPartyChanged", kT0 + 62 * kMinute, 6, "NEW", "0b")
                  .attr("AttributePreviousConnID", "0c", model::ValueKind::Hex));
  Correlation c = logs.build();
  EXPECT_EQ(leg_uuids(c, only_interaction_with(c, "OLD")), (std::vector<std::string>{"OLD"}));
  EXPECT_EQ(leg_uuids(c, only_interaction_with(c, "NEW")),
            (std::vector<std::string>{"NEW", "CONS"}));
  EXPECT_EQ(c.unresolved_transfers, 1u);
}

TEST(Correlation, ConnIdOnlyEventsJoinTheLegAliveWithThatConnId) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  // ConnID-only event before any CallUUID in the file, then the call.
  logs.add(a, call_event("EventQueued", kT0, 1, "", "0000000000000011"));
  logs.add(a, call_event("EventRinging", kT0 + kMs, 2, "U1", "11"));
  logs.add(a, call_event("EventReleased", kT0 + 2 * kMs, 3, "", "11"));
  logs.add(a, call_event("EventAgentReady", kT0 + 3 * kMs, 4, "", ""));
  // The ConnID is reused by a later call: its events go to that call.
  logs.add(a, call_event("EventRinging", kT0 + 50 * kMs, 5, "U2", "11"));
  logs.add(a, call_event("EventReleased", kT0 + 51 * kMs, 6, "", "11"));
  Correlation c = logs.build();
  ASSERT_EQ(c.legs.size(), 2u);
  EXPECT_EQ(c.legs[0].call_uuid, "U1");
  EXPECT_EQ(c.legs[0].events.size(), 3u);
  EXPECT_EQ(c.legs[0].events.front().line, 1u);  // log order restored
  EXPECT_EQ(c.legs[1].events.size(), 2u);
  EXPECT_EQ(c.sites[0].events, 6u);
  EXPECT_EQ(c.sites[0].unattached_events, 0u);
}

TEST(Correlation, EqualConnIdAcrossSitesIsOnlyAHint) {
  for (bool merge : {false, true}) {
    Logs logs;
    auto a = logs.file("TsA.log", "TsA");
    auto b = logs.file("TsB.log", "TsB");
    logs.add(a, call_event("EventRinging", kT0, 1, "UA", "abc"));
    logs.add(b, call_event("EventRinging", kT0 + kMs, 1, "UB", "0000000000000ABC"));
    BuildOptions o;
    o.merge_hints = merge;
    Correlation c = logs.build(o);
    EXPECT_EQ(c.interactions.size(), merge ? 1u : 2u);
    ASSERT_EQ(c.links.size(), 1u);
    EXPECT_EQ(c.links[0].kind, LinkKind::Hint);
    EXPECT_EQ(c.links[0].confidence, Confidence::Hint);
    for (const auto& it : c.interactions)
      EXPECT_TRUE(it.complete);
  }
}

TEST(Correlation, LateAndPostMortemLinksCount) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  auto b = logs.file("TsB.log", "TsB");
  logs.add(a, call_event("EventCallDataChanged", kT0, 1, "UA", "1").islinks({{"L", kB, "source"}}));
  logs.add(b, call_event("EventRinging", kT0 + kMs, 1, "UB", "2"));
  logs.add(b, call_event("EventCallDeleted", kT0 + 5 * kMs, 2, "UB", "2"));
  logs.add(b, call_event("EventCallDataChanged", kT0 + 9000 * kMs, 3, "UB", "2")
                  .islinks({{"L", kA, "target"}}));
  Correlation c = logs.build();
  ASSERT_EQ(c.interactions.size(), 1u);
  EXPECT_TRUE(c.interactions[0].complete);
  EXPECT_EQ(c.interactions[0].id, "UA");
}

TEST(Correlation, InteractionIdDoesNotChangeWhenALaterSiteIsAdded) {
  auto build = [](bool with_b) {
    Logs logs;
    auto a = logs.file("TsA.log", "TsA");
    logs.add(a, call_event("EventRinging", kT0 + 5 * kMs, 1, "UA0", "1"));
    logs.add(a, call_event("EventCallDataChanged", kT0 + 10 * kMs, 2, "UA", "2")
                    .islinks({{"L", kB, "source"}}));
    logs.add(a, call_event("EventDialing", kT0 + 11 * kMs, 3, "UA", "2"));
    if (with_b) {
      auto b = logs.file("TsB.log", "TsB");
      // B's clock runs early: its leg starts "before" A's.
      logs.add(
          b, call_event("EventCallDataChanged", kT0, 1, "UB", "3").islinks({{"L", kA, "target"}}));
    }
    return logs.build();
  };
  Correlation one = build(false);
  Correlation two = build(true);
  EXPECT_EQ(only_interaction_with(one, "UA").id, "UA");
  EXPECT_EQ(only_interaction_with(two, "UB").id, "UA");
}

TEST(Correlation, SequenceGapsAreReportedAndFlagged) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  // U0 ends before the gap, U1 is under way across it, U2 starts after it.
  logs.add(a, call_event("EventRinging", kT0 - 500 * kMs, 1, "U0", "5").seq(8));
  logs.add(a, call_event("EventReleased", kT0 - 400 * kMs, 2, "U0", "5").seq(9));
  logs.add(a, call_event("EventRinging", kT0, 3, "U1", "1").seq(10));
  logs.add(a, call_event("EventEstablished", kT0 + 10 * kMs, 4, "U1", "1").seq(11));
  logs.add(a, call_event("EventReleased", kT0 + 20 * kMs, 5, "U1", "1").seq(15));
  logs.add(a, call_event("EventRinging", kT0 + 900 * kMs, 6, "U2", "2").seq(16));
  Correlation c = logs.build();
  ASSERT_EQ(c.gaps.size(), 1u);
  EXPECT_EQ(c.gaps[0].first_missing, 12u);
  EXPECT_EQ(c.gaps[0].missing(), 3u);
  EXPECT_EQ(c.gaps_of(only_interaction_with(c, "U1")).size(), 1u);
  EXPECT_TRUE(c.gaps_of(only_interaction_with(c, "U2")).empty());
  EXPECT_TRUE(c.gaps_of(only_interaction_with(c, "U0")).empty());
}

TEST(Correlation, SiteNamesFromOverrideApplicationAndFileName) {
  Logs logs;
  auto a = logs.file("logs/tsa.log");           // header-less: named by file name
  auto b = logs.file("logs/other.log", "TsB");  // header app, switch from location-name
  auto x = logs.file("x/y/z.log");              // overridden
  auto d = logs.file("lonely.log", "Lonely");   // nobody names it
  logs.add(x, call_event("EventCallDataChanged", kT0, 1, "UX", "5")
                  .islinks({{"L1", kA, "source"}, {"L2", kB, "source"}}));
  logs.add(a, call_event("EventRinging", kT0, 1, "UA", "1"));
  logs.add(b, call_event("EventRinging", kT0, 1, "UB", "2"));
  logs.add(d, call_event("EventRinging", kT0, 1, "UD", "3"));
  BuildOptions o;
  o.sites.push_back({"x/", "Router@Core"});
  Correlation c = logs.build(o);
  EXPECT_EQ(site_of(c, a).name, kA);
  EXPECT_EQ(site_of(c, a).name_source, SiteNameSource::FileName);
  EXPECT_EQ(site_of(c, b).name, kB);
  EXPECT_EQ(site_of(c, b).name_source, SiteNameSource::Location);
  EXPECT_EQ(site_of(c, x).name, "Router@Core");
  EXPECT_EQ(site_of(c, d).name, "Lonely@?");
  // Both links point to monitored sites whose partner events are missing.
  for (const auto& l : c.links)
    EXPECT_EQ(l.reason, LinkReason::PartnerMissing);
}

// A file is named by the location its peers give it most often; of
// locations named as often, the first in name order.
TEST(Correlation, SiteNameIsTheLocationPeersGiveMostFirstInNameOrderOnATie) {
  Logs logs;
  auto a = logs.file("a.log", "TsA");
  auto b = logs.file("b.log", "TsB");
  auto c = logs.file("c.log", "TsC");
  // b is "Beta@Two" to a and "Alpha@One" to c, once each.
  logs.add(a, call_event("EventCallDataChanged", kT0, 1, "UA", "1")
                  .islinks({{"L1", "Beta@Two", "source"}}));
  logs.add(c, call_event("EventCallDataChanged", kT0, 1, "UC", "3")
                  .islinks({{"L2", "Alpha@One", "source"}}));
  logs.add(b, call_event("EventCallDataChanged", kT0 + kMs, 1, "UB", "2")
                  .islinks({{"L1", "TsA@SwA", "target"}}));
  logs.add(b, call_event("EventCallDataChanged", kT0 + kMs, 2, "UB2", "4")
                  .islinks({{"L2", "TsC@SwC", "target"}}));
  Correlation built = logs.build();
  EXPECT_EQ(site_of(built, b).name, "Alpha@One");
  EXPECT_EQ(site_of(built, b).name_source, SiteNameSource::IsLinkPeer);
  EXPECT_EQ(site_of(built, a).name, "TsA@SwA");
  EXPECT_EQ(site_of(built, c).name, "TsC@SwC");
}

// Many locations named (more than a short list holds): the votes still go
// to the right one.
TEST(Correlation, SiteNameAmongManyLocations) {
  Logs logs;
  auto a = logs.file("a.log", "TsA");
  auto b = logs.file("b.log", "TsB");
  std::vector<std::string> ids;
  std::vector<std::string> names;
  for (int k = 0; k < 40; ++k) {
    ids.push_back("L" + std::to_string(k));
    // The last name three times, every other once.
    names.push_back("S" + std::to_string(k < 37 ? k : 37) + "@X");
  }
  for (int k = 0; k < 40; ++k) {
    logs.add(a, call_event("EventCallDataChanged", kT0, k + 1, "UA" + std::to_string(k), "1")
                    .islinks({{ids[k], names[k], "source"}}));
    logs.add(b, call_event("EventCallDataChanged", kT0 + kMs, k + 1, "UB" + std::to_string(k), "2")
                    .islinks({{ids[k], "TsA@SwA", "target"}}));
  }
  Correlation built = logs.build();
  EXPECT_EQ(site_of(built, b).name, "S37@X");
  EXPECT_EQ(site_of(built, a).name, "TsA@SwA");
}

TEST(Correlation, SegmentsOfOneSiteFormOneLeg) {
  Logs logs;
  auto s1 = logs.file("TsA.20121029_000000_000.log", "TsA");
  auto s2 = logs.file("TsA.20121029_010000_000.log", "TsA");
  logs.add(s1, call_event("EventRinging", kT0, 1, "U1", "1").seq(1));
  logs.add(s2, call_event("EventReleased", kT0 + kMs, 1, "U1", "1").seq(3));
  Correlation c = logs.build();
  ASSERT_EQ(c.sites.size(), 1u);
  ASSERT_EQ(c.legs.size(), 1u);
  EXPECT_EQ(c.legs[0].events.size(), 2u);
  ASSERT_EQ(c.gaps.size(), 1u);  // sequence 2 lost between the segments
  EXPECT_EQ(c.gaps[0].first_missing, 2u);
}

TEST(Correlation, ClockOffsetFromLinksBothWaysAndCausalTimeline) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  auto b = logs.file("TsB.log", "TsB");
  // B's clock runs 300 ms behind A's; each hop takes 20 ms.
  const Micros skew = -300 * kMs;
  logs.add(a,
           call_event("EventCallDataChanged", kT0, 1, "UA", "1").islinks({{"L1", kB, "source"}}));
  logs.add(b, call_event("EventCallDataChanged", kT0 + 20 * kMs + skew, 1, "UB", "2")
                  .islinks({{"L1", kA, "target"}}));
  logs.add(b, call_event("EventCallDataChanged", kT0 + 1000 * kMs + skew, 2, "UB", "2")
                  .islinks({{"L2", kA, "source"}}));
  logs.add(a, call_event("EventRinging", kT0 + 5 * kMs, 2, "UA", "1"));  // A has more events
  logs.add(a, call_event("EventCallDataChanged", kT0 + 1020 * kMs, 3, "UA2", "3")
                  .islinks({{"L2", kB, "target"}}));
  Correlation c = logs.build();
  const auto& sa = c.sites[c.files[a].site.value()];
  const auto& sb = c.sites[c.files[b].site.value()];
  ASSERT_TRUE(sa.clock_offset && sb.clock_offset);
  EXPECT_EQ(*sa.clock_offset, 0);
  EXPECT_EQ(*sb.clock_offset, skew);
  ASSERT_EQ(c.interactions.size(), 1u);
  auto tl = build_timeline(c, c.interactions[0]);
  std::vector<std::string> order;
  for (const auto& e : tl)
    order.push_back(c.legs[e.leg].call_uuid.str() + ":" +
                    std::string(c.str(c.legs[e.leg].events[e.event].name)));
  EXPECT_EQ(order, (std::vector<std::string>{"UA:EventCallDataChanged", "UA:EventRinging",
                                             "UB:EventCallDataChanged", "UB:EventCallDataChanged",
                                             "UA2:EventCallDataChanged"}));
}

TEST(Correlation, QueryFindsEveryKindOfIdentifier) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  auto b = logs.file("TsB.log", "TsB");
  logs.add(a, call_event("EventRinging", kT0, 1, "UA", "00000000000000ff")
                  .attr("AttributeThisDN", "5001")
                  .attr("AttributeANI", "+15550100")
                  .attr("AttributeDNIS", "8001")
                  .user_data({{"CustomerID", "C-42"}}));
  logs.add(
      a, call_event("EventCallDataChanged", kT0, 2, "UA", "ff").islinks({{"LINK", kB, "source"}}));
  logs.add(
      b, call_event("EventCallDataChanged", kT0, 1, "UB", "77").islinks({{"LINK", kA, "target"}}));
  logs.add(b, call_event("EventRinging", kT0, 2, "UNRELATED", "78"));
  Correlation c = logs.build();
  ASSERT_EQ(c.interactions.size(), 2u);
  for (const char* id : {"UA", "ua", "UB", "FF", "0xff" + 2, "LINK", "5001", "+15550100", "8001",
                         "CustomerID=C-42", "77"}) {
    auto m = find_interactions(c, id);
    ASSERT_EQ(m.size(), 1u) << id;
    EXPECT_EQ(c.interactions[m[0].interaction].id, "UA") << id;
  }
  EXPECT_TRUE(find_interactions(c, "CustomerID=C-43").empty());
  EXPECT_TRUE(find_interactions(c, "nothing").empty());
}

TEST(Correlation, JsonFollowsTheContract) {
  Logs logs;
  auto a = logs.file("TsA.log", "TsA");
  auto b = logs.file("TsB.log", "TsB");
  logs.add(a,
           call_event("EventCallDataChanged", kT0, 7, "UA", "1").islinks({{"L1", kB, "source"}}));
  logs.add(b,
           call_event("EventCallDataChanged", kT0, 9, "UB", "2").islinks({{"L1", kA, "target"}}));
  Correlation c = logs.build();
  Json j = interaction_json(c, c.interactions[0]);
  EXPECT_EQ(j["interaction_id"], "UA");
  EXPECT_EQ(j["complete"], true);
  ASSERT_EQ(j["legs"].size(), 2u);
  EXPECT_EQ(j["legs"][0]["site"], kA);
  EXPECT_EQ(j["legs"][0]["conn_ids"], Json::array({"0000000000000001"}));
  EXPECT_EQ(j["legs"][0]["start"], "2012-10-29T14:41:00.000000Z");
  EXPECT_EQ(j["legs"][0]["events"], 1);
  ASSERT_EQ(j["links"].size(), 1u);
  const auto& l = j["links"][0];
  EXPECT_EQ(l["kind"], "islink");
  EXPECT_EQ(l["id"], "L1");
  EXPECT_EQ(l["from"], "UA");
  EXPECT_EQ(l["to"], "UB");
  EXPECT_EQ(l["remote_site"], kB);
  EXPECT_EQ(l["confidence"], "certain");
  EXPECT_TRUE(l["reason"].is_null());
  EXPECT_EQ(l["evidence"],
            Json::parse(R"([{"file":"TsA.log","line":7},{"file":"TsB.log","line":9}])"));
}

}  // namespace
}  // namespace calltrail::correlate
