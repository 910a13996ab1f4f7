// A file's partial grows part by part: a later byte range of the same file
// (an ingest resumed, a live source cut per batch, a store read back) is
// appended as one pass over both ranges would have collected it. One owner
// for `trace`, the store and `serve`, so that they cannot disagree on what a
// leg made of parts is.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "calltrail/correlate/file_collector.hpp"

namespace calltrail::correlate {

// What a partial knows of its file besides legs: counts, sequence numbers,
// applications, UTC-offset votes, the earliest stamped event.
struct PartSummary {
  std::uint64_t events = 0;
  std::uint64_t call_events = 0;
  SequenceTrack sequence;
  std::map<std::string, std::uint64_t> apps;
  std::map<std::int32_t, std::uint64_t> offset_votes;
  std::optional<Micros> first_utc;
};
PartSummary summary_of(const FilePartial& p);
// Adds a later part of the same file to `into` as one pass would have.
void merge_summary(FilePartial& into, const PartSummary& part);
// A partial's summary alone (file, sequence numbers, applications, offset
// votes, counts): everything but its legs, observations and orphans.
FilePartial summary_copy(const FilePartial& p);

// Joins a later leg-part of the same CallUUID (same pool) to `to`, as one
// pass over the file would have collected them together.
void merge_leg(Leg& to, Leg&& from);

// Appends the partial of a later byte range of the same file to `into`, as
// one pass over both ranges would have produced it: legs joined by CallUUID
// (`legs_by_uuid` indexes `into.legs` and is kept up to date), observations
// and orphan events after the earlier ones, strings interned again, the
// summary merged, every reference set to `into.file`. Returns the index in
// `into.legs` of each leg of `part`.
std::vector<std::uint32_t> append_partial(
    FilePartial& into, const FilePartial& part,
    std::unordered_map<std::string, std::uint32_t>& legs_by_uuid);

// Which IS-Link and transfer observations of a partial each leg has
// (indices into its vectors, in order): kept by a holder that selects legs
// often from a partial that keeps growing (serve).
struct LegObservations {
  std::vector<std::vector<std::uint32_t>> islinks;
  std::vector<std::vector<std::uint32_t>> transfers;
};

// A partial holding legs `legs` of `p` (sorted, unique) with their spans and
// observations, the orphan events of the ConnIDs `orphan_conns`, and p's
// summary, every string interned again; observations in p's order, as a
// build over the whole of p meets them. `by_leg` spares a walk over every
// observation of p.
FilePartial select_legs(const FilePartial& p, std::span<const std::uint32_t> legs,
                        std::span<const std::string> orphan_conns,
                        const LegObservations* by_leg = nullptr);

}  // namespace calltrail::correlate
