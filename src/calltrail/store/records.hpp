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
#include "calltrail/correlate/partial.hpp"
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
using correlate::PartSummary;
std::string encode_summary(const PartSummary& s);
PartSummary decode_summary(std::string_view blob, std::uint32_t file);

std::string encode_info(const parse::FileInfo& info);
parse::FileInfo decode_info(std::string_view blob);

struct ResumeState {
  parse::ParserCheckpoint parser;
  correlate::CollectorCarry collector;
};
std::string encode_resume(const ResumeState& s);
ResumeState decode_resume(std::string_view blob);

// The keys a leg joins others by (correlate/link_keys.hpp: its own
// identifiers, its transfer references and IS-Link ids), sorted and unique.
std::vector<std::int64_t> link_keys(const correlate::Leg& leg,
                                    const std::vector<TransferRecord>& transfers,
                                    const std::vector<std::string>& islink_ids);
// The identifier index rows of a leg (docs/storage.md): its link keys and
// what a user may search it by besides (DNs, ANI, DNIS, user data as
// key=value, each by text_key), sorted and unique.
std::vector<std::int64_t> index_keys(const correlate::Leg& leg,
                                     const std::vector<TransferRecord>& transfers,
                                     const std::vector<std::string>& islink_ids);
// The keys of the events of ConnID `conn` (normalised) that had no CallUUID.
std::vector<std::int64_t> orphan_keys(std::string_view conn, const correlate::OrphanEvents& o);

}  // namespace calltrail::store
