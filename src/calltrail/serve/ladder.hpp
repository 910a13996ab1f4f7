// The ladder of one interaction, as the page and the SVG draw it: one lane per
// site, with the site's DNs and SIP peers as sub-lanes, and one lane for what
// lies outside the logs (sites named by a link whose partner has no log, the
// caller); one row per event in timeline order; hops for the links between
// legs and toward the outside lane, each with its label.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

struct SubLane {
  enum class Kind : std::uint8_t {
    Call,     // the site's events that name no DN (call events, SIP messages)
    Dn,       // one DN of the site
    SipPeer,  // an address the site sent SIP messages to or received them from
    Remote,   // outside: a site named by a link whose partner is not in the logs
    Caller,   // outside: the caller (the root leg's ANI)
  };
  Kind kind = Kind::Call;
  std::string name;  // the DN, peer address, remote site or ANI; empty for Call
  bool sip = false;  // Call: the site sent or received SIP messages
};
const char* to_string(SubLane::Kind k);

struct LadderLane {
  bool outside = false;
  std::uint32_t site = 0;  // site lanes
  std::vector<SubLane> subs;
};

struct LadderRow {
  std::uint32_t lane = 0;
  std::uint32_t sub = 0;
  std::optional<std::uint32_t> to_sub;    // the other DN's sub-lane on the same site
  std::optional<std::uint32_t> peer_sub;  // a SIP message: its peer's sub-lane
  const correlate::EventRef* event = nullptr;
  std::uint32_t leg = 0;      // index into Correlation::legs
  std::uint32_t leg_pos = 0;  // its position in the interaction (L1 is 0)
  Micros corrected = 0;
};

// A place on the ladder: a row's event, or a sub-lane of the outside lane.
struct HopEnd {
  std::optional<std::uint32_t> row;
  std::uint32_t lane = 0;
  std::uint32_t sub = 0;
};

struct LadderHop {
  const correlate::Link* link = nullptr;  // null for the caller's arrival
  HopEnd from;
  HopEnd to;
  std::string label;  // "IS-Link …000316", "transfer …", "ANI 5551234"
};

struct Ladder {
  std::vector<LadderLane> lanes;  // sites in order of their first event, outside last
  std::vector<LadderRow> rows;
  std::vector<LadderHop> hops;
  bool sip_arrows = false;  // some row is a SIP message to or from a peer
  bool open = false;        // some leg has not seen EventCallDeleted
};

Ladder make_ladder(const Built& b);

// The last six characters of an id after an ellipsis ("…000316"), or the id
// when it is that short.
std::string short_id(std::string_view id);

// Where a lane's sub-lane is among every sub-lane of the ladder, left to
// right (the SVG draws each sub-lane as a column).
std::uint32_t column_of(const Ladder& l, std::uint32_t lane, std::uint32_t sub);

// The two-line header of a sub-lane: its site (or "outside") and what it is.
std::pair<std::string, std::string> sub_lane_title(const correlate::Correlation& c,
                                                   const LadderLane& lane, const SubLane& sub);

}  // namespace calltrail::serve
