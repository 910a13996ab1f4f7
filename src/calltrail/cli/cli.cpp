#include "calltrail/cli/cli.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "calltrail/base/secrets.hpp"
#include "calltrail/cli/command_line.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/version.hpp"

namespace calltrail::cli {

namespace {

constexpr const char* kFooter = R"(Exit codes:
  0   success (malformed input, if any, is reported on stderr)
  1   nothing matched the query
  2   bad command line
  3   an input could not be read (the other inputs were still processed), or the
      store (--db) could not be opened, read or written
  4   --strict was given and malformed records were found
  70  internal error (a bug: please report it with the command line)

PATH is a file, a folder (read recursively), a .gz file, or - for standard input.
An option takes one value; repeat it for more. --format json is one JSON document,
jsonl one object a line, text for people (docs/command-line.md).)";

}  // namespace

int run(int argc, char** argv) {
  const Seams none;
  return run(argc, argv, none);
}

int run(int argc, char** argv, const Seams& seams) {
  CLI::App app{
      "calltrail follows one customer call through every Genesys site it crossed.\n"
      "It reads T-Server / SIP Server logs, stitches the call legs of every site and\n"
      "shows the whole journey on one UTC timeline.",
      "calltrail"};
  app.footer(kFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", "calltrail " + std::string(version()));
  // Applied to every command added below, once they all are.
  app.preparse_callback([&app](std::size_t) { one_value_per_option(app); });
  int exit_code = kExitOk;
  add_events_command(app, exit_code);
  add_simulate_command(app, exit_code);
  add_trace_command(app, exit_code);
  add_interactions_command(app, exit_code);
  add_sites_command(app, exit_code);
  add_score_command(app, exit_code);
  add_ingest_command(app, exit_code, seams);
  add_serve_command(app, exit_code, seams);
  add_follow_command(app, exit_code);
  add_push_command(app, exit_code);
  add_recordings_command(app, exit_code);
  add_bundle_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (!explain_unknown_name(app, argc, argv)) app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "calltrail: internal error: {}\n", base::redact_secrets(e.what()));
    return kExitInternal;
  }
  return exit_code;
}

}  // namespace calltrail::cli
