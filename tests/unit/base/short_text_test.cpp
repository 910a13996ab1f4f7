// base::ShortText holds text up to 15 bytes in place and longer text on the
// heap; it reads back, copies, moves and compares as the text it was given.
#include "calltrail/base/short_text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace calltrail::base {
namespace {

// Texts on both sides of the in-place limit, and the empty one.
const std::vector<std::string> kTexts = {"",
                                         "7",
                                         "+15553677861",
                                         std::string(15, 'x'),
                                         std::string(16, 'y'),
                                         "sip:agent.1504@contact-center.example:5060;transport=tcp",
                                         std::string(1000, 'z')};

TEST(ShortText, ReadsBackWhatItWasGiven) {
  for (const std::string& s : kTexts) {
    const ShortText t(s);
    EXPECT_EQ(t.view(), s);
    EXPECT_EQ(t.size(), s.size());
    EXPECT_EQ(t.empty(), s.empty());
    EXPECT_EQ(t.str(), s);
    EXPECT_TRUE(t == s);
    EXPECT_TRUE(t == std::string_view(s));
    EXPECT_TRUE(t == s.c_str());
    std::ostringstream out;
    out << t;
    EXPECT_EQ(out.str(), s);
  }
}

TEST(ShortText, CopiesMovesAndAssigns) {
  for (const std::string& s : kTexts) {
    for (const std::string& other : kTexts) {
      ShortText a(s);
      ShortText b(other);
      b = a;  // copy over any size
      EXPECT_EQ(b.view(), s);
      EXPECT_EQ(a.view(), s);
      ShortText c(std::move(b));
      EXPECT_EQ(c.view(), s);
      EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): what the test reads
      ShortText d(other);
      d = std::move(c);
      EXPECT_EQ(d.view(), s);
      d = std::string_view(other);
      EXPECT_EQ(d.view(), other);
    }
  }
}

TEST(ShortText, TakesPartOfItsOwnText) {
  for (const std::string& s : kTexts) {
    ShortText t(s);
    t = t.view().substr(s.size() / 2);
    EXPECT_EQ(t.view(), s.substr(s.size() / 2));
    ShortText u(s);
    const ShortText& same = u;
    u = same;
    EXPECT_EQ(u.view(), s);
  }
}

TEST(ShortText, ComparesByText) {
  EXPECT_EQ(ShortText("1504"), ShortText(std::string("1504")));
  EXPECT_FALSE(ShortText("1504") == ShortText("1505"));
  EXPECT_LT(ShortText("1504"), ShortText(std::string(20, '2')));
  std::vector<ShortText> dns = {"2000", std::string(30, 'd')};
  EXPECT_NE(std::find(dns.begin(), dns.end(), std::string(30, 'd')), dns.end());
  EXPECT_EQ(std::find(dns.begin(), dns.end(), "2001"), dns.end());
}

}  // namespace
}  // namespace calltrail::base
