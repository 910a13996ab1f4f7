#include "calltrail/base/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace calltrail::base {

namespace {

// The sequence length a lead byte announces, 0 for a byte that cannot lead.
std::size_t announced_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 0;
}

}  // namespace

std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const std::size_t n = announced_length(c);
  if (n <= 1) return n;
  if (i + n > s.size()) return 0;
  static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  unsigned cp = c & (0x7Fu >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool is_valid_utf8(std::string_view s) {
  constexpr std::uint64_t kHigh = 0x8080808080808080u;
  for (std::size_t i = 0; i < s.size();) {
    // Output is mostly ASCII: 32 bytes at a time while no high bit is set,
    // then eight.
    if (i + 32 <= s.size()) {
      std::uint64_t w[4];
      std::memcpy(w, s.data() + i, sizeof w);
      if (((w[0] | w[1] | w[2] | w[3]) & kHigh) == 0) {
        i += 32;
        continue;
      }
    }
    std::uint64_t word = 0;
    if (i + 8 <= s.size() && (std::memcpy(&word, s.data() + i, 8), word & kHigh) == 0) {
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_valid_utf8(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of ASCII and valid sequences are copied at once.
    std::size_t j = i;
    std::size_t n = 1;
    while (j < s.size() && (n = utf8_length(s, j)) != 0)
      j += n;
    out.append(s.data() + i, j - i);
    if (j >= s.size()) break;
    out.append(kReplacementCharacter);
    i = j + 1;
  }
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_valid_utf8(out, s);
  return out;
}

std::size_t incomplete_utf8_tail(std::string_view s) {
  // A sequence is at most 4 bytes: its lead is among the last 3.
  for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t n = announced_length(c);
    return n > back ? s.size() - back : s.size();
  }
  return s.size();
}

}  // namespace calltrail::base
