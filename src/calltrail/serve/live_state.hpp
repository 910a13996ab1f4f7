// The live correlation behind `calltrail serve` and `calltrail follow`.
//
// Events arrive in batches per source (a followed file, or what a site
// collector POSTs). Each source keeps a correlate::FileCollector, exactly as
// a file read by `trace` does, and a position (the next byte of raw log text,
// or the next event number of pushed JSON events) so that a batch sent again
// is recognised and skipped. Every identifier an event carries that can link
// legs (CallUUIDs, ConnIDs, IS-Link ids, transfer references) joins a
// union-find of components; recompute() rebuilds with
// correlate::build_correlation() only the components that new events touched,
// compares their interactions with the previous ones and returns the updates:
// created, leg_added, linked, completed, merged (with the surviving id),
// updated (new events, nothing else changed) and recordings_grouped (the
// interaction's recordings changed: gained, taken over from another, lost).
//
// Recordings (POST /api/recordings, live_recordings.cpp) are held by id and
// by CallUUID; each rebuild places those of the CallUUIDs it built with
// recordings::place_recordings(), as `calltrail recordings` does.
//
// After each batch what the source's collector gathered is cut and appended
// to the source's partial (the same merge that joins a stored file's parts),
// and the cut goes to the LiveStore with the source's new position before
// the batch is acknowledged (group commit for a durable store). StoreLiveStore keeps pushed sources
// in a calltrail store and restores them at start; MemoryLiveStore keeps positions in memory only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/recordings/manifest.hpp"
#include "calltrail/store/records.hpp"

namespace calltrail::serve {

using model::Micros;
using SteadyTime = std::chrono::steady_clock::time_point;

enum class SourceKind : std::uint8_t {
  Text,    // raw log text; positions are byte offsets
  Events,  // events-json objects; positions count events
};
const char* to_string(SourceKind k);

// A source's state at a commit (after one or more accepted batches): what a
// store persists together, in one transaction.
struct SourceCheckpoint {
  std::string_view source;
  SourceKind kind = SourceKind::Text;
  std::string_view follow_path;  // a followed file (else pushed)
  std::uint64_t next = 0;        // the next byte or event number expected
  bool ended = false;            // a text source that takes no more text
  const parse::FileInfo* info = nullptr;
  // The events cut since the previous commit, from byte or event
  // `part_start` to `part_end`; nullptr when none were cut (raw text that
  // ended inside a record: its events wait for a later batch).
  const correlate::FilePartial* part = nullptr;
  std::uint64_t part_start = 0;
  std::uint64_t part_end = 0;
  // Where a restarted server resumes the source: at `resume_offset`, with
  // the parser's and the collector's state there, then the `pending` text
  // (received after it; raw text sources only).
  std::uint64_t resume_offset = 0;
  const store::ResumeState* resume = nullptr;
  std::string_view pending;
};

// A pushed source as a store holds it, for a restarted server.
struct RestoredSource {
  std::string name;
  SourceKind kind = SourceKind::Text;
  std::uint64_t next = 0;
  bool ended = false;
  parse::FileInfo info;
  correlate::FilePartial partial;  // every event stored, the parts merged
  std::uint64_t resume_offset = 0;
  store::ResumeState resume;
  std::string pending;
};

// The persistence seam: serve::StoreLiveStore (store_live_store.hpp) keeps
// pushed sources in a calltrail store.
class LiveStore {
 public:
  virtual ~LiveStore() = default;
  // The checkpoints of one or more sources, in one transaction; throws when
  // they could not be made durable. Batches are acknowledged only after the
  // commit that holds them (for a durable store, several accepted batches
  // are committed together: whatever arrived while the last commit ran).
  virtual void commit(std::span<const SourceCheckpoint> checkpoints) = 0;
  // The position to resume a source from after a restart, when known.
  virtual std::optional<std::uint64_t> position(std::string_view source) const = 0;
  // Whether pushed sources survive a restart (then raw text is cut into
  // parts only at record boundaries, where a parser can resume).
  virtual bool durable() const { return false; }
  // The pushed sources to resume at start.
  virtual std::vector<RestoredSource> restore() { return {}; }
  // The interactions carrying `id` as the store answers them (trace --db),
  // for those no longer held in memory; nullopt when there is no store.
  virtual std::optional<correlate::Correlation> load(std::string_view /*id*/,
                                                     const correlate::BuildOptions& /*options*/) {
    return std::nullopt;
  }
  // Recordings given to the server (POST /api/recordings), kept before they
  // are acknowledged (one with a kept id replaces it); throws when they could
  // not be. And those kept, for a restarted server, in the order they came.
  virtual void put_recordings(std::span<const recordings::Recording> /*recordings*/) {}
  virtual std::vector<recordings::Recording> restore_recordings() { return {}; }
};
// Positions in memory only: nothing survives a restart.
class MemoryLiveStore final : public LiveStore {
 public:
  void commit(std::span<const SourceCheckpoint> checkpoints) override;
  std::optional<std::uint64_t> position(std::string_view source) const override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> positions_;
};

// Clocks: the site clock offsets were estimated again from the links received
// so far and moved (interactions whose times moved follow as Updated).
enum class UpdateKind : std::uint8_t {
  Created,
  LegAdded,
  Linked,
  Completed,
  Merged,
  Updated,
  Clocks,
  RecordingsGrouped
};
const char* to_string(UpdateKind k);

struct InteractionSummary {
  std::string id;
  bool complete = false;
  bool open = false;  // some leg has not seen EventCallDeleted
  std::uint32_t legs = 0;
  std::uint32_t links_paired = 0;
  std::uint64_t events = 0;
  Micros start = 0;
  Micros end = 0;
  std::vector<std::string> sites;
  std::vector<std::string> leg_keys;  // lower-case CallUUIDs of its legs
  SteadyTime changed;                 // when a rebuild last changed it
  // The logs' clock (LiveCorrelation::log_clock) at that rebuild.
  std::optional<Micros> changed_in_logs;
  // The ids of the recordings placed on its legs, by position then id.
  std::vector<std::string> recordings;
};

struct Update {
  std::uint64_t seq = 0;  // increasing; the SSE event id
  UpdateKind kind = UpdateKind::Updated;
  InteractionSummary interaction;
  // Merged (and RecordingsGrouped after a merge): the ids that are now
  // interaction.id.
  std::vector<std::string> merged;
  // RecordingsGrouped: the recordings placed in it since.
  std::vector<std::string> recordings_added;
  SteadyTime received;                              // when the earliest batch behind it arrived
  std::vector<correlate::SiteFacts::Clock> clocks;  // Clocks: every site's, as estimated now
};
// {"seq":…,"kind":"merged","interaction_id":…,"merged":[…],"complete":…,…}
std::string update_json(const Update& u);
void append_summary_json(std::string& out, const InteractionSummary& s);

// The result of offering a batch.
struct Accepted {
  // Unavailable: the store could not be written; nothing more is taken.
  // TooManySources: a new pushed source past LiveOptions::max_sources;
  // SourceFull: the batch would take a pushed source past
  // max_source_bytes. Nothing is taken from a batch that is not Ok.
  enum Status : std::uint8_t { Ok, Gap, Invalid, Unavailable, TooManySources, SourceFull };
  Status status = Ok;
  std::uint64_t accepted = 0;    // new bytes or events taken
  std::uint64_t duplicates = 0;  // bytes or events already seen, skipped
  std::uint64_t events = 0;      // events the batch added
  std::uint64_t next = 0;        // the position expected next
  std::string error;             // Gap / Invalid: what is wrong
};

struct LiveOptions {
  correlate::BuildOptions build;
  std::size_t retain_raw_bytes = 64u << 20;  // raw text kept for pushed sources (all together)
  // Complete interactions whose legs have all ended and that did not change
  // for this long are dropped from memory by evict(): with a durable store
  // they are answered from it afterwards, without one they are gone (memory
  // stays bounded by what is going on); zero: never. Counted in the logs'
  // time (the newest event time taken), so that logs read faster than they
  // were written (a backlog, a collector catching up) leave memory as they
  // are read, and in wall-clock time, which bounds it when the logs' clock
  // stops or was pushed ahead by a wrong time: whichever passes first.
  std::chrono::seconds retention{3600};
  // Pushed sources (followed files are not counted) and the bytes one pushed
  // source may send in all (log text, or events JSON lines); zero: no limit.
  std::size_t max_sources = 0;
  std::uint64_t max_source_bytes = 0;
  // Site clocks are estimated over every IS-Link received (as trace does
  // over all its files) before a query, and at most this often when
  // interactions are rebuilt after batches.
  std::chrono::milliseconds clock_refresh{1000};
  // Recordings held (POST /api/recordings); those past it are refused, each
  // with its line. Zero: no limit.
  std::size_t max_recordings = 100'000;
};

struct SourceStatus {
  std::string name;
  SourceKind kind = SourceKind::Text;
  std::string path;  // followed file, else empty
  std::uint64_t next = 0;
  std::uint64_t events = 0;
  std::uint64_t gaps = 0;     // sequence-number gaps
  std::uint64_t missing = 0;  // events missing in those gaps
  std::optional<Micros> last_event_utc;
  std::optional<std::int64_t> seconds_since_batch;
  std::uint64_t malformed = 0;
};

struct LiveMetrics {
  std::uint64_t events = 0;
  std::uint64_t batches = 0;
  std::uint64_t duplicate_batches = 0;
  double events_per_second = 0;  // over the last 10 s
  std::uint64_t interactions = 0;
  std::uint64_t incomplete_interactions = 0;
  std::uint64_t open_interactions = 0;
  std::uint64_t updates = 0;
  std::uint64_t recomputes = 0;
  std::uint64_t largest_component = 0;  // identifiers in the largest connected group
  std::uint64_t rebuilt_legs = 0;       // legs rebuilt by recompute() so far
  std::uint64_t clock_estimates = 0;    // site clocks estimated over everything so far
  // What memory holds: legs and their events, identifiers; and what was
  // evicted from it (answered from the store).
  std::uint64_t legs_held = 0;
  std::uint64_t events_held = 0;
  std::uint64_t identifiers_held = 0;
  std::uint64_t evicted_interactions = 0;
  std::uint64_t evicted_legs = 0;
  // Recordings held, and records of POST /api/recordings left out: past
  // LiveOptions::max_recordings, or not readable (bad lines).
  std::uint64_t recordings = 0;
  std::uint64_t recordings_refused = 0;
  std::uint64_t recordings_invalid = 0;
  std::vector<SourceStatus> sources;
};

struct SearchHit {
  InteractionSummary interaction;
  std::string matched;  // "CallUUID", "ConnID", "DN", ... ("" for a time/site listing)
};

struct SearchQuery {
  std::string id;  // any identifier, or empty for all
  std::optional<Micros> from;
  std::optional<Micros> to;
  std::string site;  // a site name, or part of one
  std::size_t limit = 100;
};

// What POST /api/recordings took.
struct RecordingsTaken {
  // False: the store could not keep them, and nothing was taken.
  bool stored = true;
  std::string error;
  std::uint64_t accepted = 0;  // records taken
  std::uint64_t replaced = 0;  // of those, replacing a recording with their id
  std::uint64_t held = 0;      // recordings held now
  // Records left out, by line: unreadable, an id given twice, past the limit.
  std::vector<recordings::ManifestProblem> problems;
};

// One interaction rebuilt on demand, for JSON, SVG and the page.
struct Built {
  correlate::Correlation correlation;
  std::uint32_t interaction = 0;
  std::vector<std::string> file_sources;  // file index -> source name
};

class LiveCorrelation {
 public:
  explicit LiveCorrelation(LiveOptions options = {}, LiveStore* store = nullptr);
  ~LiveCorrelation();
  LiveCorrelation(const LiveCorrelation&) = delete;
  LiveCorrelation& operator=(const LiveCorrelation&) = delete;

  // Raw log text of `source` starting at byte `offset`. Bytes before the
  // source's position are duplicates and skipped; a batch starting after it
  // is a Gap (nothing taken). `follow_path` marks a followed file (raw lines
  // are then read back from it rather than kept in memory).
  Accepted add_text(std::string_view source, std::uint64_t offset, std::string_view bytes,
                    std::string_view follow_path = {});
  // The text source ended (its file was rotated away or truncated): its
  // last message is complete without waiting for the next one. Returns the
  // events that released.
  std::uint64_t end_text(std::string_view source);
  // Events of `source` numbered first, first+1, ...: the same rule as for
  // offsets. `raw_lines` (optional, one per event) is kept as the raw text.
  Accepted add_events(std::string_view source, std::uint64_t first, std::span<model::Event> events,
                      std::span<const std::string_view> raw_lines = {});

  // Rebuilds the components touched since the last call; the updates.
  // Site facts are estimated again at most every LiveOptions::clock_refresh:
  // what is built on facts behind the observations is rebuilt once they are
  // current. `settle` estimates them now and rebuilds all that waits for
  // them (the end of `follow --once`, UpdatePump::flush()).
  std::vector<Update> recompute(bool settle = false);
  bool dirty() const;

  // Newest first, at most q.limit; `total` (when given) is set to the number
  // of interactions that matched before the limit cut the list.
  std::vector<SearchHit> search(const SearchQuery& q, std::size_t* total = nullptr);
  std::optional<Built> build_interaction(std::string_view id);
  // Up to `lines` raw lines of `source` from byte `offset`; nullopt with
  // `error` set when they cannot be read.
  std::optional<std::string> raw_lines(std::string_view source, std::uint64_t offset,
                                       std::size_t lines, std::string& error);
  LiveMetrics metrics();
  std::optional<std::uint64_t> position(std::string_view source);
  // Whether `source` is a followed file (its text comes from disk only).
  bool is_followed(std::string_view source) const;

  // Takes the records of a manifest (POST /api/recordings; `manifest.problems`
  // are reported with the rest): kept by the store first, then placed by
  // the next recompute(). A recording id taken before is replaced.
  RecordingsTaken add_recordings(const recordings::Manifest& manifest);
  // One recording placed on the live correlation, as `calltrail recordings
  // --format jsonl` prints it; nullopt for an id not held.
  std::optional<std::string> recording_json(std::string_view recording_id);
  // The interaction carrying `id` and its recordings (a JSON object);
  // nullopt when no interaction carries it.
  std::optional<std::string> interaction_recordings_json(std::string_view id);

  // Resumes the sources a store kept (before anything else arrives): each
  // continues at its stored position with its stored events, and their
  // interactions are rebuilt (without updates). Returns the sources
  // restored.
  std::size_t restore();
  // Drops from memory the interactions that `retention` allows (only with a
  // durable store); returns how many. Cheap when called often: it looks at
  // most once a second unless `now` is given.
  std::size_t evict(std::optional<SteadyTime> now = std::nullopt);
  // The logs' clock: the newest event time (UTC) taken from any source;
  // none before an event with a known time.
  std::optional<Micros> log_clock() const;
  // Set when the store failed: the live state is then ahead of the store and
  // takes nothing more (a restart resumes from what was committed).
  std::optional<std::string> store_error() const;

 private:
  struct Source;
  struct Component;

  Source& source_for(std::string_view name, SourceKind kind, std::string_view follow_path);
  // Why a batch pushed to `name` is refused before anything else is looked
  // at (a followed file, one source too many); Ok when it is not.
  Accepted refuse_push(std::string_view name) const;
  // Checks a batch of `size` bytes or events at position `at` against the
  // source's position: Invalid, Gap, or Ok with the duplicates to skip.
  Accepted admit(const Source& s, SourceKind kind, std::uint64_t at, std::uint64_t size);
  void on_event(Source& s, const model::Event& e);
  std::optional<Micros> log_clock_locked() const;
  void after_batch(Source& s, std::uint64_t events_before, Accepted* a = nullptr);
  // Moves what the collector holds into the source's partial (at a record
  // boundary for a durable text source) and commits it; false when the store
  // failed.
  bool cut(Source& s);
  void append_part(Source& s, const correlate::FilePartial& part);
  void index_part(Source& s, std::span<const std::uint32_t> legs, std::size_t islinks_from,
                  std::size_t transfers_from, std::span<const std::string> conns);
  void index_restored(Source& s);
  void index_new_legs(Source& s);
  void evict_component(std::uint32_t root);
  Accepted add_text_locked(std::string_view source, std::uint64_t offset, std::string_view bytes,
                           std::string_view follow_path);
  std::uint64_t end_text_locked(std::string_view source);
  Accepted add_events_locked(std::string_view source, std::uint64_t first,
                             std::span<model::Event> events,
                             std::span<const std::string_view> raw_lines);
  std::uint64_t ticket_of(std::string_view source) const;
  // Commits what durable sources accumulated, at least through `ticket`
  // (one committer at a time; those waiting meanwhile are committed together
  // by the next). False when the store failed.
  bool sync_store(std::uint64_t ticket);
  // Runs `take` under the lock, then waits for the commit that holds what
  // it took (an Accepted becomes Unavailable when the store failed).
  template <typename Take>
  auto taken(std::string_view source, Take&& take);
  std::optional<Built> built_from_store(std::string_view id);
  std::uint32_t node(correlate::LinkKey key);
  std::uint32_t find(std::uint32_t n);
  void unite(std::uint32_t a, std::uint32_t b);
  void mark_dirty(std::uint32_t n);
  Built build_roots(const std::vector<std::uint32_t>& roots);
  // The build options with the site names decided so far.
  correlate::BuildOptions site_options() const;
  // Estimates the site facts again when IS-Links arrived since (`force`, or
  // LiveOptions::clock_refresh after the last time); whether it did.
  bool refresh_facts(bool force);
  // IS-Link observations (and sources) the site facts rest on, and whether
  // some arrived since they were estimated.
  std::size_t facts_observations() const;
  bool facts_behind() const;
  // Sources arrived since they were estimated (their sites unknown to them).
  bool facts_lack_sources() const;
  // After refresh_facts(): a Clocks update, and every announced interaction
  // marked for a rebuild, when the clocks moved since they were last told.
  void tell_clocks(std::vector<Update>& out);
  // Marks the next slice (`all`: every one) of the components built on
  // facts that changed since (clocks that moved, facts then lacking
  // sources) for a rebuild; none while they still lack sources.
  void take_stale(bool all = false);
  std::vector<std::uint32_t> roots_for_query(std::string_view id);
  InteractionSummary summarize(const correlate::Correlation& c,
                               const correlate::Interaction& it) const;
  void pin_site_names(const correlate::Correlation& c);
  // Recordings (live_recordings.cpp): one held, or replacing the one with
  // its id (its component is rebuilt); those of the CallUUIDs of `c`; and
  // their ids placed per interaction of `c`.
  void put_recording(recordings::Recording r);
  std::vector<recordings::Recording> recordings_on(const correlate::Correlation& c) const;
  std::vector<std::vector<std::string>> group_recordings(const correlate::Correlation& c) const;
  // A RecordingsGrouped update, when `s` gained recordings beside those of
  // `before` (the interactions it was; `added` says which), took over
  // another's, or lost some.
  static bool recordings_grouped(const InteractionSummary& s,
                                 const std::vector<const InteractionSummary*>& before,
                                 const std::vector<std::string>& merged,
                                 std::vector<std::string>& added);

  LiveOptions options_;
  LiveStore* store_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::unordered_map<std::string, std::uint32_t> source_index_;
  std::map<std::string, std::string> pinned_sites_;  // file path -> site name
  std::map<std::string, std::string> app_sites_;     // application -> site name

  // Union-find over the link keys of legs (correlate/link_keys.hpp); a key
  // of an evicted node is reset.
  std::unordered_map<correlate::LinkKey, std::uint32_t> nodes_;
  std::vector<std::optional<correlate::LinkKey>> node_keys_;
  std::vector<std::uint32_t> parent_;
  std::vector<std::vector<std::uint32_t>> members_;  // root -> its nodes
  // CallUUID node -> legs (file, index in that source's partial).
  std::unordered_map<std::uint32_t, std::vector<std::pair<std::uint32_t, std::uint32_t>>>
      legs_of_node_;
  // ConnID node -> the ConnID and the files holding orphan events with it.
  struct OrphanNode {
    std::string conn;
    std::vector<std::uint32_t> files;
  };
  std::unordered_map<std::uint32_t, OrphanNode> orphans_of_node_;
  // DN, ANI, DNIS and user data -> nodes of the calls that carry them.
  std::unordered_map<std::string, std::vector<std::uint32_t>> search_index_;
  // Root -> the interaction ids it held at its last rebuild.
  std::unordered_map<std::uint32_t, std::vector<std::string>> component_ids_;
  std::unordered_map<std::string, InteractionSummary> summaries_;

  // Site names and clocks over every source (live_clocks.cpp).
  std::optional<correlate::SiteFacts> facts_;
  std::size_t facts_observed_ = 0;  // IS-Link observations and sources they rest on
  SteadyTime facts_at_{};
  std::vector<correlate::SiteFacts::Clock> told_clocks_;
  std::unordered_set<std::uint32_t> clock_stale_;  // roots built on clocks that moved since

  std::unordered_map<std::uint32_t, SteadyTime> dirty_;  // root -> earliest arrival
  std::uint64_t update_seq_ = 0;
  std::size_t retained_raw_ = 0;
  std::size_t pushed_sources_ = 0;
  LiveMetrics counters_;
  std::vector<std::pair<SteadyTime, std::uint64_t>> rate_window_;  // (second, events)
  std::optional<std::string> store_error_;
  SteadyTime last_evict_{};
  std::mutex commit_mutex_;                        // the committing thread
  std::uint64_t accepted_seq_ = 0;                 // durable batches accepted (tickets)
  std::uint64_t committed_seq_ = 0;                // ... and committed
  std::vector<std::uint32_t> store_dirty_;         // sources with something to commit
  std::unordered_set<std::string> evicted_uuids_;  // lower-case CallUUIDs of evicted legs

  // Recordings by arrival, their slots by id and by lower-case CallUUID;
  // POSTs of recordings one at a time (the store keeps them in between).
  std::vector<recordings::Recording> recordings_;
  std::unordered_map<std::string, std::size_t> recording_slots_;
  std::unordered_map<std::string, std::vector<std::size_t>> recordings_by_uuid_;
  std::mutex recordings_post_mutex_;
};

}  // namespace calltrail::serve
