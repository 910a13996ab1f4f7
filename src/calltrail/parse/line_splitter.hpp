// The ends of the lines of a buffer, in order: the parser's first look at
// every byte. A log line is about 45 bytes, so finding each '\n' with its own
// memchr call costs more in the call than in the search; this finds the
// newlines of 64 bytes at a time as a bit mask and hands them out one by one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace calltrail::parse {

class LineSplitter {
 public:
  // Finds the newlines of `text` from `from` on.
  LineSplitter(std::string_view text, std::size_t from) : text_(text), base_(from) { load(); }

  // The offset of the next '\n', or npos when there is none left.
  std::size_t next() {
    while (mask_ == 0) {
      if (base_ + kBlock >= text_.size()) return std::string_view::npos;
      base_ += kBlock;
      load();
    }
    const std::size_t at = base_ + static_cast<std::size_t>(__builtin_ctzll(mask_));
    mask_ &= mask_ - 1;
    return at;
  }

 private:
  static constexpr std::size_t kBlock = 64;

  // The newlines of the block at base_ (the last block may be short).
  void load() {
    const std::size_t size = text_.size();
    if (base_ >= size) {
      mask_ = 0;
      return;
    }
    const char* p = text_.data() + base_;
    if (base_ + kBlock <= size) {
#if defined(__SSE2__)
      const __m128i nl = _mm_set1_epi8('\n');
      auto bits = [&](std::size_t k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        return static_cast<std::uint64_t>(
                   static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))))
               << (16 * k);
      };
      mask_ = bits(0) | bits(1) | bits(2) | bits(3);
      return;
#endif
    }
    std::uint64_t m = 0;
    const std::size_t n = size - base_ < kBlock ? size - base_ : kBlock;
    for (std::size_t i = 0; i < n; ++i)
      m |= static_cast<std::uint64_t>(p[i] == '\n') << i;
    mask_ = m;
  }

  std::string_view text_;
  std::size_t base_;
  std::uint64_t mask_ = 0;
};

}  // namespace calltrail::parse
