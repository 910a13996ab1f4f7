// LineSplitter hands out the offsets of a buffer's newlines in order, as a
// memchr loop finds them, from any start, whatever the buffer's length and
// however dense the newlines.
#include "calltrail/parse/line_splitter.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace calltrail::parse {
namespace {

std::vector<std::size_t> by_memchr(std::string_view s, std::size_t from) {
  std::vector<std::size_t> out;
  while (from < s.size()) {
    const void* nl = std::memchr(s.data() + from, '\n', s.size() - from);
    if (nl == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - s.data());
    out.push_back(at);
    from = at + 1;
  }
  return out;
}

std::vector<std::size_t> by_splitter(std::string_view s, std::size_t from) {
  std::vector<std::size_t> out;
  LineSplitter lines(s, from);
  for (std::size_t at = lines.next(); at != std::string_view::npos; at = lines.next())
    out.push_back(at);
  return out;
}

TEST(LineSplitter, FindsWhatMemchrFinds) {
  std::mt19937 rng(7);
  for (const int per_mille : {0, 1, 20, 300, 1000}) {
    for (std::size_t size = 0; size < 300; ++size) {
      std::string s(size, 'x');
      for (auto& c : s) {
        const auto r = static_cast<int>(rng() % 1000);
        // Bytes either side of '\n' too, and high bytes (signed char).
        c = r < per_mille ? '\n' : static_cast<char>(rng() % 256 == 0 ? '\x8a' : 'a' + r % 26);
      }
      for (const std::size_t from : {std::size_t{0}, std::size_t{1}, size / 2, size}) {
        ASSERT_EQ(by_splitter(s, from), by_memchr(s, from))
            << "size " << size << " from " << from << " density " << per_mille;
      }
    }
  }
}

TEST(LineSplitter, NewlinesAtBlockEdges) {
  // A newline at every offset around the 64-byte blocks, alone.
  for (std::size_t at = 0; at < 200; ++at) {
    std::string s(200, 'y');
    s[at] = '\n';
    EXPECT_EQ(by_splitter(s, 0), std::vector<std::size_t>{at}) << at;
    EXPECT_TRUE(by_splitter(s, at + 1).empty()) << at;
  }
  EXPECT_TRUE(by_splitter("", 0).empty());
  EXPECT_EQ(by_splitter("\n", 0), std::vector<std::size_t>{0});
}

}  // namespace
}  // namespace calltrail::parse
