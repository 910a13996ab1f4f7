// Giving memory back. `x = {}` does not: on a std::vector it is the
// initializer-list assignment, which keeps the capacity, and a std::string
// assigned an empty (short) one keeps its heap buffer, in a struct too.
#pragma once

#include <utility>

namespace calltrail::base {

// Empties `x` and frees what it held: the value moves out (taking its
// buffers with it) and is destroyed, and `x` is made anew.
template <typename T>
void release(T& x) {
  { T gone = std::move(x); }
  x = T();
}

}  // namespace calltrail::base
