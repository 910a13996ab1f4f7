// calltrail bundle ID PATH...|--db URL --out FILE.tar.gz: one interaction as
// an archive for a ticket (docs/bundle.md).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "calltrail/base/secrets.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/bundle/bundle.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/correlate/query.hpp"

namespace calltrail::cli {

namespace {

struct BundleCommandOptions {
  std::string id;
  CorrelationInput input;
  std::string out;
  bool mask = false;
  std::vector<std::string> mask_keep;
  unsigned context = 0;
};

int run_bundle(const BundleCommandOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "bundle", exit_code)) return exit_code;
  if (!o.mask_keep.empty() && !o.mask) {
    fmt::print(stderr, "calltrail bundle: --mask-keep is for --mask\n");
    return kExitUsage;
  }
  if (std::find(o.input.paths.begin(), o.input.paths.end(), "-") != o.input.paths.end()) {
    fmt::print(stderr, "calltrail bundle: standard input cannot be read again for its lines\n");
    return kExitUsage;
  }
  auto loaded = load_correlation_for_id(o.input, o.id, "bundle", exit_code);
  if (!loaded) return exit_code;
  const correlate::Correlation& c = loaded->correlation;
  auto matches = correlate::find_interactions(c, o.id);
  for (const auto& m : matches) {
    if (c.interactions[m.interaction].id == o.id) {
      matches = {m};
      break;
    }
  }
  if (matches.empty()) {
    fmt::print(stderr,
               "calltrail bundle: no interaction carries '{}' in {} leg{} on {} site{} (see "
               "`calltrail trace --help` for what ID may be)\n",
               o.id, loaded->legs, loaded->legs == 1 ? "" : "s", loaded->sites,
               loaded->sites == 1 ? "" : "s");
    return exit_code == kExitOk ? kExitNoMatch : exit_code;
  }
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches)
      append_interaction_summary(list, c, c.interactions[m.interaction], "  ");
    fmt::print(stderr, "calltrail bundle: {} interactions carry '{}'; bundle one by its id:\n{}",
               matches.size(), o.id, list);
    return kExitUsage;
  }
  const correlate::Interaction& it = c.interactions[matches.front().interaction];
  bundle::Views views;
  append_trace_json(views.json, c, o.id, matches, true);
  append_interaction_text(views.timeline, c, it, {.sip = true, .color = false});
  append_interaction_mermaid(views.mermaid, c, it);
  bundle::BundleOptions b;
  b.out_path = o.out;
  b.context = o.context;
  b.mask = o.mask;
  b.mask_keep = o.mask_keep;
  b.command_line = base::redact_secrets(fmt::format(
      "calltrail bundle {} {} --out {}{}{}{}", o.id,
      o.input.db.empty() ? fmt::format("{}", fmt::join(o.input.paths, " ")) : "--db " + o.input.db,
      o.out, o.mask ? " --mask" : "",
      o.mask_keep.empty() ? ""
                          : fmt::format(" --mask-keep {}", fmt::join(o.mask_keep, " --mask-keep ")),
      o.context == 0 ? "" : fmt::format(" --context {}", o.context)));
  b.created = base::format_utc(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
  const bundle::BundleReport r = bundle::write_bundle(c, it, views, b);
  if (!r.error.empty()) {
    fmt::print(stderr, "calltrail bundle: cannot write {}: {}\n", o.out, r.error);
    return kExitInput;
  }
  for (const auto& f : r.files) {
    if (!f.error.empty())
      fmt::print(stderr, "calltrail bundle: cannot read {}: {}; its lines are not in the bundle\n",
                 f.path, f.error);
    if (f.moved > 0)
      fmt::print(stderr,
                 "calltrail bundle: warning: {}: {} event(s) not at the byte offset first read; "
                 "the file may have changed since\n",
                 f.path, f.moved);
    if (f.past_end > 0)
      fmt::print(stderr, "calltrail bundle: {}: {} event(s) past the end of the file\n", f.path,
                 f.past_end);
  }
  if (!o.input.quiet) {
    std::size_t blocks = 0;
    for (const auto& f : r.files)
      blocks += f.ranges.size();
    fmt::print(stderr, "calltrail bundle: {} written: interaction {}, {} file{}, {} block{}{}\n",
               o.out, it.id, r.files.size(), r.files.size() == 1 ? "" : "s", blocks,
               blocks == 1 ? "" : "s",
               o.mask ? fmt::format(", masked ({} phone, {} IP, {} user-data, {} SIP user, {} "
                                    "name tokens)",
                                    r.masked[0], r.masked[1], r.masked[2], r.masked[3], r.masked[4])
                      : "");
  }
  if (!r.complete() && exit_code == kExitOk) exit_code = kExitInput;
  return exit_code;
}

}  // namespace

void add_bundle_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BundleCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bundle",
      "Pack one interaction into a .tar.gz for a ticket: per site the raw lines of its\n"
      "events (each message whole, under a '==> FILE:FIRST-LAST <==' header naming the\n"
      "original lines), the interaction JSON, the text timeline, the Mermaid diagram and a\n"
      "README of what is inside. ID is what `trace` takes (CallUUID, ConnID, IS-Link id,\n"
      "Call-ID, key=value, ...) and must name one interaction. --mask replaces phone\n"
      "numbers, SIP user parts and display names, user-data values and IP addresses by\n"
      "tokens (the same value, the same token in every file), keeping CallUUIDs, ConnIDs\n"
      "and IS-Link ids. See docs/bundle.md.\n\n"
      "Examples:\n"
      "  calltrail bundle 009a021843038407 samples/seed --out call.tar.gz\n"
      "  calltrail bundle 01AE904GK088LFQD2CGB02LAES0000EP logs/ --out t.tar.gz --mask\n"
      "  calltrail bundle 00RP30KH7088L1IC08GB82LAES000316 --db calltrail.db --out t.tar.gz \\\n"
      "      --mask --mask-keep Language --context 3");
  cmd->add_option("id", o->id, "The identifier of the interaction")->required();
  cmd->add_option("paths", o->input.paths,
                  "Log files, folders (recursive), .gz files (or --db; not stdin: the lines are "
                  "read again)");
  add_db_option(cmd, o->input);
  cmd->add_option("--out", o->out, "The archive to write (FILE.tar.gz)")->required();
  cmd->add_flag("--mask", o->mask,
                "Replace phone numbers, SIP users and names, user-data values and IP addresses "
                "by tokens");
  cmd->add_option("--mask-keep", o->mask_keep,
                  "With --mask: keep the values of this user-data key; repeat for more");
  cmd->add_option("--context", o->context,
                  "Lines of context around each message, widened to whole records")
      ->capture_default_str();
  add_correlation_input_options(cmd, o->input, false);
  cmd->callback([o, &exit_code] { exit_code = run_bundle(*o); });
}

}  // namespace calltrail::cli
