// calltrail interactions PATH... : every interaction, one JSON object a line.
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "calltrail/base/time.hpp"
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
  std::string from;
  std::string to;
};

bool touches_site(const correlate::Correlation& c, const correlate::Interaction& it,
                  const std::vector<std::string>& sites) {
  if (sites.empty()) return true;
  for (std::uint32_t l : it.legs)
    for (const auto& s : sites)
      if (c.sites[c.legs[l].site].name == s) return true;
  return false;
}

int run_interactions(const InteractionsOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "interactions", exit_code)) return exit_code;
  std::optional<model::Micros> from, to;
  for (auto [text, value, flag] : {std::tuple{&o.from, &from, "--from"}, {&o.to, &to, "--to"}}) {
    if (!text->empty() && !(*value = base::parse_iso_time(*text))) {
      fmt::print(stderr,
                 "calltrail interactions: {} '{}' is not a time like 2012-10-29T14:41:00Z\n", flag,
                 *text);
      return kExitUsage;
    }
  }
  const std::vector<std::string> sites = site_filters(o.input);
  auto c = load_correlation(o.input, "interactions", exit_code);
  if (!c) return exit_code;
  Output out(stdout);
  for (const auto& it : c->interactions) {
    if (o.incomplete && it.complete) continue;
    // Interactions that overlap [from, to] (corrected UTC).
    if ((from || to) && !it.timed) continue;  // no time to compare
    if ((from && it.end < *from) || (to && it.start > *to)) continue;
    if (!touches_site(*c, it, sites)) continue;
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
  cmd->add_option("--from", o->from,
                  "Only interactions still going on at or after this UTC time (2012-10-29T14:41Z)");
  cmd->add_option("--to", o->to, "Only interactions begun at or before this UTC time");
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_interactions(*o); });
}

}  // namespace calltrail::cli
