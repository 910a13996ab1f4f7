#include "calltrail/base/secrets.hpp"

#include <cstddef>
#include <cstdint>

namespace calltrail::base {

namespace {

constexpr std::string_view kMask = "***";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
}

bool starts_with_ci(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(text[at + i]) != word[i]) return false;
  return true;
}

// The end of a URI's authority (user:password@host) starting at `from`.
std::size_t authority_end(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size() && text[i] != '/' && text[i] != '?' && text[i] != '#' &&
         !is_space(text[i]) && text[i] != '"' && text[i] != '\'')
    ++i;
  return i;
}

// The end of a keyword value at `from`: a quoted value ('...' with \'
// escapes, as libpq writes them) or up to the next space, '&' or quote.
std::size_t value_end(std::string_view text, std::size_t from) {
  if (from < text.size() && text[from] == '\'') {
    std::size_t i = from + 1;
    while (i < text.size() && text[i] != '\'')
      i += text[i] == '\\' ? 2 : 1;
    return std::min(i + 1, text.size());
  }
  std::size_t i = from;
  while (i < text.size() && !is_space(text[i]) && text[i] != '&' && text[i] != '"' &&
         text[i] != ';' && text[i] != ',')
    ++i;
  return i;
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // scheme://user:password@host: the password goes, the user stays.
    if (text[i] == ':' && text.substr(i, 3) == "://") {
      const std::size_t start = i + 3;
      const std::size_t end = authority_end(text, start);
      const std::string_view authority = text.substr(start, end - start);
      const std::size_t at = authority.rfind('@');
      const std::size_t colon = at == std::string_view::npos ? at : authority.find(':');
      out.append("://");
      if (colon != std::string_view::npos && colon < at) {
        out.append(authority.substr(0, colon + 1));
        out.append(kMask);
        out.append(authority.substr(at));
      } else {
        out.append(authority);
      }
      i = end;
      continue;
    }
    // password=..., token=... (a keyword: at the start or after a separator).
    const bool word_start = i == 0 || is_space(text[i - 1]) || text[i - 1] == '?' ||
                            text[i - 1] == '&' || text[i - 1] == '"' || text[i - 1] == '\'' ||
                            text[i - 1] == ';' || text[i - 1] == ',';
    if (word_start) {
      std::size_t key = 0;
      if (starts_with_ci(text, i, "password="))
        key = 9;
      else if (starts_with_ci(text, i, "token="))
        key = 6;
      if (key != 0) {
        out.append(text.substr(i, key));
        out.append(kMask);
        i = value_end(text, i + key);
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

bool equal_constant_time(std::string_view given, std::string_view secret) {
  // Every byte of `given` is compared (against the secret repeated, so
  // that no branch depends on where the first difference is).
  std::uint8_t diff = given.size() == secret.size() ? 0 : 1;
  if (secret.empty()) return given.empty();
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<std::uint8_t>(given[i] ^ secret[i % secret.size()]);
  return diff == 0;
}

}  // namespace calltrail::base
