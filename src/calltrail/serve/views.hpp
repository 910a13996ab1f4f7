// What the HTTP API shows of one interaction besides the contract JSON: a
// ladder (lanes, events and hops, for the web page) and an SVG sequence
// diagram.
#pragma once

#include <string>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

// {"interaction_id", "lanes": [{"site", "dn"}], "events": [{"lane", "to_lane", "utc",
//  "local", "name", "this_dn", "other_dn", "note", "leg", "source", "line", "offset"}],
//  "hops": [{"kind", "id", "from", "to", "confidence"}]} (hops index events)
std::string ladder_json(const Built& b);

// One column per lane, one row per event, arrows for events between DNs and
// for the links between legs.
std::string interaction_svg(const Built& b);

}  // namespace calltrail::serve
