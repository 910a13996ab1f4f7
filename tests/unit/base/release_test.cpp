// base::release() gives back what a value held, where `x = {}` keeps a
// vector's capacity and a string's heap buffer; base::leave_to_exit() keeps a
// value, never destroyed, to the process's end; ApartAllocator takes its memory
// from the hooks the binary sets.
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

// Memory kept apart comes from the hooks when they are set, each block going
// back to them with its size, and from operator new when they are not.
struct ApartLedger {
  static inline std::size_t allocated = 0;  // bytes held through the hooks
  static inline std::size_t calls = 0;
  static void* allocate(std::size_t bytes) {
    allocated += bytes;
    ++calls;
    return ::operator new(bytes);
  }
  static void deallocate(void* p, std::size_t bytes) {
    allocated -= bytes;
    ++calls;
    ::operator delete(p);
  }
};

TEST(ApartAllocator, UsesTheHooksWithEachBlocksSize) {
  const ApartHooks saved = apart_hooks();
  apart_hooks() = {&ApartLedger::allocate, &ApartLedger::deallocate};
  {
    std::vector<std::uint64_t, ApartAllocator<std::uint64_t>> v;
    for (std::uint64_t i = 0; i < 1000; ++i)
      v.push_back(i);
    EXPECT_EQ(ApartLedger::allocated, v.capacity() * sizeof(std::uint64_t));
    EXPECT_GT(ApartLedger::calls, 2u);  // grown, and the old blocks given back
    v.shrink_to_fit();
    EXPECT_EQ(ApartLedger::allocated, 1000 * sizeof(std::uint64_t));
    EXPECT_EQ(v[999], 999u);
  }
  EXPECT_EQ(ApartLedger::allocated, 0u);
  apart_hooks() = {};
  const std::size_t calls = ApartLedger::calls;
  {
    std::vector<std::uint64_t, ApartAllocator<std::uint64_t>> w(100, 7);
    EXPECT_EQ(w[99], 7u);
  }
  EXPECT_EQ(ApartLedger::calls, calls);  // operator new, not the hooks
  apart_hooks() = saved;
}

}  // namespace
}  // namespace calltrail::base
