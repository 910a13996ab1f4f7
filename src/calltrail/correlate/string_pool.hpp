// Interned strings (event names, DNs, short notes): an event reference stores
// a 32-bit id instead of a string, so memory grows with distinct values.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "calltrail/correlate/key_hash.hpp"

namespace calltrail::correlate {

// The text of each string is copied once into blocks that never move, its
// view kept by id, and the index holds ids alone (4 bytes a slot, hashed and
// compared through the views): about 40 bytes a string of 20 bytes, where a
// deque of std::string with a map of views held about 90.
class StringPool {
 public:
  StringPool()
      : text_(std::make_unique<Text>()),
        index_(0, Hash{&text_->views}, Equal{&text_->views}) {}  // id 0: ""
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;
  // The index's functors point at the text, which a move takes along; a
  // moved-from pool may only be assigned to or destroyed.
  StringPool(StringPool&&) noexcept = default;
  StringPool& operator=(StringPool&&) noexcept = default;
  ~StringPool() = default;

  std::uint32_t intern(std::string_view s) {
    if (s.empty()) return 0;
    auto it = index_.find(s);
    if (it != index_.end()) return *it;
    const auto id = static_cast<std::uint32_t>(text_->views.size());
    text_->views.push_back(text_->store(s));
    index_.insert(id);
    return id;
  }
  // Room for `n` strings in the index: growing would hash every string again.
  void reserve(std::size_t n) { index_.reserve(n); }
  std::string_view at(std::uint32_t id) const { return text_->views[id]; }
  std::size_t size() const { return text_->views.size(); }

 private:
  // The strings' bytes, in blocks that never move, and a view of each by id.
  struct Text {
    static constexpr std::size_t kBlock = 64 * 1024;
    std::vector<std::string_view> views = std::vector<std::string_view>(1);
    std::vector<std::unique_ptr<char[]>> blocks;
    char* next = nullptr;  // the free room of the last block
    std::size_t room = 0;
    std::string_view store(std::string_view s) {
      char* at = nullptr;
      if (s.size() > kBlock / 4) {
        // A long string has a block of its own; the last block's room stays.
        at = blocks.emplace_back(std::make_unique_for_overwrite<char[]>(s.size())).get();
      } else {
        if (s.size() > room) {
          next = blocks.emplace_back(std::make_unique_for_overwrite<char[]>(kBlock)).get();
          room = kBlock;
        }
        at = next;
        next += s.size();
        room -= s.size();
      }
      std::memcpy(at, s.data(), s.size());
      return {at, s.size()};
    }
  };
  // Transparent: an id is hashed and compared by its text, so that a view
  // finds the id of the same text.
  struct Hash {
    using is_transparent = void;
    const std::vector<std::string_view>* views;
    std::size_t operator()(std::string_view s) const { return ViewHash{}(s); }
    std::size_t operator()(std::uint32_t id) const { return ViewHash{}((*views)[id]); }
  };
  struct Equal {
    using is_transparent = void;
    const std::vector<std::string_view>* views;
    std::string_view text(std::string_view s) const { return s; }
    std::string_view text(std::uint32_t id) const { return (*views)[id]; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return text(a) == text(b);
    }
  };

  std::unique_ptr<Text> text_;
  absl::flat_hash_set<std::uint32_t, Hash, Equal> index_;
};

}  // namespace calltrail::correlate
