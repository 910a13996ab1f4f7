// The interaction and site JSON (the stable contract of `calltrail trace
// --format json`, `interactions` and `sites`; see docs/correlation.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

using Json = nlohmann::ordered_json;

struct InteractionJsonOptions {
  // Also `timeline`: every event of the interaction in timeline order
  // (trace --format json, the HTTP API's interaction).
  bool timeline = false;
  // The JSON of every gap of the correlation (gaps_json()), when many
  // interactions are written: a site's gap is listed by every interaction
  // under way across it, and is rendered once.
  const std::vector<std::string>* gaps = nullptr;
};

std::vector<std::string> gaps_json(const Correlation& c);

// One line of `interactions`: appends the interaction's JSON (no newline).
void append_interaction_json(std::string& out, const Correlation& c, const Interaction& interaction,
                             const InteractionJsonOptions& options = {});
Json interaction_json(const Correlation& c, const Interaction& interaction);
Json site_json(const Correlation& c, std::uint32_t site);

// `j` as text (indented by `indent` spaces, or on one line when negative),
// every key and string made valid UTF-8 by base/utf8.hpp's rule first: a
// site's application name or a file name may be any bytes.
std::string dump_json(Json j, int indent = -1);

}  // namespace calltrail::correlate
