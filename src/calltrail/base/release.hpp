// Giving memory back. `x = {}` does not: on a std::vector it is the
// initializer-list assignment, which keeps the capacity, and a std::string
// assigned an empty (short) one keeps its heap buffer, in a struct too.
#pragma once

#include <cstddef>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace calltrail::base {

// Empties `x` and frees what it held: the value moves out (taking its
// buffers with it) and is destroyed, and `x` is made anew.
template <typename T>
void release(T& x) {
  { T gone = std::move(x); }
  x = T();
}

// Keeps `x` until the process ends, never destroyed: for a command's last
// and largest value (a gigabyte's correlation is millions of allocations),
// which the system takes back at exit at once where destroying it would walk
// every one. Reachable to the end, so leak checkers do not report it. From
// any thread.
template <typename T>
void leave_to_exit(T&& x) {
  static auto* const mutex = new std::mutex();
  static auto* const kept = new std::vector<const void*>();
  const void* held = new std::decay_t<T>(std::forward<T>(x));
  const std::lock_guard lock(*mutex);
  kept->push_back(held);
}

// Gives the pages freed so far back to the system now, rather than when the
// allocator would (apps/calltrail/jemalloc_conf.cpp sets the hook; without
// it, nothing is done). For a step that has just freed much of what it read
// and is about to allocate what it builds, where the peak is.
using GiveBackHook = void (*)();
inline GiveBackHook& give_back_hook() {
  static GiveBackHook hook = nullptr;
  return hook;
}
inline void give_back_freed() {
  if (GiveBackHook hook = give_back_hook()) hook();
}

// Memory kept apart from the rest (the binary's allocator sets the hooks to
// an arena of its own; without them, operator new): for the many buffers a
// step frees most of at once, so that what it frees is whole pages the
// system takes back, not holes among the buffers that stay.
struct ApartHooks {
  void* (*allocate)(std::size_t bytes) = nullptr;
  void (*deallocate)(void* p, std::size_t bytes) = nullptr;
};
inline ApartHooks& apart_hooks() {
  static ApartHooks hooks;
  return hooks;
}

// A standard allocator of memory kept apart (apart_hooks()).
template <typename T>
struct ApartAllocator {
  using value_type = T;
  ApartAllocator() = default;
  template <typename U>
  ApartAllocator(const ApartAllocator<U>& /*other*/) {}  // NOLINT: implicit, as allocators are
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (auto* a = apart_hooks().allocate) {
      if (void* p = a(bytes)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    return static_cast<T*>(::operator new(bytes));
  }
  void deallocate(T* p, std::size_t n) {
    if (auto* d = apart_hooks().deallocate) {
      d(p, n * sizeof(T));
      return;
    }
    ::operator delete(p);
  }
  template <typename U>
  bool operator==(const ApartAllocator<U>& /*other*/) const {
    return true;
  }
};

}  // namespace calltrail::base
