// The hash identifiers are found by, without ASCII case (link_keys.hpp).
#pragma once

#include <absl/hash/hash.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

namespace calltrail::correlate {

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

// The hash of an identifier without case, eight bytes a step: the link keys
// (link_keys.hpp) and the store's identifier index (docs/storage.md), so it
// must not change without a store schema migration.
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

// Abseil's hash for std::string_view keys of Abseil's containers: Debian's
// Abseil has a string_view of its own, and std::string_view would otherwise
// get std::hash, about twice as slow.
struct ViewHash {
  std::size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};

// The same for keys of a number and a string_view (a leg: site and CallUUID).
struct NumberViewHash {
  std::size_t operator()(const std::pair<std::uint32_t, std::string_view>& k) const {
    return absl::HashOf(k.first, absl::string_view(k.second.data(), k.second.size()));
  }
};

}  // namespace calltrail::correlate
