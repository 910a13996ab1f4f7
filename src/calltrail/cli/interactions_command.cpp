// calltrail interactions PATH... : every interaction, one JSON object a line.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/correlate/json.hpp"

namespace calltrail::cli {

namespace {

struct InteractionsOptions {
  CorrelationInput input;
  std::string format = "jsonl";
  bool incomplete = false;
};

int run_interactions(const InteractionsOptions& o) {
  int exit_code = kExitOk;
  auto c = load_correlation(o.input, "interactions", exit_code);
  if (!c) return exit_code;
  Output out(stdout);
  for (const auto& it : c->interactions) {
    if (o.incomplete && it.complete) continue;
    if (o.format == "text") {
      append_interaction_summary(out.buffer(), *c, it);
    } else {
      correlate::append_interaction_json(out.buffer(), *c, it);
      out.buffer() += '\n';
    }
    out.maybe_flush();
  }
  return exit_code;
}

}  // namespace

void add_interactions_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InteractionsOptions>();
  CLI::App* cmd = add_log_command(
      app, "interactions",
      "Every customer interaction in the logs: its legs on all sites and the links between\n"
      "them, one JSON object a line (schema: docs/correlation.md), or one text line each.",
      o->input);
  cmd->add_option("--format", o->format, "jsonl (one object a line) or text")
      ->check(CLI::IsMember({"jsonl", "json", "text"}))
      ->capture_default_str();
  cmd->add_flag("--incomplete", o->incomplete,
                "Only interactions with a link whose partner is missing");
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_interactions(*o); });
}

}  // namespace calltrail::cli
