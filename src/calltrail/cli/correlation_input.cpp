#include "calltrail/cli/correlation_input.hpp"

#include <fmt/format.h>

#include "calltrail/cli/cli.hpp"
#include "calltrail/correlate/collect.hpp"

namespace calltrail::cli {

void add_correlation_input_options(CLI::App* cmd, CorrelationInput& input) {
  cmd->add_option("--site", input.sites,
                  "Name the site of a file or folder: FILE=app@switch (FILE is a path, a base "
                  "name, or a folder); repeatable. Overrides the inferred name "
                  "(docs/correlation.md)");
  cmd->add_flag("--merge-hints", input.merge_hints,
                "Also merge interactions joined only by an equal ConnID across sites (a hint)");
  cmd->add_option("--threads", input.threads, "Files read in parallel (0: one per core)")
      ->capture_default_str();
  cmd->add_flag("--strict", input.strict, "Exit with 4 when malformed records were found");
  cmd->add_flag("-q,--quiet", input.quiet, "Print only the one-line summary of malformed input");
}

bool parse_site_overrides(const std::vector<std::string>& specs, std::string_view command,
                          std::vector<correlate::SiteOverride>& out) {
  for (const auto& s : specs) {
    auto eq = s.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size() ||
        s.find('@', eq) == std::string::npos) {
      fmt::print(stderr, "calltrail {}: --site '{}' should look like FILE=app@switch\n", command,
                 s);
      return false;
    }
    out.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  return true;
}

std::optional<correlate::Correlation> load_correlation(const CorrelationInput& input,
                                                       std::string_view command, int& exit_code) {
  correlate::BuildOptions build;
  build.merge_hints = input.merge_hints;
  if (!parse_site_overrides(input.sites, command, build.sites)) {
    exit_code = kExitUsage;
    return std::nullopt;
  }
  correlate::CollectOptions collect;
  collect.threads = input.threads;
  correlate::Loaded loaded = correlate::load(input.paths, collect, build);

  for (const auto& e : loaded.input_errors) {
    fmt::print(stderr, "calltrail {}: cannot read {}: {}\n", command, e.path, e.message);
  }
  const auto& d = loaded.diagnostics;
  if (d.count() > 0) {
    if (!input.quiet) {
      for (const auto& p : d.first())
        fmt::print(stderr, "{}:{}: {}: {}\n", p.file, p.line, p.code, p.message);
    }
    std::string kinds;
    for (const auto& [code, n] : d.by_code())
      fmt::format_to(std::back_inserter(kinds), "{}{} {}", kinds.empty() ? "" : ", ", n, code);
    fmt::print(stderr, "calltrail {}: {} malformed record{} ({}); the rest of the input was read\n",
               command, d.count(), d.count() == 1 ? "" : "s", kinds);
  }
  if (!loaded.input_errors.empty()) {
    exit_code = kExitInput;
  } else if (input.strict && d.count() > 0) {
    exit_code = kExitMalformed;
  }
  return std::move(loaded.correlation);
}

}  // namespace calltrail::cli
