// Hex numbers as the logs print them (ConnIDs, sequence numbers, time
// stamps), read by table without a branch per digit: they mix digits and
// letters at random, so a branch per digit is mispredicted half the time.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
namespace hex_detail {

// Sixteen bytes at `p`: a mask of the hex digits among them (bit i for byte
// i) and the bytes lower-cased (right only where they are hex digits).
inline int classify16(const char* p, __m128i& lower) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // '|' 0x20 lower-cases A-F and keeps digits; only A-F and a-f land on a-f.
  lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('f' + 1)));
  return _mm_movemask_epi8(_mm_or_si128(digit, letter));
}

}  // namespace hex_detail
#endif

// Sixteen hex digits at `p` lower-cased into `out` (16 bytes); false, with
// `out` unspecified, when they are not all hex digits.
inline bool lower_hex16(const char* p, char* out) {
#if defined(__SSE2__)
  __m128i lower;
  if (hex_detail::classify16(p, lower) != 0xFFFF) return false;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), lower);
  return true;
#else
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t d = kHexDigitValues[static_cast<unsigned char>(p[i])];
    if (d > 15) return false;
    out[i] = "0123456789abcdef"[d];
  }
  return true;
#endif
}

// The value of 1 to 16 hex digits (either case); nullopt for anything else.
// Always inlined: returned through the stack, the optional's one-byte flag
// stored and read back as a word stalls the load for several cycles.
[[gnu::always_inline]] inline std::optional<std::uint64_t> parse_hex16(std::string_view s) {
#if defined(__SSE2__)
  if (s.size() == 16) {  // as ConnIDs, sequence numbers and time stamps are printed
    __m128i lower;
    if (hex_detail::classify16(s.data(), lower) != 0xFFFF) return std::nullopt;
    // Digit values: the low nibble, plus 9 for a-f (bit 6 set): 0x40 >> 6
    // and 0x40 >> 3 are 1 and 8, and stay in their byte.
    const __m128i letter_bit = _mm_and_si128(lower, _mm_set1_epi8(0x40));
    const __m128i nibbles =
        _mm_add_epi8(_mm_and_si128(lower, _mm_set1_epi8(0x0F)),
                     _mm_or_si128(_mm_srli_epi16(letter_bit, 6), _mm_srli_epi16(letter_bit, 3)));
    // Each pair of digits (first in the low byte) into one byte: hi << 4 | lo.
    const __m128i pairs = _mm_and_si128(
        _mm_or_si128(_mm_slli_epi16(nibbles, 4), _mm_srli_epi16(nibbles, 8)), _mm_set1_epi16(0xFF));
    const __m128i bytes = _mm_packus_epi16(pairs, pairs);
    std::uint64_t big_endian;
    std::memcpy(&big_endian, &bytes, 8);
    return __builtin_bswap64(big_endian);
  }
#endif
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
