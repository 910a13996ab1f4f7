// Tells the user, on stderr, which inputs could not be read and what was
// malformed in the others: the first few problems in full with file and line,
// then a count per kind.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "calltrail/parse/log_reader.hpp"

namespace calltrail::cli {

struct InputSummary {
  std::uint64_t unreadable = 0;
  std::uint64_t malformed = 0;
};

// Names each of `files` that is not a log (parse::is_log) on stderr, once.
// When none is a log (no file found, or only files that are not logs), says
// so too and returns true: the command read nothing.
bool report_not_logs(std::span<const parse::FileInfo> files, std::string_view command);

InputSummary report_inputs(const parse::LogReader& reader, std::string_view command, bool quiet);

}  // namespace calltrail::cli
