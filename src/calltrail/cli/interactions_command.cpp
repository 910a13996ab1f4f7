// calltrail interactions PATH... : every interaction, one JSON object a line.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_filter.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/correlate/json.hpp"

namespace calltrail::cli {

namespace {

struct InteractionsOptions {
  CorrelationInput input;
  std::string format = "jsonl";
  bool incomplete = false;
  WindowOptions window;
};

int run_interactions(const InteractionsOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "interactions", exit_code)) return exit_code;
  InteractionFilter filter;
  if (!filter.set(o.window, o.input.sites, "interactions")) return kExitUsage;
  auto c = load_correlation(o.input, "interactions", exit_code, correlate::CollectMode::Summary);
  if (!c) return exit_code;
  const bool sites_known = check_site_options(*c, o.input, "interactions");
  const bool document = o.format == "json";
  Output out(stdout);
  if (document) out.buffer() += "{\"interactions\":[";
  std::size_t shown = 0;
  for (const auto& it : c->interactions) {
    if (o.incomplete && it.complete) continue;
    if (!filter.keep(*c, it)) continue;
    if (o.format == "text") {
      append_interaction_summary(out.buffer(), *c, it);
    } else {
      if (document) out.buffer() += shown == 0 ? "\n" : ",\n";
      correlate::append_interaction_json(out.buffer(), *c, it);
      if (!document) out.buffer() += '\n';
    }
    ++shown;
    out.maybe_flush();
  }
  if (document) out.buffer() += "\n]}\n";
  if (shown == 0 && (o.incomplete || filter.narrows()) && exit_code == kExitOk) {
    if (sites_known) fmt::print(stderr, "calltrail interactions: no interaction matched\n");
    return kExitNoMatch;
  }
  return exit_code;
}

}  // namespace

void add_interactions_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InteractionsOptions>();
  CLI::App* cmd = add_log_command(
      app, "interactions",
      "Every customer interaction in the logs: its legs on all sites and the links between\n"
      "them, one JSON object a line (schema: docs/correlation.md), one JSON document, or one\n"
      "text line each. Filters that leave nothing exit with 1.\n\n"
      "Examples:\n"
      "  calltrail interactions logs/ --format text\n"
      "  calltrail interactions logs/ --site SIPServer1@SIP_Switch1 --from 2012-10-29T14:00Z\n"
      "  calltrail interactions --db calltrail.db --incomplete --format json",
      o->input);
  cmd->add_option("--format", o->format,
                  "jsonl (one object a line), json (one document: {\"interactions\": [...]}) or "
                  "text (one line each)")
      ->check(CLI::IsMember({"jsonl", "json", "text"}))
      ->capture_default_str();
  cmd->add_flag("--incomplete", o->incomplete,
                "Only interactions with a link whose partner is missing");
  add_window_options(cmd, o->window, "interactions under way");
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_interactions(*o); });
}

}  // namespace calltrail::cli
