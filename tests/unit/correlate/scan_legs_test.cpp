// A scan keeps each leg's link keys in ScanLegs instead of a Leg: the same
// CallUUIDs, ConnIDs and transfer ConnIDs (in order, without repeats, at
// most kMaxLegDns transfer ConnIDs a leg) as a full collection of the same
// events.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "event_builder.hpp"

namespace calltrail::correlate {
namespace {

using testing::EventBuilder;

constexpr Micros kT0 = 1'351'521'660'000'000;

std::uint64_t number(unsigned n) {
  return 0x006a022900000000ull + n;
}

std::string conn(unsigned n) {
  return std::string(ConnText(number(n)).view());
}

// Events of three legs, interleaved: ConnIDs that change and come back,
// transfer ConnIDs repeated on every event and more of them than a leg keeps.
std::vector<model::Event> interleaved_events() {
  std::vector<model::Event> out;
  std::uint64_t line = 1;
  auto add = [&](std::string_view uuid, unsigned c, unsigned first, unsigned last) {
    EventBuilder b("EventPartyChanged", kT0 + static_cast<Micros>(line) * 1000, line);
    b.attr("AttributeCallUUID", uuid);
    b.attr("AttributeConnID", conn(c), model::ValueKind::Hex);
    if (first != 0) b.attr("AttributeFirstTransferConnID", conn(first), model::ValueKind::Hex);
    if (last != 0) b.attr("AttributeLastTransferConnID", conn(last), model::ValueKind::Hex);
    out.push_back(b.event());
    ++line;
  };
  add("UA", 1, 0, 0);
  add("UB", 2, 0, 0);
  add("UA", 3, 0, 0);
  add("UB", 2, 7, 7);
  add("UA", 1, 0, 0);  // back to its first ConnID
  add("UA", 3, 9, 8);
  add("UC", 4, 0, 0);
  add("UA", 1, 8, 9);  // the same transfer ConnIDs, the other way round
  {
    // The largest ConnID as a new leg's first transfer ConnID, which no leg
    // state may mistake for "none yet".
    EventBuilder b("EventPartyChanged", kT0 + static_cast<Micros>(line) * 1000, line);
    b.attr("AttributeCallUUID", "UD");
    b.attr("AttributeConnID", conn(5), model::ValueKind::Hex);
    b.attr("AttributeFirstTransferConnID", "ffffffffffffffff", model::ValueKind::Hex);
    out.push_back(b.event());
    ++line;
  }
  for (unsigned k = 0; k < kMaxLegDns + 10; ++k)
    add("UC", 4, 100 + k, 100 + k + 1);
  return out;
}

struct Keys {
  std::string uuid;
  std::vector<std::uint64_t> conns;
  std::vector<std::uint64_t> transfers;
  bool operator==(const Keys&) const = default;
};

std::vector<Keys> keys_of(const FilePartial& p) {
  std::vector<Keys> out;
  for (std::uint32_t i = 0; i < p.leg_count(); ++i) {
    Keys k;
    k.uuid = std::string(p.call_uuid(i));
    if (p.legs.empty()) {
      p.scan_legs.for_each_conn(i, [&](std::uint64_t c) { k.conns.push_back(c); });
      p.scan_legs.for_each_transfer_conn(i, [&](std::uint64_t c) { k.transfers.push_back(c); });
    } else {
      k.conns = p.legs[i].conn_ids;
      k.transfers = p.legs[i].transfer_conn_ids.get();
    }
    out.push_back(std::move(k));
  }
  return out;
}

// The interleaved events collected in full and in a scan.
std::pair<FilePartial, FilePartial> collected_both_ways() {
  FileCollector full(0);
  FileCollector scan(0, CollectMode::Scan);
  for (const auto& e : interleaved_events()) {
    full.add(e);
    scan.add(e);
  }
  return {full.finish(), scan.finish()};
}

TEST(ScanLegs, KeepTheLinkKeysAFullCollectionKeeps) {
  const auto [f, s] = collected_both_ways();
  EXPECT_TRUE(s.legs.empty());
  ASSERT_EQ(s.leg_count(), 4u);
  const auto full_keys = keys_of(f);
  const auto scan_keys = keys_of(s);
  EXPECT_EQ(scan_keys, full_keys);
  // What the full collection keeps, spelled out for the first leg.
  ASSERT_FALSE(scan_keys.empty());
  EXPECT_EQ(scan_keys[0].uuid, "UA");
  EXPECT_EQ(scan_keys[0].conns, (std::vector<std::uint64_t>{number(1), number(3)}));
  EXPECT_EQ(scan_keys[0].transfers, (std::vector<std::uint64_t>{number(9), number(8)}));
  EXPECT_EQ(scan_keys[2].transfers.size(), kMaxLegDns);
  // The spans are the same too.
  ASSERT_EQ(s.spans.size(), f.spans.size());
  for (std::size_t i = 0; i < s.spans.size(); ++i) {
    EXPECT_EQ(s.spans[i].first, f.spans[i].first);
    EXPECT_EQ(s.spans[i].last, f.spans[i].last);
  }
}

// The one definition of a leg's link keys gives a scan's leg the keys it
// gives the same leg collected in full: trace's reach over a scan and the
// store and serve over full legs meet on the same keys.
TEST(ScanLegs, LinkByTheKeysOfTheFullLeg) {
  const auto [f, s] = collected_both_ways();
  ASSERT_EQ(s.leg_count(), f.legs.size());
  for (std::uint32_t i = 0; i < f.legs.size(); ++i) {
    std::set<LinkKey> of_full, of_scan;
    for_each_leg_key(f.legs[i], [&](LinkKey k) { of_full.insert(k); });
    for_each_leg_key(s.scan_legs, i, [&](LinkKey k) { of_scan.insert(k); });
    EXPECT_EQ(of_scan, of_full) << "leg " << i;
    EXPECT_TRUE(of_full.contains(text_key(f.legs[i].call_uuid)));
    for (const std::uint64_t c : f.legs[i].conn_ids)
      EXPECT_TRUE(of_full.contains(conn_key(c)));
  }
  // A ConnID links by its number, however it was printed.
  for (const char* text : {"006A022900000001", "6a022900000001", "006a022900000001"}) {
    LinkKey k[2];
    ASSERT_EQ(query_keys(text, k), 2) << text;
    EXPECT_EQ(k[1], conn_key(number(1))) << text;
  }
  EXPECT_EQ(text_key("UA"), text_key("ua"));
  EXPECT_NE(text_key("UA"), text_key("UB"));
}

}  // namespace
}  // namespace calltrail::correlate
