// Links between sites from the ISCC call history a call carries when it
// arrived from another site (domain.md §5, docs/correlation.md "ISCC call
// history"): the hop a site without call monitoring never reports as an
// IS-Link.
#pragma once

#include <cstdint>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

// How far apart the origin leg's life and the arrival may be, on the sites'
// own clocks: this allows for clocks that differ by that much.
inline constexpr Micros kIsccSlack = Micros{60} * 1'000'000;

// The first leg of a chain (FirstTransfer…) has usually ended when a later
// hop arrives: the arrival may come this long after that leg's end.
inline constexpr Micros kFirstTransferReach = Micros{3600} * 1'000'000;

// For every leg whose call history names an origin, finds the origin leg and
// joins the two: it confirms a paired IS-Link or sip link of the same hop
// (evidence), completes an IS-Link reported by one side only toward a leg
// that reports none, or adds a link of kind iscc. Needs the legs' lives, the
// sites' switch names, and the IS-Link and sip links.
// `reports_islink[leg]`: the leg reported an IS-Link itself. Returns the
// arriving legs whose origin site is in the input but that no link joins to
// their origin (they make their interaction incomplete). The origins are
// looked for on up to `threads` threads, at least `per_thread` arrivals
// each; the result is the same whatever the numbers.
std::vector<std::uint32_t> link_iscc(Correlation& c, const std::vector<bool>& reports_islink,
                                     unsigned threads = 1, std::size_t per_thread = 1);

}  // namespace calltrail::correlate
