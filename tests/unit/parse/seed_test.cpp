// The seed document's four EventCallDataChanged, as published (one line each,
// curly quotes), read from the repository's own copy of them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "calltrail/base/time.hpp"
#include "parse_support.hpp"

namespace calltrail::test {
namespace {

std::string read_case(const std::string& name) {
  std::ifstream in(std::filesystem::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/events" / name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Link {
  std::string id, location, role;
};

std::vector<Link> islinks(const model::Event& e) {
  std::vector<Link> out;
  for (const model::IsLinkEntry& l : e.islinks())
    out.push_back({std::string(l.id), std::string(l.location), std::string(l.role)});
  return out;
}

std::string utc(const model::Event& e) {
  auto t = e.times.utc();
  return t ? base::format_utc(*t) : "none";
}

TEST(Seed, Tserver2EventsHaveUtcTimesAndSourceThenTargetLinks) {
  Parsed p = parse_text(read_case("seed_tserver2.log"), "seed_tserver2.log");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.diagnostics.count(), 0u);
  EXPECT_EQ(utc(p.events[0]), "2012-10-29T14:41:00.540480Z");
  EXPECT_EQ(utc(p.events[1]), "2012-10-29T14:41:02.967460Z");
  EXPECT_EQ(p.events[0].attribute_value("AttributeCallUUID"), "00RP30KH7088L1IC08GB82LAES000317");
  EXPECT_EQ(p.events[1].attribute_value("AttributeCallUUID"), "00RP30KH7088L1IC08GB82LAES00031D");
  auto first = islinks(p.events[0]);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, "00RP30KH7088L1IC08GB82LAES000316");
  EXPECT_EQ(first[0].location, "SIPServer1@SIP_Switch1");
  EXPECT_EQ(first[0].role, "source");
  auto last = islinks(p.events[1]);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, "00EBGH4GK488LFQD2CGB02LAES0007J5");
  EXPECT_EQ(last[0].role, "target");
  // Local 09:41 against UTC 14:41: the site logs in UTC-5.
  ASSERT_TRUE(p.info.utc_offset.has_value());
  EXPECT_EQ(*p.info.utc_offset, -5 * 3600);
}

TEST(Seed, SipServer1ThirdEventListsBothLinks) {
  Parsed p = parse_text(read_case("seed_sipserver1.log"), "seed_sipserver1.log");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.diagnostics.count(), 0u);
  EXPECT_EQ(utc(p.events[0]), "2012-10-29T14:41:00.495558Z");
  EXPECT_EQ(utc(p.events[1]), "2012-10-29T14:41:03.546558Z");
  auto links = islinks(p.events[1]);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].id, "00RP30KH7088L1IC08GB82LAES000316");
  EXPECT_EQ(links[0].location, "Tserver2@Avaya_Switch1");
  EXPECT_EQ(links[0].role, "target");
  EXPECT_EQ(links[1].id, "00EBGH4GK488LFQD2CGB02LAES0007J5");
  EXPECT_EQ(links[1].location, "Tserver2@Avaya_Switch1");
  EXPECT_EQ(links[1].role, "source");
  EXPECT_EQ(p.events[1].sequence_number(), 0x2d4c3u);
  EXPECT_EQ(*p.info.utc_offset, -4 * 3600);
}

}  // namespace
}  // namespace calltrail::test
