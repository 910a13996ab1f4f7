// ConnIDs as 64-bit numbers: the collector and the merge key maps by number
// and turn it back into the normalised 16-digit text without allocating.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace calltrail::correlate {

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

// A ConnID's number; nullopt when it is not 1 to 16 hex digits.
inline std::optional<std::uint64_t> conn_number(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  // Without a branch per digit: ConnIDs mix digits and letters at random.
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

struct ConnText {
  char digits[16];
  explicit ConnText(std::uint64_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, n >>= 4)
      digits[i] = kHex[n & 15];
  }
  std::string_view view() const { return {digits, 16}; }
};

}  // namespace calltrail::correlate
