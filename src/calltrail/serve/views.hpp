// What the HTTP API shows of one interaction besides the contract JSON: a
// ladder (lanes, events and hops, for the web page) and an SVG sequence
// diagram.
#pragma once

#include <string>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

// The ladder (ladder.hpp) as JSON for the page (docs/http-api.md):
// {"interaction_id", "complete", "open", "legs": [{"label", "call_uuid", "site", "root",
//  "deleted"}], "lanes": [{"kind": "site"|"outside", "site", "label", "sub_lanes": [{"kind":
//  "call"|"dn"|"sip_peer"|"remote_site"|"caller", ["dn"|"peer"|"site"|"ani"], ["sip"], "label"}]}],
//  "events": [{"lane", "sub_lane", ["to_sub_lane"], "utc", "local", "name", "this_dn", "other_dn",
//  "note", "leg", "leg_label", "source", "line", "offset", "kind", SIP: "label", "call_id",
//  ["direction", "peer", "peer_sub_lane"], ["request_uri"], ["status", "method"], ["reason"],
//  ["failure"]}],
//  "hops": [{"kind", "id", "label", "from", "from_lane", "from_sub_lane", "to", "to_lane",
//  "to_sub_lane", ["confidence"], ["sip_call_id"], ["reason"]}]} (hops index events; an end
// outside the logs is null, on the outside lane).
std::string ladder_json(const Built& b);

// One column per sub-lane under its site's name, one row per event (with its
// leg's label and colour), arrows for events between DNs, for SIP messages
// between a site and its peers, and for the links (labelled).
std::string interaction_svg(const Built& b);

}  // namespace calltrail::serve
