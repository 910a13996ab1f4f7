// LiveCorrelation's per-source state, shared by the files that implement
// it: live_state.cpp (sources, admission of text and events, positions,
// limits, metrics), live_commit.cpp (the cut of each batch, group commit,
// restore from the store), live_components.cpp (the union-find of link keys,
// the index of each cut, recompute and its updates), live_eviction.cpp
// (retention) and live_search.cpp (search, interactions built on demand, raw
// lines, summaries). Internal to the module: the interface is live_state.hpp.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "calltrail/base/ascii.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

namespace detail {

inline std::string prefixed(char kind, std::string_view value) {
  std::string k;
  k.reserve(value.size() + 2);
  k += kind;
  k += ':';
  k += value;
  return k;
}

}  // namespace detail

struct LiveCorrelation::Source {
  Source(std::string source_name, SourceKind source_kind, std::uint32_t file_index)
      : name(std::move(source_name)), kind(source_kind), file(file_index), collector(file_index) {
    info.path = name;
    partial.file = file_index;
  }

  std::string name;
  SourceKind kind;
  std::uint32_t file;
  std::string path;  // followed file
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  parse::FileInfo info;
  base::Diagnostics diagnostics;
  // Events go to the collector; after each batch what it holds is cut and
  // appended to `partial`, everything collected so far (the same cut goes to
  // the store).
  correlate::FileCollector collector;
  correlate::FilePartial partial;
  std::unordered_map<std::string, std::uint32_t> leg_by_uuid;  // in `partial`
  std::uint64_t part_start = 0;                                // where the events not yet cut begin
  std::uint64_t max_emitted = 0;  // byte offset of the latest event not yet cut
  bool emitted = false;
  std::string pending;  // durable text: the bytes from part_start to next
  // Durable sources: what the next commit writes (the cuts since the last
  // one, merged), and the ticket of the latest accepted batch.
  correlate::FilePartial store_part;
  std::unordered_map<std::string, std::uint32_t> store_legs;
  bool store_has_part = false;
  bool store_dirty = false;
  std::uint64_t store_part_start = 0;
  std::uint64_t store_resume_offset = 0;
  store::ResumeState store_resume;
  std::uint64_t ticket = 0;
  parse::EventCallback sink;
  std::unique_ptr<parse::LogParser> parser;
  bool ended = false;
  std::uint64_t next = 0;
  std::uint64_t events = 0;
  std::optional<Micros> last_event_utc;
  std::optional<SteadyTime> last_batch;
  std::size_t legs_seen = 0;
  std::size_t islinks_seen = 0;
  std::size_t transfers_seen = 0;
  correlate::LegObservations observations;  // of `partial`, by leg
  // The IS-Link observations of evicted legs (without their events'
  // strings), which the site clocks still rest on; the newest kept.
  std::deque<correlate::IsLinkObservation> evicted_islinks;
  std::string raw;             // pushed text (or event lines), from raw_base on
  std::uint64_t raw_base = 0;  // what came before a restart is not kept
  bool raw_complete = true;
  std::uint64_t raw_offset = 0;    // events sources: offset of the next event line in `raw`
  std::uint64_t pushed_bytes = 0;  // pushed text or event lines taken (max_source_bytes)
};

}  // namespace calltrail::serve
