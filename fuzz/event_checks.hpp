// What every fuzz target that builds events checks of them: a well-formed
// field table (ends nest, keys and values inside the event's text).
#pragma once

#include <cstdint>

#include "calltrail/model/event.hpp"

namespace calltrail::fuzz {

inline void check_fields(const model::Event& e) {
  const auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    if (f.end <= i || f.end > fields.size()) __builtin_trap();
    if (f.key_offset + f.key_size > e.text().size()) __builtin_trap();
    if (f.value_offset + f.value_size > e.text().size()) __builtin_trap();
    for (std::uint32_t c = i + 1; c < f.end; ++c) {
      if (fields[c].depth <= f.depth || fields[c].end > f.end) __builtin_trap();
    }
  }
}

}  // namespace calltrail::fuzz
