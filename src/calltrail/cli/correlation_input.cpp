#include "calltrail/cli/correlation_input.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/secrets.hpp"
#include "calltrail/base/step_times.hpp"
#include "calltrail/base/utf8.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/input_report.hpp"
#include "calltrail/cli/progress.hpp"
#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/rescan.hpp"
#include "calltrail/correlate/site_override.hpp"
#include "calltrail/store/codec.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::cli {

CLI::App* add_log_command(CLI::App& app, const std::string& name, const std::string& description,
                          CorrelationInput& input) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->add_option("paths", input.paths,
                  "Log files, folders (recursive), .gz files, or - for stdin (or --db)");
  add_db_option(cmd, input);
  return cmd;
}

void add_site_options(CLI::App* cmd, std::vector<std::string>& names,
                      std::vector<std::string>* filters) {
  cmd->add_option("--site-name", names,
                  "Name the site of a file or folder: FILE=app@switch (FILE is a path, a base "
                  "name, or a folder), instead of the inferred name (docs/correlation.md); repeat "
                  "for more");
  const std::string command = cmd->get_name();
  cmd->add_option_function<std::vector<std::string>>(
         "--site",
         [&names, filters, command](const std::vector<std::string>& values) {
           for (const auto& v : values) {
             if (filters != nullptr && v.find('=') == std::string::npos) {
               filters->push_back(v);
               continue;
             }
             fmt::print(stderr,
                        "calltrail {}: --site {} names a site: that is --site-name {} now (--site "
                        "FILE=app@switch will go)\n",
                        command, v, v);
             names.push_back(v);
           }
         },
         filters != nullptr
             ? "Only what touches this site (app@switch, as `calltrail sites` names it); repeat "
               "for more"
             : "The old form of --site-name FILE=app@switch")
      ->type_name("SITE");
}

void add_correlation_input_options(CLI::App* cmd, CorrelationInput& input, bool filters_sites) {
  add_site_options(cmd, input.site_names, filters_sites ? &input.sites : nullptr);
  cmd->add_flag("--merge-hints", input.merge_hints,
                "Also merge interactions joined only by an equal ConnID across sites (a hint)");
  cmd->add_option("--threads", input.threads,
                  "Threads: files read in parallel, and the output of interactions rendered (0: "
                  "one per core)")
      ->capture_default_str();
  cmd->add_flag("--strict", input.strict, "Exit with 4 when malformed records were found");
  cmd->add_flag("-q,--quiet", input.quiet,
                "Print only the one-line summary of malformed input, and no progress line");
  cmd->add_flag("--stats", input.stats,
                "At the end, print on stderr where the time went: reading (bytes and rate), each "
                "step of the build, the rest, and the peak memory");
}

bool parse_site_overrides(const std::vector<std::string>& specs, std::string_view command,
                          std::vector<correlate::SiteOverride>& out) {
  for (const auto& s : specs) {
    auto eq = s.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == s.size() ||
        s.find('@', eq) == std::string::npos) {
      fmt::print(stderr, "calltrail {}: --site-name '{}' should look like FILE=app@switch\n",
                 command, s);
      return false;
    }
    out.push_back({s.substr(0, eq), s.substr(eq + 1)});
  }
  return true;
}

namespace {

void count_input(RunStats& stats, const correlate::Collected& loaded) {
  std::uint64_t bytes = 0;
  for (const auto& f : loaded.files)
    bytes += f.bytes;
  stats.bytes = bytes;
  stats.files = loaded.files.size();
}

void count_output(RunStats& stats, const correlate::Correlation& c) {
  stats.legs = c.legs.size();
  stats.interactions = c.interactions.size();
}

std::optional<correlate::BuildOptions> build_options(const CorrelationInput& input,
                                                     std::string_view command, int& exit_code,
                                                     RunStats* stats) {
  correlate::BuildOptions build;
  build.times = times_of(stats);
  build.merge_hints = input.merge_hints;
  build.threads = base::thread_count(input.threads);
  if (!parse_site_overrides(input.site_names, command, build.sites)) {
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (!input.db.empty() && !build.sites.empty()) {
    fmt::print(stderr,
               "calltrail {}: --site-name names sites while reading files; a store keeps the "
               "names given to `calltrail ingest --site-name`\n",
               command);
    exit_code = kExitUsage;
    return std::nullopt;
  }
  return build;
}

// Runs a query on the store, one step of `stats`; database and decoding
// errors become exit 3.
template <typename F>
std::optional<correlate::Correlation> from_store(const CorrelationInput& input,
                                                 std::string_view command, int& exit_code,
                                                 RunStats* stats, F&& query) {
  auto c = base::timed(
      times_of(stats), "read the store, build", [&]() -> std::optional<correlate::Correlation> {
        try {
          store::Store st(store::open_database(input.db, false));
          return query(st);
        } catch (const store::DbError& e) {
          fmt::print(stderr, "calltrail {}: store {}: {}\n", command,
                     base::redact_secrets(input.db), base::redact_secrets(e.what()));
        } catch (const store::CodecError& e) {
          fmt::print(stderr, "calltrail {}: store {} holds a damaged record: {}\n", command,
                     base::redact_secrets(input.db), e.what());
        }
        exit_code = kExitInput;
        return std::nullopt;
      });
  if (c && stats != nullptr) count_output(*stats, *c);
  return c;
}

}  // namespace

void add_db_option(CLI::App* cmd, CorrelationInput& input) {
  cmd->add_option("--db", input.db,
                  "Read a store made by `calltrail ingest` (a SQLite file or "
                  "postgresql://...) instead of log paths");
}

bool check_input_source(const CorrelationInput& input, std::string_view command, int& exit_code) {
  if (input.paths.empty() == input.db.empty()) {
    fmt::print(stderr, "calltrail {}: give log paths or --db URL ({})\n", command,
               input.paths.empty() ? "neither was given" : "not both");
    exit_code = kExitUsage;
    return false;
  }
  return true;
}

bool check_site_options(const correlate::Correlation& c, const CorrelationInput& input,
                        std::string_view command) {
  std::vector<correlate::SiteOverride> overrides;
  parse_site_overrides(input.site_names, command, overrides);  // checked when loading
  for (const auto& name : overrides) {
    if (std::none_of(c.files.begin(), c.files.end(), [&](const correlate::FileRecord& f) {
          return correlate::site_override_matches(name, f.info.path);
        }))
      fmt::print(stderr, "calltrail {}: warning: --site-name {}={} named no file that was read\n",
                 command, name.file, name.site);
  }
  bool known = true;
  for (const auto& site : input.sites) {
    if (std::any_of(c.sites.begin(), c.sites.end(),
                    [&](const correlate::SiteInfo& s) { return s.name == site; }))
      continue;
    std::vector<std::string> names;
    for (const auto& s : c.sites)
      names.push_back(s.name);
    fmt::print(stderr, "calltrail {}: warning: --site {}: no site has that name (the sites: {})\n",
               command, site, names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
    known = false;
  }
  return known;
}

namespace {

// Prints what reading found wrong and sets the exit code for it.
void report_reading(const correlate::Collected& loaded, const CorrelationInput& input,
                    std::string_view command, int& exit_code) {
  for (const auto& e : loaded.input_errors) {
    fmt::print(stderr, "calltrail {}: cannot read {}: {}\n", command, base::valid_utf8(e.path),
               base::valid_utf8(e.message));
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
  if (!loaded.input_errors.empty() || report_not_logs(loaded.files, command)) {
    exit_code = kExitInput;
  } else if (input.strict && d.count() > 0) {
    exit_code = kExitMalformed;
  }
}

// The progress line's reports of collect(), as "<what> 12 MB of 1.1 GB (1%)".
std::function<void(std::uint64_t, std::uint64_t)> progress_to(ProgressLine& line,
                                                              std::string_view command,
                                                              std::string_view what) {
  return [&line, command, what](std::uint64_t done, std::uint64_t total) {
    if (!line.due()) return;
    line.show(fmt::format("calltrail {}: {} {} of {} ({:.0f}%)", command, what, megabytes(done),
                          megabytes(total),
                          total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / total));
  };
}

correlate::CollectOptions collect_options(const CorrelationInput& input, ProgressLine& line,
                                          std::string_view command) {
  correlate::CollectOptions collect;
  collect.threads = input.threads;
  if (line.enabled() && !input.quiet) collect.progress = progress_to(line, command, "read");
  return collect;
}

// Reads and builds everything; `report`: says what reading found wrong
// (not when an earlier read of the same files did).
std::optional<correlate::Correlation> load_from_files(
    const CorrelationInput& input, const correlate::BuildOptions& build, std::string_view command,
    int& exit_code, bool report = true, correlate::CollectMode mode = correlate::CollectMode::Full,
    RunStats* stats = nullptr) {
  ProgressLine line;
  correlate::CollectOptions collect = collect_options(input, line, command);
  collect.mode = mode;
  base::StepTimes* times = times_of(stats);
  correlate::Collected loaded =
      base::timed(times, "read", [&] { return correlate::collect(input.paths, collect); });
  line.clear();
  if (stats != nullptr) count_input(*stats, loaded);
  if (report) report_reading(loaded, input, command, exit_code);
  correlate::Correlation c = base::timed(times, "build", [&] {
    return correlate::build_correlation(std::move(loaded.partials), std::move(loaded.files), build);
  });
  if (stats != nullptr) count_output(*stats, c);
  return c;
}

// Reads the files without the legs' events, then again only the legs `id`
// reaches (correlate/rescan.hpp); standard input is read and built whole.
std::optional<TraceLoad> load_for_id_from_files(const CorrelationInput& input,
                                                const correlate::BuildOptions& build,
                                                std::string_view id, std::string_view command,
                                                int& exit_code, RunStats* stats) {
  const bool from_stdin =
      std::find(input.paths.begin(), input.paths.end(), "-") != input.paths.end();
  if (!from_stdin) {
    ProgressLine line;
    const correlate::CollectOptions collect = collect_options(input, line, command);
    const correlate::IdProbe probe(id);
    base::StepTimes* times = times_of(stats);
    correlate::Collected scanned = base::timed(times, "read", [&] {
      return correlate::collect(input.paths, scan_options(collect, probe));
    });
    line.clear();
    if (stats != nullptr) count_input(*stats, scanned);
    report_reading(scanned, input, command, exit_code);
    correlate::RescanOptions again;
    again.read = collect.read;
    again.threads = collect.threads;
    if (collect.progress)
      again.progress = progress_to(line, command, "reading the reached legs again:");
    correlate::RescanResult r = base::timed(
        times, "build", [&] { return correlate::build_for_id_rescan(scanned, build, id, again); });
    line.clear();
    if (r.correlation) {
      if (stats != nullptr) count_output(*stats, *r.correlation);
      // The scan takes most of the memory, and freeing it piece by piece
      // takes longer than building the answer; the process ends once it is
      // printed, so it is left for the system to take back.
      new correlate::Collected(std::move(scanned));  // NOLINT(cppcoreguidelines-owning-memory)
      return TraceLoad{std::move(*r.correlation), r.legs, r.sites};
    }
  }
  // Standard input, or a file that could not be read again.
  auto c = load_from_files(input, build, command, exit_code, from_stdin,
                           correlate::CollectMode::Full, stats);
  if (!c) return std::nullopt;
  const std::size_t legs = c->legs.size();
  const std::size_t sites = c->sites.size();
  return TraceLoad{std::move(*c), legs, sites};
}

}  // namespace

std::optional<TraceLoad> load_correlation_for_id(const CorrelationInput& input, std::string_view id,
                                                 std::string_view command, int& exit_code,
                                                 RunStats* stats) {
  auto build = build_options(input, command, exit_code, stats);
  if (!build) return std::nullopt;
  if (input.db.empty()) return load_for_id_from_files(input, *build, id, command, exit_code, stats);
  auto c = from_store(input, command, exit_code, stats, [&](store::Store& st) {
    auto loaded = st.load_for_id(id, *build, nullptr);
    if (!loaded) loaded = st.load_all(*build, nullptr);
    return loaded;
  });
  if (!c) return std::nullopt;
  const std::size_t legs = c->legs.size();
  const std::size_t sites = c->sites.size();
  return TraceLoad{std::move(*c), legs, sites};
}

std::optional<correlate::Correlation> load_correlation(const CorrelationInput& input,
                                                       std::string_view command, int& exit_code,
                                                       correlate::CollectMode mode,
                                                       RunStats* stats) {
  auto build = build_options(input, command, exit_code, stats);
  if (!build) return std::nullopt;
  build->summary = mode == correlate::CollectMode::Summary;
  if (input.db.empty())
    return load_from_files(input, *build, command, exit_code, true, mode, stats);
  return from_store(input, command, exit_code, stats, [&](store::Store& st) {
    return std::optional<correlate::Correlation>(st.load_all(*build, nullptr));
  });
}

}  // namespace calltrail::cli
