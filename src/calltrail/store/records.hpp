// The rows of the store in memory, and their BLOB forms: a leg-part (one
// leg's events within one part of a file, with its transfer observations),
// an IS-Link observation, orphan events, a part's summary, a file's header
// facts and a file's resume state. docs/storage.md describes the layouts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::store {

using correlate::EventRef;
using correlate::StringPool;

// A transfer observation with its place among the part's observations, so
// that the order of one pass over the file can be restored.
struct TransferRecord {
  std::uint32_t seq = 0;
  correlate::TransferObservation observation;  // `leg` unused
};

struct LegRecord {
  correlate::Leg leg;  // events' strings interned in the decoding pool
  std::vector<TransferRecord> transfers;
  std::vector<std::string> islink_ids;  // ids of its IS-Link observations
};

// `pool` resolves the string ids of the events.
std::string encode_leg(const correlate::Leg& leg, const std::vector<TransferRecord>& transfers,
                       const std::vector<std::string>& islink_ids, const StringPool& pool);
LegRecord decode_leg(std::string_view blob, std::uint32_t file, StringPool& pool);

std::string encode_islink(const correlate::IsLinkObservation& o, const StringPool& pool);
correlate::IsLinkObservation decode_islink(std::string_view blob, std::uint32_t file,
                                           StringPool& pool);

std::string encode_orphans(const correlate::OrphanEvents& o, const StringPool& pool);
correlate::OrphanEvents decode_orphans(std::string_view blob, std::uint32_t file, StringPool& pool);

// What a part contributes besides legs: counts, sequence track, application
// names, UTC offset votes, earliest stamp.
struct PartSummary {
  std::uint64_t events = 0;
  std::uint64_t call_events = 0;
  correlate::SequenceTrack sequence;
  std::map<std::string, std::uint64_t> apps;
  std::map<std::int32_t, std::uint64_t> offset_votes;
  std::optional<model::Micros> first_utc;
};
PartSummary summary_of(const correlate::FilePartial& p);
std::string encode_summary(const PartSummary& s);
PartSummary decode_summary(std::string_view blob, std::uint32_t file);
// Adds a later part of the same file to `into` as one pass would have.
void merge_summary(correlate::FilePartial& into, const PartSummary& part);

// Event references move between string pools as the collector's do.
using correlate::reintern;
// Joins a later leg-part of the same CallUUID (same pool) to `to`, as one
// pass over the file would have collected them together.
void merge_leg(correlate::Leg& to, correlate::Leg&& from);
// Appends the partial of a later byte range of the same file to `into`, as
// one pass over both ranges would have produced it: legs joined by CallUUID
// (`legs_by_uuid` indexes `into.legs` and is kept up to date), observations
// and orphan events after the earlier ones, strings interned again, the
// summary merged, every reference set to `into.file`. Returns the index in
// `into.legs` of each leg of `part`.
std::vector<std::uint32_t> append_partial(
    correlate::FilePartial& into, const correlate::FilePartial& part,
    std::unordered_map<std::string, std::uint32_t>& legs_by_uuid);

std::string encode_info(const parse::FileInfo& info);
parse::FileInfo decode_info(std::string_view blob);

struct ResumeState {
  parse::ParserCheckpoint parser;
  correlate::CollectorCarry collector;
};
std::string encode_resume(const ResumeState& s);
ResumeState decode_resume(std::string_view blob);

// Every identifier of a leg a user may search by (lower-cased before
// hashing): CallUUID, ConnIDs, transfer ConnIDs and CallUUIDs, IS-Link ids,
// DNs, ANI, DNIS, user data as key=value.
std::vector<std::string> search_keys(const LegRecord& r);
// key_hash() of each of search_keys(), sorted and unique, without building
// the strings.
std::vector<std::int64_t> search_key_hashes(const correlate::Leg& leg,
                                            const std::vector<TransferRecord>& transfers,
                                            const std::vector<std::string>& islink_ids);
// The identifiers that join legs into interactions (a subset of the above).
std::vector<std::string> link_keys(const LegRecord& r);

}  // namespace calltrail::store
