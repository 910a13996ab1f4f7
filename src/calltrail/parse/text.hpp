// Byte-level helpers for the log grammar. Whitespace includes NBSP (U+00A0,
// C2 A0) and quotes include the curly forms ‘ ’ “ ” that re-published copies
// of logs carry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace calltrail::parse {

inline constexpr std::string_view kNbsp = "\xC2\xA0";
inline constexpr std::string_view kLeftSingleQuote = "\xE2\x80\x98";   // ‘
inline constexpr std::string_view kRightSingleQuote = "\xE2\x80\x99";  // ’
inline constexpr std::string_view kLeftDoubleQuote = "\xE2\x80\x9C";   // “
inline constexpr std::string_view kRightDoubleQuote = "\xE2\x80\x9D";  // ”

// Byte classes by table, for the loops that run over every attribute line.
enum CharClass : std::uint8_t {
  kDigitClass = 1,
  kHexClass = 2,
  kAlnumClass = 4,
  kPlainClass = 8,   // can stand in a bare value: above ' ' and not the lead byte of NBSP
  kSpaceClass = 16,  // ASCII whitespace: ' ', TAB, CR, FF, VT (NBSP is two bytes)
};
inline constexpr std::array<std::uint8_t, 256> kCharClasses = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = 0;
    if (c >= '0' && c <= '9') k |= kDigitClass | kHexClass | kAlnumClass;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) k |= kHexClass;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) k |= kAlnumClass;
    if (c > ' ' && c != 0xC2) k |= kPlainClass;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') k |= kSpaceClass;
    t[static_cast<std::size_t>(c)] = k;
  }
  return t;
}();
inline std::uint8_t char_class(char c) {
  return kCharClasses[static_cast<unsigned char>(c)];
}

#if defined(__SSE2__)
// The bytes of a block of sixteen in class `C` of the table (0xFF where they
// are), for the loops that read sixteen bytes a step. Unsigned compares:
// x <= k where min(x, k) == x.
template <CharClass C>
inline __m128i bytes_in_class(__m128i v) {
  static_assert(C == kPlainClass || C == kDigitClass || C == kHexClass || C == kAlnumClass,
                "spaces are told by space_size()");
  if constexpr (C == kPlainClass) {
    // Above ' ' and not C2.
    return _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xC2))),
                            _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(' ' + 1)), v));
  } else {
    auto at_most = [](__m128i x, char k) {
      return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(k)), x);
    };
    const __m128i digit = at_most(_mm_sub_epi8(v, _mm_set1_epi8('0')), 9);
    if constexpr (C == kDigitClass) {
      return digit;
    } else {
      // (c | 0x20) - 'a': a letter's place in the alphabet, either case.
      const __m128i letter = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
      return _mm_or_si128(digit, at_most(letter, C == kHexClass ? 5 : 25));
    }
  }
}
#endif

// End of the run of bytes of class `C` that starts at `pos`: sixteen bytes a
// step while as many are left, then by the table.
template <CharClass C>
inline std::size_t class_run_end(std::string_view s, std::size_t pos) {
#if defined(__SSE2__)
  while (pos + 16 <= s.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + pos));
    const unsigned stop = ~static_cast<unsigned>(_mm_movemask_epi8(bytes_in_class<C>(v))) & 0xFFFFu;
    if (stop != 0) return pos + static_cast<std::size_t>(__builtin_ctz(stop));
    pos += 16;
  }
#endif
  while (pos < s.size() && (char_class(s[pos]) & C) != 0)
    ++pos;
  return pos;
}

// End of the run of ASCII letters and digits that starts at `pos` (attribute
// names are 12 to 34 of them).
inline std::size_t alnum_run_end(std::string_view s, std::size_t pos) {
  return class_run_end<kAlnumClass>(s, pos);
}

// Position of the first byte `c` of `s` (npos when none): memchr's answer
// without a call, for the short values and header lines this runs over.
// Sixteen bytes a step (the last step overlapping bytes passed over
// already), eight to fifteen bytes in two overlapping halves.
inline std::size_t find_byte(std::string_view s, char c) {
  const std::size_t n = s.size();
  const char* p = s.data();
#if defined(__SSE2__)
  const __m128i want = _mm_set1_epi8(c);
  auto hits = [&](__m128i v) {
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)));
  };
  if (n >= 16) {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
      if (const unsigned m = hits(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))))
        return i + static_cast<std::size_t>(__builtin_ctz(m));
    if (i == n) return std::string_view::npos;
    if (const unsigned m = hits(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16))))
      return n - 16 + static_cast<std::size_t>(__builtin_ctz(m));
    return std::string_view::npos;
  }
  if (n >= 8) {
    const unsigned m =
        hits(_mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)),
                                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8))));
    if ((m & 0xFFu) != 0) return static_cast<std::size_t>(__builtin_ctz(m));
    if (m != 0) return n - 16 + static_cast<std::size_t>(__builtin_ctz(m));
    return std::string_view::npos;
  }
#endif
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] == c) return i;
  return std::string_view::npos;
}

// The class bits kPlainClass, kDigitClass and kHexClass that every byte of
// `w` has (their AND over its bytes; all three for an empty word). Values
// after an attribute name are 1 to 40 bytes: sixteen bytes a step, words
// shorter than sixteen read in two overlapping loads that stay inside `w`.
inline std::uint8_t word_class_bits(std::string_view w) {
  constexpr std::uint8_t kBits = kPlainClass | kDigitClass | kHexClass;
#if defined(__SSE2__)
  const std::size_t n = w.size();
  if (n >= 4) {
    const char* p = w.data();
    __m128i plain = _mm_set1_epi8(-1), digit = plain, hex = plain;
    auto add = [&](__m128i v) {
      plain = _mm_and_si128(plain, bytes_in_class<kPlainClass>(v));
      digit = _mm_and_si128(digit, bytes_in_class<kDigitClass>(v));
      hex = _mm_and_si128(hex, bytes_in_class<kHexClass>(v));
    };
    if (n >= 16) {
      for (std::size_t i = 0; i + 16 <= n; i += 16)
        add(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
      add(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)));
    } else if (n >= 8) {
      add(_mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)),
                             _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8))));
    } else {
      std::int32_t head, tail;
      std::memcpy(&head, p, 4);
      std::memcpy(&tail, p + n - 4, 4);
      // The first four bytes and the last four, twice over.
      const __m128i both = _mm_unpacklo_epi32(_mm_cvtsi32_si128(head), _mm_cvtsi32_si128(tail));
      add(_mm_unpacklo_epi64(both, both));
    }
    auto all = [](__m128i m) { return _mm_movemask_epi8(m) == 0xFFFF; };
    return static_cast<std::uint8_t>((all(plain) ? kPlainClass : 0) |
                                     (all(digit) ? kDigitClass : 0) | (all(hex) ? kHexClass : 0));
  }
#endif
  std::uint8_t bits = kBits;
  for (char c : w)
    bits &= char_class(c);
  return static_cast<std::uint8_t>(bits & kBits);
}

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// ASCII letters compared without case (identifiers, SIP header names).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i], y = b[i];
    if (x == y) continue;
    // Apart only in bit 0x20, and letters: one is the other's capital.
    const char small = static_cast<char>(x | 0x20);
    if ((x ^ y) != 0x20 || small < 'a' || small > 'z') return false;
  }
  return true;
}
inline bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline int hex_value(char c) {
  return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}
inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
inline bool starts_with_at(std::string_view s, std::size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.substr(pos, prefix.size()) == prefix;
}

// Position of the first byte of `s` that is one of `set` (npos when none):
// string_view::find_first_of searches the set with memchr for every byte,
// which costs a call a byte on the short SIP values this runs over.
inline std::size_t find_any(std::string_view s, std::string_view set) {
  for (std::size_t i = 0; i < s.size(); ++i)
    for (char c : set)
      if (s[i] == c) return i;
  return std::string_view::npos;
}

// Size of the whitespace character at `pos` (0 when none).
inline std::size_t space_size(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const char c = s[pos];
  if ((char_class(c) & kSpaceClass) != 0) return 1;
  if (c == '\xC2' && pos + 1 < s.size() && s[pos + 1] == '\xA0') return 2;
  return 0;
}
inline std::size_t skip_space(std::string_view s, std::size_t pos) {
  for (std::size_t n; (n = space_size(s, pos)) > 0;)
    pos += n;
  return pos;
}
// End of the run of plain bytes (kPlainClass) that starts at `pos` (the words
// of a one-line message's pairs).
inline std::size_t plain_run_end(std::string_view s, std::size_t pos) {
  return class_run_end<kPlainClass>(s, pos);
}
inline std::size_t word_end(std::string_view s, std::size_t pos) {
  for (;;) {
    // Plain bytes never start a space.
    pos = plain_run_end(s, pos);
    if (pos >= s.size() || space_size(s, pos) > 0) return pos;
    ++pos;  // a control byte, or C2 not followed by A0
  }
}
// End of value, whitespace, or a parenthesised suffix.
inline bool is_delimiter(std::string_view s, std::size_t pos) {
  return pos >= s.size() || space_size(s, pos) > 0 || s[pos] == '(' || s[pos] == ')';
}

// Size of an opening quote at `pos`: ' " ‘ ’ “ (0 when none).
inline std::size_t quote_open_size(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  if (s[pos] == '\'' || s[pos] == '"') return 1;
  if (starts_with_at(s, pos, kLeftSingleQuote) || starts_with_at(s, pos, kRightSingleQuote) ||
      starts_with_at(s, pos, kLeftDoubleQuote))
    return 3;
  return 0;
}
// Size of a closing single quote at `pos`: ' or ’ (publishers mix them).
inline std::size_t single_quote_close_size(std::string_view s, std::size_t pos) {
  if (s[pos] == '\'') return 1;
  return starts_with_at(s, pos, kRightSingleQuote) ? 3 : 0;
}
inline std::size_t double_quote_close_size(std::string_view s, std::size_t pos) {
  if (s[pos] == '"') return 1;
  return starts_with_at(s, pos, kRightDoubleQuote) ? 3 : 0;
}

// Width of the leading whitespace (TAB = 4 columns, anything else 1).
inline int leading_indent(std::string_view s) {
  int w = 0;
  for (std::size_t i = 0, n; (n = space_size(s, i)) > 0; i += n)
    w += s[i] == '\t' ? 4 : 1;
  return w;
}

// s.find(pattern, from), searching for the pattern's byte at `anchor` rather
// than its first: with a byte that is rare in log text, most lines are passed
// over in one memchr instead of stopping at every common letter.
inline std::size_t find_anchored(std::string_view s, std::string_view pattern, std::size_t anchor,
                                 std::size_t from) {
  if (pattern.size() > s.size()) return std::string_view::npos;
  const std::size_t last = s.size() - pattern.size();  // the last possible start
  for (std::size_t start = from; start <= last;) {
    const void* hit = std::memchr(s.data() + start + anchor, pattern[anchor], last - start + 1);
    if (hit == nullptr) return std::string_view::npos;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data()) - anchor;
    if (std::memcmp(s.data() + at, pattern.data(), pattern.size()) == 0) return at;
    start = at + 1;
  }
  return std::string_view::npos;
}

// Whether `line` may hold a message keyword: "ge" (of "essage ") or "Ev" (of
// "TEvent: ") somewhere in it. One pass for both, so that a line of other
// text (SIP traffic) costs one look instead of two searches; false means
// neither find_message_keyword() nor find_tevent_keyword() can find one.
inline bool may_have_keyword(std::string_view line) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i g = _mm_set1_epi8('g');
  const __m128i e = _mm_set1_epi8('e');
  const __m128i big_e = _mm_set1_epi8('E');
  const __m128i v = _mm_set1_epi8('v');
  auto pairs_at = [&](std::size_t at) {
    // Byte at + k and byte at + k + 1 of sixteen pairs.
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + at));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + at + 1));
    const __m128i ge = _mm_and_si128(_mm_cmpeq_epi8(a, g), _mm_cmpeq_epi8(b, e));
    const __m128i ev = _mm_and_si128(_mm_cmpeq_epi8(a, big_e), _mm_cmpeq_epi8(b, v));
    return _mm_movemask_epi8(_mm_or_si128(ge, ev)) != 0;
  };
  if (line.size() >= 17) {
    for (; i + 17 <= line.size(); i += 16)
      if (pairs_at(i)) return true;
    // The last pairs, in a step that overlaps the one before.
    return i + 1 < line.size() && pairs_at(line.size() - 17);
  }
#endif
  for (; i + 1 < line.size(); ++i) {
    if ((line[i] == 'g' && line[i + 1] == 'e') || (line[i] == 'E' && line[i + 1] == 'v')) {
      return true;
    }
  }
  return false;
}

// The keywords that start a T-Library message header: "[m]essage " and
// "TEvent: " (by their 'g' and 'E').
inline std::size_t find_message_keyword(std::string_view line, std::size_t from) {
  return find_anchored(line, "essage ", 4, from);
}
inline std::size_t find_tevent_keyword(std::string_view line, std::size_t from) {
  return find_anchored(line, "TEvent: ", 1, from);
}

}  // namespace calltrail::parse
