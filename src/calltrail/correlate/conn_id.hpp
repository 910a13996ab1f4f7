// ConnIDs as 64-bit numbers: the collector and the merge key maps by number
// and turn it back into the normalised 16-digit text without allocating.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "calltrail/base/hex.hpp"

namespace calltrail::correlate {

// A ConnID's number; nullopt when it is not 1 to 16 hex digits.
// Inlined as parse_hex16() is (an optional returned through the stack stalls).
[[gnu::always_inline]] inline std::optional<std::uint64_t> conn_number(std::string_view s) {
  return base::parse_hex16(s);
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
