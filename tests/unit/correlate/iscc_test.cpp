// Sites joined by ISCC call history (docs/correlation.md, "ISCC call
// history"): one test per rule, including the matches that must stay hints.
#include "calltrail/correlate/iscc.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"
#include "event_builder.hpp"

namespace calltrail::correlate {
namespace {

using testing::call_event;
using testing::EventBuilder;
using testing::Logs;

// 2012-10-29T14:41:00Z, in milliseconds and minutes from it.
constexpr Micros kT0 = 1'351'521'660'000'000;
constexpr Micros kMs = 1000;
constexpr Micros kMinute = 60'000 * kMs;

// The arriving call's event with its call history (last origin; the first
// one too when given).
EventBuilder arrival(Micros t, std::uint64_t line, std::string_view uuid, std::string_view conn,
                     std::string_view location, std::string_view dn, std::string_view from_conn,
                     std::string_view first_location = {}, std::string_view first_dn = {},
                     std::string_view first_conn = {}) {
  EventBuilder b = call_event("EventRouteRequest", t, line, uuid, conn, "2601");
  if (!location.empty()) b.attr("AttributeLastTransferHomeLocation", location);
  if (!dn.empty()) b.attr("AttributeLastTransferOrigDN", dn);
  if (!from_conn.empty()) b.attr("AttributeLastTransferConnID", from_conn, model::ValueKind::Hex);
  if (!first_location.empty()) b.attr("AttributeFirstTransferHomeLocation", first_location);
  if (!first_dn.empty()) b.attr("AttributeFirstTransferOrigDN", first_dn);
  if (!first_conn.empty())
    b.attr("AttributeFirstTransferConnID", first_conn, model::ValueKind::Hex);
  return b;
}

// Three sites named by --site (none reports an IS-Link, so nothing else
// would name their switches).
struct Sites {
  Logs logs;
  std::uint32_t a = logs.file("TsA.log", "TsA");
  std::uint32_t b = logs.file("TsB.log", "TsB");
  std::uint32_t c = logs.file("TsC.log", "TsC");
  Correlation build() {
    BuildOptions o;
    o.sites = {{"TsA.log", "TsA@SwitchA"}, {"TsB.log", "TsB@SwitchB"}, {"TsC.log", "TsC@SwitchC"}};
    return logs.build(o);
  }
  // IS-Link LINK1 reported by UA on A as sent to B, by UB on B as received.
  void report_source() {
    logs.add(a, call_event("EventCallDataChanged", kT0 + 60 * kMs, 4, "UA", "0a")
                    .islinks({{"LINK1", "TsB@SwitchB", "source"}}));
  }
  void report_target() {
    logs.add(b, call_event("EventCallDataChanged", kT0 + 310 * kMs, 2, "UB", "0b")
                    .islinks({{"LINK1", "TsA@SwitchA", "target"}}));
  }
  // A call on site A: route point 1501 sends it away.
  void origin(std::string_view uuid, std::string_view conn, Micros t, std::uint64_t line,
              std::string_view dn = "1501") {
    logs.add(a, call_event("EventRouteRequest", t, line, uuid, conn, dn));
    logs.add(a, call_event("EventRouteUsed", t + 50 * kMs, line + 1, uuid, conn, dn));
    logs.add(a, call_event("EventCallDeleted", t + 900 * kMs, line + 2, uuid, conn));
  }
};

const Link* link_of(const Correlation& c, LinkKind kind) {
  for (const auto& l : c.links)
    if (l.kind == kind) return &l;
  return nullptr;
}

std::size_t interaction_count_with(const Correlation& c, std::string_view uuid) {
  return find_interactions(c, uuid).size();
}

bool joined(const Correlation& c, std::string_view x, std::string_view y) {
  auto m = find_interactions(c, x);
  if (m.size() != 1) return false;
  for (auto l : c.interactions[m[0].interaction].legs)
    if (c.legs[l].call_uuid == y) return true;
  return false;
}

TEST(Iscc, AllThreePartsNameOneLiveLegCertain) {
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  Correlation c = s.build();
  ASSERT_EQ(c.interactions.size(), 1u);
  EXPECT_EQ(c.interactions[0].id, "UA");
  EXPECT_TRUE(c.interactions[0].complete);
  const Link* l = link_of(c, LinkKind::Iscc);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->confidence, Confidence::Certain);
  EXPECT_EQ(l->id, "000000000000000a");
  EXPECT_EQ(l->via, "AttributeLastTransferConnID");
  EXPECT_EQ(c.legs[l->from].call_uuid, "UA");
  EXPECT_EQ(c.legs[l->to].call_uuid, "UB");
  // The arriving event and the origin's last event with the DN by then.
  ASSERT_EQ(l->evidence.size(), 2u);
  EXPECT_EQ(l->evidence[0].file, s.a);
  EXPECT_EQ(l->evidence[0].line, 2u);
  EXPECT_EQ(l->evidence[1].file, s.b);
  EXPECT_EQ(l->evidence[1].line, 1u);
  const auto j = interaction_json(c, c.interactions[0]);
  EXPECT_EQ(j["links"][0]["kind"], "iscc");
  EXPECT_EQ(j["links"][0]["confidence"], "certain");
  EXPECT_FALSE(j["links"][0].contains("skipped_location"));
}

TEST(Iscc, TwoPartsAndOneCandidateIsProbableAndJoins) {
  Sites s;
  // The DN differs (another DN sent it): the switch and ConnID agree.
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1999", "0a"));
  // The switch is one no site has, but the DN and ConnID agree.
  s.origin("UA2", "0c", kT0 + kMs, 4, "1502");
  s.logs.add(s.c, arrival(kT0 + 300 * kMs, 1, "UC", "0d", "Elsewhere", "1502", "0c"));
  Correlation c = s.build();
  EXPECT_TRUE(joined(c, "UA", "UB"));
  EXPECT_TRUE(joined(c, "UA2", "UC"));
  for (const auto& l : c.links) {
    EXPECT_EQ(l.kind, LinkKind::Iscc);
    EXPECT_EQ(l.confidence, Confidence::Probable);
  }
  EXPECT_EQ(c.links.size(), 2u);
}

TEST(Iscc, TwoCandidatesStayAHint) {
  Sites s;
  // Two live calls on switch A with the ConnID and the DN.
  s.origin("UA1", "0a", kT0, 1);
  s.origin("UA2", "0a", kT0 + 20 * kMs, 4);
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  Correlation c = s.build();
  EXPECT_EQ(link_of(c, LinkKind::Iscc), nullptr);
  EXPECT_EQ(interaction_count_with(c, "UB"), 1u);
  EXPECT_FALSE(joined(c, "UB", "UA1"));
  EXPECT_FALSE(joined(c, "UB", "UA2"));
  const Link* h = link_of(c, LinkKind::Hint);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->confidence, Confidence::Hint);
}

// Histories that name no single origin: the legs stay apart, and an arrival
// from a site of the input then leaves its interaction incomplete.
struct Unjoined {
  const char* name;
  const char* location;
  const char* dn;
  Micros after;  // the arrival, after the origin's first event
  bool complete;
};

class IsccUnjoined : public ::testing::TestWithParam<Unjoined> {};

TEST_P(IsccUnjoined, LegsStayApart) {
  const Unjoined& u = GetParam();
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, arrival(kT0 + u.after, 1, "UB", "0b", u.location, u.dn, "0a"));
  Correlation c = s.build();
  EXPECT_EQ(link_of(c, LinkKind::Iscc), nullptr);
  EXPECT_FALSE(joined(c, "UA", "UB"));
  const auto m = find_interactions(c, "UB");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(c.interactions[m[0].interaction].complete, u.complete);
  // Equal ConnIDs within the hint window stay a hint.
  EXPECT_EQ(link_of(c, LinkKind::Hint) != nullptr, u.after < 60 * kMinute);
}

INSTANTIATE_TEST_SUITE_P(
    Iscc, IsccUnjoined,
    ::testing::Values(Unjoined{"OnlyTheConnId", "Elsewhere", "1999", 300 * kMs, true},
                      Unjoined{"OverLongBefore", "SwitchA", "1501", 10 * kMinute, false}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Iscc, ArrivalFromASiteOfTheInputUnlinkedIsIncomplete) {
  Sites s;
  s.logs.add(s.b, arrival(kT0, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  s.logs.add(s.c, arrival(kT0, 1, "UC", "0c", "NotGiven", "1501", "0a"));
  Correlation c = s.build();
  const auto mb = find_interactions(c, "UB");
  const auto mc = find_interactions(c, "UC");
  ASSERT_EQ(mb.size(), 1u);
  ASSERT_EQ(mc.size(), 1u);
  EXPECT_FALSE(c.interactions[mb[0].interaction].complete);
  EXPECT_TRUE(c.interactions[mc[0].interaction].complete);
}

TEST(Iscc, HalfReportedIsLinkGetsItsOtherEndFromTheHistory) {
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.report_source();
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  Correlation c = s.build();
  ASSERT_EQ(c.links.size(), 1u);  // one hop, one link
  const Link& l = c.links[0];
  EXPECT_EQ(l.kind, LinkKind::IsLink);
  EXPECT_EQ(l.id, "LINK1");
  ASSERT_TRUE(l.paired());
  EXPECT_EQ(l.reason, LinkReason::None);
  EXPECT_EQ(c.legs[l.to].call_uuid, "UB");
  EXPECT_EQ(l.confidence, Confidence::Certain);
  // The report, the origin's DN event and the arrival.
  EXPECT_EQ(l.evidence.size(), 3u);
  ASSERT_EQ(c.interactions.size(), 1u);
  EXPECT_TRUE(c.interactions[0].complete);
}

TEST(Iscc, HalfReportedTargetGetsItsSourceFromTheHistory) {
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  s.report_target();
  Correlation c = s.build();
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_TRUE(c.links[0].paired());
  EXPECT_EQ(c.legs[c.links[0].from].call_uuid, "UA");
  EXPECT_EQ(c.interactions[0].id, "UA");
}

TEST(Iscc, APairedIsLinkOfTheSameHopGainsTheHistoryAsEvidence) {
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.report_source();
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0b", "SwitchA", "1501", "0a"));
  s.report_target();
  Correlation c = s.build();
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].kind, LinkKind::IsLink);
  EXPECT_EQ(c.links[0].evidence.size(), 4u);
}

TEST(Iscc, FirstTransferJoinsAcrossASiteWithoutLogs) {
  Sites s;
  // A -> [SwitchX, no logs] -> C.
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.c, arrival(kT0 + 2000 * kMs, 1, "UC", "0c", "SwitchX", "3501", "0e", "SwitchA",
                          "1501", "0a"));
  Correlation c = s.build();
  const Link* l = link_of(c, LinkKind::Iscc);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->via, "AttributeFirstTransferConnID");
  EXPECT_EQ(l->skipped_location, "SwitchX");
  EXPECT_EQ(l->confidence, Confidence::Certain);
  EXPECT_TRUE(joined(c, "UA", "UC"));
  EXPECT_TRUE(c.interactions[0].complete);
  EXPECT_EQ(interaction_json(c, c.interactions[0])["links"][0]["skipped_location"], "SwitchX");
}

TEST(Iscc, FirstTransferReachesAnHourAfterTheFirstLegEnded) {
  // The chain's first leg ended long before the last hop: the first transfer
  // still names it within kFirstTransferReach, and not beyond.
  for (const Micros after : {50 * kMinute, 70 * kMinute}) {
    Sites s;
    s.origin("UA", "0a", kT0, 1);  // ends 0.9 s after kT0
    s.logs.add(s.c, arrival(kT0 + after, 1, "UC", "0c", "SwitchX", "3501", "0e", "SwitchA",
                            "1501", "0a"));
    Correlation c = s.build();
    EXPECT_EQ(joined(c, "UA", "UC"), after < kFirstTransferReach) << after / kMinute;
  }
}

TEST(Iscc, FirstTransferJoinsTheChainWhenTheMiddleLegIsNotFound) {
  // A -> B -> C, B's logs given but without the leg that sent the call on:
  // C joins A by its first transfer, and the hop from B stays missing.
  Sites s;
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, call_event("EventRouteRequest", kT0 + 100 * kMs, 1, "UB9", "0d", "2601"));
  s.logs.add(s.c, arrival(kT0 + 2000 * kMs, 1, "UC", "0c", "SwitchB", "3501", "0e", "SwitchA",
                          "1501", "0a"));
  Correlation c = s.build();
  const Link* l = link_of(c, LinkKind::Iscc);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->via, "AttributeFirstTransferConnID");
  EXPECT_TRUE(l->skipped_location.empty());
  EXPECT_TRUE(joined(c, "UA", "UC"));
  const auto m = find_interactions(c, "UC");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(c.interactions[m[0].interaction].complete);
}

TEST(Iscc, ACallBackOnTheFirstSiteIsNotItsOwnOrigin) {
  Sites s;
  // A -> B -> A with one ConnID throughout (the seed's shape).
  s.origin("UA", "0a", kT0, 1);
  s.logs.add(s.b, arrival(kT0 + 300 * kMs, 1, "UB", "0a", "SwitchA", "1501", "0a"));
  s.logs.add(s.b, call_event("EventRouteUsed", kT0 + 400 * kMs, 2, "UB", "0a", "2601"));
  s.logs.add(s.a, arrival(kT0 + 700 * kMs, 7, "UA2", "0a", "SwitchB", "2601", "0a"));
  s.logs.add(s.a, call_event("EventRinging", kT0 + 800 * kMs, 8, "UA2", "0a", "1501"));
  Correlation c = s.build();
  ASSERT_EQ(c.interactions.size(), 1u);
  EXPECT_EQ(c.interactions[0].id, "UA");
  std::vector<std::pair<std::string, std::string>> hops;
  for (const auto& l : c.links)
    if (l.kind == LinkKind::Iscc)
      hops.emplace_back(c.legs[l.from].call_uuid, c.legs[l.to].call_uuid);
  std::sort(hops.begin(), hops.end());
  EXPECT_EQ(hops, (std::vector<std::pair<std::string, std::string>>{{"UA", "UB"}, {"UB", "UA2"}}));
}

}  // namespace
}  // namespace calltrail::correlate
