// SIP dialogs on their legs and the links they make between sites, from
// hand-built SIP events (what the parser makes of a SIP Server's log).
#include <gtest/gtest.h>

#include <algorithm>

#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/reach.hpp"
#include "event_builder.hpp"

namespace calltrail::correlate {
namespace {

using testing::EventBuilder;
using testing::Logs;

constexpr model::Micros kT0 = 1'351'521'660'000'000;  // 2012-10-29T14:41:00Z
constexpr model::Micros kMs = 1000;
const std::string kCallId = "a84b4c76e66710@10.0.0.1";
const std::string kUuidA = "01AE904GK088LFQD2CGB02LAES0000EP";
const std::string kUuidB = "02BF015HL199MGRE3DHC13MBFT0001FQ";

EventBuilder request(std::string_view method, bool sent, model::Micros at, std::uint64_t line,
                     std::string_view call_id, std::string_view genesys_uuid = {}) {
  EventBuilder b(method, at, line);
  b.sip().peer("10.0.0.2:5060").attr("Direction", sent ? "out" : "in").attr("Method", method);
  b.attr("Request-URI", "sip:7001@10.0.0.2").attr("Call-ID", call_id);
  b.attr("From", "5551234").attr("To", "7001");
  if (!genesys_uuid.empty()) b.attr("X-Genesys-CallUUID", genesys_uuid);
  return b;
}

EventBuilder response(std::string_view status, bool sent, model::Micros at, std::uint64_t line,
                      std::string_view call_id) {
  EventBuilder b(status, at, line);
  b.sip().peer("10.0.0.2:5060").attr("Direction", sent ? "out" : "in").attr("Method", "INVITE");
  b.attr("Status", status.substr(0, 3), model::ValueKind::Integer).attr("Call-ID", call_id);
  b.attr("To-Tag", "x1");
  return b;
}

EventBuilder mapping(model::Micros at, std::uint64_t line, std::string_view call_id,
                     std::string_view uuid) {
  EventBuilder b("CID:CUUID", at, line);
  b.sip().attr("Call-ID", call_id).attr("CallUUID", uuid);
  return b;
}

const Leg* leg_of(const Correlation& c, std::string_view uuid) {
  for (const auto& l : c.legs)
    if (l.call_uuid == uuid) return &l;
  return nullptr;
}

// Site A sends the call to site B over SIP: both log the INVITE with one
// Call-ID; each maps it to its own CallUUID.
void pass_call(Logs& logs, std::uint32_t a, std::uint32_t b) {
  logs.add(a, request("INVITE", true, kT0, 10, kCallId, kUuidA));
  logs.add(a, mapping(kT0 + kMs, 11, kCallId, kUuidA));
  logs.add(b, request("INVITE", false, kT0 + 20 * kMs, 30, kCallId, kUuidA));
  logs.add(b, response("100 Trying", true, kT0 + 21 * kMs, 31, kCallId));
  logs.add(b, mapping(kT0 + 22 * kMs, 32, kCallId, kUuidB));
  logs.add(a, response("100 Trying", false, kT0 + 30 * kMs, 12, kCallId));
}

TEST(SipLinks, SameCallIdSentAndReceivedJoinsTwoSites) {
  Logs logs;
  const auto a = logs.file("SIPServerA.log", "SIPServerA");
  const auto b = logs.file("SIPServerB.log", "SIPServerB");
  pass_call(logs, a, b);
  const Correlation c = logs.build();
  ASSERT_EQ(c.interactions.size(), 1u);
  ASSERT_EQ(c.interactions[0].legs.size(), 2u);
  EXPECT_EQ(c.interactions[0].id, kUuidA) << "the sender's leg is the root";
  ASSERT_EQ(c.links.size(), 1u);
  const Link& l = c.links[0];
  EXPECT_EQ(l.kind, LinkKind::Sip);
  EXPECT_EQ(l.id, kCallId);
  EXPECT_EQ(l.sip_call_id, kCallId);
  EXPECT_EQ(l.confidence, Confidence::Certain);
  ASSERT_TRUE(l.paired());
  EXPECT_EQ(c.legs[l.from].call_uuid, kUuidA);
  EXPECT_EQ(c.legs[l.to].call_uuid, kUuidB);
  // Both sites' INVITE lines are the evidence.
  EXPECT_NE(std::find(l.evidence.begin(), l.evidence.end(), Evidence{a, 10, 1000}),
            l.evidence.end());
  EXPECT_NE(std::find(l.evidence.begin(), l.evidence.end(), Evidence{b, 30, 3000}),
            l.evidence.end());
  for (const Leg& leg : c.legs) {
    ASSERT_EQ(leg.sip_dialogs.size(), 1u);
    EXPECT_EQ(leg.sip_dialogs[0].call_id, kCallId);
  }
  EXPECT_EQ(leg_of(c, kUuidA)->sip_dialogs[0].origin, SipDialog::Origin::Sent);
  EXPECT_EQ(leg_of(c, kUuidB)->sip_dialogs[0].origin, SipDialog::Origin::Received);
  EXPECT_EQ(leg_of(c, kUuidB)->sip_dialogs[0].remote_uuid, kUuidA);
  // The messages before B's mapping line are on B's leg (a mapping line is
  // not an event of the call).
  EXPECT_EQ(leg_of(c, kUuidB)->events.size(), 2u);
  EXPECT_EQ(leg_of(c, kUuidA)->events.size(), 2u);
  // Found by the Call-ID, whole or before '@'.
  EXPECT_EQ(find_interactions(c, kCallId).size(), 1u);
  EXPECT_EQ(find_interactions(c, "A84B4C76E66710").size(), 1u);
}

TEST(SipLinks, ReceivedGenesysCallUuidNamesTheSendersLeg) {
  // Site A's log prints T-Library only; B received A's INVITE.
  Logs logs;
  const auto a = logs.file("TServerA.log", "TServerA");
  const auto b = logs.file("SIPServerB.log", "SIPServerB");
  logs.add(a, EventBuilder("EventRinging", kT0, 5).attr("AttributeCallUUID", kUuidA));
  logs.add(b, request("INVITE", false, kT0 + 20 * kMs, 30, kCallId, kUuidA));
  logs.add(b, mapping(kT0 + 22 * kMs, 32, kCallId, kUuidB));
  const Correlation c = logs.build();
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].kind, LinkKind::Sip);
  EXPECT_EQ(c.links[0].via, "X-Genesys-CallUUID");
  EXPECT_EQ(c.legs[c.links[0].from].call_uuid, kUuidA);
  EXPECT_EQ(c.legs[c.links[0].to].call_uuid, kUuidB);
  EXPECT_EQ(c.interactions.size(), 1u);
}

TEST(SipLinks, AHalfReportedIsLinkIsCompletedByTheDialog) {
  // A reports the IS-Link (source, toward B); B prints no T-Library message.
  Logs logs;
  const auto a = logs.file("SIPServerA.log", "SIPServerA");
  const auto b = logs.file("SIPServerB.log", "SIPServerB");
  logs.add(a, EventBuilder("EventCallDataChanged", kT0 - kMs, 9)
                  .attr("AttributeCallUUID", kUuidA)
                  .islinks({{"00EBGH4GK488LFQD2CGB02LAES0007J5", "SIPServerB@SIP_B", "source"}}));
  pass_call(logs, a, b);
  const Correlation c = logs.build();
  ASSERT_EQ(c.links.size(), 1u) << "one hop, not an IS-Link and a sip link";
  const Link& l = c.links[0];
  EXPECT_EQ(l.kind, LinkKind::IsLink);
  ASSERT_TRUE(l.paired());
  EXPECT_EQ(l.reason, LinkReason::None);
  EXPECT_EQ(c.legs[l.to].call_uuid, kUuidB);
  EXPECT_EQ(l.sip_call_id, kCallId);
  EXPECT_EQ(l.evidence.size(), 3u);  // the IS-Link report and both INVITEs
  ASSERT_EQ(c.interactions.size(), 1u);
  EXPECT_TRUE(c.interactions[0].complete);
}

TEST(SipLinks, APairedIsLinkGainsTheDialogAsEvidence) {
  Logs logs;
  const auto a = logs.file("SIPServerA.log", "SIPServerA");
  const auto b = logs.file("SIPServerB.log", "SIPServerB");
  const std::string link = "00EBGH4GK488LFQD2CGB02LAES0007J5";
  logs.add(a, EventBuilder("EventCallDataChanged", kT0 - kMs, 9)
                  .attr("AttributeCallUUID", kUuidA)
                  .islinks({{link, "SIPServerB@SIP_B", "source"}}));
  logs.add(b, EventBuilder("EventCallDataChanged", kT0 + 40 * kMs, 40)
                  .attr("AttributeCallUUID", kUuidB)
                  .islinks({{link, "SIPServerA@SIP_A", "target"}}));
  pass_call(logs, a, b);
  const Correlation c = logs.build();
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].kind, LinkKind::IsLink);
  EXPECT_EQ(c.links[0].sip_call_id, kCallId);
  EXPECT_EQ(c.links[0].evidence.size(), 4u);
}

TEST(SipLinks, TrafficOfNoCallStaysOffTheLegsAndOneSiteMakesNoLink) {
  Logs logs;
  const auto a = logs.file("SIPServerA.log", "SIPServerA");
  // A REGISTER and its answer: no mapping line ever names their Call-ID.
  logs.add(a, request("REGISTER", false, kT0, 1, "reg-1@10.0.0.9"));
  logs.add(a, response("200 OK", true, kT0 + kMs, 2, "reg-1@10.0.0.9"));
  // One call, two dialogs sent by the site (it calls two parties).
  logs.add(a, request("INVITE", true, kT0 + 10 * kMs, 10, kCallId, kUuidA));
  logs.add(a, request("INVITE", true, kT0 + 20 * kMs, 20, "second@10.0.0.1", kUuidA));
  logs.add(a, response("403 Forbidden", false, kT0 + 30 * kMs, 30, "second@10.0.0.1"));
  const Correlation c = logs.build();
  ASSERT_EQ(c.legs.size(), 1u);
  EXPECT_EQ(c.legs[0].events.size(), 3u);
  ASSERT_EQ(c.legs[0].sip_dialogs.size(), 2u);
  EXPECT_EQ(c.legs[0].sip_dialogs[1].call_id, "second@10.0.0.1");
  EXPECT_TRUE(c.links.empty());
  EXPECT_EQ(c.sites[0].events, 5u);
  EXPECT_EQ(c.sites[0].call_events, 3u);
  // The INVITE's From and To users are the leg's parties.
  EXPECT_NE(std::find(c.legs[0].dns.begin(), c.legs[0].dns.end(), "7001"), c.legs[0].dns.end());
}

// The SIP-passed call and an unrelated call on B.
void two_calls(Logs& logs) {
  const auto a = logs.file("SIPServerA.log", "SIPServerA");
  const auto b = logs.file("SIPServerB.log", "SIPServerB");
  pass_call(logs, a, b);
  logs.add(b, request("INVITE", false, kT0 + 90 * kMs, 90, "other@10.0.0.7"));
  logs.add(b, mapping(kT0 + 91 * kMs, 91, "other@10.0.0.7", "03CG126IM200NHSF4EID24NCGU0002GR"));
}

TEST(SipLinks, TraceOfACallIdBuildsWhatTheWholeBuildGives) {
  Logs whole_logs;
  two_calls(whole_logs);
  const Correlation whole = whole_logs.build();
  ASSERT_EQ(whole.interactions.size(), 2u);

  Logs logs;
  two_calls(logs);
  auto [partials, files] = logs.take();
  const auto built = build_for_id(partials, files, {}, {}, "a84b4c76e66710", 1.0);
  ASSERT_TRUE(built.has_value());
  ASSERT_EQ(built->interactions.size(), 1u);
  EXPECT_EQ(built->interactions[0].id, whole.interactions[0].id);
  EXPECT_EQ(built->interactions[0].legs.size(), 2u);
  ASSERT_EQ(built->links.size(), 1u);
  EXPECT_EQ(built->links[0].kind, LinkKind::Sip);
}

}  // namespace
}  // namespace calltrail::correlate
