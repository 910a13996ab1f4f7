// The correlation of all sites' events: sites, legs, the links between legs
// and the interactions they form. build_correlation() merges the per-file
// partial results of FileCollector; it never prints and never throws on input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/leg.hpp"
#include "calltrail/correlate/string_pool.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::base {
class StepTimes;
}

namespace calltrail::correlate {

enum class LinkKind : std::uint8_t { IsLink, Transfer, Hint, Sip, Iscc };
// Probable: ISCC call history of which two of the three parts match one leg
// (docs/correlation.md); it joins interactions as Certain does.
enum class Confidence : std::uint8_t { Certain, Hint, Probable };
// Why a link has no partner leg.
enum class LinkReason : std::uint8_t { None, Unmonitored, PartnerMissing };

const char* to_string(LinkKind k);
const char* to_string(Confidence c);
const char* to_string(LinkReason r);  // "" for None

struct Evidence {
  std::uint32_t file = 0;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
  bool operator==(const Evidence&) const = default;
};

inline constexpr std::uint32_t kNoLeg = 0xffffffffu;

struct Link {
  LinkKind kind = LinkKind::IsLink;
  // The IS-Link id, the referenced CallUUID/ConnID of a transfer, or the
  // shared ConnID of a hint.
  std::string id;
  std::string via;              // the attribute that carries it
  std::uint32_t from = kNoLeg;  // source leg (main call for transfers)
  std::uint32_t to = kNoLeg;    // target leg
  std::string remote_site;      // islink: location-name seen at the present end
  // The SIP Call-ID the two legs share (sip links; IS-Links that a SIP
  // dialog confirms).
  std::string sip_call_id;
  // iscc links from the first site of a chain: the location (switch) of the
  // site in between, whose logs are not given.
  std::string skipped_location;
  Confidence confidence = Confidence::Certain;
  LinkReason reason = LinkReason::None;
  std::vector<Evidence> evidence;
  // The events that reported each end (for timeline causality and arrows).
  std::optional<EventRef> from_event;
  std::optional<EventRef> to_event;

  bool paired() const { return from != kNoLeg && to != kNoLeg; }
};

struct Gap {
  std::uint32_t site = 0;
  std::uint64_t first_missing = 0;
  std::uint64_t last_missing = 0;
  std::optional<Micros> after_utc;
  std::optional<Micros> before_utc;
  std::uint32_t file = 0;
  std::uint64_t line = 0;  // the event after the gap
  std::uint64_t missing() const { return last_missing - first_missing + 1; }
};

// How a site's name was found (see docs/correlation.md).
enum class SiteNameSource : std::uint8_t {
  Override,     // --site FILE=app@switch
  IsLinkPeer,   // a remote site names it in location-name for a shared IS-Link
  Location,     // its application name matches a location-name seen anywhere
  FileName,     // its file name matches a location-name
  Application,  // application name only; switch unknown ("app@?")
  FileStem,     // nothing but the file name ("stem@?")
};
const char* to_string(SiteNameSource s);

struct SiteInfo {
  std::string name;  // app@switch
  std::string app;
  std::string switch_name;  // empty when unknown
  SiteNameSource name_source = SiteNameSource::FileStem;
  std::vector<std::uint32_t> files;        // in site order (segments by time)
  std::optional<std::int32_t> utc_offset;  // local - UTC, seconds
  bool utc_offset_from_header = false;
  // How far the site's clock runs ahead of the reference site's (µs); null
  // when no paired link connects it to the reference.
  std::optional<Micros> clock_offset;
  std::uint32_t clock_reference = 0;  // site index of the reference
  std::uint32_t clock_links = 0;      // paired links the estimate rests on
  std::optional<Micros> first_utc;
  std::optional<Micros> last_utc;
  std::uint64_t events = 0;
  std::uint64_t call_events = 0;
  std::uint64_t unattached_events = 0;  // ConnID-only events no leg could take
  std::uint64_t legs = 0;
  std::uint64_t sequence_out_of_order = 0;
  std::vector<std::uint32_t> gaps;  // indices into Correlation::gaps
};

struct FileRecord {
  parse::FileInfo info;
  // None for a file that is not a log (parse::is_log): it names no site.
  std::optional<std::uint32_t> site;
};

struct Interaction {
  std::string id;  // CallUUID of the root leg
  std::uint32_t root = 0;
  std::vector<std::uint32_t> legs;   // root first, then by corrected start
  std::vector<std::uint32_t> links;  // islinks, transfers, hints touching its legs
  bool complete = true;
  Micros start = 0;  // corrected UTC
  Micros end = 0;
  bool timed = false;  // some leg has a UTC time; else start and end are unknown
};

struct SiteOverride {
  std::string file;  // a path, a base name, or a folder (prefix ending in '/')
  std::string site;  // app@switch
};

// Site facts decided once over all the logs (a store), so that a correlation
// built from a subset of the legs names the sites and sets their clocks as the
// whole would (docs/storage.md).
struct SiteFacts {
  struct FileSite {
    std::string site;  // app@switch; empty: infer as usual
    SiteNameSource source = SiteNameSource::FileStem;
  };
  struct Clock {
    std::string site;
    std::optional<Micros> offset;
    std::string reference;
    std::uint32_t links = 0;
  };
  std::vector<FileSite> files;  // by file index
  std::vector<Clock> clocks;    // sites not listed have no clock offset
};

struct BuildOptions {
  std::vector<SiteOverride> sites;
  bool merge_hints = false;
  // Legs sharing a ConnID across sites are a hint only when their lives are
  // this close.
  Micros hint_window = Micros{3600} * 1'000'000;
  // When set: site names and clock offsets come from here, not from the legs.
  const SiteFacts* facts = nullptr;
  // Stop once sites are named and clocks estimated: no transfers, hints or
  // interactions, and one leg stands for all the legs of its site (what
  // facts_of() needs).
  bool facts_only = false;
  // For a caller that shows summaries of interactions, never their timeline
  // (`interactions`, `sites`, `score`): once times are resolved, a leg keeps
  // of its T-Library events only those a summary or a later step of the
  // build reads (Builder::keep_summary_events); the others are counted in
  // Leg::summarised_events.
  bool summary = false;
  // Threads for the build's steps that do the same to every leg (resolving
  // times, thinning a summary's events, looking for call-history origins,
  // forming interactions) and for the steps it overlaps (the next file's
  // strings while a file's legs are merged, the SIP index while transfers
  // are linked); 1 keeps them all on the calling thread. The result is the
  // same whatever the number.
  unsigned threads = 1;
  // Fewer legs (or arrivals, or groups) than this a thread are done on fewer
  // threads.
  std::size_t legs_per_thread = 4096;
  // When set, each step of the build is timed there (`--stats`).
  base::StepTimes* times = nullptr;
};

struct Correlation {
  std::vector<FileRecord> files;
  std::vector<SiteInfo> sites;
  std::vector<Leg> legs;
  std::vector<Link> links;
  std::vector<Gap> gaps;
  std::vector<Interaction> interactions;  // by start time
  StringPool strings;
  std::uint64_t unresolved_transfers = 0;  // ConnID references found on no leg of the site

  std::string_view str(std::uint32_t id) const { return strings.at(id); }
  // UTC corrected for the site's clock offset.
  Micros corrected(std::uint32_t site, Micros utc) const {
    const auto& c = sites[site].clock_offset;
    return c ? utc - *c : utc;
  }
  // Local wall-clock time of an event as the site prints it.
  std::optional<Micros> local_time(std::uint32_t site, const EventRef& e) const;
  std::optional<std::uint32_t> interaction_of_leg(std::uint32_t leg) const {
    if (leg >= leg_interaction.size()) return std::nullopt;
    return leg_interaction[leg];
  }
  std::vector<std::uint32_t> leg_interaction;  // leg -> interaction index
  // Of each site, its gaps (indices into `gaps`) by the time after the gap.
  std::vector<std::vector<std::uint32_t>> site_gaps_by_end;
  // The sequence gaps on an interaction's sites during its legs' lives, in
  // index order. Found when asked, not kept with each interaction: where a
  // site lost events often, every call under way shares its gaps (over a
  // gigabyte of such logs the lists held 3.8 M indices, 15 MB at the build's
  // peak).
  std::vector<std::uint32_t> gaps_of(const Interaction& it) const;
};

// Merges the partial results (indexed by file; partials[i].file == i) and the
// file table into sites, legs, links and interactions.
Correlation build_correlation(std::vector<FilePartial> partials, std::vector<parse::FileInfo> files,
                              const BuildOptions& options);

// The site facts a correlation decided (file -> site name, site clocks), to
// build another correlation from a subset of the same logs with them.
SiteFacts facts_of(const Correlation& c);

// "app@switch" split; switch empty when there is no '@'.
std::pair<std::string, std::string> split_site_name(std::string_view name);

}  // namespace calltrail::correlate
