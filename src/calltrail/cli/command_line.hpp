// Rules every command follows, applied once all commands are registered: an
// option takes one value per occurrence (repeat it for more), so that it never
// swallows the paths after it; an unknown command or option is named with
// the nearest known one.
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <string_view>

namespace calltrail::cli {

// Every option of every subcommand of `app` that would take several values
// takes one per occurrence.
void one_value_per_option(CLI::App& app);

// The candidate nearest to `word` (edit distance), or "" when none is near
// enough to be what was meant.
std::string nearest_name(std::string_view word, std::span<const std::string> candidates);

// After a parse error: when argv names an unknown command or an unknown
// option of its command, says so on stderr with the nearest known name and
// returns true; else false (the parser's own message is the better one).
bool explain_unknown_name(CLI::App& app, int argc, const char* const* argv);

}  // namespace calltrail::cli
