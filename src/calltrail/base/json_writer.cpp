#include "calltrail/base/json_writer.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "calltrail/base/time.hpp"
#include "calltrail/base/utf8.hpp"

namespace calltrail::base {

namespace {

// Bytes that end a run of plain ASCII: controls, quote, backslash, non-ASCII.
constexpr auto kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

// The end of the run of plain ASCII at s[i]: 16 bytes at a time, then byte
// by byte. Every string of an interaction's JSON comes here, most of them
// without a byte to escape.
std::size_t plain_run_end(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (i + 16 <= s.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Compared as signed bytes, controls and every byte from 0x80 on are
    // below the space.
    const __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(v, space),
                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (const int mask = _mm_movemask_epi8(special); mask != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < s.size() && !kSpecial[static_cast<unsigned char>(s[i])])
    ++i;
  return i;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  std::size_t i = plain_run_end(s, 0);
  if (i == s.size()) {
    // Nothing to escape (most strings): the quotes and the text in one go.
    const std::size_t at = out.size();
    out.resize(at + s.size() + 2);
    char* p = out.data() + at;
    p[0] = '"';
    if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return;
  }
  out.push_back('"');
  out.append(s.data(), i);
  while (i < s.size()) {
    // Copy runs of plain ASCII at once.
    const std::size_t j = plain_run_end(s, i);
    out.append(s.data() + i, j - i);
    i = j;
    if (i >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out.append("\\n");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\r':
          out.append("\\r");
          break;
        default:
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
      }
      ++i;
    } else {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out.append(kReplacementCharacter);
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
    }
  }
  out.push_back('"');
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separate();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  append_json_string(out_, k);
  out_.push_back(':');
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  append_json_string(out_, s);
  return *this;
}
JsonWriter& JsonWriter::value(std::int64_t n) {
  separate();
  char buf[24];
  out_.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::value(std::uint64_t n) {
  separate();
  char buf[24];
  out_.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, n).ptr - buf));
  return *this;
}
JsonWriter& JsonWriter::utc(Micros t, int digits) {
  separate();
  out_.push_back('"');
  append_utc(out_, t, digits);
  out_.push_back('"');
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_.append(b ? "true" : "false");
  return *this;
}
JsonWriter& JsonWriter::null() {
  separate();
  out_.append("null");
  return *this;
}

}  // namespace calltrail::base
