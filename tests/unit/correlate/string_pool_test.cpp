// StringPool: the same text always has the same id, every id gives back its
// text, whatever the texts' sizes (blocks filled, long texts apart), and a
// moved pool finds its texts as before.
#include "calltrail/correlate/string_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace calltrail::correlate {
namespace {

std::vector<std::string> texts() {
  std::vector<std::string> v;
  // Enough to fill several blocks; sizes from 1 to past a block's quarter.
  for (int i = 0; i < 20000; ++i)
    v.push_back("DN" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 40), 'x'));
  v.emplace_back(70000, 'L');
  v.emplace_back(20000, 'M');
  v.emplace_back(std::string("a\0b", 3));
  return v;
}

TEST(StringPool, SameTextSameIdAndEveryIdItsText) {
  const auto in = texts();
  StringPool pool;
  std::vector<std::uint32_t> ids;
  for (const auto& t : in)
    ids.push_back(pool.intern(t));
  EXPECT_EQ(pool.size(), in.size() + 1);  // and id 0, the empty text
  EXPECT_EQ(pool.intern(""), 0u);
  EXPECT_EQ(pool.at(0), "");
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_NE(ids[i], 0u);
    EXPECT_EQ(pool.at(ids[i]), in[i]) << i;
    EXPECT_EQ(pool.intern(std::string(in[i])), ids[i]) << i;  // a copy of the text
  }
  EXPECT_EQ(pool.size(), in.size() + 1);
}

TEST(StringPool, AMovedPoolKeepsItsTextsAndIds) {
  const auto in = texts();
  StringPool pool;
  pool.reserve(in.size());
  std::vector<std::uint32_t> ids;
  for (const auto& t : in)
    ids.push_back(pool.intern(t));
  StringPool moved(std::move(pool));
  StringPool assigned;
  assigned.intern("something else");
  assigned = std::move(moved);
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(assigned.at(ids[i]), in[i]) << i;
    EXPECT_EQ(assigned.intern(in[i]), ids[i]) << i;
  }
  EXPECT_EQ(assigned.intern("something else"), in.size() + 1);
}

}  // namespace
}  // namespace calltrail::correlate
