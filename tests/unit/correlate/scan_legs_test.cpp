// A scan keeps each leg's link keys in ScanLegs instead of a Leg: the same
// CallUUIDs, ConnIDs and transfer ConnIDs (in order, without repeats, at
// most kMaxLegDns transfer ConnIDs a leg) as a full collection of the same
// events.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "event_builder.hpp"

namespace calltrail::correlate {
namespace {

using testing::EventBuilder;

constexpr Micros kT0 = 1'351'521'660'000'000;

std::string conn(unsigned n) {
  return std::string(ConnText(0x006a022900000000ull + n).view());
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
  std::vector<std::string> conns;
  std::vector<std::string> transfers;
  bool operator==(const Keys&) const = default;
};

std::vector<Keys> keys_of(const FilePartial& p) {
  std::vector<Keys> out;
  for (std::uint32_t i = 0; i < p.leg_count(); ++i) {
    Keys k;
    k.uuid = std::string(p.call_uuid(i));
    if (p.legs.empty()) {
      p.scan_legs.for_each_conn(i,
                                [&](std::uint64_t c) { k.conns.emplace_back(ConnText(c).view()); });
      p.scan_legs.for_each_transfer_conn(
          i, [&](std::uint64_t c) { k.transfers.emplace_back(ConnText(c).view()); });
    } else {
      k.conns = p.legs[i].conn_ids;
      k.transfers = p.legs[i].transfer_conn_ids;
    }
    out.push_back(std::move(k));
  }
  return out;
}

TEST(ScanLegs, KeepTheLinkKeysAFullCollectionKeeps) {
  const auto events = interleaved_events();
  FileCollector full(0);
  FileCollector scan(0, CollectMode::Scan);
  for (const auto& e : events) {
    full.add(e);
    scan.add(e);
  }
  const FilePartial f = full.finish();
  const FilePartial s = scan.finish();
  EXPECT_TRUE(s.legs.empty());
  ASSERT_EQ(s.leg_count(), 4u);
  const auto full_keys = keys_of(f);
  const auto scan_keys = keys_of(s);
  EXPECT_EQ(scan_keys, full_keys);
  // What the full collection keeps, spelled out for the first leg.
  ASSERT_FALSE(scan_keys.empty());
  EXPECT_EQ(scan_keys[0].uuid, "UA");
  EXPECT_EQ(scan_keys[0].conns, (std::vector<std::string>{conn(1), conn(3)}));
  EXPECT_EQ(scan_keys[0].transfers, (std::vector<std::string>{conn(9), conn(8)}));
  EXPECT_EQ(scan_keys[2].transfers.size(), kMaxLegDns);
  // The spans are the same too.
  ASSERT_EQ(s.spans.size(), f.spans.size());
  for (std::size_t i = 0; i < s.spans.size(); ++i) {
    EXPECT_EQ(s.spans[i].first, f.spans[i].first);
    EXPECT_EQ(s.spans[i].last, f.spans[i].last);
  }
}

}  // namespace
}  // namespace calltrail::correlate
