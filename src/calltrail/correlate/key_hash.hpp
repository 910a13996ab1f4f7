// The hash identifiers are found by: FNV-1a over ASCII-lower-cased bytes, fed
// in pieces (a user-data key, '=', its value). The store indexes it too
// (docs/storage.md), so it must not change.
#pragma once

#include <cstdint>
#include <string_view>

namespace calltrail::correlate {

class KeyHasher {
 public:
  KeyHasher& add(std::string_view s) {
    for (char c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
      h_ ^= static_cast<unsigned char>(c);
      h_ *= 1099511628211ull;
    }
    return *this;
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 1469598103934665603ull;
};

inline std::uint64_t key_hash(std::string_view s) {
  return KeyHasher().add(s).value();
}

}  // namespace calltrail::correlate
