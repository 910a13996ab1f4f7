// `calltrail simulate`: synthetic multi-site logs with their ground truth.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/simulate/simulator.hpp"

namespace calltrail::cli {

namespace {

constexpr const char* kSimulateFooter = R"(Sites (--site, repeatable; replaces the default sites):
  APP@SWITCH[,UTC_OFFSET[,SKEW]][,SETTING...]
    UTC_OFFSET  local time minus UTC: -5h, +4, +5:30, -04:00, 0       (default 0)
    SKEW        the site's clock error, logged = true time + SKEW:
                +0ms, -50ms, +1.5s, 300us                             (default 0)
    SETTING     type=sip|tserver   server kind (default: sip when the name holds "SIP")
                time=stamp|secs|mixed  AttributeTimeStamp, AttributeTimeinSecs/uSecs, or both
                host=NAME          "Host name:" of the header
                unmonitored        the site exists in truth.json but writes no logs
  e.g. --site Tserver2@Avaya_Switch1,-5h,+0ms --site SIPServer1@SIP_Switch1,-4h,-50ms
  Without --site: --sites N sites from a built-in table (default 3). When the
  'unmonitored' scenario is on and no site is unmonitored, TServer9@Remote_Switch9 is added.

Scenarios (--scenarios LIST or --only NAME; default all):
  single             one call on one site (most traffic)
  multisite          1 to 4 hops over IS-Links, a new CallUUID on every leg
  pingpong           the call comes back to a site it visited before
  connid-change      the ConnID changes across a hop (otherwise it is kept)
  connid-reuse       an unrelated call on another site has the same ConnID
  consult            same-site consult transfer (merge: TransferConnID, PreviousConnID, RefCallUUID)
  conference         same-site consult conference
  multisite-consult  consult call to another site, IS-Link on the consult call
  late-islink        the target reports the IS-Link 20-90 s after arrival
  postmortem-islink  the target reports the IS-Link after EventCallDeleted
  unmonitored        the last hop goes to a site that writes no logs
  failed-transfer    the source reports the IS-Link, the target never does
  lost-events        gaps in AttributeEventSequenceNumber
  ha-sync            [BSYNC] records sent to the backup server
  noise              SIP messages and Trc/Std/Int records between the events
  Interaction scenarios that need a multi-site call (pingpong ... failed-transfer)
  bring multi-site calls with them. --only NAME puts NAME in every interaction.

Output: DIR/<app>.<YYYYMMDD_HHMMSS_mmm>.log[.gz] per site and segment, and
DIR/truth.json (see docs/simulate.md). Same options, same bytes.)";

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  ~ProgressLine() {
    if (shown_) std::fputs("\n", stderr);
  }
  void show(const simulate::Progress& p) {
    if (!enabled_) return;
    shown_ = true;
    fmt::print(stderr, "\rsimulate: {:5.1f}%  {:8.1f} MB  {} interactions", p.fraction * 100,
               static_cast<double>(p.bytes) / 1e6, p.interactions);
    std::fflush(stderr);
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace

void add_simulate_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string out;
    std::vector<std::string> sites;
    std::size_t site_count = 3;
    std::uint64_t interactions = 0;
    std::string size;
    std::string start = "2012-10-29T13:30:00Z";
    std::string duration = "1h";
    std::uint64_t seed = 1;
    std::string scenarios = "all";
    std::string only;
    std::string segment_size = "64M";
    std::string style = "tab";
    bool gzip = false;
    bool quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Write synthetic multi-site T-Server / SIP Server logs and their ground truth (truth.json).");
  cmd->footer(kSimulateFooter);
  cmd->add_option("--out", args->out, "Output folder (created if missing)")->required();
  cmd->add_option("--site", args->sites, "A site: APP@SWITCH[,UTC_OFFSET[,SKEW]][,SETTING...]")
      ->type_name("SPEC");
  cmd->add_option("--sites", args->site_count, "Number of built-in sites when no --site is given")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  auto* n = cmd->add_option("--interactions", args->interactions,
                            "Number of customer interactions (default 100)");
  auto* size = cmd->add_option("--size", args->size,
                               "Generate until the logs reach this size instead, e.g. 500M, 1G");
  n->excludes(size);
  cmd->add_option("--start", args->start, "UTC start time, ISO 8601")->capture_default_str();
  cmd->add_option("--duration", args->duration,
                  "Time over which interactions start, e.g. 90s, 30m, 2h, 1h30m")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  auto* scenarios =
      cmd->add_option("--scenarios", args->scenarios, "Comma-separated scenarios to mix in, or all")
          ->capture_default_str();
  auto* only = cmd->add_option("--only", args->only, "Every interaction carries this scenario");
  scenarios->excludes(only);
  cmd->add_option("--segment-size", args->segment_size, "Roll log segments over at this size")
      ->capture_default_str();
  cmd->add_option("--style", args->style,
                  "tab: as servers write; spaces: 4 spaces per TAB; flat: a message per line, "
                  "curly quotes; mixed: each message in one of them (tab mostly)")
      ->check(CLI::IsMember({"tab", "spaces", "flat", "mixed"}))
      ->capture_default_str();
  cmd->add_flag("--gzip", args->gzip, "Write .log.gz segments");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line on stderr");

  cmd->callback([args, &exit_code] {
    simulate::SimulateOptions o;
    std::string error;
    auto usage = [&](const std::string& message) {
      fmt::print(stderr, "calltrail simulate: {}\n", message);
      exit_code = kExitUsage;
    };
    o.out_dir = args->out;
    for (const auto& text : args->sites) {
      auto site = simulate::parse_site_spec(text, error);
      if (!site) return usage(error);
      o.sites.push_back(*site);
    }
    if (o.sites.empty()) o.sites = simulate::default_sites(args->site_count);
    if (!args->size.empty()) {
      const auto bytes = simulate::parse_byte_size(args->size);
      if (!bytes) return usage(fmt::format("bad --size '{}' (e.g. 500M, 1G)", args->size));
      o.target_bytes = *bytes;
    } else {
      o.interactions = args->interactions == 0 ? 100 : args->interactions;
    }
    const auto start = base::parse_iso_time(args->start);
    if (!start)
      return usage(fmt::format("bad --start '{}' (e.g. 2012-10-29T14:00:00Z)", args->start));
    o.start = *start;
    const auto duration = simulate::parse_duration(args->duration);
    if (!duration) return usage(fmt::format("bad --duration '{}' (e.g. 30m, 2h)", args->duration));
    o.duration = *duration;
    o.seed = args->seed;
    if (!args->only.empty()) {
      const auto s = simulate::scenario_from_name(args->only);
      if (!s)
        return usage(fmt::format("unknown scenario '{}' (known: {})", args->only,
                                 simulate::ScenarioSet::all().to_string()));
      o.only = *s;
    } else {
      const auto set = simulate::parse_scenario_list(args->scenarios, error);
      if (!set) return usage(error);
      o.scenarios = *set;
    }
    const auto segment = simulate::parse_byte_size(args->segment_size);
    if (!segment) return usage(fmt::format("bad --segment-size '{}'", args->segment_size));
    o.segment_size = *segment;
    o.style = args->style == "flat"     ? simulate::PrintStyle::Flat
              : args->style == "spaces" ? simulate::PrintStyle::Spaces
              : args->style == "mixed"  ? simulate::PrintStyle::Mixed
                                        : simulate::PrintStyle::Tab;
    o.gzip = args->gzip;
    error = simulate::finalize_options(o);
    if (!error.empty()) return usage(error);

    ProgressLine line(!args->quiet && isatty(STDERR_FILENO));
    const auto result =
        simulate::simulate(o, [&line](const simulate::Progress& p) { line.show(p); });
    if (!result.error.empty()) {
      fmt::print(stderr, "calltrail simulate: {}\n", result.error);
      exit_code = kExitInput;
      return;
    }
    std::size_t files = 0;
    for (const auto& s : result.sites)
      files += s.files.size();
    fmt::print(stderr,
               "calltrail simulate: {} interactions, {} events, {:.1f} MB in {} files, "
               "truth in {}/truth.json\n",
               result.interactions, result.events, static_cast<double>(result.bytes) / 1e6, files,
               o.out_dir);
  });
}

}  // namespace calltrail::cli
