// base::parse_hex reads a whole string of hex digits as std::from_chars
// (base 16) does; the parser reads time stamps, sequence numbers and ConnIDs
// with it.
#include "calltrail/base/hex.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <charconv>
#include <optional>
#include <random>
#include <string>

namespace calltrail::base {
namespace {

std::optional<std::uint64_t> by_from_chars(std::string_view s) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n, 16);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

TEST(Hex, ReadsAsFromCharsDoes) {
  const std::string fixed[] = {"",
                               "0",
                               "f",
                               "F",
                               "508e84f8",
                               "0008744c",
                               "0000000000028c39",
                               "006A0229A97FE902",
                               "ffffffffffffffff",
                               "10000000000000000",
                               "00000000000000000001",
                               "0000000000000000000",
                               "12 4",
                               "-1",
                               "+1",
                               "0x10",
                               "g",
                               "1g",
                               "\xff"};
  for (const auto& s : fixed)
    EXPECT_EQ(parse_hex(s), by_from_chars(s)) << "'" << s << "'";
  // Random strings of hex digits and a few other bytes, of every length to 20.
  std::mt19937_64 rng(7);
  const std::string alphabet = "0123456789abcdefABCDEF0000xg -";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 21, ' ');
    for (auto& c : s)
      c = alphabet[rng() % alphabet.size()];
    EXPECT_EQ(parse_hex(s), by_from_chars(s)) << "'" << s << "'";
  }
}

// Sixteen bytes, the form servers print (read sixteen at a time): every
// byte next to the hex digits, control bytes that lower-casing would turn
// into digits, and bytes past ASCII.
TEST(Hex, SixteenBytesOfAnyKind) {
  const std::string near = "/09:@AFG`afg\x10\x19\x80\xff";
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50000; ++i) {
    std::string s(16, '0');
    const int odd = static_cast<int>(rng() % 3);  // bytes that are not hex digits
    for (auto& c : s)
      c = "0123456789abcdefABCDEF"[rng() % 22];
    for (int k = 0; k < odd; ++k)
      s[rng() % 16] = near[rng() % near.size()];
    EXPECT_EQ(parse_hex(s), by_from_chars(s)) << "'" << s << "'";
    char out[16];
    const bool ok = lower_hex16(s.data(), out);
    EXPECT_EQ(ok, by_from_chars(s).has_value()) << "'" << s << "'";
    if (ok) {
      std::string lower = s;
      for (auto& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(std::string(out, 16), lower);
    }
  }
}

TEST(Hex, SixteenDigitsAtMost) {
  EXPECT_EQ(parse_hex16("0000000000028c39"), 0x28c39u);
  EXPECT_EQ(parse_hex16("00000000000000001"), std::nullopt);  // 17 digits
  EXPECT_EQ(parse_hex("00000000000000001"), 1u);
  EXPECT_EQ(parse_hex16(""), std::nullopt);
}

}  // namespace
}  // namespace calltrail::base
