// The BLOB forms: what is written is read back the same, and a short or
// corrupt BLOB is an error (CodecError), never a crash.
#include "calltrail/store/records.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string_view>

#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/store/codec.hpp"

namespace calltrail::store {
namespace {

using correlate::EventRef;
using correlate::StringPool;

EventRef event(StringPool& pool, std::uint64_t line, const char* name, const char* dn) {
  EventRef e;
  e.utc = 1'351'521'660'000'000 + static_cast<std::int64_t>(line) * 1000;
  e.local = e.utc - 5 * 3'600'000'000LL;
  e.line = line;
  e.offset = line * 400;
  e.name = pool.intern(name);
  e.this_dn = pool.intern(dn);
  e.flags = EventRef::kHasUtc | EventRef::kUtcStamped;
  e.local_digits = 4;
  return e;
}

void expect_same_event(const EventRef& a, const StringPool& pa, const EventRef& b,
                       const StringPool& pb) {
  EXPECT_EQ(a.utc, b.utc);
  EXPECT_EQ(a.local, b.local);
  EXPECT_EQ(a.line, b.line);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.local_digits, b.local_digits);
  EXPECT_EQ(pa.at(a.name), pb.at(b.name));
  EXPECT_EQ(pa.at(a.this_dn), pb.at(b.this_dn));
  EXPECT_EQ(pa.at(a.other_dn), pb.at(b.other_dn));
  EXPECT_EQ(pa.at(a.note), pb.at(b.note));
}

struct Sample {
  StringPool pool;
  correlate::Leg leg;
  std::vector<TransferRecord> transfers;
  std::vector<std::string> islinks{"4b5e0c8a", "4b5e0c8b"};
  Sample() {
    leg.call_uuid = "00RP30KH7088L1IC08GB82LAES000317";
    leg.conn_ids = {0x009a021843038407, 0x009a021843038408};
    leg.transfer_conn_ids.set() = {0x009a021843038409};
    leg.dns = {"2000", "+15551234567"};
    leg.ani = "+15551234567";
    leg.dnis = "8001";
    leg.call_type = "2";
    leg.user_data = {{"CustomerID", "4711"}, {"Lang", "de"}};
    leg.deleted = true;
    leg.events = {event(pool, 10, "EventRinging", "2000"), event(pool, 3, "EventDialing", ""),
                  event(pool, 90, "EventReleased", "2000")};
    // Two SIP dialogs: one received from another site (its INVITE kept), one
    // whose first INVITE was not seen.
    correlate::SipDialog received;
    received.call_id = "a84b4c76e66710@10.0.0.1";
    received.origin = correlate::SipDialog::Origin::Received;
    received.remote_uuid = "01AE904GK088LFQD2CGB02LAES0000EP";
    received.invite = leg.events[0];
    received.invite->name = received.invite->this_dn = 0;
    correlate::SipDialog seen;
    seen.call_id = "second@10.0.0.1";
    leg.sip_dialogs = {received, seen};
    // Its ISCC call history: the last origin whole, the first without a DN.
    leg.history.set().last = {"Avaya_Switch1", "1500", 0x009a021843038406ull};
    leg.history.set().first = {"Nortel_Switch5", "", std::nullopt};
    leg.history.set().event = leg.events[1];
    leg.history.set().event->name = leg.history.set().event->this_dn = 0;
    TransferRecord t;
    t.seq = 7;
    t.observation.via = correlate::TransferVia::TransferConnID;
    t.observation.value = "009a021843038409";
    t.observation.event = leg.events[2];
    transfers.push_back(t);
  }
};

TEST(Records, LegRoundTrip) {
  Sample s;
  const std::string blob = encode_leg(s.leg, s.transfers, s.islinks, s.pool);
  StringPool pool;
  const LegRecord r = decode_leg(blob, 3, pool);
  EXPECT_EQ(r.leg.call_uuid, s.leg.call_uuid);
  EXPECT_EQ(r.leg.conn_ids, s.leg.conn_ids);
  EXPECT_EQ(r.leg.transfer_conn_ids.get(), s.leg.transfer_conn_ids.get());
  EXPECT_EQ(r.leg.dns, s.leg.dns);
  EXPECT_EQ(r.leg.ani, s.leg.ani);
  EXPECT_EQ(r.leg.dnis, s.leg.dnis);
  EXPECT_EQ(r.leg.call_type, s.leg.call_type);
  EXPECT_EQ(r.leg.user_data, s.leg.user_data);
  EXPECT_TRUE(r.leg.deleted);
  ASSERT_EQ(r.leg.events.size(), s.leg.events.size());
  for (std::size_t i = 0; i < r.leg.events.size(); ++i) {
    expect_same_event(r.leg.events[i], pool, s.leg.events[i], s.pool);
    EXPECT_EQ(r.leg.events[i].file, 3u);
  }
  ASSERT_EQ(r.transfers.size(), 1u);
  EXPECT_EQ(r.transfers[0].seq, 7u);
  EXPECT_EQ(r.transfers[0].observation.value, "009a021843038409");
  expect_same_event(r.transfers[0].observation.event, pool, s.leg.events[2], s.pool);
  EXPECT_EQ(r.islink_ids, s.islinks);
  ASSERT_EQ(r.leg.sip_dialogs.size(), 2u);
  EXPECT_EQ(r.leg.sip_dialogs[0].call_id, "a84b4c76e66710@10.0.0.1");
  EXPECT_EQ(r.leg.sip_dialogs[0].origin, correlate::SipDialog::Origin::Received);
  EXPECT_EQ(r.leg.sip_dialogs[0].remote_uuid, "01AE904GK088LFQD2CGB02LAES0000EP");
  ASSERT_TRUE(r.leg.sip_dialogs[0].invite.has_value());
  EXPECT_EQ(r.leg.sip_dialogs[0].invite->line, s.leg.events[0].line);
  EXPECT_EQ(r.leg.sip_dialogs[0].invite->utc, s.leg.events[0].utc);
  EXPECT_EQ(r.leg.sip_dialogs[0].invite->file, 3u);
  EXPECT_EQ(r.leg.sip_dialogs[1].call_id, "second@10.0.0.1");
  EXPECT_EQ(r.leg.sip_dialogs[1].origin, correlate::SipDialog::Origin::Unknown);
  EXPECT_FALSE(r.leg.sip_dialogs[1].invite.has_value());
  EXPECT_EQ(r.leg.history->last.location, "Avaya_Switch1");
  EXPECT_EQ(r.leg.history->last.orig_dn, "1500");
  EXPECT_EQ(r.leg.history->last.conn, 0x009a021843038406ull);
  EXPECT_EQ(r.leg.history->first.location, "Nortel_Switch5");
  EXPECT_EQ(r.leg.history->first.orig_dn, "");
  EXPECT_FALSE(r.leg.history->first.conn.has_value());
  ASSERT_TRUE(r.leg.history->event.has_value());
  EXPECT_EQ(r.leg.history->event->line, s.leg.events[1].line);
  EXPECT_EQ(r.leg.history->event->utc, s.leg.events[1].utc);
  EXPECT_EQ(r.leg.history->event->file, 3u);
  // The identifiers a user may search by, and those that join legs (a
  // Call-ID whole and before '@', the sender's CallUUID), in any case.
  const auto index = index_keys(r.leg, r.transfers, r.islink_ids);
  const auto links = link_keys(r.leg, r.transfers, r.islink_ids);
  auto has = [](const std::vector<std::int64_t>& v, correlate::LinkKey k) {
    return std::binary_search(v.begin(), v.end(), static_cast<std::int64_t>(k));
  };
  for (const char* k : {"00rp30kh7088l1ic08gb82laes000317", "4B5E0C8B", "a84b4c76e66710@10.0.0.1",
                        "a84b4c76e66710", "01AE904GK088LFQD2CGB02LAES0000EP", "second"}) {
    EXPECT_TRUE(has(links, correlate::text_key(k))) << k;
    EXPECT_TRUE(has(index, correlate::text_key(k))) << k;
  }
  for (const std::uint64_t c :
       {0x009a021843038407ull, 0x009a021843038408ull, 0x009a021843038409ull})
    EXPECT_TRUE(has(links, correlate::conn_key(c))) << c;
  // The transfer reference by ConnID meets a ConnID, not a text.
  EXPECT_TRUE(has(
      links, correlate::transfer_key(correlate::TransferVia::TransferConnID, "009a021843038409")));
  for (const char* k : {"2000", "8001", "CustomerID=4711", "customerid=4711"}) {
    EXPECT_TRUE(has(index, correlate::text_key(k))) << k;
    EXPECT_FALSE(has(links, correlate::text_key(k))) << k;
  }
  EXPECT_TRUE(std::is_sorted(index.begin(), index.end()));
  EXPECT_EQ(std::adjacent_find(index.begin(), index.end()), index.end());
}

TEST(Records, SummaryAndResumeRoundTrip) {
  PartSummary s;
  s.events = 12;
  s.call_events = 9;
  s.sequence.first = 100;
  s.sequence.last = 140;
  s.sequence.first_utc = -5;
  s.sequence.gaps.push_back({110, 112, 7, std::nullopt, 0, 55});
  s.apps = {{"Tserver2", 12}};
  s.offset_votes = {{-18000, 3}, {3600, 1}};
  s.first_utc = 1'351'521'660'000'000;
  const PartSummary d = decode_summary(encode_summary(s), 4);
  EXPECT_EQ(d.events, 12u);
  EXPECT_EQ(d.sequence.first, s.sequence.first);
  EXPECT_EQ(d.sequence.first_utc, s.sequence.first_utc);
  ASSERT_EQ(d.sequence.gaps.size(), 1u);
  EXPECT_EQ(d.sequence.gaps[0].last_missing, 112u);
  EXPECT_EQ(d.sequence.gaps[0].file, 4u);
  EXPECT_EQ(d.sequence.gaps[0].line, 55u);
  EXPECT_EQ(d.apps, s.apps);
  EXPECT_EQ(d.offset_votes, s.offset_votes);
  EXPECT_EQ(d.first_utc, s.first_utc);

  ResumeState r;
  r.parser.offset = 123'456;
  r.parser.line = 789;
  r.parser.day = 15'642;
  r.parser.last_time_of_day = 34'860'540'000;
  r.parser.last_time.time_of_day = 34'860'540'000;
  r.parser.last_time.digits = 3;
  r.parser.have_time = true;
  r.parser.utc_offset = -18000;
  r.collector.conn_legs = {{0x9a021843038407, "uuid-1"}, {7, "uuid-2"}};
  r.collector.sequence_last = 140;
  r.collector.offset_votes = 17;
  const ResumeState b = decode_resume(encode_resume(r));
  EXPECT_EQ(b.parser.offset, r.parser.offset);
  EXPECT_EQ(b.parser.line, r.parser.line);
  EXPECT_EQ(b.parser.day, r.parser.day);
  EXPECT_EQ(b.parser.last_time.digits, 3);
  EXPECT_TRUE(b.parser.have_time);
  EXPECT_FALSE(b.parser.offset_checked);
  EXPECT_EQ(b.parser.utc_offset, r.parser.utc_offset);
  EXPECT_EQ(b.collector.conn_legs, r.collector.conn_legs);
  EXPECT_EQ(b.collector.sequence_last, r.collector.sequence_last);
  EXPECT_EQ(b.collector.offset_votes, 17u);
}

// Every prefix and many byte flips of a valid BLOB: decoded or refused.
TEST(Records, DamagedBlobsAreRefused) {
  Sample s;
  const std::string blob = encode_leg(s.leg, s.transfers, s.islinks, s.pool);
  for (std::size_t n = 0; n < blob.size(); ++n) {
    StringPool pool;
    EXPECT_THROW(decode_leg(blob.substr(0, n), 0, pool), CodecError) << n;
  }
  std::uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string bad = blob;
    x = x * 1664525u + 1013904223u;
    bad[x % bad.size()] = static_cast<char>(x >> 24);
    StringPool pool;
    try {
      (void)decode_leg(bad, 0, pool);
    } catch (const CodecError&) {
    }
  }
  EXPECT_THROW(decode_resume(std::string("\x01\xff", 2)), CodecError);
  EXPECT_THROW(decode_summary(std::string("\x02", 1), 0), CodecError);
}

// Found by fuzz_store_records: an event's time delta that does not fit with
// the time before it (signed overflow) is refused, not decoded to garbage.
TEST(Records, EventDeltaOverflowIsRefused) {
  std::ifstream in(
      std::string(CALLTRAIL_SOURCE_DIR) + "/fuzz/corpus/store_records/event_delta_overflow",
      std::ios::binary);
  ASSERT_TRUE(in);
  const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(input.size(), 1u);
  ASSERT_EQ(input[0] % 6, 0);  // the fuzz target's leg decoder
  StringPool pool;
  try {
    (void)decode_leg(std::string_view(input).substr(1), 0, pool);
    FAIL() << "decoded";
  } catch (const CodecError& e) {
    EXPECT_STREQ(e.what(), "event field out of range");
  }
}

}  // namespace
}  // namespace calltrail::store
