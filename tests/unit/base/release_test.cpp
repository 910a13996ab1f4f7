// base::release() gives back what a value held, where `x = {}` keeps a
// vector's capacity and a string's heap buffer; base::leave_to_exit() keeps a
// value, never destroyed, to the process's end.
#include "calltrail/base/release.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace calltrail::base {
namespace {

struct Holder {
  std::string text;
  std::vector<std::uint32_t> numbers;
  int count = 0;
};

TEST(Release, FreesAVectorsCapacity) {
  std::vector<std::uint32_t> v(1000, 7);
  release(v);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.capacity(), 0u);
}

TEST(Release, FreesAStringsHeapBuffer) {
  std::string s(1000, 'x');
  const std::size_t short_capacity = std::string().capacity();
  release(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.capacity(), short_capacity);
}

TEST(Release, FreesWhatAStructsMembersHeld) {
  Holder h{std::string(1000, 'x'), std::vector<std::uint32_t>(1000, 1), 3};
  release(h);
  EXPECT_TRUE(h.text.empty());
  EXPECT_EQ(h.text.capacity(), std::string().capacity());
  EXPECT_EQ(h.numbers.capacity(), 0u);
  EXPECT_EQ(h.count, 0);
}

TEST(Release, LeavesAValueThatIsUsedAgain) {
  std::vector<std::vector<std::uint32_t>> members(3, std::vector<std::uint32_t>(100, 1));
  release(members[1]);
  members[1].push_back(5);
  ASSERT_EQ(members[1].size(), 1u);
  EXPECT_EQ(members[1][0], 5u);
  EXPECT_EQ(members[0].size(), 100u);
}

// Counts its destructions; a moved-from one counts none.
struct Counted {
  static inline int destroyed = 0;
  std::vector<std::uint32_t> numbers;
  bool owner = true;
  explicit Counted(std::size_t n) : numbers(n, 9) {}
  Counted(Counted&& o) noexcept : numbers(std::move(o.numbers)) { o.owner = false; }
  Counted& operator=(Counted&&) = delete;
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() {
    if (owner) ++destroyed;
  }
};

TEST(LeaveToExit, TakesTheValueAndNeverDestroysIt) {
  const int before = Counted::destroyed;
  {
    Counted c(1000);
    leave_to_exit(std::move(c));
    // The value moved out, its buffer with it.
    EXPECT_TRUE(c.numbers.empty());  // NOLINT(bugprone-use-after-move): what the test reads
    EXPECT_FALSE(c.owner);
  }
  {
    Counted again(10);
    leave_to_exit(std::move(again));
  }
  EXPECT_EQ(Counted::destroyed, before);
}

}  // namespace
}  // namespace calltrail::base
