// append_json_string against a byte-by-byte reference written from RFC 8259
// (section 7: the quotation mark, the reverse solidus and the controls
// escaped, everything else as it is) and the writer's rule for bytes that are
// not UTF-8 (each becomes U+FFFD). Every byte value is planted at every
// position of plain ASCII strings up to 48 bytes long, so that each falls in,
// before and after the writer's 16-byte blocks and its byte-by-byte tail.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/utf8.hpp"

namespace calltrail::base {
namespace {

std::string reference(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (const std::size_t n = utf8_length(s, i); n > 0) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    } else {
      out += "\xEF\xBF\xBD";
    }
    ++i;
  }
  return out + "\"";
}

std::string escaped(std::string_view s) {
  std::string out = "[";  // appended to what is there
  append_json_string(out, s);
  EXPECT_EQ(out.substr(0, 1), "[");
  return out.substr(1);
}

std::string ascii(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i)
    s += static_cast<char>('a' + i % 26);
  return s;
}

TEST(JsonString, PlainAsciiIsCopiedWhole) {
  for (std::size_t n = 0; n <= 64; ++n) {
    const std::string s = ascii(n);
    EXPECT_EQ(escaped(s), "\"" + s + "\"") << n;
  }
}

TEST(JsonString, EveryByteAtEveryPlaceAsTheReferenceWrites) {
  for (std::size_t n = 1; n <= 48; ++n) {
    for (std::size_t at = 0; at < n; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string s = ascii(n);
        s[at] = static_cast<char>(b);
        ASSERT_EQ(escaped(s), reference(s)) << "length " << n << ", byte " << b << " at " << at;
      }
    }
  }
}

TEST(JsonString, SequencesAcrossBlocks) {
  // UTF-8 sequences and escapes straddling the 16-byte boundaries, several
  // in one string, and a sequence cut short by the end.
  const std::string pieces[] = {"\xE2\x80\x98", "\xF0\x9F\x93\x9E", "\"",   "\\", "\x01",
                                "\xC3\xA9",     "\xE2\x80",         "\xFF", "\n"};
  for (std::size_t lead = 0; lead <= 18; ++lead) {
    for (const std::string& a : pieces) {
      for (const std::string& b : pieces) {
        const std::string s = ascii(lead) + a + ascii(15) + b + ascii(lead % 5);
        ASSERT_EQ(escaped(s), reference(s)) << lead;
        const std::string cut = ascii(lead) + a;
        ASSERT_EQ(escaped(cut), reference(cut)) << lead;
      }
    }
  }
}

}  // namespace
}  // namespace calltrail::base
