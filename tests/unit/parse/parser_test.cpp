#include <gtest/gtest.h>

#include <random>
#include <string>

#include "calltrail/base/time.hpp"
#include "calltrail/parse/line_time.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/parse/sip_message.hpp"
#include "calltrail/parse/text.hpp"
#include "parse_support.hpp"

namespace calltrail::test {
namespace {

using parse::parse_line_time;

TEST(LineTime, ReadsEveryPrefixForm) {
  auto a = parse_line_time("@09:41:00.5404 [0]");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->at_sign);
  EXPECT_EQ(a->digits, 4);
  EXPECT_EQ(a->time_of_day, (9 * 3600 + 41 * 60) * 1'000'000LL + 540'400);
  EXPECT_FALSE(a->day);
  auto b = parse_line_time("2012-10-29T09:41:00.540 Trc");
  ASSERT_TRUE(b && b->day);
  EXPECT_EQ(*b->day, base::days_from_civil(2012, 10, 29));
  auto c = parse_line_time("2015-01-07 13:14:26,572 TEST");
  ASSERT_TRUE(c && c->day);
  EXPECT_EQ(c->digits, 3);
  EXPECT_FALSE(parse_line_time("9:41:00.540"));
  EXPECT_FALSE(parse_line_time("25:00:00.000"));
  EXPECT_FALSE(parse_line_time("09:41:00"));
  EXPECT_FALSE(parse_line_time("AttributeConnID"));
}

// A byte-by-byte reading of the clock, as the format is written down
// (line_time.hpp): the oracle for the word-at-a-time reading.
std::optional<parse::LineTime> reference_clock(std::string_view s) {
  parse::LineTime t;
  std::size_t pos = 0;
  if (!s.empty() && s[0] == '@') {
    t.at_sign = true;
    pos = 1;
  }
  const auto digit = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  const auto num = [&](std::size_t i) { return (s[i] - '0') * 10 + (s[i + 1] - '0'); };
  if (s.size() < pos + 10 || !digit(pos) || !digit(pos + 1)) return std::nullopt;
  if (s[pos + 2] != ':') return std::nullopt;  // the dated form is not compared here
  for (std::size_t i : {0, 1, 3, 4, 6, 7})
    if (!digit(pos + i)) return std::nullopt;
  if (s[pos + 5] != ':' || (s[pos + 8] != '.' && s[pos + 8] != ',')) return std::nullopt;
  const int h = num(pos), m = num(pos + 3), sec = num(pos + 6);
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  std::size_t i = pos + 9;
  std::int64_t frac = 0;
  int n = 0;
  for (; digit(i); ++i)
    if (n < 6) frac = frac * 10 + (s[i] - '0'), ++n;
  if (n == 0) return std::nullopt;
  t.digits = static_cast<std::uint8_t>(n);
  for (; n < 6; ++n)
    frac *= 10;
  t.time_of_day = (h * 3600 + m * 60 + sec) * 1'000'000LL + frac;
  t.size = i;
  return t;
}

// Random lines near the clock's shape (every byte class in every place,
// fractions of every length, lines cut anywhere) read the same as byte by
// byte.
TEST(LineTime, ClockAgreesWithAByteByByteReading) {
  std::mt19937 rng(20261205);
  const std::string bytes = std::string("0123456789:.,@ -Tx/") + '\x8a' + '\xff' + '\0';
  std::size_t accepted = 0;
  for (int round = 0; round < 200'000; ++round) {
    std::string s = (rng() % 2 != 0 ? "@" : "") + std::string("12:34:56.");
    for (auto n = rng() % 12; n > 0; --n)
      s += static_cast<char>('0' + rng() % 10);
    s += " [0] tail";
    if (rng() % 3 == 0) s = "23:59:60,1";
    for (int k = static_cast<int>(rng() % 3); k > 0; --k)
      s[rng() % s.size()] = bytes[rng() % bytes.size()];
    s.resize(rng() % (s.size() + 1));
    const auto got = parse_line_time(s);
    const auto want = reference_clock(s);
    ASSERT_EQ(got.has_value(), want.has_value()) << s;
    if (!want) continue;
    ++accepted;
    EXPECT_EQ(got->time_of_day, want->time_of_day) << s;
    EXPECT_EQ(got->digits, want->digits) << s;
    EXPECT_EQ(got->size, want->size) << s;
    EXPECT_EQ(got->at_sign, want->at_sign) << s;
  }
  EXPECT_GT(accepted, 20'000u);
}

// The anchored search finds what std::string_view::find finds, wherever the
// pattern and its anchor byte stand.
TEST(Text, AnchoredFindAgreesWithFind) {
  const std::string_view pattern = "essage ";
  for (std::string_view s :
       {"", "essage", "essage ", "message Event", "x messag message y", "ggggessage gessage ",
        "Via: SIP/2.0/UDP 10.51.31.100:5060;branch=z9hG4bKcc6f2252", "a essage",
        "essage  essage "}) {
    for (std::size_t from = 0; from <= s.size() + 1; ++from) {
      EXPECT_EQ(parse::find_anchored(s, pattern, 4, from), s.find(pattern, from))
          << "'" << s << "' from " << from;
      EXPECT_EQ(parse::find_anchored(s, pattern, 0, from), s.find(pattern, from));
    }
  }
  EXPECT_EQ(parse::find_tevent_keyword("12:00:00 TEvent: EventRinging", 0), 9u);
  EXPECT_EQ(parse::find_message_keyword("distribute_event: message EventRinging", 0), 19u);
}

// The class bits of a word read sixteen bytes (or two overlapping halves) at
// a time are those of the table read byte by byte, at every length (so every
// load shape) and for the bytes at each class's edges. The word is cut out of
// a longer buffer at every offset, so a load that strayed past either end
// would read bytes of another class.
TEST(Text, WordClassBitsAgreeWithTheTable) {
  std::mt19937 rng(11);
  const std::string alphabet = std::string("/09:@AFGZ`afgz{ !~\t'\x7F\x80\xA0\xC2\xFF", 25) + '\0';
  auto reference = [](std::string_view w) {
    std::uint8_t bits = parse::kPlainClass | parse::kDigitClass | parse::kHexClass;
    for (char c : w)
      bits &= parse::char_class(c);
    return bits;
  };
  std::size_t plain = 0, digits = 0, hex = 0;
  for (int round = 0; round < 40000; ++round) {
    // Words mostly of one kind, so that every bit is seen set as well as clear.
    const std::string_view pool = round % 4 == 0   ? std::string_view("0123456789")
                                  : round % 4 == 1 ? std::string_view("0123456789abcdefABCDEF")
                                  : round % 4 == 2 ? std::string_view("0123456789xyzXYZ-+.@")
                                                   : std::string_view(alphabet);
    std::string buffer(64, '\0');
    for (auto& c : buffer)
      c = alphabet[rng() % alphabet.size()];
    const std::size_t size = rng() % 45;
    const std::size_t at = rng() % (buffer.size() - size + 1);
    for (std::size_t i = at; i < at + size; ++i)
      buffer[i] = pool[rng() % pool.size()];
    if (size > 0 && round % 5 == 0) buffer[at + rng() % size] = alphabet[rng() % alphabet.size()];
    const std::string_view w(buffer.data() + at, size);
    const std::uint8_t bits = parse::word_class_bits(w);
    ASSERT_EQ(bits, reference(w)) << "size " << size << " round " << round;
    plain += (bits & parse::kPlainClass) != 0;
    digits += (bits & parse::kDigitClass) != 0;
    hex += (bits & parse::kHexClass) != 0;
  }
  EXPECT_GT(digits, 1000u);
  EXPECT_GT(hex, digits);
  EXPECT_GT(plain, hex);
  EXPECT_EQ(parse::word_class_bits("12345678\xC2\xA0"), 0);  // NBSP: not plain, not digits
  EXPECT_EQ(parse::word_class_bits("deadbeef"), parse::kPlainClass | parse::kHexClass);
}

// A word's end found sixteen bytes at a time is where the byte-by-byte
// reading stops: the first byte not plain (a space, a control byte, C2),
// passing over a C2 or control byte that does not start a space.
TEST(Text, WordEndAgreesWithTheByteByByteReading) {
  std::mt19937 rng(13);
  const std::string alphabet = std::string("aZ09'(:\x80\xA0\xC2\xFF\x7F \t\r\x01", 16);
  auto plain_end = [](std::string_view s, std::size_t pos) {
    while (pos < s.size() && (parse::char_class(s[pos]) & parse::kPlainClass) != 0)
      ++pos;
    return pos;
  };
  std::size_t long_words = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 70, 'x');
    // Mostly plain bytes, so that words run past sixteen bytes.
    for (auto& c : s)
      if (rng() % 8 == 0) c = alphabet[rng() % alphabet.size()];
    for (std::size_t pos = 0; pos <= s.size(); ++pos) {
      const std::size_t end = parse::plain_run_end(s, pos);
      ASSERT_EQ(end, plain_end(s, pos)) << "round " << round << " pos " << pos;
      long_words += end - pos > 16;
      std::size_t word = pos;
      for (;;) {
        word = plain_end(s, word);
        if (word >= s.size() || parse::space_size(s, word) > 0) break;
        ++word;
      }
      ASSERT_EQ(parse::word_end(s, pos), word) << "round " << round << " pos " << pos;
    }
  }
  EXPECT_GT(long_words, 1000u);
  EXPECT_EQ(parse::word_end("Attribute\xC2\xA0x", 0), 9u);  // NBSP ends a word
  EXPECT_EQ(parse::word_end("Attribute\xC2x y", 0), 11u);   // C2 alone does not
}

// The first byte found sixteen (or eight) bytes at a time is the first that
// string_view::find finds, at every length and place, with the byte before
// and after the view the one searched for (a load past either end would
// find it).
TEST(Text, FindByteAgreesWithFind) {
  std::mt19937 rng(17);
  std::size_t found = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string buffer(72, ':');
    const std::size_t size = rng() % 60;
    const std::size_t at = 1 + rng() % (buffer.size() - size - 1);
    for (std::size_t i = at; i < at + size; ++i)
      buffer[i] = rng() % 24 == 0 ? ':' : static_cast<char>('a' + rng() % 26);
    const std::string_view w(buffer.data() + at, size);
    ASSERT_EQ(parse::find_byte(w, ':'), w.find(':')) << "size " << size << " '" << w << "'";
    found += w.find(':') != std::string_view::npos;
  }
  EXPECT_GT(found, 10000u);
  EXPECT_EQ(parse::find_byte("", ':'), std::string_view::npos);
  EXPECT_EQ(parse::find_byte("\xE2\x80\x99", '\xE2'), 0u);
}

// Comparing without case folds ASCII capitals alone, for every pair of
// bytes; whitespace is the five ASCII bytes and NBSP, for every byte.
TEST(Text, CaseAndSpaceAgreeWithTheirDefinitionsForEveryByte) {
  auto small = [](int c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; };
  std::size_t equal = 0;
  for (int x = 0; x < 256; ++x) {
    for (int y = 0; y < 256; ++y) {
      const std::string a{'C', static_cast<char>(x), '-'};
      const std::string b{'c', static_cast<char>(y), '-'};
      const bool expected = small(x) == small(y);
      ASSERT_EQ(parse::iequals(a, b), expected) << x << " " << y;
      equal += expected;
    }
    const std::string one{static_cast<char>(x), 'x'};
    const bool space = x == ' ' || x == '\t' || x == '\r' || x == '\f' || x == '\v';
    EXPECT_EQ(parse::space_size(one, 0), space ? 1u : 0u) << x;
    EXPECT_EQ(parse::space_size(std::string{static_cast<char>(x), '\xA0'}, 0),
              space ? 1u : (x == 0xC2 ? 2u : 0u))
        << x;
  }
  EXPECT_EQ(equal, 256u + 26u * 2u);  // each byte with itself, each letter with its capital
  EXPECT_FALSE(parse::iequals("Call-ID", "Call-I"));
  EXPECT_TRUE(parse::iequals("X-Genesys-CallUUID", "x-genesys-calluuid"));
}

// The one-pass look for keywords never misses one the searches would find
// (at any place in lines of any length, so in the sixteen-byte steps, the
// overlapping last step and the short-line loop), and passes over the lines
// of SIP traffic.
TEST(Text, KeywordLookNeverMissesAKeyword) {
  std::mt19937 rng(5);
  const std::string alphabet = "gesaEvTnt :m";
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 70, ' ');
    for (auto& c : s)
      c = alphabet[rng() % alphabet.size()];
    if (round % 3 == 0 && s.size() >= 8) {
      const std::string_view kw = round % 2 == 0 ? "essage " : "TEvent: ";
      s.replace(rng() % (s.size() - kw.size() + 1), kw.size(), kw);
    }
    const bool found = parse::find_message_keyword(s, 0) != std::string_view::npos ||
                       parse::find_tevent_keyword(s, 0) != std::string_view::npos;
    if (found) {
      EXPECT_TRUE(parse::may_have_keyword(s)) << "'" << s << "'";
    }
  }
  for (std::string_view sip : {"Via: SIP/2.0/UDP 10.51.31.100:5060;branch=z9hG4bKcc6f2252",
                               "From: <sip:+15551620273@10.51.31.100>;tag=000000", "CSeq: 1 INVITE",
                               "Content-Length: 0", "a=rtpmap:101 telephone-event/8000", "v=0"}) {
    EXPECT_FALSE(parse::may_have_keyword(sip)) << sip;
  }
  EXPECT_TRUE(parse::may_have_keyword("12:00:00 TEvent: EventRinging"));
  EXPECT_TRUE(parse::may_have_keyword("message EventRinging"));
}

// A message name runs over letters, digits and '_' (however many runs of
// each), and stops at anything else.
TEST(Parser, MessageNamesRunOverLettersDigitsAndUnderscores) {
  Parsed p = parse_text(
      "@09:41:00.1000 [0] 8.1 distribute_event: message Event_Private_2_Info\n"
      "\tAttributeConnID\t0001\n"
      "@09:41:00.2000 [0] 8.1 distribute_event: message "
      "EventABCDEFGHIJKLMNOPQRSTUV_wxyz0123456789\n"
      "\tAttributeConnID\t0002\n"
      "@09:41:00.3000 [0] 8.1 distribute_event: message EventRinging\n"
      "\tAttributeConnID\t0003\n");
  ASSERT_EQ(p.events.size(), 3u);
  EXPECT_EQ(p.events[0].name, "Event_Private_2_Info");
  EXPECT_EQ(p.events[1].name, "EventABCDEFGHIJKLMNOPQRSTUV_wxyz0123456789");
  EXPECT_EQ(p.events[2].name, "EventRinging");
}

TEST(Parser, NestedListByIndentationWithInnerPairsOnTheSameLine) {
  Parsed p = parse_text(
      "@09:41:00.1000 [0] 8.1 distribute_event: message EventCallDataChanged\n"
      "\tAttributeISLinkList\t[214] 00 02 03 00..\n"
      "\t\t'A'(list) 'location-name'\t'X@S'\n"
      "\t\t\t'direction-role'\t'source'\n"
      "\t\t'B'(list) 'location-name'\t'Y@S'\n"
      "\t\t\t'direction-role'\t'target'\n"
      "\tAttributeConnID\t0001\n");
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.diagnostics.count(), 0u);
  const model::Event& e = p.events[0];
  const model::Field* list = e.attribute("AttributeISLinkList");
  ASSERT_NE(list, nullptr);
  auto links = e.children(static_cast<std::uint32_t>(list - e.fields().data()));
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(e.key(e.fields()[links[0]]), "A");
  EXPECT_EQ(e.children(links[0]).size(), 2u);
  EXPECT_EQ(e.key(e.fields()[links[1]]), "B");
  EXPECT_EQ(e.children(links[1]).size(), 2u);
  // ConnIDs are normalised to 16 lower-case hex digits.
  EXPECT_EQ(e.attribute_value("AttributeConnID"), "0000000000000001");
}

// KV list headers printed canonically ("<TAB>Key<TAB>[n] 00 02 00 00..") or
// spaced out take the parser's fast path; with NBSP or irregular spacing they
// take the tokenizer: all must give the same fields, declared counts and
// nesting.
// Fields compared one by one: key, value, kind, number, depth and end.
void expect_same_fields(const model::Event& f, const model::Event& s) {
  ASSERT_EQ(f.fields().size(), s.fields().size());
  for (std::size_t i = 0; i < f.fields().size(); ++i) {
    const model::Field& a = f.fields()[i];
    const model::Field& b = s.fields()[i];
    EXPECT_EQ(f.key(a), s.key(b)) << i;
    EXPECT_EQ(f.value(a), s.value(b)) << i;
    EXPECT_EQ(a.kind, b.kind) << i;
    EXPECT_EQ(a.number, b.number) << i;
    EXPECT_EQ(a.depth, b.depth) << i;
    EXPECT_EQ(a.end, b.end) << i;
  }
}

TEST(Parser, ListHeaderFastPathMatchesTheTokenizer) {
  auto message = [](std::string_view top, std::string_view inner) {
    return std::string(
               "@09:41:00.1000 [0] 8.1 distribute_event: message EventAttachedDataChanged\n") +
           "\tAttributeUserData" + std::string(top) + "\n" + "\t\t'Inner'" + std::string(inner) +
           "\n\t\t\t'A'\t'1'\n\t\t'B'\t2\n\tAttributeConnID\t0001\n";
  };
  Parsed fast = parse_text(message("\t[141] 00 02 00 00..", "\t[20] 00 01 00 00.."));
  Parsed spaced = parse_text(message("    [141] 00 02 00 00..", "  [20] 00 01 00 00.."));
  Parsed slow = parse_text(message("  [141]  00 02 00 00..", "   [20] 00 01 00 00.."));
  ASSERT_EQ(fast.events.size(), 1u);
  ASSERT_EQ(spaced.events.size(), 1u);
  ASSERT_EQ(slow.events.size(), 1u);
  EXPECT_EQ(fast.diagnostics.count(), 0u);
  EXPECT_EQ(spaced.diagnostics.count(), 0u);
  EXPECT_EQ(slow.diagnostics.count(), 0u);
  const model::Event& f = fast.events[0];
  const model::Event& s = slow.events[0];
  ASSERT_EQ(f.fields().size(), 5u);  // UserData, Inner, A, B, ConnID
  expect_same_fields(f, s);
  expect_same_fields(spaced.events[0], s);
  EXPECT_EQ(f.fields()[0].kind, model::ValueKind::List);
  EXPECT_EQ(f.fields()[0].number, 2);
  EXPECT_EQ(f.fields()[1].number, 1);  // 'Inner' declares one pair
  EXPECT_EQ(f.children(0).size(), 2u);
}

TEST(Parser, NestedListLineFastPathMatchesTheTokenizer) {
  // The seed's IS-Link entries: "'id'(list) 'key'<TAB>value", then the
  // list's other pairs one level deeper. With spaces for the TAB the line
  // takes the fast path too; with NBSP the general tokenizer.
  auto message = [](std::string_view sep) {
    return "@09:41:00.1000 [0] 8.1 distribute_event: message EventRinging\n"
           "\tAttributeISLinkList\t[108] 00 02 03 00..\n"
           "\t\t'01TQ8IACN1IB5DD27HIN99RCO40002B9'(list) 'location-name'" +
           std::string(sep) +
           "'Tserver2@Avaya_Switch1'\n"
           "\t\t\t'direction-role'\t'target'\n"
           "\t\t'02AB'(list) 'hops'" +
           std::string(sep) +
           "3\n"
           "\tAttributeConnID\t006a0240d1e23402\n";
  };
  Parsed fast = parse_text(message("\t"));
  Parsed spaced = parse_text(message("   "));
  Parsed slow = parse_text(message("\xC2\xA0"));
  ASSERT_EQ(fast.events.size(), 1u);
  ASSERT_EQ(spaced.events.size(), 1u);
  ASSERT_EQ(slow.events.size(), 1u);
  EXPECT_EQ(fast.diagnostics.count(), 0u);
  EXPECT_EQ(spaced.diagnostics.count(), 0u);
  EXPECT_EQ(slow.diagnostics.count(), 0u);
  const model::Event& f = fast.events[0];
  ASSERT_EQ(f.fields().size(), 7u);  // list, id, location, role, id, hops, ConnID
  expect_same_fields(f, slow.events[0]);
  expect_same_fields(spaced.events[0], slow.events[0]);
  auto links = f.islinks();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].location, "Tserver2@Avaya_Switch1");
  EXPECT_EQ(links[0].role, "target");
  EXPECT_EQ(f.fields()[5].kind, model::ValueKind::Integer);
  EXPECT_EQ(f.fields()[5].number, 3);
}

TEST(Parser, AnnotatedValueFastPathMatchesTheTokenizer) {
  // T-Server prints the time of AttributeTimeinSecs after its value; a word
  // like an attribute name is read as a new attribute either way.
  auto message = [](std::string_view sep) {
    const std::string t(sep);
    return "@23:30:00.3701 [0] 8.1 distribute call/party event: message EventRinging\n"
           "\tAttributeTimeinSecs" +
           t + "1351517400 (23:30:00)\n" + "\tAttributeTimeinuSecs" + t + "370154\n" +
           "\tAttributeCallState" + t + "AttributeOops\n" + "\tAttributeConnID" + t +
           "-12 (note)\n";
  };
  Parsed fast = parse_text(message("\t"));
  Parsed spaced = parse_text(message("    "));
  Parsed slow = parse_text(message("\xC2\xA0"));
  ASSERT_EQ(fast.events.size(), 1u);
  ASSERT_EQ(spaced.events.size(), 1u);
  ASSERT_EQ(slow.events.size(), 1u);
  EXPECT_EQ(fast.diagnostics.count(), slow.diagnostics.count());
  EXPECT_EQ(spaced.diagnostics.count(), slow.diagnostics.count());
  const model::Event& f = fast.events[0];
  ASSERT_EQ(f.fields().size(), 5u);  // TimeinSecs, TimeinuSecs, CallState, Oops, ConnID
  expect_same_fields(f, slow.events[0]);
  expect_same_fields(spaced.events[0], slow.events[0]);
  EXPECT_EQ(f.fields()[0].kind, model::ValueKind::Integer);
  EXPECT_EQ(f.fields()[0].number, 1351517400);
  EXPECT_EQ(f.times.utc_stamp, slow.events[0].times.utc_stamp);
  ASSERT_TRUE(f.times.utc_stamp.has_value());
  EXPECT_EQ(*f.times.utc_stamp, 1351517400LL * 1'000'000 + 370154);
}

TEST(Parser, DeclaredCountDecidesNestingWithoutIndentation) {
  // Tabs lost: the nested list is followed by pairs at the same depth. The
  // header says 3 pairs at the top, so the empty list ends at once.
  Parsed p = parse_text(
      "request to 65200(TServer) message RequestUpdateUserData\n"
      "AttributeUserData\t[40] 00 03 00 00..\n"
      "'Skills'(list)\n"
      "'A'\t'1'\n"
      "'B'\t'2'\n");
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.diagnostics.count(), 0u);
  const model::Event& e = p.events[0];
  auto kids = e.children(0);
  ASSERT_EQ(kids.size(), 3u);
  EXPECT_EQ(e.fields()[kids[0]].kind, model::ValueKind::List);
  EXPECT_TRUE(e.children(kids[0]).empty());
  // And the other way: one declared pair, so the later lines belong inside.
  Parsed q = parse_text(
      "request to 65200(TServer) message RequestUpdateUserData\n"
      "AttributeUserData\t[40] 00 01 03 00..\n"
      "'Session'(list) 'A'\t'1'\n"
      "'B'\t'2'\n"
      "'C'\t'3'\n");
  ASSERT_EQ(q.events.size(), 1u);
  EXPECT_EQ(q.diagnostics.count(), 0u);
  auto top = q.events[0].children(0);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(q.events[0].children(top[0]).size(), 3u);
}

TEST(Parser, LongLineIsCutToItsTailAndReported) {
  std::string text = std::string(5000, 'x') +
                     "@09:41:00.1000 [0] 8.1 distribute_event: message EventRinging\n"
                     "\tAttributeThisDN\t'7001'\n";
  Parsed p;
  p.info.path = "long.log";
  parse::EventCallback sink = [&](model::Event& e) { p.events.push_back(e); };
  parse::LogParser parser(p.info, 0, p.diagnostics, sink, 1024);
  for (std::size_t i = 0; i < text.size(); i += 100)
    parser.feed(std::string_view(text).substr(i, 100));
  parser.finish();
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].name, "EventRinging");
  EXPECT_EQ(p.events[0].attribute_value("AttributeThisDN"), "7001");
  EXPECT_EQ(p.events[0].where.line, 1u);
  EXPECT_EQ(p.diagnostics.by_code().count("long-line"), 1u);
  EXPECT_EQ(p.info.bytes, text.size());
}

TEST(Parser, ProseThatNamesAMessageIsNotAMessage) {
  Parsed p = parse_text(
      "2015-01-07 13:14:26,574 DEBUG - Writing message RequestAttachUserData in 'proxy1'\n"
      "11:49:08.536 RLIB: received from 23(OR_Server_811) message RequestInvoke(1000000100)\n");
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.diagnostics.count(), 0u);
}

TEST(Parser, OneLineMessageAfterAnotherEndsTheFirst) {
  Parsed p = parse_text(
      "@09:41:00.1000 [0] 8.1 distribute_event: message EventRinging AttributeThisDN '7001' "
      "AttributeConnID 0a\n"
      "@09:41:00.2000 [0] 8.1 distribute_event: message EventReleased AttributeThisDN '7001'");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(p.events[0].attribute_value("AttributeConnID"), "000000000000000a");
  EXPECT_EQ(p.events[1].name, "EventReleased");
  EXPECT_EQ(p.events[1].where.line, 2u);
  EXPECT_EQ(p.events[1].where.offset, 104u);
}

TEST(Parser, MidnightRolloverAdvancesTheDate) {
  Parsed p = parse_text(
      "@23:59:59.9000 [0] 8.1 distribute_event: message EventRinging\n"
      "@00:00:00.1000 [0] 8.1 distribute_event: message EventEstablished\n",
      "SIPS.20121029_230000_000.log");
  ASSERT_EQ(p.events.size(), 2u);
  EXPECT_EQ(base::format_local(p.events[0].times.local, true, 4), "2012-10-29T23:59:59.9000");
  EXPECT_EQ(base::format_local(p.events[1].times.local, true, 4), "2012-10-30T00:00:00.1000");
  EXPECT_EQ(p.info.app, "SIPS");
}

// Reading SIP messages at less detail (ReadOptions::sip_detail) finds, over
// the real SIP Server log, the same messages at the same places with the
// same times and problems as a whole reading, and the same values of every
// attribute its level reads: a scan (Dialog) the Call-IDs,
// X-Genesys-CallUUIDs and INVITE requests' parties and To tags; a
// correlation (Call) also CSeq, Reason and the recording requests. Neither
// reads the parties and To tag of other messages.
TEST(Parser, SipDetailLevelsReadTheSameMessagesAsAWholeReading) {
  const std::string path =
      std::string(CALLTRAIL_SOURCE_DIR) + "/tests/cases/real/SIP_P-001.20260202_135459_850.log.gz";
  auto read = [&](parse::SipDetail detail) {
    parse::ReadOptions options;
    options.sip_detail = detail;
    parse::LogReader reader(options);
    std::vector<model::Event> events;
    reader.read_file(path, [&](model::Event& e) {
      if (e.kind == model::MessageKind::Sip) events.push_back(e);
    });
    EXPECT_EQ(reader.input_errors().size(), 0u);
    return std::make_pair(std::move(events), reader.diagnostics().count());
  };
  namespace k = parse::sip_keys;
  const auto [whole, whole_problems] = read(parse::SipDetail::Whole);
  const auto [call, call_problems] = read(parse::SipDetail::Call);
  const auto [dialog, dialog_problems] = read(parse::SipDetail::Dialog);
  ASSERT_GT(whole.size(), 100u);
  ASSERT_EQ(dialog.size(), whole.size());
  ASSERT_EQ(call.size(), whole.size());
  EXPECT_EQ(dialog_problems, whole_problems);
  EXPECT_EQ(call_problems, whole_problems);
  std::size_t invites = 0, tagged_others = 0, with_sdp = 0, with_cseq = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    const model::Event& w = whole[i];
    for (const model::Event* d : {&dialog[i], &call[i]}) {
      EXPECT_EQ(d->name, w.name) << i;
      EXPECT_EQ(d->peer, w.peer) << i;
      EXPECT_EQ(d->where.line, w.where.line) << i;
      EXPECT_EQ(d->where.offset, w.where.offset) << i;
      EXPECT_EQ(d->times.local, w.times.local) << i;
      for (std::string_view key :
           {k::kCallId, k::kGenesysCallUuid, k::kDirection, k::kCallUuid, k::kStatus})
        EXPECT_EQ(d->attribute_value(key), w.attribute_value(key)) << i << " " << key;
      // What neither reads.
      EXPECT_EQ(d->attribute(k::kSdpAddress), nullptr) << i;
      EXPECT_EQ(d->attribute(k::kContentType), nullptr) << i;
      EXPECT_EQ(d->attribute(k::kFromTag), nullptr) << i;
      EXPECT_EQ(d->attribute(k::kTransport), nullptr) << i;
    }
    const bool invite = w.attribute_value(k::kMethod) == "INVITE" && !w.attribute(k::kStatus);
    if (invite) ++invites;
    if (!invite && w.attribute(k::kToTag) != nullptr) ++tagged_others;
    for (const model::Event* d : {&dialog[i], &call[i]}) {
      for (std::string_view key : {k::kFrom, k::kTo, k::kToTag}) {
        if (invite) {
          EXPECT_EQ(d->attribute_value(key), w.attribute_value(key)) << i << " " << key;
        } else {
          EXPECT_EQ(d->attribute(key), nullptr) << i << " " << key;
        }
      }
    }
    // What a call reads and a dialog does not.
    for (std::string_view key :
         {k::kCSeq, k::kReason, k::kMethod, k::kRecording, k::kRequestUri, k::kReasonPhrase})
      EXPECT_EQ(call[i].attribute_value(key), w.attribute_value(key)) << i << " " << key;
    if (w.attribute(k::kSdpAddress) != nullptr) ++with_sdp;
    if (w.attribute(k::kCSeq) != nullptr) ++with_cseq;
    EXPECT_EQ(dialog[i].attribute(k::kCSeq), nullptr) << i;
  }
  EXPECT_GE(invites, 14u);  // seven calls, two dialogs each
  EXPECT_GT(tagged_others, 100u);
  EXPECT_GT(with_sdp, 0u);
  EXPECT_GT(with_cseq, 100u);
}

}  // namespace
}  // namespace calltrail::test
