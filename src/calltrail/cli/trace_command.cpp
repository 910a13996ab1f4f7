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
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/query.hpp"

namespace calltrail::cli {

namespace {

struct TraceOptions {
  std::string id;
  CorrelationInput input;
  std::string format = "text";
  bool all = false;
  bool no_sip = false;
};

int run_trace(const TraceOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "trace", exit_code)) return exit_code;
  auto loaded = load_correlation_for_id(o.input, o.id, "trace", exit_code);
  if (!loaded) return exit_code;
  const correlate::Correlation* c = &loaded->correlation;
  auto matches = correlate::find_interactions(*c, o.id);
  if (matches.empty()) {
    fmt::print(stderr,
               "calltrail trace: no interaction carries '{}' (tried CallUUID, ConnID, IS-Link id, "
               "SIP Call-ID, DN, ANI, DNIS and user data key=value) in {} leg{} on {} site{}\n",
               o.id, loaded->legs, loaded->legs == 1 ? "" : "s", loaded->sites,
               loaded->sites == 1 ? "" : "s");
    return exit_code == kExitOk ? kExitNoMatch : exit_code;
  }
  // The interaction whose own id was given wins over the others it touches.
  for (const auto& m : matches) {
    if (c->interactions[m.interaction].id == o.id) {
      matches = {m};
      break;
    }
  }
  Output out(stdout);
  if (matches.size() > 1 && !o.all) {
    if (o.format == "json") {
      correlate::Json list = correlate::Json::array();
      for (const auto& m : matches) {
        const auto& it = c->interactions[m.interaction];
        list.push_back({{"interaction_id", it.id},
                        {"matched", m.matched},
                        {"complete", it.complete},
                        {"legs", it.legs.size()},
                        {"start", it.timed ? correlate::Json(base::format_utc(it.start))
                                           : correlate::Json(nullptr)}});
      }
      out.buffer() += correlate::dump_json({{"matches", std::move(list)}});
      out.buffer() += '\n';
    } else {
      // A diagram file must hold a diagram: with mermaid the list goes to stderr.
      std::string list;
      fmt::format_to(std::back_inserter(list),
                     "{} interactions carry '{}'; trace one by its id, or add --all:\n",
                     matches.size(), o.id);
      for (const auto& m : matches) {
        list += "  ";
        append_interaction_summary(list, *c, c->interactions[m.interaction]);
        list.pop_back();
        fmt::format_to(std::back_inserter(list), "  (by {})\n", m.matched);
      }
      if (o.format == "mermaid")
        fmt::print(stderr, "{}", list);
      else
        out.buffer() += list;
    }
    return exit_code;
  }
  if (o.format == "mermaid") {
    std::vector<const correlate::Interaction*> shown;
    for (const auto& m : matches)
      shown.push_back(&c->interactions[m.interaction]);
    append_interactions_mermaid(out.buffer(), *c, shown);
    return exit_code;
  }
  bool first = true;
  for (const auto& m : matches) {
    const auto& it = c->interactions[m.interaction];
    if (o.format == "json") {
      correlate::append_interaction_json(out.buffer(), *c, it, {.timeline = true});
      out.buffer() += '\n';
    } else {
      if (!first) out.buffer() += "\n\n";
      append_interaction_text(out.buffer(), *c, it, {.sip = !o.no_sip});
    }
    first = false;
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
      "key=value.");
  cmd->add_option("id", o->id, "The identifier to look for")->required();
  cmd->add_option("paths", o->input.paths,
                  "Log files, folders (recursive), .gz files, or - for stdin (or --db)");
  add_db_option(cmd, o->input);
  cmd->add_option("--format", o->format,
                  "text (timeline), json (the interaction JSON) or mermaid (sequence diagram)")
      ->check(CLI::IsMember({"text", "json", "mermaid"}))
      ->capture_default_str();
  cmd->add_flag("--no-sip", o->no_sip,
                "Text: leave SIP messages off the timeline (those that anchor a link stay)");
  cmd->add_flag("--all", o->all,
                "Show every matching interaction instead of listing them (mermaid: in one "
                "diagram)");
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_trace(*o); });
}

}  // namespace calltrail::cli
