// Reads events in the JSON lines schema of `calltrail events`
// (docs/events-json.md) back into model::Event, for events a site collector
// pushes to `calltrail serve`.
#pragma once

#include <string>
#include <string_view>

#include "calltrail/model/event.hpp"

namespace calltrail::serve {

// Parses one JSON object into `event` (cleared first). Returns an empty
// string on success, else what is wrong ("attributes: expected an object").
// Never throws on bad input.
std::string read_event_json(std::string_view line, model::Event& event);

}  // namespace calltrail::serve
