// The events of a leg part that a summary build may not read, set aside in a
// compact form while the other files are read.
//
// A summary build (BuildOptions::summary) keeps of a leg's T-Library events
// only those a summary or its later steps read, but which ones it can drop is
// decided only when every file is read: a leg with a call history, or with a
// ConnID that a call history in any file names, keeps them all (the ISCC
// linker reads them). Until then a summary collection (CollectMode::Summary)
// keeps in the leg the events any build reads, and encodes the others as
// deltas from one to the next (line, byte offset, time: about 15 bytes
// against an EventRef's 48). The build puts them back into the legs that
// keep everything and counts them for the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/leg.hpp"

namespace calltrail::correlate {

// Of a leg part (one file's events of a leg), the events that a summary
// build reads before its own thinning or keeps after it, whatever the other
// files hold: the first and the last event (the leg's first event is one of
// its parts' first ones), SIP messages and noted events, every event without
// a UTC time and the timed events just before and after it (the build fills
// such a time in from them), the part's first and last timed events (the
// neighbours of another part's), and the events with the earliest and the
// latest time (the leg's life). Sets `keep[i]` for each of `events` and
// returns how many are kept; all of them unless the events are of one file
// in the order of their lines.
std::size_t summary_reads(std::span<const EventRef> events, std::vector<bool>& keep);

// Writes `events` to the end of `out` and reads them back: every field of
// each EventRef, exactly.
void encode_events(std::span<const EventRef> events, std::string& out);
// Appends the events encoded in `in` to `out`; false (and nothing appended)
// if `in` is not what encode_events() wrote.
bool decode_events(std::string_view in, EventList& out);

// The events set aside from the legs of one file's partial: those of leg k
// are bytes [at[k], at[k + 1]) of `bytes`, `count[k]` of them.
struct SpareEvents {
  std::string bytes;
  std::vector<std::uint64_t> at;
  std::vector<std::uint32_t> count;

  bool empty() const { return at.empty(); }
  std::uint64_t events() const;
};

// Moves out of each of `legs` the events summary_reads() does not keep.
SpareEvents set_aside(std::span<Leg> legs);

// Puts leg `k`'s spare events back among `leg`'s, in the order of their lines.
void restore(Leg& leg, const SpareEvents& spare, std::size_t k);

}  // namespace calltrail::correlate
