#include "calltrail/cli/command_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace calltrail::cli {

namespace {

// Edits (insert, delete, replace, swap two neighbours) from a to b.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t replace = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string_view without_dashes(std::string_view s) {
  while (!s.empty() && s.front() == '-')
    s.remove_prefix(1);
  return s;
}

// The command named in argv: the first word that is not an option (the
// program itself takes no values).
int command_index(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i][0] != '-') return i;
  return 0;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const auto& n : o->get_lnames())
      names.push_back("--" + n);
    for (const auto& n : o->get_snames())
      names.push_back("-" + n);
  }
  return names;
}

}  // namespace

void one_value_per_option(CLI::App& app) {
  for (CLI::App* cmd : app.get_subcommands([](CLI::App*) { return true; })) {
    for (CLI::Option* o : cmd->get_options()) {
      if (o->nonpositional() && o->get_items_expected_max() > 1) o->allow_extra_args(false);
    }
  }
}

std::string nearest_name(std::string_view word, std::span<const std::string> candidates) {
  const std::string_view w = without_dashes(word);
  if (w.empty()) return {};
  const std::size_t near_enough = w.size() <= 3 ? 1 : std::max<std::size_t>(2, w.size() / 3);
  std::string best;
  std::size_t best_distance = near_enough + 1;
  for (const auto& c : candidates) {
    const std::string_view name = without_dashes(c);
    // A word that begins a longer name is an abbreviation of it.
    const std::size_t d = w.size() >= 3 && name.starts_with(w) ? 1 : distance(w, name);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

bool explain_unknown_name(CLI::App& app, int argc, const char* const* argv) {
  const int at = command_index(argc, argv);
  std::vector<std::string> commands;
  const CLI::App* cmd = nullptr;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
    if (at != 0 && sub->get_name() == argv[at]) cmd = sub;
  }
  if (at == 0) {
    if (argc > 1) return false;  // an unknown option of calltrail itself
    fmt::print(stderr, "calltrail: give a command: {} (calltrail --help)\n",
               fmt::join(commands, ", "));
    return true;
  }
  if (cmd == nullptr) {
    const std::string near = nearest_name(argv[at], commands);
    fmt::print(stderr, "calltrail: unknown command '{}'{}\n", argv[at],
               near.empty() ? "" : fmt::format("; did you mean {}?", near));
    fmt::print(stderr, "calltrail: the commands are {} (calltrail --help)\n",
               fmt::join(commands, ", "));
    return true;
  }
  const std::vector<std::string> names = option_names(*cmd);
  for (int i = at + 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    // "-" is standard input; "-5" or "-x" inside a value is not checked.
    if (arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && arg.size() > 2)) continue;
    const std::string_view name = arg.substr(0, arg.find('='));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    const std::string near = nearest_name(name, names);
    fmt::print(stderr, "calltrail {}: unknown option {}{} (calltrail {} --help)\n", cmd->get_name(),
               name, near.empty() ? "" : fmt::format("; did you mean {}?", near), cmd->get_name());
    return true;
  }
  return false;
}

}  // namespace calltrail::cli
