// calltrail recordings MANIFEST PATH...|--db URL: each recording's
// interaction (docs/recordings.md).
#include <fmt/format.h>

#include <memory>
#include <string>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/io/byte_source.hpp"
#include "calltrail/recordings/manifest.hpp"
#include "calltrail/recordings/placement.hpp"

namespace calltrail::cli {

namespace {

struct RecordingsOptions {
  std::string manifest;
  CorrelationInput input;
  std::string format = "jsonl";
};

// The whole manifest (a plain or gzip file, or - for standard input).
std::optional<std::string> read_manifest_text(const std::string& path, std::string& error) {
  io::OpenOutcome opened = io::open_source(path);
  if (!opened.source) {
    error = opened.error;
    return std::nullopt;
  }
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const io::ReadOutcome r = opened.source->read(buffer, sizeof buffer);
    if (!r.error.empty()) {
      error = r.error;
      return std::nullopt;
    }
    if (r.size == 0) return text;
    text.append(buffer, r.size);
  }
}

int run_recordings(const RecordingsOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "recordings", exit_code)) return exit_code;
  std::string error;
  const auto text = read_manifest_text(o.manifest, error);
  if (!text) {
    fmt::print(stderr, "calltrail recordings: cannot read {}: {}\n", o.manifest, error);
    return kExitInput;
  }
  const recordings::Manifest m = recordings::read_manifest(*text);
  for (const auto& p : m.problems)
    fmt::print(stderr, "calltrail recordings: {}:{}: {}\n", o.manifest, p.line, p.message);
  if (!m.error.empty()) {
    fmt::print(stderr, "calltrail recordings: {}: {}\n", o.manifest, m.error);
    return kExitInput;
  }
  if (m.recordings.empty()) {
    fmt::print(stderr, "calltrail recordings: {}: no recording in it ({})\n", o.manifest,
               recordings::to_string(m.form));
    return kExitNoMatch;
  }
  auto c = load_correlation(o.input, "recordings", exit_code);
  if (!c) return exit_code;
  const recordings::Placed placed = recordings::place_recordings(*c, m.recordings);
  Output out(stdout);
  if (o.format == "text") {
    recordings::append_recordings_text(out.buffer(), *c, m.recordings, placed);
  } else {
    const bool document = o.format == "json";
    if (document) out.buffer() += "{\"recordings\":[\n";
    for (std::size_t i = 0; i < m.recordings.size(); ++i) {
      recordings::append_recording_json(out.buffer(), *c, m.recordings, placed, i);
      if (document && i + 1 < m.recordings.size()) out.buffer() += ',';
      out.buffer() += '\n';
      out.maybe_flush();
    }
    if (document) out.buffer() += "]}\n";
  }
  out.flush();
  std::size_t placed_count = 0;
  std::size_t groups = 0;
  for (const auto& p : placed.placements)
    placed_count += p.interaction ? 1 : 0;
  for (const auto& g : placed.by_interaction)
    groups += g.empty() ? 0 : 1;
  if (!o.input.quiet)
    fmt::print(
        stderr, "calltrail recordings: {} of {} recording{} placed in {} interaction{}{}{}\n",
        placed_count, m.recordings.size(), m.recordings.size() == 1 ? "" : "s", groups,
        groups == 1 ? "" : "s",
        placed_count < m.recordings.size()
            ? fmt::format("; {} not placed (see \"reason\")", m.recordings.size() - placed_count)
            : "",
        m.problems.empty() ? ""
                           : fmt::format("; {} record{} of the manifest left out",
                                         m.problems.size(), m.problems.size() == 1 ? "" : "s"));
  if (exit_code != kExitOk) return exit_code;
  if (o.input.strict && !m.problems.empty()) return kExitMalformed;
  return placed_count == 0 ? kExitNoMatch : kExitOk;
}

}  // namespace

void add_recordings_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RecordingsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "recordings",
      "Each recording of a recorder's manifest placed on its interaction: the leg with its\n"
      "CallUUID (of its site, when the manifest names one), the leg's site, times and position\n"
      "in the interaction, and the other recordings of the same interaction. MANIFEST is JSON\n"
      "lines or CSV with a header row (recording_id and call_uuid required; conn_id, site,\n"
      "start, end, media optional), or Genesys Interaction Recording's recording metadata\n"
      "(recording.json). See docs/recordings.md.\n\n"
      "Examples:\n"
      "  calltrail recordings recordings.csv logs/\n"
      "  calltrail recordings recordings.jsonl --db calltrail.db --format text\n"
      "  calltrail recordings recording.json logs/ | jq 'select(.interaction_id == null)'");
  cmd->add_option("manifest", o->manifest,
                  "The recordings: JSON lines, CSV, recording.json, or - for standard input")
      ->required();
  cmd->add_option("paths", o->input.paths,
                  "Log files, folders (recursive), .gz files, or - for stdin (or --db)");
  add_db_option(cmd, o->input);
  cmd->add_option("--format", o->format,
                  "jsonl (one object a recording, in the manifest's order), json (one document: "
                  "{\"recordings\": [...]}) or text (grouped by interaction)")
      ->check(CLI::IsMember({"jsonl", "json", "text"}))
      ->capture_default_str();
  add_correlation_input_options(cmd, o->input, false);
  cmd->callback([o, &exit_code] { exit_code = run_recordings(*o); });
}

}  // namespace calltrail::cli
