// Building only what one identifier reaches.
//
// `trace ID` needs one interaction, not all of them. The site facts (names
// and clock offsets) are decided over every file's IS-Link observations and
// summaries, the legs the identifier reaches through links are picked out,
// and only those are built with the facts: the answer is the one the whole
// build gives. `trace` over files does this from a scan (rescan.hpp),
// Store::load_for_id from a store's rows; build_for_id() does it from fully
// collected partials. See docs/correlation.md.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

// Partials holding what site facts rest on: every summary and IS-Link
// observation (without the strings of its event), on one stub leg per file.
// build_correlation() over them with BuildOptions::facts_only names the sites
// and sets the clocks as over the whole partials.
std::vector<FilePartial> facts_partials(const std::vector<FilePartial>& partials);
// The same for one partial (CollectOptions::facts makes them on the reading
// threads).
FilePartial facts_partial(const FilePartial& p);
// The same, taking p's IS-Link observations instead of copying them (a
// scan's partial needs none once its keys are indexed).
FilePartial take_facts_partial(FilePartial& p);

// What each leg and orphan of one file can be found and linked by, as
// hashes (ASCII case folded) in flat arrays: a search over every leg walks a few
// megabytes instead of the legs themselves. Built on the thread that
// collected the file (CollectOptions::index_keys).
struct KeyIndex {
  // Leg i links by links[link_start[i] .. link_start[i + 1]): its CallUUID,
  // ConnIDs, First/LastTransferConnIDs, transfer references and IS-Link ids.
  std::vector<std::uint32_t> link_start;
  std::vector<std::uint64_t> links;
  // Orphan k (in map order) links by its ConnID and transfer references.
  std::vector<std::uint32_t> orphan_start;
  std::vector<std::uint64_t> orphans;
};
KeyIndex index_keys(const FilePartial& p);

// What an identifier reaches: per file, a flag per leg and per orphan (in
// map order).
struct Reached {
  std::vector<std::vector<char>> legs;
  std::vector<std::vector<char>> orphans;
};

// The legs and orphans that carry `id` (without case) or its normalised
// ConnID as a link key, or that `found(file, leg)` says carry it otherwise,
// and everything sharing a link key with what was taken, until nothing new
// comes. nullopt when that is more than `max_legs` legs.
std::optional<Reached> reach_id(const std::vector<FilePartial>& partials,
                                const std::vector<KeyIndex>& keys, std::string_view id,
                                std::size_t max_legs,
                                const std::function<bool(std::size_t, std::uint32_t)>& found);

// Partials holding what `reached` took of `partials`, with every summary.
std::vector<FilePartial> reached_partials(const std::vector<FilePartial>& partials,
                                          const Reached& reached);

// Partials holding the legs and orphan events `id` reaches through links,
// starting from every leg find_interactions() would match (by the link keys,
// without case, so a few more may come along: they form interactions of
// their own; and by walking the legs for a DN, ANI, DNIS or user data
// key=value), with every summary. nullopt when they would hold more than
// `max_legs` legs.
std::optional<std::vector<FilePartial>> reachable_partials(const std::vector<FilePartial>& partials,
                                                           const std::vector<KeyIndex>& keys,
                                                           std::string_view id,
                                                           std::size_t max_legs);

// Both, then the build of the reachable legs with the facts (the facts build
// and the search run on two threads). nullopt when the identifier reaches
// more than `max_share` of the legs or matches nothing. `keys` may be empty
// (then it is built here).
std::optional<Correlation> build_for_id(const std::vector<FilePartial>& partials,
                                        const std::vector<parse::FileInfo>& files,
                                        const std::vector<KeyIndex>& keys,
                                        const BuildOptions& options, std::string_view id,
                                        double max_share = 0.25);

// Pieces of build_for_id() that other ways of finding the reached legs share.
// `max_share` of the legs, as a count.
std::size_t reach_limit(const std::vector<FilePartial>& partials, double max_share);
// Runs the facts build of facts_partials() on a thread of its own, into
// `facts` (`files` and `facts` must outlive the thread).
std::thread start_facts_build(std::vector<FilePartial> facts_partials,
                              const std::vector<parse::FileInfo>& files,
                              const BuildOptions& options, SiteFacts& facts);
// The build of reached partials with the facts.
Correlation build_with_facts(std::vector<FilePartial> partials,
                             const std::vector<parse::FileInfo>& files, const BuildOptions& options,
                             const SiteFacts& facts);

}  // namespace calltrail::correlate
