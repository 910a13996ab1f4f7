#include "calltrail/correlate/file_collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "calltrail/base/release.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/model/identifiers.hpp"
#include "calltrail/parse/recording.hpp"

namespace calltrail::correlate {

// The attributes correlation looks at, found in one pass over an event.
struct Extract {
  std::string_view call_uuid, conn_id, this_dn, other_dn, third_dn, ani, dnis, call_type;
  std::string_view first_transfer, last_transfer, transfer_conn, previous_conn;
  std::string_view first_location, first_orig_dn, last_location, last_orig_dn;
  std::string_view ref_uuid, orig_uuid, new_uuid;
  const model::Field* islinks = nullptr;
  const model::Field* user_data = nullptr;
  const model::Field* sequence = nullptr;
};

namespace {

Extract extract(const model::Event& e) {
  Extract x;
  auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = std::max(fields[i].end, i + 1)) {
    using model::Attr;
    const model::Field& f = fields[i];
    auto v = [&] { return unquote(e.value(f)); };
    const bool list = f.kind == model::ValueKind::List;
    switch (e.attr(f)) {
      case Attr::ANI:
        x.ani = v();
        break;
      case Attr::DNIS:
        x.dnis = v();
        break;
      case Attr::ConnID:
        x.conn_id = v();
        break;
      case Attr::ThisDN:
        x.this_dn = v();
        break;
      case Attr::OtherDN:
        x.other_dn = v();
        break;
      case Attr::CallUUID:
        x.call_uuid = v();
        break;
      case Attr::CallType:
        x.call_type = v();
        break;
      case Attr::UserData:
        if (list) x.user_data = &f;
        break;
      case Attr::ISLinkList:
        if (list) x.islinks = &f;
        break;
      case Attr::NewCallUUID:
        x.new_uuid = v();
        break;
      case Attr::RefCallUUID:
        x.ref_uuid = v();
        break;
      case Attr::OrigCallUUID:
        x.orig_uuid = v();
        break;
      case Attr::ThirdPartyDN:
        x.third_dn = v();
        break;
      case Attr::TransferConnID:
        x.transfer_conn = v();
        break;
      case Attr::PreviousConnID:
        x.previous_conn = v();
        break;
      case Attr::LastTransferConnID:
        x.last_transfer = v();
        break;
      case Attr::FirstTransferConnID:
        x.first_transfer = v();
        break;
      case Attr::FirstTransferHomeLocation:
        x.first_location = v();
        break;
      case Attr::FirstTransferOrigDN:
        x.first_orig_dn = v();
        break;
      case Attr::LastTransferHomeLocation:
        x.last_location = v();
        break;
      case Attr::LastTransferOrigDN:
        x.last_orig_dn = v();
        break;
      case Attr::EventSequenceNumber:
        x.sequence = &f;
        break;
      default:
        break;
    }
  }
  return x;
}

constexpr std::size_t kMaxGapsPerFile = 10'000;
constexpr std::uint64_t kMaxOffsetVotes = 256;

// Adds the normalised text of ConnID `n` unless present or the list is full.
void add_conn(std::vector<std::uint64_t>& v, std::optional<std::uint64_t> n, std::size_t limit) {
  if (!n || v.size() >= limit) return;
  if (std::find(v.begin(), v.end(), *n) == v.end()) v.push_back(*n);
}

std::int32_t round_offset(Micros local, Micros utc) {
  const Micros day = base::kMicrosPerDay;
  Micros d = ((local % day) - (utc % day)) % day;
  if (d < 0) d += day;
  auto secs = static_cast<std::int64_t>(std::llround(static_cast<double>(d) / 900e6)) * 900;
  if (secs > 14 * 3600) secs -= 86'400;
  return static_cast<std::int32_t>(secs);
}

void collect_transfers(const Extract& x, const EventRef& ref, std::uint32_t leg,
                       std::vector<TransferObservation>& out);

// The call history an event carries, where the leg has none yet.
void add_history(CallHistory& h, const Extract& x, const EventRef& ref) {
  CallHistory e;
  e.last = {std::string(x.last_location.substr(0, kMaxUserDataValue)),
            std::string(x.last_orig_dn.substr(0, kMaxUserDataValue)), conn_number(x.last_transfer)};
  e.first = {std::string(x.first_location.substr(0, kMaxUserDataValue)),
             std::string(x.first_orig_dn.substr(0, kMaxUserDataValue)),
             conn_number(x.first_transfer)};
  // Where and when only, as a SIP dialog's INVITE.
  e.event = ref;
  e.event->name = e.event->this_dn = e.event->other_dn = e.event->note = 0;
  merge_call_history(h, e);
}

}  // namespace

EventRef reintern(EventRef r, const StringPool& from, StringPool& to) {
  r.name = to.intern(from.at(r.name));
  r.this_dn = to.intern(from.at(r.this_dn));
  r.other_dn = to.intern(from.at(r.other_dn));
  r.note = to.intern(from.at(r.note));
  return r;
}

IdProbe::IdProbe(std::string_view identifier) : id(identifier) {
  if (auto eq = identifier.find('='); eq != std::string_view::npos) {
    key = identifier.substr(0, eq);
    value = identifier.substr(eq + 1);
  }
}

FileCollector::FileCollector(std::uint32_t file_index, CollectMode mode, const IdProbe* probe)
    : mode_(mode), probe_(probe) {
  partial_.file = file_index;
}

std::uint32_t ScanLegs::add(std::string_view call_uuid) {
  uuids_.append(call_uuid);
  uuid_end_.push_back(static_cast<std::uint32_t>(uuids_.size()));
  return static_cast<std::uint32_t>(uuid_end_.size() - 1);
}

void ScanLegs::seal(Pairs& v, std::size_t limit) {
  // By leg, in order of appearance within a leg; then the first of repeats.
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t out = 0;
  std::size_t leg_start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out == 0 || v[out - 1].first != v[i].first) leg_start = out;
    bool seen = out - leg_start >= limit;
    for (std::size_t j = leg_start; j < out && !seen; ++j)
      seen = v[j].second == v[i].second;
    if (!seen) v[out++] = v[i];
  }
  v.resize(out);
}

void ScanLegs::seal(std::size_t max_transfers) {
  seal(conns_, SIZE_MAX);
  seal(transfers_, max_transfers);
  seal(sip_keys_, SIZE_MAX);
}

FilePartial FileCollector::finish() {
  place_landmarks();
  if (mode_ == CollectMode::Summary) partial_.spare = set_aside(partial_.legs);
  // Vectors grown by doubling hold up to twice what they hold; the partial
  // is kept until every file is read, so give the slack back now.
  for (auto& leg : partial_.legs) {
    leg.events.shrink_to_fit();
    leg.sip_dialogs.shrink_to_fit();
    leg.conn_ids.shrink_to_fit();
    leg.dns.shrink_to_fit();
  }
  partial_.legs.shrink_to_fit();
  // The legs' byte spans serve to read them again (a scan's rescan, the
  // store's ingest), never a summary.
  if (mode_ == CollectMode::Summary) {
    base::release(partial_.spans);
  } else {
    partial_.spans.shrink_to_fit();
  }
  partial_.stretches.shrink_to_fit();
  partial_.islinks.shrink_to_fit();
  partial_.transfers.shrink_to_fit();
  partial_.scan_legs.seal(kMaxLegDns);
  return std::move(partial_);
}

void FileCollector::note_stretch(std::uint32_t leg, std::uint64_t offset) {
  std::uint32_t& latest = leg_state_[leg].stretch;
  if (latest != ~0u) {
    LegStretch& s = partial_.stretches[latest];
    const std::uint64_t last = s.last();
    // Near the latest stretch (a message placed when its dialog's mapping
    // came may be before it): it grows.
    const bool near =
        offset >= s.first ? offset <= last + stretch_gap_ : offset + stretch_gap_ >= s.first;
    const std::uint64_t first = std::min(s.first, offset);
    if (near && std::max(last, offset) - first <= LegStretch::kMaxLength) {
      s.length = static_cast<std::uint32_t>(std::max(last, offset) - first);
      s.first = first;
      return;
    }
    if (offset < s.first) {
      // Far before it: a stretch of its own, the latest stays.
      partial_.stretches.push_back({offset, 0, leg});
      return;
    }
  }
  latest = static_cast<std::uint32_t>(partial_.stretches.size());
  partial_.stretches.push_back({offset, 0, leg});
}

std::uint32_t FileCollector::leg_for(std::string_view call_uuid) {
  const auto next = static_cast<std::uint32_t>(partial_.leg_count());
  std::uint32_t index = next;
  if (call_uuid.size() <= UuidKey::kCapacity) {
    index = leg_by_uuid_.try_emplace(UuidKey(call_uuid), next).first->second;
  } else {
    // Debian's Abseil has its own string_view type for heterogeneous lookup.
    auto it = leg_by_long_uuid_.find(absl::string_view(call_uuid.data(), call_uuid.size()));
    if (it != leg_by_long_uuid_.end()) return it->second;
    leg_by_long_uuid_.emplace(std::string(call_uuid), next);
  }
  if (index != next) return index;
  partial_.spans.emplace_back();
  leg_state_.emplace_back();
  if (mode_ == CollectMode::Scan) return partial_.scan_legs.add(call_uuid);
  Leg& leg = partial_.legs.emplace_back();
  leg.site = partial_.file;
  leg.call_uuid = call_uuid;
  return index;
}

EventRef FileCollector::make_ref(const model::Event& e, bool intern_name) {
  EventRef r;
  r.file = partial_.file;
  r.line = e.where.line;
  r.offset = e.where.offset;
  r.local = e.times.local;
  r.local_digits = e.times.local_digits;
  if (e.times.local_date_known) r.flags |= EventRef::kLocalDated;
  if (auto utc = e.times.utc()) {
    r.utc = *utc;
    r.flags |= EventRef::kHasUtc;
    if (e.times.utc_stamp) r.flags |= EventRef::kUtcStamped;
  }
  if (intern_name) r.name = partial_.strings.intern(e.name);
  return r;
}

void FileCollector::add(const model::Event& e) {
  ++partial_.events;
  if (!e.app.empty()) {
    // Map nodes never move, so the count of the current run of one
    // application is kept by pointer instead of looked up per event.
    if (app_count_ == nullptr || e.app != app_) {
      app_ = e.app;
      app_count_ = &partial_.apps[app_];
    }
    ++*app_count_;
  }
  if (e.kind == model::MessageKind::Sip) {
    add_sip(e);
    return;
  }
  const bool full = mode_ != CollectMode::Scan;
  const Extract x = extract(e);
  const bool transfer = !x.transfer_conn.empty() || !x.previous_conn.empty() ||
                        !x.ref_uuid.empty() || !x.orig_uuid.empty() || !x.new_uuid.empty();
  // A scan keeps only the events of observations, and only their places and
  // times are read (the answer's legs are collected again): no strings.
  const bool whole = full;
  EventRef ref = make_ref(e, whole);
  if (e.times.utc_stamp) {
    if (!partial_.first_utc || *e.times.utc_stamp < *partial_.first_utc)
      partial_.first_utc = e.times.utc_stamp;
    if (offset_votes_ < kMaxOffsetVotes) {
      ++offset_votes_;
      ++partial_.offset_votes[round_offset(e.times.local, *e.times.utc_stamp)];
    }
  }
  if (x.sequence != nullptr) track_sequence(e.sequence_number(*x.sequence), ref);
  if (filter_ != nullptr &&
      !filter_->call_uuids.contains(absl::string_view(x.call_uuid.data(), x.call_uuid.size()))) {
    if (!x.call_uuid.empty()) return;
    const std::optional<std::uint64_t> c = conn_number(x.conn_id);
    if (!c || !filter_->conns.contains(*c)) return;
  }
  if (whole) {
    ref.this_dn = partial_.strings.intern(x.this_dn);
    ref.other_dn = partial_.strings.intern(x.other_dn);
  }
  const std::string recording = whole ? tlib_recording_note(e) : std::string();
  if (whole && (transfer || !recording.empty())) {
    std::string note;
    auto add_note = [&](std::string_view key, std::string_view value) {
      if (value.empty()) return;
      if (!note.empty()) note += ' ';
      note += key;
      note += '=';
      note += value;
    };
    add_note("TransferConnID", x.transfer_conn);
    add_note("PreviousConnID", x.previous_conn);
    add_note("RefCallUUID", x.ref_uuid);
    add_note("OrigCallUUID", x.orig_uuid);
    add_note("NewCallUUID", x.new_uuid);
    add_note("Recording", recording);
    if (!note.empty()) ref.note = partial_.strings.intern(note);
  }
  const std::optional<std::uint64_t> conn = conn_number(x.conn_id);

  std::uint32_t leg = 0;
  if (!x.call_uuid.empty()) {
    leg = leg_for(x.call_uuid);
    if (conn) leg_by_conn_[*conn] = leg;
  } else if (conn) {
    auto it = leg_by_conn_.find(*conn);
    if (it == leg_by_conn_.end() && !carried_conns_.empty()) {
      auto carried = carried_conns_.find(*conn);
      if (carried != carried_conns_.end()) {
        it = leg_by_conn_.emplace(*conn, leg_for(carried->second)).first;
      }
    }
    if (it == leg_by_conn_.end()) {
      OrphanEvents& o = partial_.orphans[std::string(ConnText(*conn).view())];
      o.events.push_back(ref);
      collect_transfers(x, ref, 0, o.transfers);
      ++partial_.call_events;
      return;
    }
    leg = it->second;
  } else {
    return;  // not a call event (agent state, DN registration, ...)
  }
  ++partial_.call_events;
  LegState& state = leg_state_[leg];
  note_place(leg, ref.offset);
  LegSpan& span = partial_.spans[leg];
  if (!full) {
    // The ScanLegs lists drop repeats when sealed; the leg's previous
    // values are skipped here.
    ScanLegs& s = partial_.scan_legs;
    if (conn && *conn != state.conn) {
      s.add_conn(leg, *conn);
      state.conn = *conn;
    }
    const auto first = conn_number(x.first_transfer);
    if (first && first != state.first_transfer) {
      s.add_transfer_conn(leg, *first);
      state.first_transfer = first;
    }
    const auto last = conn_number(x.last_transfer);
    if (last && last != state.last_transfer) {
      s.add_transfer_conn(leg, *last);
      state.last_transfer = last;
    }
    if (probe_ != nullptr && !span.probe_hit) span.probe_hit = probe_hit(e, x);
    add_observations(e, x, ref, leg);
    return;
  }
  Leg& l = partial_.legs[leg];
  // Most events of a leg repeat its ConnID, DNs and user data: skip the
  // searches when they are the ones of the leg's previous event.
  if (conn && *conn != state.conn) {
    add_conn(l.conn_ids, conn, SIZE_MAX);
    state.conn = *conn;
  }
  for (const auto& transfer_conn : {x.first_transfer, x.last_transfer})
    if (const auto n = conn_number(transfer_conn)) add_conn(l.transfer_conn_ids.set(), n, kMaxLegDns);
  if (!x.last_location.empty() || !x.last_orig_dn.empty() || !x.first_location.empty() ||
      !x.first_orig_dn.empty())
    add_history(l.history.set(), x, ref);
  l.events.push_back(ref);
  if (ref.this_dn != state.this_dn || ref.other_dn != state.other_dn) {
    l.add_dn(x.this_dn, kMaxLegDns);
    l.add_dn(x.other_dn, kMaxLegDns);
    state.this_dn = ref.this_dn;
    state.other_dn = ref.other_dn;
  }
  l.add_dn(x.third_dn, kMaxLegDns);
  if (l.ani.empty()) l.ani = std::string(x.ani);
  if (l.dnis.empty()) l.dnis = std::string(x.dnis);
  if (l.call_type.empty()) l.call_type = std::string(x.call_type);
  if (e.name == "EventCallDeleted") l.deleted = true;

  auto fields = e.fields();
  if (x.user_data != nullptr && x.user_data->end > x.user_data - fields.data() + 1) {
    auto index = static_cast<std::uint32_t>(x.user_data - fields.data());
    // The list's pairs are one run of the event's text: its hash tells a
    // repeated list (the usual case) without comparing pair by pair.
    const model::Field& first = fields[index + 1];
    const model::Field& last = fields[x.user_data->end - 1];
    const std::size_t signature = std::hash<std::string_view>{}(std::string_view(e.text()).substr(
        first.key_offset, last.value_offset + last.value_size - first.key_offset));
    if (signature != state.user_data) {
      state.user_data = signature;
      e.for_each_child(index, [&](std::uint32_t c) {
        const model::Field& f = fields[c];
        if (f.kind == model::ValueKind::List) return;
        std::string_view k = unquote(e.key(f));
        std::string_view v = unquote(e.value(f)).substr(0, kMaxUserDataValue);
        l.user_data.add(k, v, kMaxLegUserData);
      });
    }
  }
  add_observations(e, x, ref, leg);
}

namespace {

constexpr std::size_t kMaxRecordingRefs = 4096;  // recording requests waiting for an answer

}  // namespace

std::string FileCollector::tlib_recording_note(const model::Event& e) {
  std::string token = parse::tlib_recording(e);
  // Most events neither ask for a recording nor answer such a request: no
  // look-up of their ReferenceID.
  if (token.empty() && (recording_refs_.empty() || !e.name.starts_with("Event"))) return token;
  const std::string_view ref = e.attribute_value("AttributeReferenceID");
  if (!token.empty()) {
    if (!ref.empty() && recording_refs_.size() < kMaxRecordingRefs) recording_refs_.emplace(ref);
    return token;
  }
  if (ref.empty()) return token;
  auto it = recording_refs_.find(absl::string_view(ref.data(), ref.size()));
  if (it == recording_refs_.end()) return token;
  recording_refs_.erase(it);
  // SIP Server answers a request by EventError, or by EventACK or the event
  // the request brought about (EventRouteUsed), each with its ReferenceID.
  token = parse::tlib_refusal(e.name) ? "refused/tlib" : "accepted/tlib";
  return token;
}

void FileCollector::add_observations(const model::Event& e, const Extract& x, const EventRef& ref,
                                     std::uint32_t leg) {
  auto fields = e.fields();
  if (x.islinks != nullptr) {
    auto index = static_cast<std::uint32_t>(x.islinks - fields.data());
    e.for_each_child(index, [&](std::uint32_t c) {
      const model::Field& f = fields[c];
      if (f.kind != model::ValueKind::List) return;
      IsLinkObservation o;
      o.leg = leg;
      o.id = std::string(unquote(e.key(f)));
      o.event = ref;
      e.for_each_child(c, [&](std::uint32_t g) {
        std::string_view k = unquote(e.key(fields[g]));
        std::string_view v = unquote(e.value(fields[g]));
        if (k == "location-name") {
          o.location = std::string(v);
        } else if (k == "direction-role") {
          o.role = v == "source"   ? IsLinkRole::Source
                   : v == "target" ? IsLinkRole::Target
                                   : IsLinkRole::Unknown;
        }
      });
      if (!o.id.empty()) partial_.islinks.push_back(std::move(o));
    });
  }
  collect_transfers(x, ref, leg, partial_.transfers);
}

bool FileCollector::probe_hit(const model::Event& e, const Extract& x) const {
  if (probe_->matches_party(x.this_dn) || probe_->matches_party(x.other_dn) ||
      probe_->matches_party(x.third_dn) || probe_->matches_party(x.ani) ||
      probe_->matches_party(x.dnis))
    return true;
  if (probe_->key.empty() || x.user_data == nullptr) return false;
  bool hit = false;
  auto fields = e.fields();
  e.for_each_child(static_cast<std::uint32_t>(x.user_data - fields.data()), [&](std::uint32_t c) {
    const model::Field& f = fields[c];
    if (f.kind == model::ValueKind::List || unquote(e.key(f)) != probe_->key) return;
    const std::string_view v = unquote(e.value(f));
    // A kept value is cut to kMaxUserDataValue: either may be compared.
    if (v == probe_->value || v.substr(0, kMaxUserDataValue) == probe_->value) hit = true;
  });
  return hit;
}

namespace {

void collect_transfers(const Extract& x, const EventRef& ref, std::uint32_t leg,
                       std::vector<TransferObservation>& out) {
  auto add = [&](TransferVia via, std::string_view value) {
    if (!value.empty()) out.push_back(TransferObservation{leg, via, std::string(value), ref});
  };
  add(TransferVia::OrigCallUUID, x.orig_uuid);
  add(TransferVia::RefCallUUID, x.ref_uuid);
  add(TransferVia::NewCallUUID, x.new_uuid);
  if (auto n = conn_number(x.transfer_conn)) add(TransferVia::TransferConnID, ConnText(*n).view());
  if (auto n = conn_number(x.previous_conn)) add(TransferVia::PreviousConnID, ConnText(*n).view());
}

}  // namespace

FileCollector::FileCollector(std::uint32_t file_index, const CollectorCarry& carry)
    : FileCollector(file_index) {
  for (const auto& [conn, uuid] : carry.conn_legs)
    carried_conns_[conn] = uuid;
  partial_.sequence.last = carry.sequence_last;
  partial_.sequence.last_utc = carry.sequence_last_utc;
  offset_votes_ = carry.offset_votes;
}

CollectorCarry FileCollector::carry() const {
  CollectorCarry c;
  for (const auto& [conn, uuid] : carried_conns_)
    if (leg_by_conn_.count(conn) == 0) c.conn_legs.emplace_back(conn, uuid);
  for (const auto& [conn, leg] : leg_by_conn_)
    c.conn_legs.emplace_back(conn, partial_.call_uuid(leg));
  std::sort(c.conn_legs.begin(), c.conn_legs.end());
  c.sequence_last = partial_.sequence.last;
  c.sequence_last_utc = partial_.sequence.last_utc;
  c.offset_votes = offset_votes_;
  return c;
}

FilePartial FileCollector::cut() {
  place_landmarks();
  partial_.scan_legs.seal(kMaxLegDns);
  for (const auto& [conn, leg] : leg_by_conn_)
    carried_conns_[conn] = partial_.call_uuid(leg);
  leg_by_conn_.clear();
  leg_by_uuid_.clear();
  leg_by_long_uuid_.clear();
  leg_state_.clear();
  ++cuts_;               // the legs cached by sip_uuid_by_call_ are of the part handed out
  app_count_ = nullptr;  // it points into the partial handed out below
  FilePartial out = std::move(partial_);
  partial_ = FilePartial{};
  partial_.file = out.file;
  // SIP messages waiting for their dialog's mapping go on to the next part.
  for (auto& [call_id, pending] : sip_pending_)
    for (SipWaiting& w : pending.messages)
      w.ref = reintern(w.ref, out.strings, partial_.strings);
  partial_.sequence.last = out.sequence.last;
  partial_.sequence.last_utc = out.sequence.last_utc;
  return out;
}

void FileCollector::track_sequence(std::optional<std::uint64_t> seq, const EventRef& ref) {
  if (!seq) return;
  SequenceTrack& t = partial_.sequence;
  std::optional<Micros> utc;
  if (ref.has_utc()) utc = ref.utc;
  if (!t.last) {
    t.first = seq;
    t.first_utc = utc;
    t.first_line = ref.line;
  } else if (*seq > *t.last) {
    // In order, or after a gap (compared without adding: the last number
    // may be the largest there is).
    if (*seq - *t.last > 1 && t.gaps.size() < kMaxGapsPerFile) {
      t.gaps.push_back(
          SequenceGap{*t.last + 1, *seq - 1, t.last_utc, utc, partial_.file, ref.line});
    }
  } else {
    ++t.out_of_order;
    fill_gap(t, *seq);
    return;
  }
  t.last = seq;
  if (utc) t.last_utc = utc;
}

// A number that comes late is not missing: the gap that held it shrinks or
// splits in two (gaps are in ascending order, apart from each other).
void FileCollector::fill_gap(SequenceTrack& t, std::uint64_t seq) {
  auto it =
      std::upper_bound(t.gaps.begin(), t.gaps.end(), seq,
                       [](std::uint64_t n, const SequenceGap& g) { return n < g.first_missing; });
  if (it == t.gaps.begin()) return;
  --it;
  SequenceGap& g = *it;
  if (seq > g.last_missing) return;
  if (g.first_missing == g.last_missing) {
    t.gaps.erase(it);
  } else if (seq == g.first_missing) {
    ++g.first_missing;
  } else if (seq == g.last_missing) {
    --g.last_missing;
  } else if (t.gaps.size() < kMaxGapsPerFile) {
    SequenceGap after = g;
    after.first_missing = seq + 1;
    g.last_missing = seq - 1;
    t.gaps.insert(it + 1, after);
  }
}

}  // namespace calltrail::correlate
