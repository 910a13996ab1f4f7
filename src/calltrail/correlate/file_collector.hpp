// Streams the events of one file into a FilePartial: its legs, the IS-Link
// and transfer observations, the sequence numbers and what the file says about
// its site. Files are collected independently (on any thread) and merged by
// build_correlation().
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/leg.hpp"
#include "calltrail/correlate/spare_events.hpp"
#include "calltrail/correlate/string_pool.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::correlate {

enum class IsLinkRole : std::uint8_t { Unknown, Source, Target };

struct IsLinkObservation {
  std::uint32_t leg = 0;  // index into FilePartial::legs (later: global leg index)
  base::ShortText id;
  IsLinkRole role = IsLinkRole::Unknown;
  base::ShortText location;  // location-name: the remote site, app@switch
  EventRef event;            // the event that reported it
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
  base::ShortText value;  // the referenced CallUUID or normalised ConnID
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

// Where a leg's events are in its file (byte offsets of the first and the
// last) and, in a scan, whether it carries the probed identifier.
struct LegSpan {
  std::uint64_t first = UINT64_MAX;
  std::uint64_t last = 0;
  bool probe_hit = false;  // CollectMode::Scan with an IdProbe
};

// In a scan, a stretch of the file that holds events of one leg: the events
// of a leg are in one stretch while each is at most kGap bytes after
// the one before, so a call's setup and its end, minutes of other calls
// apart, are two. The legs an answer needs are read again only in their
// stretches (rescan.hpp).
struct LegStretch {
  static constexpr std::uint64_t kGap = std::uint64_t{4} << 20;
  // At most 4 GiB from its first event to its last (a longer one is cut).
  static constexpr std::uint64_t kMaxLength = UINT32_MAX;
  std::uint64_t first = 0;
  std::uint32_t length = 0;  // its last event's offset - first
  std::uint32_t leg = 0;
  std::uint64_t last() const { return first + length; }
};
static_assert(sizeof(LegStretch) == 16);

// What a scan (CollectMode::Scan) keeps of each leg instead of a Leg: its
// CallUUID and its ConnIDs and First/LastTransferConnIDs as numbers, about a
// quarter of a Leg's memory (a scan of a gigabyte holds a few hundred
// thousand legs). The ConnID lists are in order of appearance without
// repeats, as in a Leg.
class ScanLegs {
 public:
  std::size_t size() const { return uuid_end_.size(); }
  std::string_view call_uuid(std::uint32_t leg) const {
    const std::uint32_t from = leg == 0 ? 0 : uuid_end_[leg - 1];
    return std::string_view(uuids_).substr(from, uuid_end_[leg] - from);
  }
  // Calls fn(number) for each ConnID of `leg` (after seal()).
  template <typename Fn>
  void for_each_conn(std::uint32_t leg, Fn&& fn) const {
    for_each_of(conns_, leg, fn);
  }
  template <typename Fn>
  void for_each_transfer_conn(std::uint32_t leg, Fn&& fn) const {
    for_each_of(transfers_, leg, fn);
  }
  template <typename Fn>
  void for_each_sip_key(std::uint32_t leg, Fn&& fn) const {
    for_each_of(sip_keys_, leg, fn);
  }

  // (leg, ConnID) pairs by leg, after seal(): for a walk over every leg.
  using Pairs = std::vector<std::pair<std::uint32_t, std::uint64_t>>;
  const Pairs& conns() const { return conns_; }
  const Pairs& transfer_conns() const { return transfers_; }
  // (leg, LinkKey) of each leg's SIP keys (link_keys.hpp: its dialogs'
  // Call-IDs, and the X-Genesys-CallUUID of a received INVITE).
  const Pairs& sip_keys() const { return sip_keys_; }

  // Collecting: legs are added in order; ConnIDs in any order of legs.
  std::uint32_t add(std::string_view call_uuid);
  void add_conn(std::uint32_t leg, std::uint64_t conn) { conns_.push_back({leg, conn}); }
  void add_transfer_conn(std::uint32_t leg, std::uint64_t conn) {
    transfers_.push_back({leg, conn});
  }
  void add_sip_key(std::uint32_t leg, std::uint64_t hash) { sip_keys_.push_back({leg, hash}); }
  // Groups the ConnIDs by leg, keeps the first of repeats and at most
  // `max_transfers` transfer ConnIDs a leg (as Leg::transfer_conn_ids).
  void seal(std::size_t max_transfers);

 private:
  template <typename Fn>
  static void for_each_of(const Pairs& v, std::uint32_t leg, Fn&& fn) {
    auto it = std::lower_bound(v.begin(), v.end(), leg,
                               [](const auto& p, std::uint32_t l) { return p.first < l; });
    for (; it != v.end() && it->first == leg; ++it)
      fn(it->second);
  }
  static void seal(Pairs& v, std::size_t limit);

  std::string uuids_;
  std::vector<std::uint32_t> uuid_end_;
  Pairs conns_;
  Pairs transfers_;
  Pairs sip_keys_;
};

struct FilePartial {
  std::uint32_t file = 0;
  StringPool strings;
  std::vector<Leg> legs;
  ScanLegs scan_legs;          // instead of `legs` in CollectMode::Scan (legs is then empty)
  std::vector<LegSpan> spans;  // by leg
  // CollectMode::Scan: where each leg's events are, in stretches (in the
  // order they began; a leg's are apart by more than LegStretch::kGap).
  std::vector<LegStretch> stretches;
  std::vector<IsLinkObservation> islinks;
  std::vector<TransferObservation> transfers;
  std::map<std::string, OrphanEvents> orphans;  // by normalised ConnID
  SequenceTrack sequence;
  std::map<std::string, std::uint64_t> apps;           // Event::app values and counts
  std::map<std::int32_t, std::uint64_t> offset_votes;  // local - UTC, seconds, from the lines
  std::optional<Micros> first_utc;                     // earliest stamped event
  std::uint64_t events = 0;
  std::uint64_t call_events = 0;  // events placed on a leg (or kept as orphans)
  // CollectMode::Summary: the legs' events a summary build may not read,
  // until the build decides (spare_events.hpp). Only finish() fills it and
  // only build_correlation() reads it: append_partial(), select_legs() and
  // summary_copy() do not carry it (the store and serve collect in full).
  SpareEvents spare;

  // The number of legs, whether kept as Legs or as ScanLegs.
  std::size_t leg_count() const { return legs.empty() ? scan_legs.size() : legs.size(); }
  std::string_view call_uuid(std::uint32_t leg) const {
    return legs.empty() ? scan_legs.call_uuid(leg) : std::string_view(legs[leg].call_uuid);
  }
};

// `r` with its strings interned in `to` instead of `from`.
EventRef reintern(EventRef r, const StringPool& from, StringPool& to);

// What a collector carries from one byte range of a file to the next, so that
// the ranges collected one after the other (cut(), or a later run resuming the
// file) merge into the FilePartial a single pass gives: the latest CallUUID
// seen with each ConnID, the last sequence number and the UTC-offset vote
// budget used. See docs/storage.md.
struct CollectorCarry {
  std::vector<std::pair<std::uint64_t, std::string>> conn_legs;  // ConnID number, CallUUID
  std::optional<std::uint64_t> sequence_last;
  std::optional<Micros> sequence_last_utc;
  std::uint64_t offset_votes = 0;
};

// What a collector keeps of each leg.
enum class CollectMode : std::uint8_t {
  // Everything: the leg's events with its identifiers.
  Full,
  // The leg's link keys (CallUUID, ConnIDs, First/LastTransferConnIDs, in
  // FilePartial::scan_legs) and span, without its events, DNs, ANI, DNIS and
  // user data; IS-Link and
  // transfer observations, orphans and the file's summary as in Full. Enough
  // to find and link legs and to decide site facts; the legs an answer needs
  // are then collected again in Full mode from their spans (see rescan.hpp).
  Scan,
  // As Full, but of a leg's SIP messages only those a summary of the
  // interaction reads are kept: in each file, the first and the last by place
  // and by time (the leg's life and its first event), and every message of a
  // dialog once a recording was asked for in it (the recording marks); the
  // others are counted in Leg::summarised_events. Every T-Library event is
  // kept (the ISCC call history reads their DNs). For `interactions`, `sites`
  // and `score`: a SIP Server's messages are most of its events and of the
  // memory a Full collection holds. Not for the timeline, nor the store.
  Summary,
};

// The identifier a scan looks for among what it does not keep: a leg one of
// whose events has it as ThisDN, OtherDN, ThirdPartyDN, ANI or DNIS, or as a
// user data `key=value`, gets LegSpan::probe_hit.
struct IdProbe {
  explicit IdProbe(std::string_view identifier);
  bool matches_party(std::string_view party) const { return party == id; }
  std::string id;
  std::string key, value;  // of key=value, else empty
};

// Which events a Full collector keeps: those of the legs with these CallUUIDs
// and those without a CallUUID whose ConnID is one of `conns`.
struct CollectFilter {
  absl::flat_hash_set<std::string> call_uuids;
  absl::flat_hash_set<std::uint64_t> conns;
};

struct Extract;  // the attributes of an event the collector reads

// A CallUUID kept in a hash map's own slot (Genesys prints 32 characters):
// finding a leg compares bytes in place instead of following a pointer to a
// heap string for every event.
class UuidKey {
 public:
  static constexpr std::size_t kCapacity = 32;
  // `s` must be at most kCapacity bytes.
  explicit UuidKey(std::string_view s) : size_(static_cast<std::uint8_t>(s.size())) {
    std::memcpy(bytes_.data(), s.data(), s.size());
  }
  std::string_view view() const { return {bytes_.data(), size_}; }
  friend bool operator==(const UuidKey& a, const UuidKey& b) {
    std::uint64_t differ = a.size_ ^ b.size_;
    for (std::size_t i = 0; i < kWords; ++i)
      differ |= a.word(i) ^ b.word(i);
    return differ == 0;
  }
  template <typename H>
  friend H AbslHashValue(H h, const UuidKey& k) {
    return H::combine(std::move(h), k.word(0), k.word(1), k.word(2), k.word(3));
  }

 private:
  static constexpr std::size_t kWords = kCapacity / 8;
  std::uint64_t word(std::size_t i) const {
    std::uint64_t w;
    std::memcpy(&w, bytes_.data() + 8 * i, 8);
    return w;
  }
  std::array<char, kCapacity> bytes_{};
  std::uint8_t size_ = 0;
};

// How to read logs whose events go to a FileCollector alone: it reads no
// message's emitter, peer, thread or version, so they are not taken from
// the header lines (ReadOptions::header_details), of a SIP message no
// more than a call keeps (SipDetail::Call: no SDP, Content-Type or From tag)
// and of a T-Library message no attribute it does not read (TlibDetail::Call).
inline parse::ReadOptions collector_read(parse::ReadOptions read) {
  read.header_details = false;
  read.sip_detail = std::min(read.sip_detail, parse::SipDetail::Call);
  read.tlib_detail = std::min(read.tlib_detail, parse::TlibDetail::Call);
  return read;
}

class FileCollector {
 public:
  explicit FileCollector(std::uint32_t file_index, CollectMode mode = CollectMode::Full,
                         const IdProbe* probe = nullptr);
  // Not copyable: it points into its own partial.
  FileCollector(const FileCollector&) = delete;
  FileCollector& operator=(const FileCollector&) = delete;
  FileCollector(FileCollector&&) = default;
  FileCollector& operator=(FileCollector&&) = default;
  // Continues a file whose earlier ranges were collected with this carry.
  FileCollector(std::uint32_t file_index, const CollectorCarry& carry);

  // The partial of the events added since the last cut; the collector goes on
  // with an empty partial that carries what the next events need.
  FilePartial cut();
  CollectorCarry carry() const;
  // carry() without its ConnID -> CallUUID list (cheap: that list holds
  // every ConnID seen so far).
  CollectorCarry carry_without_conns() const {
    return {{}, partial_.sequence.last, partial_.sequence.last_utc, offset_votes_};
  }

  void add(const model::Event& event);
  // Keeps only the events `filter` names (it must outlive the collector);
  // the summary still counts every event.
  void keep_only(const CollectFilter* filter) { filter_ = filter; }
  // A scan's stretches end where a leg's next event is more than `bytes`
  // after its last (LegStretch::kGap unless set).
  void stretch_gap(std::uint64_t bytes) { stretch_gap_ = bytes; }
  FilePartial finish();
  // What has been collected so far (the live correlation reads it between
  // batches instead of finishing).
  const FilePartial& partial() const { return partial_; }

 private:
  std::uint32_t leg_for(std::string_view call_uuid);
  EventRef make_ref(const model::Event& event, bool intern_name);
  bool probe_hit(const model::Event& e, const Extract& x) const;
  void add_observations(const model::Event& e, const Extract& x, const EventRef& ref,
                        std::uint32_t leg);
  void track_sequence(std::optional<std::uint64_t> sequence, const EventRef& ref);
  static void fill_gap(SequenceTrack& t, std::uint64_t seq);

  // SIP (see add_sip()): what placing a message reads of it, as views into
  // the event or into a waiting message's copy.
  struct SipFacts {
    std::string_view call_id;
    std::string_view genesys_uuid;  // X-Genesys-CallUUID
    std::string_view from, to;      // users
    bool sent = false;
    bool first_invite = false;   // an INVITE request without a To tag
    bool kept = true;            // kept whole by a summary (see CollectMode::Summary)
    std::uint64_t call_key = 0;  // text_key(call_id) when known (0: not computed)
  };
  void add_sip(const model::Event& e);
  void place_sip(std::uint32_t leg, const EventRef& ref, const SipFacts& facts);
  void drop_stale_sip(Micros now);
  // Widens the leg's span (and, in a scan, its stretches) to byte `offset`.
  void note_place(std::uint32_t leg, std::uint64_t offset) {
    LegSpan& span = partial_.spans[leg];
    span.first = std::min(span.first, offset);
    span.last = std::max(span.last, offset);
    if (mode_ == CollectMode::Scan) note_stretch(leg, offset);
  }
  void note_stretch(std::uint32_t leg, std::uint64_t offset);
  // The CallUUID each Call-ID maps to (kept across cuts: later messages of a
  // dialog join its leg whatever part they are in), with what the dialog's
  // next messages would otherwise look up again: the Call-ID's link key and
  // the leg of the CallUUID in the part it was found in (`part`: cuts_ then).
  // Keyed by the Call-ID's 64-bit hash (Abseil's, seeded anew in every
  // process, so that no log can be written to make two Call-IDs meet): a
  // lookup then reads no text outside the table, where comparing the
  // Call-ID itself cost `trace` 3-4 % of its time in cache misses.
  struct SipMapping {
    std::string uuid;
    // `uuid` again when it fits (a CallUUID does): the repeated mapping of
    // nearly every message is compared with it without reading the text
    // `uuid` holds on the heap.
    UuidKey short_uuid{std::string_view()};
    std::uint64_t call_key = 0;
    std::uint32_t leg = 0;
    std::uint32_t part = kNoPart;

    void set_uuid(std::string_view u) {
      uuid.assign(u);
      short_uuid = UuidKey(u.size() <= UuidKey::kCapacity ? u : std::string_view());
    }
    bool has_uuid(std::string_view u) const {
      if (u.size() <= UuidKey::kCapacity && uuid.size() <= UuidKey::kCapacity)
        return short_uuid == UuidKey(u);
      return uuid == u;
    }
  };
  static constexpr std::uint32_t kNoPart = ~std::uint32_t{0};
  absl::flat_hash_map<std::uint64_t, SipMapping> sip_uuid_by_call_;
  std::uint32_t cuts_ = 0;  // parts handed out by cut()
  // AttributeReferenceID of the T-Library recording requests not answered
  // yet: an EventError with one of them refused it.
  absl::flat_hash_set<std::string> recording_refs_;
  // The recording note of a T-Library event (empty for most).
  std::string tlib_recording_note(const model::Event& e);
  // Messages of Call-IDs not mapped yet: a dialog's first messages may come
  // before the line that maps it. Dropped after a while (traffic of no call:
  // REGISTER, OPTIONS, a 404 to an unknown number).
  struct SipWaiting {
    EventRef ref;
    std::string genesys_uuid, from, to;  // of a first INVITE (nothing else reads them)
    bool sent = false;
    bool first_invite = false;
    bool kept = true;
  };
  struct SipPending {
    std::vector<SipWaiting> messages;
    Micros first = 0;
  };
  void place_waiting(std::uint32_t leg, std::string_view call_id, const SipPending& pending);
  absl::flat_hash_map<std::string, SipPending> sip_pending_;
  std::deque<std::pair<Micros, std::string>> sip_pending_order_;

  FilePartial partial_;
  CollectMode mode_ = CollectMode::Full;
  const IdProbe* probe_ = nullptr;
  std::uint64_t stretch_gap_ = LegStretch::kGap;
  const CollectFilter* filter_ = nullptr;
  absl::flat_hash_map<UuidKey, std::uint32_t> leg_by_uuid_;
  absl::flat_hash_map<std::string, std::uint32_t> leg_by_long_uuid_;  // longer than UuidKey holds
  absl::flat_hash_map<std::uint64_t, std::uint32_t> leg_by_conn_;     // latest leg with this ConnID
  // What the previous event of each leg carried (see add()).
  struct LegState {
    std::optional<std::uint64_t> conn;            // none yet: every 64-bit value is a ConnID
    std::optional<std::uint64_t> first_transfer;  // of a scan
    std::optional<std::uint64_t> last_transfer;
    std::uint32_t this_dn = ~0u;
    std::uint32_t other_dn = ~0u;
    std::size_t user_data = 0;
    std::optional<std::uint64_t> sip_call;  // text_key of the last Call-ID (of a scan)
    std::uint32_t stretch = ~0u;            // its latest in partial_.stretches (of a scan)
  };
  std::vector<LegState> leg_state_;  // by leg index
  // CollectMode::Summary: the SIP messages of each leg of this part that
  // stand for the others it leaves out (the first and the last by place, the
  // earliest and the latest by time), put on the leg when the part ends.
  struct SipLandmarks {
    std::array<EventRef, 4> at{};
    std::uint64_t seen = 0;
  };
  std::vector<SipLandmarks> sip_landmarks_;  // by leg index
  void add_landmark(std::uint32_t leg, const EventRef& ref);
  void place_landmarks();
  // Call-IDs of the dialogs a recording was asked for in (a summary keeps
  // their messages whole).
  absl::flat_hash_set<std::string> recording_calls_;
  // The application of the last event and its count in partial_.apps.
  std::string app_;
  std::uint64_t* app_count_ = nullptr;  // partial_.apps[app_]
  std::uint64_t offset_votes_ = 0;
  // ConnID -> CallUUID of legs collected before the last cut.
  std::unordered_map<std::uint64_t, std::string> carried_conns_;
};

// Limits that keep a leg's memory bounded whatever the calls carry.
inline constexpr std::size_t kMaxLegDns = 32;
inline constexpr std::size_t kMaxLegUserData = 64;
inline constexpr std::size_t kMaxUserDataValue = 256;

}  // namespace calltrail::correlate
