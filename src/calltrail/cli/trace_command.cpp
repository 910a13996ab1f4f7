// calltrail trace ID PATH... : one interaction across sites, as a timeline,
// JSON or a Mermaid sequence diagram.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "calltrail/base/time.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_filter.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/cli/terminal_text.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"

namespace calltrail::cli {

namespace {

struct TraceOptions {
  std::string id;
  CorrelationInput input;
  WindowOptions window;
  std::string format = "text";
  std::string color = "auto";
  bool all = false;
  bool no_sip = false;
};

// "3 interactions carry '7070'; ...", one line each.
std::string match_list(const correlate::Correlation& c, const std::string& id,
                       const std::vector<correlate::Match>& matches) {
  std::string list;
  append_wrapped(list,
                 fmt::format("{} interactions carry '{}'; trace one by its id, narrow with --from, "
                             "--to or --site, or add --all:",
                             matches.size(), id),
                 2);
  for (const auto& m : matches) {
    append_interaction_summary(list, c, c.interactions[m.interaction], "  ",
                               fmt::format("  (by {})", m.matched));
  }
  return list;
}

int run_trace(const TraceOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "trace", exit_code)) return exit_code;
  StatsReport stats(o.input.stats, "trace");
  InteractionFilter filter;
  if (!filter.set(o.window, o.input.sites, "trace")) return kExitUsage;
  auto loaded = load_correlation_for_id(o.input, o.id, "trace", exit_code, stats.get());
  if (!loaded) return exit_code;
  const correlate::Correlation* c = &loaded->correlation;
  check_site_options(*c, o.input, "trace");
  auto matches = correlate::find_interactions(*c, o.id);
  const std::size_t carried = matches.size();
  std::erase_if(matches, [&](const correlate::Match& m) {
    return !filter.keep(*c, c->interactions[m.interaction]);
  });
  if (matches.empty()) {
    if (carried > 0) {
      fmt::print(stderr,
                 "calltrail trace: {} interaction{} carry '{}', none of them within --from, --to "
                 "and --site\n",
                 carried, carried == 1 ? "" : "s", o.id);
    } else {
      fmt::print(stderr,
                 "calltrail trace: no interaction carries '{}' (tried CallUUID, ConnID, IS-Link "
                 "id, SIP Call-ID, DN, ANI, DNIS and user data key=value) in {} leg{} on {} "
                 "site{}\n",
                 o.id, loaded->legs, loaded->legs == 1 ? "" : "s", loaded->sites,
                 loaded->sites == 1 ? "" : "s");
    }
    return exit_code == kExitOk ? kExitNoMatch : exit_code;
  }
  // The interaction whose own id was given wins over the others it touches.
  for (const auto& m : matches) {
    if (c->interactions[m.interaction].id == o.id) {
      matches = {m};
      break;
    }
  }
  const bool shown = matches.size() == 1 || o.all;
  Output out(stdout);
  if (o.format == "json") {
    append_trace_json(out.buffer(), *c, o.id, matches, shown);
    return exit_code;
  }
  if (!shown) {
    // A diagram file must hold a diagram: with mermaid the list goes to stderr.
    const std::string list = match_list(*c, o.id, matches);
    if (o.format == "mermaid")
      fmt::print(stderr, "{}", list);
    else
      out.buffer() += list;
    return exit_code;
  }
  if (o.format == "mermaid") {
    std::vector<const correlate::Interaction*> diagram;
    for (const auto& m : matches)
      diagram.push_back(&c->interactions[m.interaction]);
    append_interactions_mermaid(out.buffer(), *c, diagram);
    return exit_code;
  }
  bool first = true;
  for (const auto& m : matches) {
    if (!first) out.buffer() += "\n\n";
    first = false;
    append_interaction_text(out.buffer(), *c, c->interactions[m.interaction],
                            {.sip = !o.no_sip, .color = color_wanted(o.color, stdout)});
    out.maybe_flush();
  }
  return exit_code;
}

}  // namespace

void add_trace_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TraceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "trace",
      "Follow one interaction through every site: its legs, the links between them with\n"
      "their evidence, and all events on one UTC timeline. ID is any ConnID, CallUUID,\n"
      "IS-Link id, SIP Call-ID (whole or the part before '@'), DN, ANI, DNIS or user-data\n"
      "key=value. When several interactions carry ID, they are listed (one line each) and\n"
      "--from, --to and --site narrow the list; --all shows them all in full.\n\n"
      "Examples:\n"
      "  calltrail trace 009a021843038407 samples/seed\n"
      "  calltrail trace 7070 logs/ --from 2012-10-29T14:00Z --to 2012-10-29T15:00Z\n"
      "  calltrail trace AccountNo=1234 logs/ --site SIPServer1@SIP_Switch1 --all\n"
      "  calltrail trace 009a021843038407 --db calltrail.db --format json | jq '.interactions[0]'");
  cmd->add_option("id", o->id, "The identifier to look for")->required();
  cmd->add_option("paths", o->input.paths,
                  "Log files, folders (recursive), .gz files, or - for stdin (or --db)");
  add_db_option(cmd, o->input);
  cmd->add_option("--format", o->format,
                  "text (timeline), json (one document: {\"id\", \"matches\": [...], "
                  "\"interactions\": [...]}) or mermaid (sequence diagram)")
      ->check(CLI::IsMember({"text", "json", "mermaid"}))
      ->capture_default_str();
  cmd->add_flag("--no-sip", o->no_sip,
                "Text: leave SIP messages off the timeline (those that anchor a link stay)");
  cmd->add_flag("--all", o->all,
                "Show every matching interaction in full instead of listing them (mermaid: in "
                "one diagram)");
  add_window_options(cmd, o->window, "interactions under way");
  add_color_option(cmd, o->color);
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_trace(*o); });
}

}  // namespace calltrail::cli
