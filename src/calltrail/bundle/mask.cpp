#include "calltrail/bundle/mask.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace calltrail::bundle {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::size_t digit_count(std::string_view v) {
  return static_cast<std::size_t>(std::count_if(v.begin(), v.end(), is_digit));
}

std::string digits_of(std::string_view v) {
  std::string d;
  for (char c : v)
    if (is_digit(c)) d += c;
  return d;
}

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (lower(s[at + i]) != prefix[i]) return false;
  return true;
}

// Words a number that is no phone number follows: times, counters, lengths,
// log message ids (Trc 04541), SIP headers that count.
constexpr std::array<std::string_view, 22> kNotPhoneAfter = {"attributetimeinsecs",
                                                             "attributetimeinusecs",
                                                             "attributeeventsequencenumber",
                                                             "attributetimestamp",
                                                             "attributereferenceid",
                                                             "attributecallid",
                                                             "attributeconnid",
                                                             "attributetransferconnid",
                                                             "attributepreviousconnid",
                                                             "attributefirsttransferconnid",
                                                             "attributelasttransferconnid",
                                                             "cseq",
                                                             "content-length",
                                                             "max-forwards",
                                                             "expires",
                                                             "session-expires",
                                                             "min-se",
                                                             "rseq",
                                                             "trc",
                                                             "int",
                                                             "std",
                                                             "dbg"};

// The word before `at`, over spaces, quotes, '=', ':' and one "[type]".
std::string word_before(std::string_view s, std::size_t at) {
  std::size_t i = at;
  auto skip = [&] {
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\'' || s[i - 1] == '"' ||
                     s[i - 1] == '=' || s[i - 1] == ':'))
      --i;
  };
  skip();
  if (i > 0 && s[i - 1] == ']') {
    const std::size_t open = s.rfind('[', i - 1);
    if (open != std::string_view::npos && i - open < 12) {
      i = open;
      skip();
    }
  }
  const std::size_t end = i;
  while (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '-'))
    --i;
  std::string w(s.substr(i, end - i));
  for (char& c : w)
    c = lower(c);
  return w;
}

// IPv4 at `at` (whole: no digit or ".digit" around it, octets without
// leading zeros, so that versions such as 8.1.001.03 are not taken); its
// length or 0.
std::size_t ipv4_at(std::string_view s, std::size_t at) {
  if (at > 0 && (is_alnum(s[at - 1]) || (s[at - 1] == '.' && at > 1 && is_digit(s[at - 2]))))
    return 0;
  std::size_t i = at;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return 0;
      ++i;
    }
    const std::size_t b = i;
    while (i < s.size() && is_digit(s[i]) && i - b < 4)
      ++i;
    const std::size_t n = i - b;
    if (n == 0 || n > 3 || (n > 1 && s[b] == '0')) return 0;
    if (std::stoi(std::string(s.substr(b, n))) > 255) return 0;
  }
  if (i < s.size() && (is_alnum(s[i]) || (s[i] == '.' && i + 1 < s.size() && is_digit(s[i + 1]))))
    return 0;
  return i - at;
}

// IPv6 at `at` (a run of hex digits, ':' and '.', with '::' or eight
// groups, that inet_pton takes, trailing ":port"-like parts cut off); its
// length or 0.
std::size_t ipv6_at(std::string_view s, std::size_t at) {
  if (at > 0 && (is_word(s[at - 1]) || s[at - 1] == ':' || s[at - 1] == '.')) return 0;
  std::size_t end = at;
  while (end < s.size() && (is_hex(s[end]) || s[end] == ':' || s[end] == '.') && end - at < 64)
    ++end;
  if (end < s.size() && is_word(s[end])) return 0;
  for (std::size_t e = end; e > at + 1; --e) {
    const std::string_view cand = s.substr(at, e - at);
    if (std::count(cand.begin(), cand.end(), ':') < 2) return 0;
    if (e == end || s[e] == ':' || s[e] == '.') {
      char buf[16];
      if (::inet_pton(AF_INET6, std::string(cand).c_str(), buf) == 1) return e - at;
    }
  }
  return 0;
}

// Attributes whose numbers are counters or times, whatever their name holds.
bool not_a_phone_key(std::string_view key) {
  std::string k(key);
  for (char& c : k)
    c = lower(c);
  return std::find(kNotPhoneAfter.begin(), kNotPhoneAfter.end(), k) != kNotPhoneAfter.end();
}

constexpr std::string_view kNameAddrSchemes[] = {"<sip:", "<sips:", "<tel:"};

}  // namespace

std::string_view token_prefix(MaskKind kind) {
  switch (kind) {
    case MaskKind::Phone:
      return "PHONE";
    case MaskKind::Ip:
      return "IP";
    case MaskKind::UserData:
      return "UDATA";
    case MaskKind::SipUser:
      return "USER";
    case MaskKind::Name:
      return "NAME";
  }
  return "MASKED";
}

bool looks_like_phone(std::string_view v) {
  bool plus = false;
  if (!v.empty() && v.front() == '+') {
    plus = true;
    v.remove_prefix(1);
  }
  if (v.empty() || !(is_digit(v.front()) || v.front() == '(') || !is_digit(v.back())) return false;
  for (char c : v)
    if (!is_digit(c) && c != '-' && c != '.' && c != ' ' && c != '(' && c != ')') return false;
  const std::size_t n = digit_count(v);
  return n >= 5 && n <= (plus ? 20u : 15u);
}

Masker::Masker(std::vector<std::string> keep_keys) : keep_keys_(std::move(keep_keys)) {}

bool Masker::kept_key(std::string_view key) const {
  return std::find(keep_keys_.begin(), keep_keys_.end(), key) != keep_keys_.end();
}

const std::string& Masker::token(MaskKind kind, std::string_view value) {
  if (kind != MaskKind::Ip && looks_like_phone(value)) kind = MaskKind::Phone;
  std::string key;
  if (kind == MaskKind::Phone) {
    key = "p:" + digits_of(value);
  } else if (kind == MaskKind::Ip) {
    key = "i:";
    for (char c : value)
      key += lower(c);
  } else {
    key = "v:" + std::string(value);
  }
  auto it = tokens_.find(key);
  if (it != tokens_.end()) return it->second;
  const auto k = static_cast<std::size_t>(kind);
  ++counts_[k];
  return tokens_
      .emplace(std::move(key), std::string(token_prefix(kind)) + "-" + std::to_string(++next_[k]))
      .first->second;
}

void Masker::add_phone(std::string_view value) {
  if (digit_count(value) < 3) return;
  literals_.emplace(std::string(value), MaskKind::Phone);
}

void Masker::add_user_data(std::string_view key, std::string_view value) {
  if (value.empty() || kept_key(key)) return;
  const std::pair<std::string, std::string> p(key, value);
  if (std::find(pairs_.begin(), pairs_.end(), p) == pairs_.end()) pairs_.push_back(p);
  // Short values are masked where they follow their key only: "en" or "1"
  // alone would take every such word of the text.
  if (value.size() >= 3) literals_.emplace(std::string(value), MaskKind::UserData);
}

void Masker::add_identifier(std::string_view id) {
  id = id.substr(0, id.find('@'));
  if (id.size() < 6 || looks_like_phone(id)) return;
  if (std::find(identifiers_.begin(), identifiers_.end(), id) == identifiers_.end())
    identifiers_.emplace_back(id);
}

void Masker::learn(const model::Event& e) {
  const auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
    const model::Field& f = fields[i];
    const std::string_view key = e.key(f);
    const model::Attr attr = e.attr(f);
    if (f.kind == model::ValueKind::List) {
      if (attr != model::Attr::UserData && key.find("UserData") == std::string_view::npos) continue;
      for (std::uint32_t j = i + 1; j < f.end; ++j) {
        if (fields[j].kind == model::ValueKind::List) continue;
        std::string v(e.value(fields[j]));
        if (v.empty() && fields[j].kind == model::ValueKind::Integer)
          v = std::to_string(fields[j].number);
        add_user_data(e.key(fields[j]), v);
      }
      continue;
    }
    const std::string_view v = e.value(f);
    switch (attr) {
      case model::Attr::ANI:
      case model::Attr::DNIS:
        add_phone(v);
        break;
      case model::Attr::ConnID:
      case model::Attr::CallUUID:
      case model::Attr::SipCallId:
        add_identifier(v);
        break;
      default:
        if (looks_like_phone(v) && !not_a_phone_key(key) &&
            (key.find("DN") != std::string_view::npos ||
             key.find("ANI") != std::string_view::npos ||
             key.find("Number") != std::string_view::npos))
          add_phone(v);
        break;
    }
  }
  for (const auto& link : e.islinks())
    add_identifier(link.id);
}

std::vector<std::pair<std::size_t, std::size_t>> Masker::protected_ranges(
    std::string_view text) const {
  std::vector<std::pair<std::size_t, std::size_t>> r;
  for (const auto& id : identifiers_)
    for (std::size_t at = text.find(id); at != std::string_view::npos;
         at = text.find(id, at + id.size()))
      r.emplace_back(at, at + id.size());
  return r;
}

void Masker::pair_spans(std::string_view text, std::vector<Span>& spans) {
  for (const auto& [key, value] : pairs_) {
    for (std::size_t at = text.find(key); at != std::string_view::npos;
         at = text.find(key, at + 1)) {
      if (at > 0 && is_word(text[at - 1])) continue;
      std::size_t i = at + key.size();
      if (i < text.size() && is_word(text[i])) continue;
      // Separators: spaces, quotes (curly ones are 3 bytes), '=', ':', ',',
      // a "[str]" type.
      for (int guard = 0; i < text.size() && guard < 16; ++guard) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\'' || c == '"' || c == '=' || c == ':' || c == ',') {
          ++i;
        } else if (c == '[' && text.find(']', i) != std::string_view::npos &&
                   text.find(']', i) - i < 8) {
          i = text.find(']', i) + 1;
        } else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) == 0x80) {
          i += 3;
        } else {
          break;
        }
      }
      if (text.compare(i, value.size(), value) != 0) continue;
      const std::size_t end = i + value.size();
      if (end < text.size() && is_word(text[end]) && is_word(value.back())) continue;
      spans.push_back({i, end, token(MaskKind::UserData, value)});
    }
  }
}

void Masker::literal_spans(std::string_view text, std::vector<Span>& spans) {
  for (const auto& [value, kind] : literals_) {
    for (std::size_t at = text.find(value); at != std::string_view::npos;
         at = text.find(value, at + 1)) {
      const std::size_t end = at + value.size();
      // '_' bounds a learned value: a client named WDE_17110 carries DN 17110.
      if (at > 0 && is_alnum(text[at - 1]) && is_alnum(value.front())) continue;
      if (end < text.size() && is_alnum(text[end]) && is_alnum(value.back())) continue;
      spans.push_back({at, end, token(kind, value)});
    }
  }
}

void Masker::shape_spans(std::string_view text, std::vector<Span>& spans) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // "Display Name" <sip:...>
    if (c == '"') {
      const std::size_t close = text.find('"', i + 1);
      if (close != std::string_view::npos && close > i + 1 && close - i < 256) {
        std::size_t j = close + 1;
        while (j < text.size() && text[j] == ' ')
          ++j;
        for (auto scheme : kNameAddrSchemes) {
          if (starts_with_nocase(text, j, scheme)) {
            spans.push_back(
                {i + 1, close, token(MaskKind::Name, text.substr(i + 1, close - i - 1))});
            break;
          }
        }
      }
    }
    // sip:USER@, sips:USER@, tel:NUMBER
    if ((c == 's' || c == 'S' || c == 't' || c == 'T') && (i == 0 || !is_word(text[i - 1]))) {
      std::size_t u = 0;
      bool tel = false;
      if (starts_with_nocase(text, i, "sips:"))
        u = i + 5;
      else if (starts_with_nocase(text, i, "sip:"))
        u = i + 4;
      else if (starts_with_nocase(text, i, "tel:"))
        u = i + 4, tel = true;
      if (u != 0) {
        std::size_t j = u;
        while (j < text.size() && j - u < 128 &&
               std::string_view(" \t\r\n<>;@\"',?").find(text[j]) == std::string_view::npos)
          ++j;
        if (j > u && (tel || (j < text.size() && text[j] == '@'))) {
          const std::string_view user = text.substr(u, j - u);
          spans.push_back({u, j, token(tel ? MaskKind::Phone : MaskKind::SipUser, user)});
          i = j - 1;
          continue;
        }
      }
    }
    if (is_digit(c)) {
      if (const std::size_t n = ipv4_at(text, i)) {
        spans.push_back({i, i + n, token(MaskKind::Ip, text.substr(i, n))});
        i += n - 1;
        continue;
      }
    }
    if (is_hex(c) || c == ':') {
      if (const std::size_t n = ipv6_at(text, i)) {
        spans.push_back({i, i + n, token(MaskKind::Ip, text.substr(i, n))});
        i += n - 1;
        continue;
      }
    }
    // A run of digits that may be a phone number.
    if ((is_digit(c) || c == '+') && (i == 0 || !is_word(text[i - 1]))) {
      std::size_t j = c == '+' ? i + 1 : i;
      const std::size_t first = j;
      while (j < text.size() && is_digit(text[j]))
        ++j;
      const std::size_t n = j - first;
      const bool whole = n > 0 && (j == text.size() || !is_word(text[j]));
      const bool fraction =
          i >= 2 && (text[i - 1] == '.' || text[i - 1] == ',') && is_digit(text[i - 2]);
      if (whole && !fraction && n >= 5 && n <= (c == '+' ? 20u : 15u)) {
        const std::string before = word_before(text, i);
        if (std::find(kNotPhoneAfter.begin(), kNotPhoneAfter.end(), before) == kNotPhoneAfter.end())
          spans.push_back({i, j, token(MaskKind::Phone, text.substr(i, j - i))});
      }
      if (j > i) i = j - 1;
    }
  }
}

std::string Masker::mask_text(std::string_view text) {
  std::vector<Span> spans;
  pair_spans(text, spans);
  const std::size_t paired = spans.size();
  literal_spans(text, spans);
  shape_spans(text, spans);
  // Identifiers stay as written: what falls in one is not masked (except
  // the values that follow their user-data key).
  const auto keep = protected_ranges(text);
  if (!keep.empty()) {
    std::size_t k = 0;
    std::erase_if(spans, [&](const Span& s) {
      const bool pair = k++ < paired;
      return !pair && std::any_of(keep.begin(), keep.end(), [&](const auto& r) {
        return s.begin < r.second && r.first < s.end;
      });
    });
  }
  // The earliest span wins, the longest of those that start together.
  std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const Span& s : spans) {
    if (s.begin < at) continue;
    out.append(text.substr(at, s.begin - at));
    out += s.replacement;
    at = s.end;
  }
  out.append(text.substr(at));
  return out;
}

std::string Masker::mask_json(std::string_view json, int indent) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(json, nullptr, false);
  if (doc.is_discarded()) return mask_text(json);
  // Depth-first with an explicit stack: (node, the key it is under).
  std::vector<std::pair<nlohmann::ordered_json*, std::string>> stack{{&doc, ""}};
  while (!stack.empty()) {
    auto [node, under] = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (under == "user_data" && it->is_string()) {
          if (!kept_key(it.key())) {
            const std::string v = it->get<std::string>();
            if (!v.empty()) *it = token(MaskKind::UserData, v);
          }
          continue;
        }
        stack.emplace_back(&*it, it.key());
      }
    } else if (node->is_array()) {
      for (auto& x : *node)
        stack.emplace_back(&x, under);
    } else if (node->is_string()) {
      const std::string v = node->get<std::string>();
      if ((under == "ani" || under == "dnis") && digit_count(v) >= 3) {
        *node = token(MaskKind::Phone, v);
      } else if (under == "dns" && looks_like_phone(v)) {
        *node = token(MaskKind::Phone, v);
      } else {
        *node = mask_text(v);
      }
    }
  }
  return doc.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace calltrail::bundle
