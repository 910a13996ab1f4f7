// The raw lines of chosen messages of one log file (docs/bundle.md, "Raw
// lines"): each message whole, from its first line to the line before the
// next line that starts with a record time, with `context` lines before and
// after widened to whole records; overlapping or touching ranges merged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace calltrail::bundle {

// Where a message starts, as the reader that parsed it saw it.
struct MessageStart {
  std::uint64_t line = 0;    // 1-based
  std::uint64_t offset = 0;  // byte offset of that line (decompressed)
};

struct Block {
  std::uint64_t first = 0;  // 1-based, inclusive
  std::uint64_t last = 0;
  std::string text;  // the lines, each with its '\n' (the file's last may lack it)
};

struct Extracted {
  std::vector<Block> blocks;
  std::string error;         // the file could not be read (blocks may be partial)
  std::size_t moved = 0;     // messages whose line was not at the recorded byte offset
  std::size_t past_end = 0;  // messages whose line is past the end of the file
};

// A message runs at most this many lines (a record time that never comes).
inline constexpr std::uint64_t kMaxMessageLines = 20000;

// Reads `path` (plain or gzip) twice: once for the ranges, once for their
// lines.
Extracted extract_lines(const std::string& path, std::vector<MessageStart> starts,
                        unsigned context);

}  // namespace calltrail::bundle
