// One function per subcommand: each adds its CLI11 subcommand to `app` and
// stores its exit code in `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace calltrail::cli {

void add_events_command(CLI::App& app, int& exit_code);
void add_simulate_command(CLI::App& app, int& exit_code);
void add_trace_command(CLI::App& app, int& exit_code);
void add_interactions_command(CLI::App& app, int& exit_code);
void add_sites_command(CLI::App& app, int& exit_code);
void add_score_command(CLI::App& app, int& exit_code);
struct Seams;
void add_ingest_command(CLI::App& app, int& exit_code, const Seams& seams);
void add_serve_command(CLI::App& app, int& exit_code, const Seams& seams);
void add_follow_command(CLI::App& app, int& exit_code);
void add_push_command(CLI::App& app, int& exit_code);
void add_recordings_command(CLI::App& app, int& exit_code);
void add_bundle_command(CLI::App& app, int& exit_code);

}  // namespace calltrail::cli
