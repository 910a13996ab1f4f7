// The packed parts of a leg: Leg::user_data holds its pairs in one string;
// what goes in comes out, in order, whatever bytes the keys and values hold.
// EventRef packs its positions into bit-fields.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "calltrail/correlate/leg.hpp"

namespace calltrail::correlate {
namespace {

TEST(UserData, GivesBackEveryPairInOrder) {
  const std::string long_value(300, 'x');
  const std::string binary("a\0b\x1f\xff", 5);
  const std::vector<std::pair<std::string, std::string>> in = {
      {"CustomerID", "C-42"}, {"", ""}, {"Empty", ""}, {"Long", long_value}, {binary, binary}};
  UserData u;
  EXPECT_TRUE(u.empty());
  for (const auto& [k, v] : in)
    u.emplace_back(k, v);
  ASSERT_EQ(u.size(), in.size());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : u)
    out.emplace_back(k, v);
  EXPECT_EQ(out, in);
  EXPECT_EQ(u.front().first, "CustomerID");
  EXPECT_TRUE(u.contains("Long", long_value));
  EXPECT_TRUE(u.contains(binary, binary));
  EXPECT_FALSE(u.contains("CustomerID", "C-43"));
  EXPECT_FALSE(u.contains("C-42", "CustomerID"));
}

TEST(UserData, ComparesByItsPairs) {
  const UserData a{{"k", "v"}, {"Lang", "de"}};
  UserData b;
  b.emplace_back("k", "v");
  EXPECT_NE(a, b);
  b.emplace_back("Lang", "de");
  EXPECT_EQ(a, b);
  const UserData copy = a;
  EXPECT_EQ(copy, a);
}

// EventRef packs the offset, flags, local digits, line and file into two
// words: each field keeps its largest value without touching its neighbours.
TEST(EventRefPacking, KeepsEachFieldsLargestValue) {
  constexpr std::uint64_t kOffset = (std::uint64_t{1} << 48) - 1;
  constexpr std::uint64_t kLine = (std::uint64_t{1} << 40) - 1;
  constexpr auto kFile = static_cast<std::uint32_t>(EventRef::kMaxFiles - 1);
  EventRef e;
  e.offset = kOffset;
  e.line = kLine;
  e.file = kFile;
  e.flags = 0xff;
  e.local_digits = 6;
  e.name = 0xffffffffu;
  EXPECT_EQ(e.offset, kOffset);
  EXPECT_EQ(e.line, kLine);
  EXPECT_EQ(e.file, kFile);
  EXPECT_EQ(e.flags, 0xffu);
  EXPECT_EQ(e.local_digits, 6u);
  EXPECT_EQ(e.name, 0xffffffffu);
  EXPECT_EQ(e.this_dn, 0u);
  e.flags = 0;
  e.offset = 5;
  EXPECT_EQ(e.line, kLine);
  EXPECT_EQ(e.file, kFile);
  EXPECT_EQ(e.local_digits, 6u);
  EXPECT_FALSE(e.has_utc());
  EXPECT_EQ(e.offset, 5u);
}

}  // namespace
}  // namespace calltrail::correlate
