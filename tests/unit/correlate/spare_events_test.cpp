// The events a summary collection sets aside (spare_events.hpp): which ones a
// summary build may still read, that the compact form gives back every field
// exactly, and that a leg put back together is the leg it was, in line order.
#include "calltrail/correlate/spare_events.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace calltrail::correlate {
namespace {

auto fields(const EventRef& e) {
  return std::make_tuple(e.utc, e.local, std::uint64_t{e.offset}, std::uint64_t{e.flags},
                         std::uint64_t{e.local_digits}, std::uint64_t{e.line}, e.file, e.name,
                         e.this_dn, e.other_dn, e.note);
}

void expect_same_events(const std::vector<EventRef>& want, const EventList& got) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(fields(got[i]), fields(want[i])) << "event " << i;
}

// A T-Library event on line `line` at `utc` (0: without a UTC time).
EventRef at(std::uint64_t line, Micros utc, std::uint32_t file = 3) {
  EventRef e;
  e.file = file;
  e.line = line;
  e.offset = line * 90;
  if (utc != 0) {
    e.utc = utc;
    e.flags = EventRef::kHasUtc | EventRef::kUtcStamped;
  }
  e.local = (utc != 0 ? utc : 1'000'000'000) - 18'000'000'000;
  e.local_digits = 4;
  e.name = static_cast<std::uint32_t>(line % 7);
  e.this_dn = 11;
  return e;
}

TEST(SpareEvents, EncodedEventsComeBackExactly) {
  std::mt19937_64 random(20261206);
  auto any = [&](std::uint64_t bits) {
    return bits == 64 ? random() : random() & ((std::uint64_t{1} << bits) - 1);
  };
  std::vector<EventRef> events;
  for (int i = 0; i < 2000; ++i) {
    EventRef e;
    // Mostly a log's steady steps, now and then anything the fields hold.
    const bool wild = i % 5 == 0;
    const EventRef p = events.empty() ? EventRef{} : events.back();
    e.utc = wild ? static_cast<Micros>(any(64)) : p.utc + static_cast<Micros>(any(20));
    e.local = wild ? static_cast<Micros>(any(64)) : e.utc - 18'000'000'000;
    e.offset = wild ? any(48) : (p.offset + any(12)) & ((std::uint64_t{1} << 48) - 1);
    e.line = wild ? any(40) : (p.line + any(4)) & ((std::uint64_t{1} << 40) - 1);
    e.file = static_cast<std::uint32_t>(wild ? any(24) : p.file);
    e.flags = any(8);
    e.local_digits = any(8);
    e.name = static_cast<std::uint32_t>(any(wild ? 32 : 6));
    e.this_dn = static_cast<std::uint32_t>(any(wild ? 32 : 10));
    e.other_dn = static_cast<std::uint32_t>(any(32));
    e.note = static_cast<std::uint32_t>(any(wild ? 32 : 1));
    events.push_back(e);
  }
  events.back().utc = std::numeric_limits<Micros>::min();
  events.back().local = std::numeric_limits<Micros>::max();
  std::string bytes;
  encode_events(events, bytes);
  EXPECT_LT(bytes.size(), events.size() * sizeof(EventRef));
  EventList back;
  ASSERT_TRUE(decode_events(bytes, back));
  expect_same_events(events, back);
}

TEST(SpareEvents, ATruncatedEncodingIsRefused) {
  const std::vector<EventRef> events = {at(10, 5'000'000), at(20, 6'000'000)};
  std::string bytes;
  encode_events(events, bytes);
  EventList out = {at(1, 1)};
  EXPECT_FALSE(decode_events(std::string_view(bytes).substr(0, bytes.size() - 1), out));
  EXPECT_EQ(out.size(), 1u);  // nothing appended
}

TEST(SpareEvents, KeepsWhatASummaryBuildReads) {
  // Lines 1..9; line 4 has no UTC time; line 6 holds the earliest time and
  // line 7 the latest; line 8 is a SIP message.
  std::vector<EventRef> ev = {at(1, 100), at(2, 200), at(3, 300), at(4, 0),  at(5, 500),
                              at(6, 50),  at(7, 900), at(8, 800), at(9, 850)};
  ev[7].flags |= EventRef::kSip;
  std::vector<bool> keep;
  const std::size_t kept = summary_reads(ev, keep);
  // first, the timed one before the untimed, the untimed, the timed one
  // after it, the earliest, the latest, the SIP message, the last.
  const std::vector<bool> want = {true, false, true, true, true, true, true, true, true};
  EXPECT_EQ(keep, want);
  EXPECT_EQ(kept, 8u);

  // Without the untimed event and the SIP message, lines 2, 3, 5 and 8 go.
  ev.erase(ev.begin() + 3);
  ev[6].flags = EventRef::kHasUtc;
  EXPECT_EQ(summary_reads(ev, keep), 4u);
  EXPECT_EQ(keep, (std::vector<bool>{true, false, false, false, true, true, false, true}));

  // Events of two files, or out of line order: all kept.
  std::vector<EventRef> two = {at(1, 100), at(2, 200, 4), at(3, 300), at(4, 400)};
  EXPECT_EQ(summary_reads(two, keep), 4u);
  std::swap(two[1], two[2]);
  two[1].file = two[2].file = 3;
  EXPECT_EQ(summary_reads(two, keep), 4u);
}

TEST(SpareEvents, ALegPutBackTogetherIsTheLegItWas) {
  std::vector<Leg> legs(3);
  std::vector<std::vector<EventRef>> sorted(3);
  for (std::uint64_t line = 1; line <= 40; ++line)
    legs[0].events.push_back(at(line, static_cast<Micros>(line) * 1000));
  // A SIP landmark added after the leg's other events, out of line order.
  legs[0].events.push_back(at(15, 15'500));
  legs[0].events.back().line = 41;
  legs[0].events.push_back(at(3, 2'500));
  legs[0].events.back().line = 0;
  legs[0].events.back().flags |= EventRef::kSip;
  legs[1].events = {at(5, 1), at(6, 2)};  // nothing to set aside
  for (std::uint64_t line = 100; line < 130; line += 3)
    legs[2].events.push_back(at(line, line == 112 ? 0 : static_cast<Micros>(line)));
  for (std::size_t k = 0; k < legs.size(); ++k) {
    sorted[k].assign(legs[k].events.begin(), legs[k].events.end());
    std::stable_sort(sorted[k].begin(), sorted[k].end(),
                     [](const EventRef& a, const EventRef& b) { return a.line < b.line; });
  }
  const SpareEvents spare = set_aside(legs);
  ASSERT_EQ(spare.count.size(), 3u);
  EXPECT_GT(spare.count[0], 30u);
  EXPECT_EQ(spare.count[1], 0u);
  EXPECT_EQ(spare.count[2], 5u);
  EXPECT_EQ(legs[0].events.size() + spare.count[0], sorted[0].size());
  EXPECT_EQ(spare.events(), std::uint64_t{spare.count[0]} + spare.count[2]);
  std::vector<bool> keep;
  for (std::size_t k = 0; k < legs.size(); ++k) {
    // What stays is what a summary build reads, in line order.
    EXPECT_EQ(summary_reads(legs[k].events, keep), legs[k].events.size());
    restore(legs[k], spare, k);
    expect_same_events(sorted[k], legs[k].events);
  }
}

}  // namespace
}  // namespace calltrail::correlate
