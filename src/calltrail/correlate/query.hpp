// Finding the interactions a user's identifier belongs to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

struct Match {
  std::uint32_t interaction = 0;
  std::string matched;  // what matched: "CallUUID", "ConnID", "IS-Link", "DN", "ANI", ...
};

// `id` is a CallUUID, ConnID (any case, with or without leading zeros), IS-Link
// id, SIP Call-ID (whole, or the part before '@'), DN, ANI, DNIS or a
// user-data `key=value`. One match per interaction, in
// interaction order.
std::vector<Match> find_interactions(const Correlation& c, std::string_view id);

}  // namespace calltrail::correlate
