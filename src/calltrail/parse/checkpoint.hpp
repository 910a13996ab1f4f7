// A parser's state at a record boundary, from which a later parser of the
// same file can go on (LogParser::resume).
#pragma once

#include <cstdint>
#include <optional>

#include "calltrail/parse/line_time.hpp"

namespace calltrail::parse {

// Where a parse can resume: the start of a line with a time of its own (a
// record boundary, where no message is open), with the date context and the
// file facts as they were just before that line. See docs/storage.md.
struct ParserCheckpoint {
  std::uint64_t offset = 0;  // byte offset of the line
  std::uint64_t line = 0;    // lines before it
  std::optional<std::int64_t> day;
  std::int64_t last_time_of_day = -1;
  LineTime last_time;
  bool have_time = false;
  bool offset_checked = false;
  std::optional<std::int32_t> utc_offset;
  bool utc_offset_from_header = false;
  std::uint64_t events = 0;
  std::uint64_t malformed = 0;
};

}  // namespace calltrail::parse
