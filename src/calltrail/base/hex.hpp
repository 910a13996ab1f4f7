// Hex numbers as the logs print them (ConnIDs, sequence numbers, time
// stamps), read by table without a branch per digit: they mix digits and
// letters at random, so a branch per digit is mispredicted half the time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace calltrail::base {

// Hex digit values by byte; 0xFF for anything else.
inline constexpr std::array<std::uint8_t, 256> kHexDigitValues = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<std::size_t>(c)] =
        c >= '0' && c <= '9'   ? static_cast<std::uint8_t>(c - '0')
        : c >= 'a' && c <= 'f' ? static_cast<std::uint8_t>(c - 'a' + 10)
        : c >= 'A' && c <= 'F' ? static_cast<std::uint8_t>(c - 'A' + 10)
                               : 0xFF;
  }
  return t;
}();

// The value of 1 to 16 hex digits (either case); nullopt for anything else.
inline std::optional<std::uint64_t> parse_hex16(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t n = 0;
  std::uint8_t bad = 0;
  for (char c : s) {
    const std::uint8_t d = kHexDigitValues[static_cast<unsigned char>(c)];
    bad |= d & 0xF0;
    n = (n << 4) | (d & 0x0F);
  }
  if (bad != 0) return std::nullopt;
  return n;
}

// The value of hex digits as std::from_chars(base 16) reads a whole string:
// any number of leading zeros, nullopt when empty, not all hex digits or
// past 64 bits.
inline std::optional<std::uint64_t> parse_hex(std::string_view s) {
  while (s.size() > 16 && s.front() == '0')
    s.remove_prefix(1);
  return parse_hex16(s);
}

}  // namespace calltrail::base
