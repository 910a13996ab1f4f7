// Threads: how many a command runs with, and work split over them for a step
// of a build that does the same to every item (every leg), while the
// machine's other cores would otherwise wait.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace calltrail::base {

// The threads a command runs with: `requested`, or one per core when it is 0
// (the `--threads 0` of every command), and never fewer than one.
inline unsigned thread_count(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Calls body(begin, end) on contiguous parts of [0, n) that together cover
// it in order, one part per thread, the first on the calling thread; returns
// when every part is done. At most `threads` parts, and no part of fewer than
// `min_per_part` items unless there is only one. An exception thrown by a
// part is thrown again here once every part has finished (that of the first
// part to throw, in part order). Parts must not touch what another touches.
template <typename Body>
void for_parts(std::size_t n, unsigned threads, std::size_t min_per_part, const Body& body) {
  const std::size_t parts = std::min<std::size_t>(
      threads, std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_per_part)));
  if (parts <= 1) {
    body(std::size_t{0}, n);
    return;
  }
  const std::size_t size = (n + parts - 1) / parts;
  std::vector<std::exception_ptr> errors(parts);
  auto run = [&body, &errors](std::size_t p, std::size_t begin, std::size_t end) {
    try {
      body(begin, end);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(parts - 1);
  std::vector<std::size_t> here;  // the parts the calling thread runs
  here.reserve(parts);
  here.push_back(0);
  for (std::size_t p = 1; p < parts; ++p) {
    try {
      pool.emplace_back(run, p, std::min(n, p * size), std::min(n, (p + 1) * size));
    } catch (const std::system_error&) {
      here.push_back(p);  // no thread to be had: this one does it
    }
  }
  for (const std::size_t p : here)
    run(p, std::min(n, p * size), std::min(n, (p + 1) * size));
  for (auto& t : pool)
    t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

// Calls prepare(i) for every i of [0, n) in order on a thread of its own, and
// use(i) in order on the calling thread once prepare(i) has returned: the
// next items are prepared while this one is used. prepare may run any number
// of items ahead of use, and must not touch what use touches. With one thread
// (or no thread to be had) each prepare(i) is followed by its use(i) on the
// calling thread. An exception of prepare is thrown here before the use of
// the item it was preparing (or of an earlier one); one of use stops the
// preparing after the item in hand. Either way the helper has finished when
// this returns or throws.
template <typename Prepare, typename Use>
void prepare_ahead(std::size_t n, unsigned threads, const Prepare& prepare, const Use& use) {
  auto alone = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      prepare(i);
      use(i);
    }
  };
  if (threads <= 1 || n <= 1) {
    alone();
    return;
  }
  // Items prepared; n + 1 once prepare has thrown (`error` set before).
  std::atomic<std::size_t> ready{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  auto work = [&] {
    for (std::size_t i = 0; i < n && !stop.load(std::memory_order_relaxed); ++i) {
      try {
        prepare(i);
      } catch (...) {
        error = std::current_exception();
        ready.store(n + 1, std::memory_order_release);
        ready.notify_one();
        return;
      }
      ready.store(i + 1, std::memory_order_release);
      ready.notify_one();
    }
  };
  std::thread helper;
  try {
    helper = std::thread(work);
  } catch (const std::system_error&) {
    alone();
    return;
  }
  struct Join {
    std::thread& thread;
    std::atomic<bool>& stop;
    ~Join() {
      stop.store(true, std::memory_order_relaxed);
      thread.join();
    }
  } join{helper, stop};
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t r = ready.load(std::memory_order_acquire);
    while (r <= i) {
      ready.wait(r, std::memory_order_acquire);
      r = ready.load(std::memory_order_acquire);
    }
    if (r > n) std::rethrow_exception(error);
    use(i);
  }
}

}  // namespace calltrail::base
