// One interaction's events on one timeline: by UTC corrected for each site's
// clock offset, but never against causality: a site's own events keep their
// log order, and an IS-Link's target event comes after its source event even
// when the clocks say otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

struct TimelineEntry {
  std::uint32_t leg = 0;
  std::uint32_t event = 0;               // index into Leg::events
  Micros corrected = 0;                  // UTC corrected for the site's clock offset
  bool reordered = false;                // placed after a later-stamped event to respect a link
  std::vector<std::uint32_t> links_out;  // links whose source event this is
  std::vector<std::uint32_t> links_in;   // links whose target event this is
};

std::vector<TimelineEntry> build_timeline(const Correlation& c, const Interaction& interaction);

}  // namespace calltrail::correlate
