// Options shared by `serve` and `follow`: site naming overrides, hint merging
// and the polling interval; the live state they configure.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::cli {

struct LiveInput {
  std::vector<std::string> paths;  // to follow
  std::vector<std::string> sites;  // --site-name FILE=app@switch (files or pushed sources)
  bool merge_hints = false;
  unsigned poll_ms = 200;
};

void add_live_input_options(CLI::App* cmd, LiveInput& input);

// The live options, or nullopt (with a message on stderr) for a bad --site.
std::optional<serve::LiveOptions> live_options(const LiveInput& input, std::string_view command);

// Blocks SIGINT and SIGTERM in every thread started after it; wait_for_signal()
// then returns when one arrives (or when `poll` returns false, checked every
// 200 ms).
void block_stop_signals();
bool wait_for_signal(const std::function<bool()>& keep_going = {});

}  // namespace calltrail::cli
