// Which interactions a command shows: --from/--to (a time window) and --site
// (only those touching a site), shared by trace and interactions.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::cli {

struct WindowOptions {
  std::string from;
  std::string to;
};

// Adds --from and --to, with help saying they choose `what`.
void add_window_options(CLI::App* cmd, WindowOptions& window, std::string_view what);
// The window's ends; false (with a message on stderr) for one that is not a time.
bool parse_window(const WindowOptions& window, std::optional<correlate::Micros>& from,
                  std::optional<correlate::Micros>& to, std::string_view command);

class InteractionFilter {
 public:
  // False (with a message on stderr) when --from or --to is not a time.
  bool set(const WindowOptions& window, std::vector<std::string> sites, std::string_view command);
  // Filters were given: a reply that shows nothing is no match.
  bool narrows() const { return from_ || to_ || !sites_.empty(); }
  // The interaction overlaps [from, to] (corrected UTC) and touches one of the sites.
  bool keep(const correlate::Correlation& c, const correlate::Interaction& it) const;

 private:
  std::optional<correlate::Micros> from_, to_;
  std::vector<std::string> sites_;
};

}  // namespace calltrail::cli
