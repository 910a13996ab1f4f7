#include "calltrail/parse/message_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>

#include "calltrail/model/identifiers.hpp"
#include "calltrail/parse/text.hpp"

namespace calltrail::parse {

namespace {

using model::Field;
using model::ValueKind;

enum class TokenKind : std::uint8_t { Word, Quoted, Empty, ListHeader, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;       // word, or the quoted content without quotes
  bool list_suffix = false;    // 'key'(list)
  bool unterminated = false;   // quote without its closing quote
  std::int64_t declared = -1;  // ListHeader: pair count, -1 when unreadable
  bool line_start = false;     // first token of a physical line
};

// Reads tokens from one piece of attribute text.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view s) : s_(s) {}

  Token next() {
    pos_ = skip_space(s_, pos_);
    Token t;
    if (pos_ >= s_.size()) return t;
    const char c = s_[pos_];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      // The common case: an attribute name or a bare value.
      const std::size_t end = word_end(s_, pos_);
      t.kind = TokenKind::Word;
      t.text = s_.substr(pos_, end - pos_);
      pos_ = end;
      return t;
    }
    const std::size_t quote = quote_open_size(s_, pos_);
    if (starts_with_at(s_, pos_, kRightDoubleQuote) &&
        is_delimiter(s_, pos_ + kRightDoubleQuote.size())) {
      // ” is how some publishing tools render ''.
      pos_ += kRightDoubleQuote.size();
      t.kind = TokenKind::Empty;
      read_suffix(t);
      return t;
    }
    if (quote > 0) return read_quoted(quote);
    if (s_[pos_] == '[' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1])) return read_header();
    const std::size_t end = word_end(s_, pos_);
    t.kind = TokenKind::Word;
    t.text = s_.substr(pos_, end - pos_);
    pos_ = end;
    return t;
  }

 private:
  Token read_quoted(std::size_t open) {
    Token t;
    t.kind = TokenKind::Quoted;
    const bool dbl = s_[pos_] == '"' || starts_with_at(s_, pos_, kLeftDoubleQuote);
    const std::size_t begin = pos_ + open;
    std::size_t i = begin;
    for (;;) {
      std::size_t close = 0;
      std::size_t j = i;
      const char ascii = dbl ? '"' : '\'';
      for (; j < s_.size(); ++j) {
        // Every closing quote starts with the ASCII quote or the E2 of ’ ”.
        if (s_[j] != ascii && s_[j] != '\xE2') continue;
        close = dbl ? double_quote_close_size(s_, j) : single_quote_close_size(s_, j);
        if (close > 0) break;
      }
      if (j >= s_.size()) {
        t.text = s_.substr(begin);
        t.unterminated = true;
        pos_ = s_.size();
        return t;
      }
      // A closing quote ends the value only where a delimiter follows.
      if (is_delimiter(s_, j + close) || starts_with_at(s_, j + close, "(list)")) {
        t.text = s_.substr(begin, j - begin);
        pos_ = j + close;
        read_suffix(t);
        return t;
      }
      i = j + close;
    }
  }

  void read_suffix(Token& t) {
    if (pos_ >= s_.size()) return;
    if (s_[pos_] != '(' && space_size(s_, pos_) == 0) return;
    if (starts_with_at(s_, pos_, "(list)")) {
      t.list_suffix = true;
      pos_ += 6;
      return;
    }
    const std::size_t p = skip_space(s_, pos_);
    if (starts_with_at(s_, p, "(list)") && is_delimiter(s_, p + 6)) {
      t.list_suffix = true;
      pos_ = p + 6;
    }
  }

  // [108] 00 01 03 00..  -> declared pair count 1
  Token read_header() {
    Token t;
    t.kind = TokenKind::ListHeader;
    std::size_t i = pos_ + 1;
    while (i < s_.size() && is_digit(s_[i]))
      ++i;
    if (i >= s_.size() || s_[i] != ']') {
      t.kind = TokenKind::Word;
      const std::size_t end = word_end(s_, pos_);
      t.text = s_.substr(pos_, end - pos_);
      pos_ = end;
      return t;
    }
    pos_ = i + 1;
    int bytes[4] = {-1, -1, -1, -1};
    for (int b = 0; b < 4; ++b) {
      const std::size_t p = skip_space(s_, pos_);
      if (p + 2 > s_.size() || !is_hex(s_[p]) || !is_hex(s_[p + 1])) break;
      const std::size_t end = word_end(s_, p);
      std::string_view w = s_.substr(p, end - p);
      if (w.size() != 2 && !(b == 3 && w.size() == 4 && w.substr(2) == "..")) break;
      bytes[b] = hex_value(w[0]) * 16 + hex_value(w[1]);
      pos_ = end;
    }
    t.declared = bytes[3] >= 0 ? bytes[1] : -1;
    return t;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool is_type_annotation(std::string_view w) {
  // Platform SDK logs print "AttributeConnID [long] = 00890".
  return w == "=" || (w.size() > 2 && w.front() == '[' && w.back() == ']');
}

}  // namespace

void MessageBuilder::start(model::Event& event) {
  assert(event.fields().empty());
  event_ = &event;
  expect_ = Expect::AttributeName;
  lists_.clear();
  depth_reported_ = false;
  full_ = false;
  bare_list_ = false;
  skipped_fields_ = 0;
  skipped_bytes_ = 0;
}

bool MessageBuilder::report_full(const ProblemCallback& problem) {
  if (full_) return false;
  full_ = true;
  problem("message-size",
          fmt::format("expected a message of at most {} attributes and pairs and {} bytes; the "
                      "rest of this one is skipped",
                      kMaxMessageFields, kMaxMessageBytes));
  return false;
}

std::uint32_t MessageBuilder::add_field(std::string_view key, std::uint8_t depth) {
  return place_field(event_->append_text(key), key, depth,
                     depth == 0 ? model::classify_attribute(key) : model::Attr::Other);
}

std::uint32_t MessageBuilder::place_field(std::uint32_t key_offset, std::string_view key,
                                          std::uint8_t depth, model::Attr attr) {
  auto& fields = event_->mutable_fields();
  const auto index = static_cast<std::uint32_t>(fields.size());
  // Built in place: a Field assembled on the stack and copied in is read back
  // in 16-byte pieces its narrower stores cannot forward to.
  Field& f = fields.emplace_back();
  f.key_offset = key_offset;
  f.key_size = static_cast<std::uint32_t>(key.size());
  f.depth = depth;
  f.end = index + 1;
  f.attr = attr;
  return index;
}

void MessageBuilder::set_value(std::uint32_t field, ValueKind kind, std::string_view value) {
  const std::uint32_t off = event_->append_text(value);
  Field& f = event_->mutable_fields()[field];
  f.kind = kind;
  f.value_offset = off;
  f.value_size = static_cast<std::uint32_t>(value.size());
}

namespace {

// Where a bare word's digits start: after a sign, when more follows.
std::size_t sign_size(std::string_view word) {
  return (word.size() > 1 && (word[0] == '-' || word[0] == '+')) ? 1 : 0;
}

// The class bits every byte of `word` after its sign has.
std::uint8_t word_classes(std::string_view word) {
  if (word.empty()) return 0;
  return static_cast<std::uint8_t>(word_class_bits(word.substr(sign_size(word))) &
                                   (kDigitClass | kHexClass));
}

}  // namespace

void MessageBuilder::set_scalar(std::uint32_t field, std::string_view word) {
  const std::uint32_t offset = event_->append_text(word);
  set_stored_scalar(field, word, offset, word_classes(word));
}

void MessageBuilder::set_stored_scalar(std::uint32_t field, std::string_view word,
                                       std::uint32_t offset, std::uint8_t classes) {
  Field& f = event_->mutable_fields()[field];
  if (model::is_conn_id(f.attr)) {
    char id[16];
    if (model::normalize_conn_id(word, id)) {
      const std::string_view normal(id, sizeof id);
      // Usually printed normalised already: then the stored text is kept.
      const std::uint32_t at = normal == word ? offset : event_->append_text(normal);
      Field& g = event_->mutable_fields()[field];
      g.kind = ValueKind::Hex;
      g.value_offset = at;
      g.value_size = sizeof id;
      return;
    }
  }
  f.value_offset = offset;
  f.value_size = static_cast<std::uint32_t>(word.size());
  // Digits after an optional sign; hex digits without one.
  const std::size_t start = sign_size(word);
  const bool digits = (classes & kDigitClass) != 0;
  const bool hex = start == 0 && (classes & kHexClass) != 0;
  if (digits && word.size() < 16) {
    std::int64_t n = 0;
    const char* b = word.data() + (word[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(b, word.data() + word.size(), n);
    if (ec == std::errc{} && p == word.data() + word.size()) {
      f.kind = ValueKind::Integer;
      f.number = n;
      return;
    }
  }
  f.kind = hex ? ValueKind::Hex : ValueKind::Bare;
}

void MessageBuilder::open_list(std::uint32_t field, std::int64_t declared) {
  Field& f = event_->mutable_fields()[field];
  f.kind = ValueKind::List;
  f.number = declared;
  if (lists_.size() >= kMaxListDepth) {
    // Deeper than any real message: the list stays empty and what it would
    // hold stays at this depth, so that nothing that walks the fields (or
    // reads the JSON written from them) goes deeper than the limit.
    f.number = -1;
    if (!depth_reported_ && problem_ != nullptr) {
      depth_reported_ = true;
      (*problem_)("kv-depth",
                  fmt::format("expected KV lists nested at most {} deep; deeper lists are kept "
                              "flat at that depth",
                              kMaxListDepth));
    }
    return;
  }
  lists_.push_back({field, -1, declared, position_});
}

void MessageBuilder::close_lists_to(std::size_t depth, const ProblemCallback& problem) {
  while (lists_.size() > depth) {
    OpenList& l = lists_.back();
    auto& fields = event_->mutable_fields();
    fields[l.field].end = static_cast<std::uint32_t>(fields.size());
    if (lists_.size() == 1 && l.declared >= 0) fix_top_level_count(l, problem);
    lists_.pop_back();
  }
}

// Without indentation the nesting of a KV list is ambiguous: a nested list
// either swallows the pairs after it or ends at once. The header's pair count
// decides: move the last pairs of a nested list up a level while the top
// level has too few, or trailing pairs into the preceding nested list while
// it has too many. The flat pre-order layout stays in order; only depths and
// ends change.
void MessageBuilder::fix_top_level_count(OpenList& list, const ProblemCallback& problem) {
  auto& f = event_->mutable_fields();
  const std::uint32_t root = list.field;
  const auto declared = static_cast<std::size_t>(list.declared);
  std::size_t count = 0;
  for (std::uint32_t i = root + 1; i < f[root].end; i = f[i].end)
    ++count;
  if (count == declared) return;  // the usual case: nothing to move
  std::vector<std::uint32_t> kids;
  for (std::uint32_t i = root + 1; i < f[root].end; i = f[i].end)
    kids.push_back(i);
  while (kids.size() < declared) {
    if (kids.empty()) break;
    const std::uint32_t last = kids.back();
    if (f[last].kind != ValueKind::List || f[last].end == last + 1) break;
    std::uint32_t child = last + 1;
    for (std::uint32_t c = last + 1; c < f[last].end; c = f[c].end)
      child = c;
    for (std::uint32_t i = child; i < f[last].end; ++i)
      --f[i].depth;
    f[last].end = child;
    kids.push_back(child);
  }
  while (kids.size() > declared) {
    // The last nested list that has pairs after it takes them in.
    std::size_t k = kids.size() - 1;
    bool found = false;
    while (k > 0 && !found)
      found = f[kids[--k]].kind == ValueKind::List;
    if (!found) break;
    const std::size_t move = std::min(kids.size() - declared, kids.size() - 1 - k);
    const std::uint32_t new_end = k + move + 1 < kids.size() ? kids[k + move + 1] : f[root].end;
    for (std::uint32_t i = kids[k] + 1; i < new_end; ++i) {
      if (i >= kids[k + 1]) ++f[i].depth;
    }
    f[kids[k]].end = new_end;
    kids.erase(kids.begin() + static_cast<std::ptrdiff_t>(k + 1),
               kids.begin() + static_cast<std::ptrdiff_t>(k + 1 + move));
  }
  if (kids.size() != declared) {
    problem_position_ = list.header;
    problem("kv-count", fmt::format("expected {1} pairs in {0} as its header says, found {2}",
                                    event_->key(f[root]), declared, kids.size()));
    problem_position_.reset();
  }
}

// A pair at the start of a line: its indentation closes the nested lists it
// is not deeper than.
void MessageBuilder::place_pair_line(int indent) {
  if (indent < 0) return;
  while (lists_.size() > 1) {
    const OpenList& top = lists_.back();
    const OpenList& parent = lists_[lists_.size() - 2];
    const bool inside = top.item_indent >= 0
                            ? indent >= top.item_indent
                            : parent.item_indent >= 0 && indent > parent.item_indent;
    if (inside) break;
    event_->mutable_fields()[top.field].end = static_cast<std::uint32_t>(event_->fields().size());
    lists_.pop_back();
  }
  if (lists_.back().item_indent < 0) lists_.back().item_indent = indent;
}

namespace {

// A value as servers print it after a TAB: 'quoted text' without inner
// quotes, or one bare word. Returns false for anything the tokenizer must see.
// For a bare word, `classes` gets the class bits of its bytes after a sign.
bool simple_value(std::string_view v, bool& quoted, std::uint8_t& classes) {
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
    quoted = true;
    return find_byte(v.substr(1, v.size() - 2), '\'') == std::string_view::npos;
  }
  quoted = false;
  if (v.empty() || !((v[0] >= '0' && v[0] <= '9') || (v[0] >= 'a' && v[0] <= 'z') ||
                     (v[0] >= 'A' && v[0] <= 'Z') || v[0] == '+' || v[0] == '-'))
    return false;
  if (v == "KVList:") return false;  // opens a list (Platform SDK): the tokenizer's
  // A word like an attribute name starts a new attribute for the tokenizer.
  if (v.size() > 9 && starts_with(v, "Attribute")) return false;
  // One pass: every byte plain, and the digit and hex bits after the sign
  // (a sign is plain).
  const std::uint8_t all = word_class_bits(v.substr(sign_size(v)));
  if ((all & kPlainClass) == 0) return false;
  classes = all;
  return true;
}

// "1351517400 (23:30:00)": a bare word, one space and a parenthesised note
// without spaces, which the tokenizer passes over. On success `v` is the word.
bool annotated_word(std::string_view& v, std::uint8_t& classes) {
  const std::size_t space = v.find(' ');
  if (space == std::string_view::npos || space + 1 >= v.size() || v[space + 1] != '(') {
    return false;
  }
  for (std::size_t i = space + 1; i < v.size(); ++i)
    if ((char_class(v[i]) & kPlainClass) == 0) return false;
  bool quoted = false;
  std::string_view word = v.substr(0, space);
  if (!simple_value(word, quoted, classes) || quoted) return false;
  v = word;
  return true;
}

// A KV list header as servers print it, "[108] 00 01 03 00..", and nothing
// after it: the tokenizer reads it the same way (declared pairs = byte 1).
bool list_header(std::string_view v, std::int64_t& declared) {
  if (v.size() < 17 || v[0] != '[' || !is_digit(v[1])) return false;
  std::size_t i = 2;
  while (i < v.size() && is_digit(v[i]))
    ++i;
  if (v.size() != i + 15 || v[i] != ']') return false;
  const char* b = v.data() + i + 1;  // " 00 01 03 00.."
  for (int k = 0; k < 4; ++k)
    if (b[3 * k] != ' ' || !is_hex(b[3 * k + 1]) || !is_hex(b[3 * k + 2])) return false;
  if (b[12] != '.' || v.back() != '.') return false;
  declared = hex_value(b[4]) * 16 + hex_value(b[5]);
  return true;
}

}  // namespace

namespace {

// Where the value starts after a key that ends at `pos`: past one TAB, or
// past a run of spaces (the spaced-out print style); npos for anything else
// (NBSP, mixed whitespace), which the tokenizer reads.
std::size_t value_start(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return std::string_view::npos;
  if (s[pos] == '\t') return pos + 1;
  if (s[pos] != ' ') return std::string_view::npos;
  while (pos < s.size() && s[pos] == ' ')
    ++pos;
  return pos;
}

// "'key'<TAB>value" (or spaces for the TAB): the key without its quotes, and
// the value. False when the first quote after the opening one is not
// followed by the separator.
bool split_pair(std::string_view s, std::string_view& key, std::string_view& value) {
  if (s.empty() || s[0] != '\'') return false;
  const std::size_t inner = find_byte(s.substr(1), '\'');
  if (inner == std::string_view::npos) return false;
  const std::size_t close = inner + 1;
  const std::size_t v = value_start(s, close + 1);
  if (v == std::string_view::npos || v >= s.size()) return false;
  key = s.substr(1, close - 1);
  value = s.substr(v);
  return true;
}

}  // namespace

// The canonical lines, "<TABs>AttributeName<TAB>value" and
// "<TABs>'key'<TAB>value" (value: quoted, a bare word or a KV list header),
// and "<TABs>'key'(list) 'key'<TAB>value" (a nested list and its first pair),
// and the same lines spaced out (spaces for the TABs), without the general
// tokenizer. Anything else (NBSP, curly quotes, several values, one-line
// messages) takes the general path.
bool MessageBuilder::add_simple_line(std::string_view text, int indent) {
  const std::size_t p = skip_space(text, 0);
  std::string_view rest = text.substr(p);
  if (rest.size() < 4) return false;
  std::string_view key, value;
  bool attribute = false;
  // "'id'(list) " before the pair: the key of a nested list.
  bool nested = false;
  std::string_view list_key;
  if (rest[0] == '\'') {
    if (expect_ != Expect::PairKey) return false;
    if (!split_pair(rest, key, value)) {
      const std::size_t close = rest.find('\'', 1);
      if (close == std::string_view::npos || !starts_with_at(rest, close + 1, "(list) ") ||
          !split_pair(rest.substr(close + 8), key, value)) {
        return false;
      }
      nested = true;
      list_key = rest.substr(1, close - 1);
    }
  } else {
    if (expect_ != Expect::AttributeName && expect_ != Expect::PairKey) return false;
    if (!starts_with(rest, "Attribute")) return false;
    const std::size_t name_end = alnum_run_end(rest, 9);
    const std::size_t v = value_start(rest, name_end);
    if (v == std::string_view::npos || v >= rest.size()) return false;
    key = rest.substr(0, name_end);
    value = rest.substr(v);
    attribute = true;
  }
  bool quoted = false;
  std::uint8_t classes = 0;
  std::int64_t declared = -1;
  const bool list = list_header(value, declared);
  if (!list && !simple_value(value, quoted, classes) && !annotated_word(value, classes)) {
    return false;
  }
  if (nested && list) return false;  // a list header after "'id'(list) ": the tokenizer's
  std::uint8_t depth = 0;
  model::Attr attr = model::Attr::Other;
  // Key, separator and value are one run of the line: stored with one copy.
  const std::string_view run(key.data(),
                             static_cast<std::size_t>(value.data() - key.data()) + value.size());
  if (attribute) {
    if (!lists_.empty()) close_lists_to(0, *problem_);
    attr = model::classify_attribute(key);
    bare_list_ = false;
    if (!list && !keeps_scalar(attr)) {
      ++skipped_fields_;
      skipped_bytes_ += run.size();
      expect_ = Expect::AttributeName;
      return true;
    }
  } else {
    place_pair_line(indent);
    depth = static_cast<std::uint8_t>(lists_.size());
    if (bare_list_ && !nested && !list) {
      // A pair of a list this detail passes over: its place, not its text.
      const auto index = static_cast<std::uint32_t>(event_->fields().size());
      Field& f = event_->mutable_fields().emplace_back();
      f.depth = depth;
      f.end = index + 1;
      f.attr = model::Attr::Other;
      f.kind = quoted ? ValueKind::String : ValueKind::Bare;
      skipped_bytes_ += run.size();
      expect_ = Expect::PairKey;
      return true;
    }
  }
  if (nested) {
    // The nested list opens, its first pair follows on the same line.
    open_list(add_field(list_key, depth), -1);
    depth = static_cast<std::uint8_t>(lists_.size());
  }
  if (list) {
    pending_ = place_field(event_->append_text(key), key, depth, attr);
    open_list(pending_, declared);
    if (attribute) bare_list_ = !keeps_pairs(attr);
    expect_ = Expect::PairKey;
    return true;
  }
  const std::uint32_t at = event_->append_text(run);
  const auto value_at = static_cast<std::uint32_t>(at + (value.data() - key.data()));
  const std::uint32_t field = place_field(at, key, depth, attr);
  Field& f = event_->mutable_fields()[field];
  if (quoted) {
    f.kind = ValueKind::String;
    f.value_offset = value_at + 1;
    f.value_size = static_cast<std::uint32_t>(value.size() - 2);
  } else {
    set_stored_scalar(field, value, value_at, classes);
  }
  expect_ = attribute ? Expect::AttributeName : Expect::PairKey;
  return true;
}

bool MessageBuilder::add_tab_line(std::string_view line, const ProblemCallback& problem) {
  std::size_t tabs = 0;
  while (tabs < line.size() && line[tabs] == '\t')
    ++tabs;
  if (tabs == 0 || tabs >= line.size() || (line[tabs] != 'A' && line[tabs] != '\'')) return false;
  problem_ = &problem;
  if (!has_room(problem)) return true;
  return add_simple_line(line.substr(tabs), static_cast<int>(tabs) * 4);
}

std::size_t MessageBuilder::add_flat_pairs(std::string_view s) {
  if (expect_ != Expect::AttributeName || !lists_.empty()) return 0;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t start = skip_space(s, pos);
    // Anything else, and the size limits, are the tokenizer's.
    if (start >= s.size() || field_count() + 1 >= kMaxMessageFields ||
        !starts_with_at(s, start, "Attribute")) {
      return start;
    }
    const std::size_t name_end = word_end(s, start);
    const std::size_t v = skip_space(s, name_end);
    if (name_end - start <= 9 || v >= s.size()) return start;
    const std::string_view name = s.substr(start, name_end - start);
    std::string_view value;
    bool quoted = false;
    std::uint8_t classes = 0;
    std::size_t after = 0;
    if (s[v] == '\xE2') {
      // 'text' in curly quotes with no quote byte inside: its first E2 is
      // the closing quote, and a space or the end follows it.
      if (!starts_with_at(s, v, kLeftSingleQuote)) return start;
      const std::size_t b = v + kLeftSingleQuote.size();
      const std::size_t e2 = find_byte(s.substr(b), '\xE2');
      if (e2 == std::string_view::npos) return start;
      const std::size_t close = b + e2;
      if (!starts_with_at(s, close, kRightSingleQuote) ||
          find_byte(s.substr(b, close - b), '\'') != std::string_view::npos) {
        return start;
      }
      after = close + kRightSingleQuote.size();
      if (after < s.size() && space_size(s, after) == 0) return start;
      value = s.substr(b, close - b);
      quoted = true;
    } else if ((char_class(s[v]) & kAlnumClass) != 0) {
      after = word_end(s, v);
      value = s.substr(v, after - v);
      // Not "KVList:", nor a word like an attribute name, every byte plain.
      if (!simple_value(value, quoted, classes)) return start;
    } else {
      return start;
    }
    // What may follow: "(list)" is the tokenizer's, an annotation such as
    // "(14:30:00)" one word it passes over.
    std::size_t next = skip_space(s, after);
    if (next < s.size() && s[next] == '(') {
      if (starts_with_at(s, next, "(list)")) return start;
      next = word_end(s, next);
    }
    const model::Attr attr = model::classify_attribute(name);
    bare_list_ = false;
    if (keeps_scalar(attr)) {
      const std::uint32_t field = place_field(event_->append_text(name), name, 0, attr);
      if (quoted) {
        set_value(field, ValueKind::String, value);
      } else {
        set_stored_scalar(field, value, event_->append_text(value), classes);
      }
    } else {
      ++skipped_fields_;
      skipped_bytes_ += name.size() + value.size();
    }
    pos = next;
  }
}

void MessageBuilder::add(std::string_view text, int indent, const ProblemCallback& problem) {
  assert(event_ != nullptr);
  problem_ = &problem;
  if (!has_room(problem)) return;
  if (indent >= 0 && add_simple_line(text, indent)) return;
  // A one-line message: the common pairs at once, the rest token by token.
  if (indent < 0) text.remove_prefix(add_flat_pairs(text));
  Tokenizer tokens(text);
  bool first = true;
  bool reported_text = false;
  for (Token t = tokens.next(); t.kind != TokenKind::End; t = tokens.next(), first = false) {
    // A one-line message may hold more fields than the limit on its own.
    if (field_count() >= kMaxMessageFields && !has_room(problem)) return;
    const int line_indent = first ? indent : -1;
    if (t.unterminated) {
      problem("unterminated-quote",
              fmt::format("expected a closing quote after '{}'", t.text.substr(0, 60)));
    }
    if (t.kind == TokenKind::Word && t.text.size() > 9 && starts_with(t.text, "Attribute")) {
      if (expect_ == Expect::AttributeValue || expect_ == Expect::PairValue) {
        problem("attribute-value",
                fmt::format("expected a value after {}", event_->key(event_->fields()[pending_])));
        set_value(pending_, ValueKind::String, {});
      }
      close_lists_to(0, problem);
      bare_list_ = false;
      pending_ = add_field(t.text, 0);
      expect_ = Expect::AttributeValue;
      continue;
    }
    if (first && line_indent >= 0) {
      // A new line while a value was still awaited: that value is missing.
      if (expect_ == Expect::PairValue) {
        problem("kv-pair-value", fmt::format("expected a value after the key '{}'",
                                             event_->key(event_->fields()[pending_])));
        set_value(pending_, ValueKind::String, {});
        expect_ = Expect::PairKey;
      } else if (expect_ == Expect::AttributeValue && t.kind != TokenKind::ListHeader) {
        // Values sit on the attribute's own line.
        problem("attribute-value",
                fmt::format("expected a value after {}", event_->key(event_->fields()[pending_])));
        set_value(pending_, ValueKind::String, {});
        expect_ = lists_.empty() ? Expect::AttributeName : Expect::PairKey;
      }
    }
    switch (expect_) {
      case Expect::AttributeValue:
      case Expect::PairValue: {
        const bool pair = expect_ == Expect::PairValue;
        if (t.kind == TokenKind::Word && is_type_annotation(t.text)) continue;
        if (t.kind == TokenKind::ListHeader || (t.kind == TokenKind::Word && t.text == "KVList:")) {
          open_list(pending_, t.kind == TokenKind::ListHeader ? t.declared : -1);
          if (t.kind == TokenKind::ListHeader && t.declared < 0) {
            problem("kv-list-header",
                    "expected a KV list header like '[108] 00 01 03 00..' (byte count, then four "
                    "hex bytes)");
          }
          expect_ = Expect::PairKey;
          continue;
        }
        if (t.kind == TokenKind::Word) {
          set_scalar(pending_, t.text);
        } else {
          set_value(pending_, ValueKind::String, t.text);
        }
        expect_ = pair ? Expect::PairKey : Expect::AttributeName;
        if (pair && t.list_suffix) open_list(pending_, -1);  // 'k' 'v'(list): tolerate
        break;
      }
      case Expect::PairKey: {
        if (t.kind == TokenKind::Quoted || t.kind == TokenKind::Empty) {
          place_pair_line(line_indent);
          pending_ = add_field(t.text, static_cast<std::uint8_t>(lists_.size()));
          if (t.list_suffix) {
            open_list(pending_, -1);
          } else {
            expect_ = Expect::PairValue;
          }
          continue;
        }
        if (t.kind == TokenKind::Word && (is_type_annotation(t.text) || t.text.front() == '(')) {
          continue;
        }
        if (!reported_text) {
          problem("kv-pair", fmt::format("expected a quoted key in a KV list, found '{}'",
                                         t.text.substr(0, 60)));
          reported_text = true;
        }
        break;
      }
      case Expect::AttributeName: {
        // Trailing annotations such as "(09:41:00)" after a value are fine.
        if (t.kind == TokenKind::Word && (t.text.front() == '(' || is_type_annotation(t.text))) {
          continue;
        }
        if (!reported_text) {
          problem("unexpected-text",
                  fmt::format("expected an attribute name (AttributeXxx), found '{}'",
                              t.text.substr(0, 60)));
          reported_text = true;
        }
        break;
      }
    }
  }
}

void MessageBuilder::finish(const ProblemCallback& problem) {
  if (event_ == nullptr) return;
  if (expect_ == Expect::AttributeValue || expect_ == Expect::PairValue) {
    problem("attribute-value",
            fmt::format("expected a value after '{}'", event_->key(event_->fields()[pending_])));
    set_value(pending_, ValueKind::String, {});
  }
  close_lists_to(0, problem);
  event_ = nullptr;
}

}  // namespace calltrail::parse
