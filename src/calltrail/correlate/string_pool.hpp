// Interned strings (event names, DNs, short notes): an event reference stores
// a 32-bit id instead of a string, so memory grows with distinct values.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "calltrail/correlate/key_hash.hpp"

namespace calltrail::correlate {

class StringPool {
 public:
  StringPool() { strings_.emplace_back(); }  // id 0 is the empty string
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;

  std::uint32_t intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    auto id = static_cast<std::uint32_t>(strings_.size());
    const std::string& stored = strings_.emplace_back(s);
    index_.emplace(std::string_view(stored), id);
    return id;
  }
  // Room for `n` strings in the index (a deque needs none): growing would
  // hash every string again.
  void reserve(std::size_t n) { index_.reserve(n); }
  const std::string& at(std::uint32_t id) const { return strings_[id]; }
  std::size_t size() const { return strings_.size(); }

 private:
  // A deque never moves its elements, so the views in index_ stay valid.
  std::deque<std::string> strings_;
  absl::flat_hash_map<std::string_view, std::uint32_t, ViewHash> index_;
};

}  // namespace calltrail::correlate
