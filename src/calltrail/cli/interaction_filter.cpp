#include "calltrail/cli/interaction_filter.hpp"

#include <fmt/format.h>

#include <tuple>

#include "calltrail/base/time.hpp"

namespace calltrail::cli {

void add_window_options(CLI::App* cmd, WindowOptions& window, std::string_view what) {
  cmd->add_option("--from", window.from,
                  fmt::format("Only {} at or after this UTC time (2012-10-29T14:41Z)", what));
  cmd->add_option("--to", window.to, fmt::format("Only {} at or before this UTC time", what));
}

bool parse_window(const WindowOptions& window, std::optional<correlate::Micros>& from,
                  std::optional<correlate::Micros>& to, std::string_view command) {
  for (auto [text, value, flag] :
       {std::tuple{&window.from, &from, "--from"}, {&window.to, &to, "--to"}}) {
    if (!text->empty() && !(*value = base::parse_iso_time(*text))) {
      fmt::print(stderr, "calltrail {}: {} '{}' is not a time like 2012-10-29T14:41:00Z\n", command,
                 flag, *text);
      return false;
    }
  }
  return true;
}

bool InteractionFilter::set(const WindowOptions& window, std::vector<std::string> sites,
                            std::string_view command) {
  sites_ = std::move(sites);
  return parse_window(window, from_, to_, command);
}

bool InteractionFilter::keep(const correlate::Correlation& c,
                             const correlate::Interaction& it) const {
  if (from_ || to_) {
    if (!it.timed) return false;  // no time to compare
    if ((from_ && it.end < *from_) || (to_ && it.start > *to_)) return false;
  }
  if (sites_.empty()) return true;
  for (std::uint32_t l : it.legs)
    for (const auto& s : sites_)
      if (c.sites[c.legs[l].site].name == s) return true;
  return false;
}

}  // namespace calltrail::cli
