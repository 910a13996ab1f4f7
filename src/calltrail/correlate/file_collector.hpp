// Streams the events of one file into a FilePartial: its legs, the IS-Link
// and transfer observations, the sequence numbers and what the file says about
// its site. Files are collected independently (on any thread) and merged by
// build_correlation().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calltrail/correlate/leg.hpp"
#include "calltrail/correlate/string_pool.hpp"
#include "calltrail/model/event.hpp"

namespace calltrail::correlate {

enum class IsLinkRole : std::uint8_t { Unknown, Source, Target };

struct IsLinkObservation {
  std::uint32_t leg = 0;  // index into FilePartial::legs (later: global leg index)
  std::string id;
  IsLinkRole role = IsLinkRole::Unknown;
  std::string location;  // location-name: the remote site, app@switch
  EventRef event;        // the event that reported it
};

enum class TransferVia : std::uint8_t {
  RefCallUUID,
  OrigCallUUID,
  NewCallUUID,
  TransferConnID,
  PreviousConnID
};

struct TransferObservation {
  std::uint32_t leg = 0;  // index into FilePartial::legs (later: global leg index)
  TransferVia via = TransferVia::RefCallUUID;
  std::string value;  // the referenced CallUUID or normalised ConnID
  EventRef event;
};

// Events that carry a ConnID but no CallUUID, seen before any leg of this
// file had that ConnID; placed on a leg of the site when files are merged.
struct OrphanEvents {
  std::vector<EventRef> events;
  std::vector<TransferObservation> transfers;  // `leg` unused
};

struct SequenceGap {
  std::uint64_t first_missing = 0;
  std::uint64_t last_missing = 0;
  std::optional<Micros> after_utc;   // the event before the gap
  std::optional<Micros> before_utc;  // the event after the gap
  std::uint32_t file = 0;
  std::uint64_t line = 0;  // the event after the gap
};

struct SequenceTrack {
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> last;
  std::optional<Micros> first_utc;
  std::optional<Micros> last_utc;
  std::uint64_t first_line = 0;
  std::uint64_t out_of_order = 0;  // repeated or decreasing numbers (ignored)
  std::vector<SequenceGap> gaps;
};

struct FilePartial {
  std::uint32_t file = 0;
  StringPool strings;
  std::vector<Leg> legs;
  std::vector<IsLinkObservation> islinks;
  std::vector<TransferObservation> transfers;
  std::map<std::string, OrphanEvents> orphans;  // by normalised ConnID
  SequenceTrack sequence;
  std::map<std::string, std::uint64_t> apps;           // Event::app values and counts
  std::map<std::int32_t, std::uint64_t> offset_votes;  // local - UTC, seconds, from the lines
  std::optional<Micros> first_utc;                     // earliest stamped event
  std::uint64_t events = 0;
  std::uint64_t call_events = 0;  // events placed on a leg (or kept as orphans)
};

class FileCollector {
 public:
  explicit FileCollector(std::uint32_t file_index);

  void add(const model::Event& event);
  FilePartial finish() { return std::move(partial_); }
  // What has been collected so far (the live correlation reads it between
  // batches instead of finishing).
  const FilePartial& partial() const { return partial_; }

 private:
  std::uint32_t leg_for(std::string_view call_uuid);
  EventRef make_ref(const model::Event& event);
  void track_sequence(const model::Event& event, const EventRef& ref);

  FilePartial partial_;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> leg_by_uuid_;
  std::unordered_map<std::uint64_t, std::uint32_t> leg_by_conn_;  // latest leg with this ConnID
  std::uint64_t offset_votes_ = 0;
};

// Limits that keep a leg's memory bounded whatever the calls carry.
inline constexpr std::size_t kMaxLegDns = 32;
inline constexpr std::size_t kMaxLegUserData = 64;
inline constexpr std::size_t kMaxUserDataValue = 256;

}  // namespace calltrail::correlate
