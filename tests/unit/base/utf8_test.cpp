// is_valid_utf8 and valid_utf8 against a reference decoder written from the
// standard's table of well-formed byte sequences (Unicode 15, table 3-7), on
// ASCII text with one or two bytes of every kind planted at every position
// around the validator's 8- and 32-byte blocks.
#include "calltrail/base/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace calltrail::base {
namespace {

// The length of the well-formed sequence at s[i], 0 when there is none.
std::size_t reference_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  const unsigned char b = at(0);
  const std::size_t left = s.size() - i;
  if (b <= 0x7F) return 1;
  if (in(b, 0xC2, 0xDF)) return left >= 2 && in(at(1), 0x80, 0xBF) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (left < 3) return 0;
    const unsigned lo = b == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = b == 0xED ? 0x9F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (left < 4) return 0;
    const unsigned lo = b == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = b == 0xF4 ? 0x8F : 0xBF;
    return in(at(1), lo, hi) && in(at(2), 0x80, 0xBF) && in(at(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

std::string reference_repair(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = reference_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

TEST(Utf8, AgreesWithTheStandardsTableAroundEveryBlockEdge) {
  const std::vector<std::string> planted = {"\xC3\xA9",
                                            "\xE2\x82\xAC",
                                            "\xF0\x9F\x98\x80",
                                            "\xF4\x8F\xBF\xBF",
                                            "\x80",
                                            "\xBF",
                                            "\xC0\xAF",
                                            "\xC1\xBF",
                                            "\xE0\x80\xAF",
                                            "\xED\xA0\x80",
                                            "\xF4\x90\x80\x80",
                                            "\xF5\x80\x80\x80",
                                            "\xFF",
                                            "\xC3",
                                            "\xE2\x82",
                                            "\xF0\x9F\x98",
                                            "\xC3\xA9\xC3",
                                            std::string("\0", 1)};
  std::size_t checked = 0, invalid = 0;
  for (const std::size_t length : {7u, 8u, 31u, 32u, 33u, 64u, 70u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const auto& p : planted) {
        for (const auto& q : {std::string(), std::string("\xE2\x82\xAC"), std::string("\x80")}) {
          std::string s(length, 'a');
          s.replace(at, std::min(p.size(), length - at), p);
          if (!q.empty() && at + 9 < length) s.replace(at + 9, 1, q);
          const std::string expected = reference_repair(s);
          const bool valid = expected == s;
          EXPECT_EQ(is_valid_utf8(s), valid) << length << " " << at;
          EXPECT_EQ(valid_utf8(s), expected) << length << " " << at;
          ++checked;
          if (!valid) ++invalid;
        }
      }
    }
  }
  EXPECT_GT(invalid, checked / 4);
  EXPECT_LT(invalid, checked);
}

}  // namespace
}  // namespace calltrail::base
