// calltrail score TRUTH [PATH...] : how well correlation reproduces a
// simulation's truth.json.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/score.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::cli {

namespace {

struct ScoreOptions {
  std::string truth;
  CorrelationInput input;
  std::string interactions;  // JSON lines from `calltrail interactions`, instead of PATHs
  std::string format = "text";
  bool require_perfect = false;
};

// What a JSON error says, without the library's "[json.exception.…]" tag.
std::string json_error_text(const nlohmann::json::exception& e) {
  std::string_view what = e.what();
  if (what.starts_with("[json.exception.")) {
    const auto end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

int run_score(ScoreOptions o) {
  std::ifstream truth_file(o.truth);
  if (!truth_file) {
    fmt::print(stderr, "calltrail score: cannot read {}\n", o.truth);
    return kExitInput;
  }
  nlohmann::json truth;
  std::vector<nlohmann::json> predicted;
  int exit_code = kExitOk;
  StatsReport stats(o.input.stats, "score");
  // Where the JSON being read came from, for a message that it is not JSON.
  std::string where = o.truth;
  try {
    truth = nlohmann::json::parse(truth_file);
    if (!o.interactions.empty()) {
      std::ifstream in(o.interactions);
      if (!in) {
        fmt::print(stderr, "calltrail score: cannot read {}\n", o.interactions);
        return kExitInput;
      }
      const std::string text{std::istreambuf_iterator<char>(in), {}};
      // `interactions --format json` (one document) or its JSON lines.
      auto document = nlohmann::json::parse(text, nullptr, false);
      if (document.is_object() && document.contains("interactions")) {
        for (auto& it : document["interactions"])
          predicted.push_back(std::move(it));
      } else {
        std::istringstream lines(text);
        std::string line;
        for (std::size_t n = 1; std::getline(lines, line); ++n) {
          where = fmt::format("{}:{}", o.interactions, n);
          if (!line.empty()) predicted.push_back(nlohmann::json::parse(line));
        }
      }
    } else {
      if (o.input.paths.empty()) {
        // The logs beside truth.json, without it (it is not a log).
        auto dir = std::filesystem::path(o.truth).parent_path();
        const std::string folder = dir.empty() ? std::string(".") : dir.string();
        std::vector<parse::InputError> errors;
        for (auto& p : parse::expand_paths({&folder, 1}, errors)) {
          std::error_code ec;
          if (!std::filesystem::equivalent(p, o.truth, ec)) o.input.paths.push_back(std::move(p));
        }
        if (o.input.paths.empty()) o.input.paths.push_back(folder);
      }
      auto c = load_correlation(o.input, "score", exit_code, correlate::CollectMode::Summary,
                                stats.get());
      if (!c) return exit_code;
      for (const auto& it : c->interactions) {
        // Through text, exactly as `interactions` prints it.
        std::string line;
        correlate::append_interaction_json(line, *c, it);
        predicted.push_back(nlohmann::json::parse(line));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    fmt::print(stderr, "calltrail score: {} is not JSON: {}\n", where, json_error_text(e));
    return kExitInput;
  }
  correlate::ScoreReport r;
  try {
    if (o.interactions.empty()) {
      std::vector<parse::InputError> errors;
      for (const auto& name :
           correlate::mark_sites_without_logs(truth, parse::expand_paths(o.input.paths, errors)))
        fmt::print(stderr, "calltrail score: no logs of {} given: scored as a site without logs\n",
                   name);
    }
    r = correlate::score(truth, predicted);
  } catch (const nlohmann::json::exception&) {
    fmt::print(stderr,
               "calltrail score: {} or the interactions are not what `calltrail simulate` and "
               "`calltrail interactions` write (a field is missing or has another type)\n",
               o.truth);
    return kExitInput;
  }
  const std::pair<const char*, const correlate::Ratio*> rows[] = {
      {"pair_precision", &r.pair_precision}, {"pair_recall", &r.pair_recall},
      {"leg_recall", &r.leg_recall},         {"link_precision", &r.link_precision},
      {"link_recall", &r.link_recall},       {"exact_interactions", &r.exact},
      {"completeness", &r.complete},         {"interaction_ids", &r.ids},
      {"site_names", &r.site_names},         {"sip_call_ids", &r.sip_call_ids}};
  if (o.format == "json") {
    correlate::Json j;
    for (const auto& [name, ratio] : rows)
      j[name] = {{"value", ratio->value()}, {"hit", ratio->hit}, {"total", ratio->total}};
    j["perfect"] = r.perfect();
    j["mistakes"] = r.mistakes;
    fmt::print("{}\n", correlate::dump_json(std::move(j)));
  } else {
    for (const auto& [name, ratio] : rows)
      fmt::print("{:<20} {:.4f}  ({}/{})\n", name, ratio->value(), ratio->hit, ratio->total);
    for (const auto& m : r.mistakes)
      fmt::print("  {}\n", m);
  }
  if (o.require_perfect && !r.perfect() && exit_code == kExitOk) return kExitNoMatch;
  return exit_code;
}

}  // namespace

void add_score_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Compare correlation with the truth.json written by `calltrail simulate`: pairwise\n"
      "precision and recall of legs grouped into interactions, links (IS-Links and SIP links\n"
      "directed, transfers unordered, hints ignored), completeness, interaction ids, site\n"
      "names, and the SIP Call-IDs of each leg.\n\n"
      "Examples:\n"
      "  calltrail simulate --out /tmp/sim --interactions 200 && calltrail score "
      "/tmp/sim/truth.json\n"
      "  calltrail interactions /tmp/sim > found.jsonl && calltrail score /tmp/sim/truth.json "
      "--interactions found.jsonl --require-perfect");
  cmd->add_option("truth", o->truth, "truth.json")->required()->check(CLI::ExistingFile);
  cmd->add_option("paths", o->input.paths, "Logs to correlate (default: the folder of truth.json)");
  cmd->add_option("--interactions", o->interactions,
                  "Score the output of `calltrail interactions` (JSON lines or --format json) "
                  "instead of correlating");
  cmd->add_option("--format", o->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--require-perfect", o->require_perfect,
                "Exit with 1 unless every measure is 1.0 (site names excepted)");
  add_correlation_input_options(cmd, o->input, false);
  cmd->callback([o, &exit_code] { exit_code = run_score(*o); });
}

}  // namespace calltrail::cli
