#include "calltrail/cli/live_input.hpp"

#include <fmt/format.h>

#include <csignal>
#include <ctime>

#include "calltrail/cli/correlation_input.hpp"

namespace calltrail::cli {

void add_live_input_options(CLI::App* cmd, LiveInput& input) {
  add_site_options(cmd, input.sites, nullptr);
  cmd->add_flag("--merge-hints", input.merge_hints,
                "Also merge interactions joined only by an equal ConnID across sites (a hint)");
  cmd->add_option("--poll", input.poll_ms, "How often followed files are checked, in ms")
      ->check(CLI::Range(10u, 60'000u))
      ->capture_default_str();
}

std::optional<serve::LiveOptions> live_options(const LiveInput& input, std::string_view command) {
  serve::LiveOptions o;
  o.build.merge_hints = input.merge_hints;
  if (!parse_site_overrides(input.sites, command, o.build.sites)) return std::nullopt;
  return o;
}

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool wait_for_signal(const std::function<bool()>& keep_going) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  for (;;) {
    timespec wait{0, 200'000'000};
    if (sigtimedwait(&set, nullptr, &wait) > 0) return true;
    if (keep_going && !keep_going()) return false;
  }
}

}  // namespace calltrail::cli
