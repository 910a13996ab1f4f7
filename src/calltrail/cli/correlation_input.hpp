// The inputs shared by trace, interactions, sites and score: log paths, site
// naming overrides, hint merging and threads; loading them and telling the
// user on stderr what could not be read.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/cli/run_stats.hpp"
#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/file_collector.hpp"

namespace calltrail::cli {

struct CorrelationInput {
  std::vector<std::string> paths;
  std::string db;  // a store (SQLite path or postgresql:// URL) instead of paths
  std::vector<std::string> site_names;  // --site-name FILE=app@switch
  std::vector<std::string> sites;       // --site app@switch: only what touches these sites
  bool merge_hints = false;
  unsigned threads = 0;
  bool strict = false;
  bool quiet = false;
  bool stats = false;  // --stats: where the time went, on stderr at the end
};

// Adds the subcommand `name` of a command that reads logs, with its PATH...
// argument; the caller adds its own options, then the input options below.
CLI::App* add_log_command(CLI::App& app, const std::string& name, const std::string& description,
                          CorrelationInput& input);

// Adds --site-name, --site (a filter: `filters_sites`, else only the old
// FILE=app@switch form), --merge-hints, --threads, --strict, --quiet and
// --stats (not the paths).
void add_correlation_input_options(CLI::App* cmd, CorrelationInput& input,
                                   bool filters_sites = true);

// Parses --site-name FILE=app@switch values; false (with a message on
// stderr) for a malformed one.
bool parse_site_overrides(const std::vector<std::string>& specs, std::string_view command,
                          std::vector<correlate::SiteOverride>& out);

// Adds --site-name FILE=app@switch to `names`; with `filters`, --site
// app@switch to `filters`. --site FILE=app@switch, the old way to name a
// site, is still taken, with a warning on stderr.
void add_site_options(CLI::App* cmd, std::vector<std::string>& names,
                      std::vector<std::string>* filters);

// Warns on stderr of each --site-name that named no file read, and of each
// --site that is the name of no site (listing the known ones); false when a
// --site names no site (nothing can match it).
bool check_site_options(const correlate::Correlation& c, const CorrelationInput& input,
                        std::string_view command);

// Reads and correlates; reports unreadable inputs and malformed records on
// stderr. `exit_code` becomes kExitUsage/kExitInput/kExitMalformed when due
// (the correlation is still returned when the inputs could be read at all).
// `mode` Summary: of the legs' SIP messages only those a summary of each
// interaction reads (correlate::CollectMode::Summary), for commands that show
// no timeline; it matters for files only.
// `stats`, when given, hears how long reading and each step of the build took,
// and how many bytes, files, legs and interactions there were.
std::optional<correlate::Correlation> load_correlation(
    const CorrelationInput& input, std::string_view command, int& exit_code,
    correlate::CollectMode mode = correlate::CollectMode::Full, RunStats* stats = nullptr);

// Adds --db URL.
void add_db_option(CLI::App* cmd, CorrelationInput& input);
// The paths or --db, not both and not neither; prints why and sets
// kExitUsage otherwise.
bool check_input_source(const CorrelationInput& input, std::string_view command, int& exit_code);
// What trace reads: a correlation holding at least every interaction `id`
// matches, and how many legs and sites were searched (what a reply that
// nothing matched says).
struct TraceLoad {
  correlate::Correlation correlation;
  std::size_t legs = 0;
  std::size_t sites = 0;
};
// For trace: only the legs `id` reaches, from paths (docs/correlation.md
// "What trace builds") or from --db (the whole store when the store cannot
// answer that way).
std::optional<TraceLoad> load_correlation_for_id(const CorrelationInput& input, std::string_view id,
                                                 std::string_view command, int& exit_code,
                                                 RunStats* stats = nullptr);

}  // namespace calltrail::cli
