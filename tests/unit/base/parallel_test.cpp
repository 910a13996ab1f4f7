// base::thread_count: 0 is one per core. base::for_parts: every item in
// exactly one part, parts in order and contiguous, no more parts than threads
// nor than items allow, and an exception of any part thrown again once every
// part has finished. base::prepare_ahead: every use after its prepare, in
// order, and exceptions of either side thrown again.
#include "calltrail/base/parallel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace calltrail::base {
namespace {

TEST(ThreadCount, ZeroIsOnePerCoreAndAnyOtherCountStands) {
  // The machine's count as the standard library reports it (0 when unknown).
  const unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(thread_count(0), cores == 0 ? 1u : cores);
  EXPECT_GE(thread_count(0), 1u);
  for (unsigned n : {1u, 2u, 7u, 64u})
    EXPECT_EQ(thread_count(n), n);
}

TEST(ForParts, EveryItemOnceInContiguousParts) {
  for (std::size_t n = 0; n <= 40; ++n) {
    for (unsigned threads = 0; threads <= 5; ++threads) {
      for (std::size_t min = 0; min <= 12; min += 3) {
        std::vector<int> seen(n, 0);
        std::mutex m;
        std::vector<std::pair<std::size_t, std::size_t>> parts;
        for_parts(n, threads, min, [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i)
            ++seen[i];  // each part its own items
          const std::lock_guard lock(m);
          parts.emplace_back(begin, end);
        });
        const std::string at = "n " + std::to_string(n) + ", threads " + std::to_string(threads) +
                               ", at least " + std::to_string(min);
        EXPECT_EQ(seen, std::vector<int>(n, 1)) << at;
        ASSERT_FALSE(parts.empty()) << at;
        EXPECT_LE(parts.size(), std::max(1u, threads)) << at;
        std::sort(parts.begin(), parts.end());
        std::size_t next = 0;
        for (std::size_t p = 0; p < parts.size(); ++p) {
          const auto [begin, end] = parts[p];
          EXPECT_EQ(begin, next) << at;
          next = end;
          // Of several parts, none but the last has fewer items than asked.
          if (parts.size() > 1 && p + 1 < parts.size()) {
            EXPECT_GE(end - begin, min) << at;
          }
        }
        EXPECT_EQ(next, n) << at;
      }
    }
  }
}

TEST(ForParts, OnePartOnTheCallingThreadWhenThereIsLittle) {
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> ids;
  for_parts(100, 4, 60, [&](std::size_t begin, std::size_t end) {
    EXPECT_EQ(begin, 0u);
    EXPECT_EQ(end, 100u);
    ids.push_back(std::this_thread::get_id());
  });
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0], caller);
}

TEST(ForParts, TheOtherPartsRunOnOtherThreads) {
  std::mutex m;
  std::vector<std::thread::id> ids;
  for_parts(90, 3, 1, [&](std::size_t, std::size_t) {
    const std::lock_guard lock(m);
    ids.push_back(std::this_thread::get_id());
  });
  ASSERT_EQ(ids.size(), 3u);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
}

TEST(ForParts, AnExceptionComesBackAfterEveryPartHasRun) {
  std::atomic<int> finished{0};
  try {
    for_parts(40, 4, 1, [&](std::size_t begin, std::size_t) {
      if (begin == 10) throw std::runtime_error("part 1");
      if (begin == 30) throw std::runtime_error("part 3");
      ++finished;
    });
    ADD_FAILURE() << "nothing thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "part 1");  // the first part's, in part order
  }
  EXPECT_EQ(finished.load(), 2);
}

// Each use(i) on the calling thread, in order, after prepare(i) (whose
// result it reads); prepare(i) in order on another thread when there are two.
TEST(PrepareAhead, EachUseInOrderAfterItsPrepare) {
  const auto caller = std::this_thread::get_id();
  for (unsigned threads : {0u, 1u, 2u, 3u}) {
    for (std::size_t n = 0; n <= 33; ++n) {
      const std::string at = "n " + std::to_string(n) + ", threads " + std::to_string(threads);
      std::vector<std::size_t> prepared(n, 0);  // the order each was prepared in, from 1
      std::size_t prepares = 0;                 // the helper's own count
      std::vector<std::size_t> used;
      std::vector<std::thread::id> preparers(n);
      prepare_ahead(
          n, threads,
          [&](std::size_t i) {
            prepared[i] = ++prepares;
            preparers[i] = std::this_thread::get_id();
          },
          [&](std::size_t i) {
            EXPECT_EQ(std::this_thread::get_id(), caller) << at;
            EXPECT_EQ(prepared[i], i + 1) << at << ", item " << i;
            used.push_back(i);
          });
      std::vector<std::size_t> all(n);
      for (std::size_t i = 0; i < n; ++i)
        all[i] = i;
      EXPECT_EQ(used, all) << at;
      EXPECT_EQ(prepares, n) << at;
      for (std::size_t i = 0; i < n; ++i) {
        if (threads >= 2 && n >= 2) {
          EXPECT_NE(preparers[i], caller) << at;
        } else {
          EXPECT_EQ(preparers[i], caller) << at;
        }
      }
    }
  }
}

TEST(PrepareAhead, AnExceptionOfPrepareComesBackBeforeThatItemIsUsed) {
  for (unsigned threads : {1u, 2u}) {
    for (std::size_t bad = 0; bad < 6; ++bad) {
      std::vector<std::size_t> used;
      try {
        prepare_ahead(
            6, threads,
            [&](std::size_t i) {
              if (i == bad) throw std::runtime_error("prepare " + std::to_string(i));
            },
            [&](std::size_t i) { used.push_back(i); });
        ADD_FAILURE() << "nothing thrown";
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "prepare " + std::to_string(bad));
      }
      // Used in order, never the item whose prepare threw nor a later one.
      EXPECT_LE(used.size(), bad) << "threads " << threads;
      for (std::size_t k = 0; k < used.size(); ++k)
        EXPECT_EQ(used[k], k);
    }
  }
}

TEST(PrepareAhead, AnExceptionOfUseStopsThePreparingAndComesBack) {
  for (unsigned threads : {1u, 2u}) {
    // The helper's state lives here: it must have finished when the call
    // returns (a sanitizer build reports a use after this scope otherwise).
    std::atomic<std::size_t> prepares{0};
    try {
      prepare_ahead(
          1000, threads, [&](std::size_t) { ++prepares; },
          [&](std::size_t i) {
            if (i == 3) throw std::runtime_error("use 3");
          });
      ADD_FAILURE() << "nothing thrown";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "use 3");
    }
    const std::size_t after = prepares.load();
    EXPECT_GE(after, 4u);
    if (threads == 1) {
      EXPECT_EQ(after, 4u);
    }
    EXPECT_EQ(prepares.load(), after);  // nothing runs on once it has returned
  }
}

}  // namespace
}  // namespace calltrail::base
