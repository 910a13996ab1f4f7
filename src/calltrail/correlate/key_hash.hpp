// The hash identifiers are found by: FNV-1a over ASCII-lower-cased bytes, fed
// in pieces (a user-data key, '=', its value). The store indexes it too
// (docs/storage.md), so it must not change.
#pragma once

#include <cstdint>
#include <cstring>
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

// Eight bytes with the ASCII capitals made small.
inline std::uint64_t fold8(std::uint64_t x) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = kOnes * 0x80;
  const std::uint64_t low7 = x & (kOnes * 0x7f);  // no carry between bytes below
  const std::uint64_t at_least_a = (low7 + kOnes * (0x80 - 'A')) & kHigh;
  const std::uint64_t past_z = (low7 + kOnes * (0x80 - 'Z' - 1)) & kHigh;
  const std::uint64_t upper = at_least_a & ~past_z & ~x;  // ~x: ASCII bytes only
  return x | (upper >> 2);
}

// The hash of a key without case, eight bytes a step, for the link keys of a
// trace's search (reach.hpp). Those keys only meet each other, so unlike
// key_hash() (which a store keeps) it is free to change.
inline std::uint64_t fold_hash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ull;
  std::uint64_t h = (s.size() + 1) * kMul;
  auto mix = [&](std::uint64_t w) {
    h = (h ^ fold8(w)) * kMul;
    h ^= h >> 29;
  };
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    mix(w);
  }
  if (i < s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    mix(w);
  }
  return h * kMul;
}

// The keys a SIP dialog links by: its Call-ID whole and the part before '@'
// (what users paste), calling fn(string_view) for each.
template <typename Fn>
void for_each_call_id_key(std::string_view call_id, Fn&& fn) {
  if (call_id.empty()) return;
  fn(call_id);
  const std::size_t at = call_id.find('@');
  if (at != std::string_view::npos && at > 0) fn(call_id.substr(0, at));
}

}  // namespace calltrail::correlate
