// calltrail sites PATH... : what calltrail knows about each site.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "calltrail/base/release.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/correlate/json.hpp"

namespace calltrail::cli {

namespace {

struct SitesOptions {
  CorrelationInput input;
  std::string format = "text";
};

int run_sites(const SitesOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "sites", exit_code)) return exit_code;
  StatsReport stats(o.input.stats, "sites");
  auto c =
      load_correlation(o.input, "sites", exit_code, correlate::CollectMode::Summary, stats.get());
  if (!c) return exit_code;
  check_site_options(*c, o.input, "sites");
  const std::vector<std::string>& only = o.input.sites;
  auto shown = [&](std::uint32_t s) {
    return only.empty() || std::find(only.begin(), only.end(), c->sites[s].name) != only.end();
  };
  Output out(stdout);
  if (o.format == "json") {
    correlate::Json sites = correlate::Json::array();
    for (std::uint32_t s = 0; s < c->sites.size(); ++s)
      if (shown(s)) sites.push_back(correlate::site_json(*c, s));
    out.buffer() += correlate::dump_json({{"sites", std::move(sites)}}, 2);
    out.buffer() += '\n';
  } else {
    bool first = true;
    for (std::uint32_t s = 0; s < c->sites.size(); ++s) {
      if (!shown(s)) continue;
      if (!first) out.buffer() += '\n';
      first = false;
      append_site_text(out.buffer(), *c, s);
    }
  }
  // Every --site unknown: nothing was shown.
  bool any = false;
  for (std::uint32_t s = 0; s < c->sites.size(); ++s)
    any = any || shown(s);
  base::leave_to_exit(std::move(*c));
  return !only.empty() && !any && exit_code == kExitOk ? kExitNoMatch : exit_code;
}

}  // namespace

void add_sites_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SitesOptions>();
  CLI::App* cmd = add_log_command(
      app, "sites",
      "Per site: its name (app@switch) and how it was found, files, time range, UTC offset,\n"
      "clock offset against the other sites, event counts and sequence-number gaps.\n\n"
      "Examples:\n"
      "  calltrail sites logs/\n"
      "  calltrail sites logs/ --site-name logs/siteA/=Tserver2@Avaya_Switch1 --format json\n"
      "  calltrail sites logs/ --site SIPServer1@SIP_Switch1",
      o->input);
  cmd->add_option("--format", o->format, "text or json (one document: {\"sites\": [...]})")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_sites(*o); });
}

}  // namespace calltrail::cli
