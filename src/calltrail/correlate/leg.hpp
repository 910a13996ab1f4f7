// A leg: one call (one CallUUID) on one site, with compact references to its
// events rather than the events themselves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calltrail/model/event.hpp"

namespace calltrail::correlate {

using model::Micros;

// Where an event is and what the timeline needs to show it. Strings are ids
// into the owning StringPool.
struct EventRef {
  enum Flags : std::uint8_t {
    kHasUtc = 1,      // `utc` is known (stamp, or local time and site offset)
    kUtcStamped = 2,  // `utc` comes from AttributeTimeStamp / TimeinSecs
    kLocalDated = 4,  // `local` carries a real date
  };
  Micros utc = 0;    // the site's own clock, UTC
  Micros local = 0;  // the line's local time as printed
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
  std::uint32_t file = 0;  // index into the file table
  std::uint32_t name = 0;
  std::uint32_t this_dn = 0;
  std::uint32_t other_dn = 0;
  std::uint32_t note = 0;  // key attributes, e.g. "TransferConnID=…"
  std::uint8_t flags = 0;
  std::uint8_t local_digits = 0;

  bool has_utc() const { return (flags & kHasUtc) != 0; }
};

struct Leg {
  std::uint32_t site = 0;  // index into the site table (file index while collecting)
  std::string call_uuid;
  std::vector<std::string> conn_ids;           // normalised, in order of appearance
  std::vector<std::string> transfer_conn_ids;  // First/LastTransferConnID values
  std::vector<std::string> dns;                // ThisDN, OtherDN, ThirdPartyDN values
  std::string ani;
  std::string dnis;
  std::string call_type;
  std::vector<std::pair<std::string, std::string>> user_data;
  std::vector<EventRef> events;
  bool deleted = false;  // EventCallDeleted seen
  // Life on the site's own clock (UTC), set when the correlation is built.
  Micros start = 0;
  Micros end = 0;

  bool has_conn_id(std::string_view c) const {
    for (const auto& x : conn_ids)
      if (x == c) return true;
    return false;
  }
};

}  // namespace calltrail::correlate
