// What the HTTP API shows of one interaction besides the contract JSON: a
// ladder (lanes, events and hops, for the web page) and an SVG sequence
// diagram.
#pragma once

#include <string>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

// {"interaction_id", "lanes": [{"site", "dn", "kind", "label", ["sip"], ["peer"]}],
//  "events": [{"lane", "to_lane", "utc", "local", "name", "this_dn", "other_dn", "note", "leg",
//  "source", "line", "offset", "kind", SIP: "label", "call_id", ["direction", "peer",
//  "peer_lane"], ["request_uri"], ["status", "method"], ["reason"], ["failure"]}],
//  "hops": [{"kind", "id", "from", "to", "confidence", ["sip_call_id"]}]} (hops index
// events). Lanes are a site's DNs (`kind` "site") and SIP peers (`kind` "sip_peer", one per
// address); a SIP message is an arrow between its site's lane and its peer's lane.
std::string ladder_json(const Built& b);

// One column per lane, one row per event, arrows for events between DNs, for
// SIP messages between a site and its peers, and for the links between legs.
std::string interaction_svg(const Built& b);

}  // namespace calltrail::serve
