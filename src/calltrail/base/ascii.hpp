// ASCII case folding for identifiers (CallUUIDs, Call-IDs, column names):
// bytes outside A-Z are kept as they are.
#pragma once

#include <string>
#include <string_view>

namespace calltrail::base {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return out;
}

}  // namespace calltrail::base
