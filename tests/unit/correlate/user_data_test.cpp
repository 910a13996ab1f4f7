// Leg::user_data holds its pairs in one string; what goes in comes out, in
// order, whatever bytes the keys and values hold.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace calltrail::correlate
