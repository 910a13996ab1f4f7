// calltrail ingest PATH... [--db URL] : index logs into a store, exactly once.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "calltrail/base/secrets.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/input_report.hpp"
#include "calltrail/cli/progress.hpp"
#include "calltrail/correlate/site_override.hpp"
#include "calltrail/store/codec.hpp"
#include "calltrail/store/ingest.hpp"

namespace calltrail::cli {

namespace {

struct IngestCommandOptions {
  std::vector<std::string> paths;
  std::vector<std::string> site_names;  // --site-name FILE=app@switch
  std::string db = "calltrail.db";
  std::uint64_t part_mb = 64;
  bool strict = false;
  bool quiet = false;
};

// Bytes, rate and ETA on the progress line.
class Progress {
 public:
  void operator()(const store::IngestProgress& p) {
    if (!line_.due()) return;
    const double rate = p.seconds > 0 ? static_cast<double>(p.events) / p.seconds : 0;
    const double bps = p.seconds > 0 ? static_cast<double>(p.bytes_done) / p.seconds : 0;
    std::string eta = "?";
    if (bps > 0 && p.bytes_total >= p.bytes_done)
      eta = fmt::format("{:.0f} s", static_cast<double>(p.bytes_total - p.bytes_done) / bps);
    line_.show(fmt::format("  {} of {}, {:.0f} events/s, ETA {}", megabytes(p.bytes_done),
                           megabytes(p.bytes_total), rate, eta));
  }
  bool enabled() const { return line_.enabled(); }
  void clear() { line_.clear(); }

 private:
  ProgressLine line_;
};

int run_ingest(const IngestCommandOptions& o, const Seams& seams) {
  store::IngestOptions options;
  options.part_bytes = std::max<std::uint64_t>(o.part_mb, 1) << 20;
  if (!parse_site_overrides(o.site_names, "ingest", options.site_names)) return kExitUsage;
  if (seams.ingest) seams.ingest(options);
  auto progress = std::make_shared<Progress>();
  if (progress->enabled())
    options.progress = [progress](const store::IngestProgress& p) { (*progress)(p); };

  store::IngestResult r;
  bool opened = false;
  try {
    store::Store st(store::open_database(o.db));
    opened = true;
    r = store::ingest(st, o.paths, options);
  } catch (const store::DbError& e) {
    progress->clear();
    fmt::print(stderr, "calltrail ingest: store {}: {}\n", base::redact_secrets(o.db),
               base::redact_secrets(e.what()));
    if (opened) {
      fmt::print(stderr,
                 "calltrail ingest: what was committed is kept; run the same command again to "
                 "continue\n");
    }
    return kExitInput;
  } catch (const store::CodecError& e) {
    progress->clear();
    fmt::print(stderr, "calltrail ingest: store {} holds a damaged record: {}\n",
               base::redact_secrets(o.db), e.what());
    return kExitInput;
  }
  progress->clear();
  for (const auto& e : r.input_errors)
    fmt::print(stderr, "calltrail ingest: cannot read {}: {}\n", e.path, e.message);
  const auto& d = r.diagnostics;
  if (d.count() > 0) {
    if (!o.quiet)
      for (const auto& p : d.first())
        fmt::print(stderr, "{}:{}: {}: {}\n", p.file, p.line, p.code, p.message);
    fmt::print(stderr, "calltrail ingest: {} malformed record{}; the rest was stored\n", d.count(),
               d.count() == 1 ? "" : "s");
  }
  for (const auto& name : options.site_names) {
    if (std::none_of(r.files.begin(), r.files.end(), [&](const parse::FileInfo& f) {
          return correlate::site_override_matches(name, f.path);
        }))
      fmt::print(stderr,
                 "calltrail ingest: warning: --site-name {}={} named no file under the paths "
                 "(it is kept for files that come later)\n",
                 name.file, name.site);
  }
  // Files that are not logs are named (they make no site); reading nothing
  // else is an input error, as for the commands that read logs directly.
  const bool nothing_read = r.input_errors.empty() && report_not_logs(r.files, "ingest");
  const auto& s = r.stats;
  const double rate = s.seconds > 0 ? static_cast<double>(s.events) / s.seconds : 0;
  fmt::print(stderr,
             "calltrail ingest: {} file{} ({} new, {} grown, {} unchanged, {} replaced, {} moved), "
             "{}, {} events in {:.1f} s ({:.0f} events/s), {} part{} into {}\n",
             s.files, s.files == 1 ? "" : "s", s.new_files, s.grown, s.unchanged, s.replaced,
             s.moved, megabytes(s.bytes), s.events, s.seconds, rate, s.parts,
             s.parts == 1 ? "" : "s", base::redact_secrets(o.db));
  if (!r.input_errors.empty() || nothing_read) return kExitInput;
  if (o.strict && d.count() > 0) return kExitMalformed;
  return kExitOk;
}

}  // namespace

void add_ingest_command(CLI::App& app, int& exit_code, const Seams& seams) {
  auto o = std::make_shared<IngestCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Index logs into a store (docs/storage.md) that trace, interactions and sites read with\n"
      "--db. Each file is read once: files already stored are skipped, grown files continue\n"
      "where they stopped, rotated or truncated files are recognised. Safe to interrupt.\n\n"
      "Examples:\n"
      "  calltrail ingest logs/ && calltrail trace 009a021843038407 --db calltrail.db\n"
      "  calltrail ingest logs/ --site-name logs/site-a/=Tserver2@Avaya_Switch1\n"
      "  calltrail ingest /var/log/genesys/ --db postgresql://calltrail@db/calltrail");
  cmd->add_option("paths", o->paths, "Log files, folders (recursive), .gz files")->required();
  cmd->add_option("--db", o->db, "A SQLite file or a postgresql://user@host:port/db URL")
      ->capture_default_str();
  cmd->add_option("--site-name", o->site_names,
                  "Name the site of a file or folder: FILE=app@switch (FILE is a path, a base "
                  "name, or a folder); kept in the store for every later query and ingest; "
                  "repeat for more")
      ->type_name("FILE=SITE");
  cmd->add_option("--part-mb", o->part_mb, "Commit every this many MB of a file")
      ->capture_default_str();
  cmd->add_flag("--strict", o->strict, "Exit with 4 when malformed records were found");
  cmd->add_flag("-q,--quiet", o->quiet, "Print only the one-line summary of malformed input");
  cmd->callback([o, &exit_code, &seams] { exit_code = run_ingest(*o, seams); });
}

}  // namespace calltrail::cli
