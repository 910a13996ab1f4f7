// The SIP side of FileCollector: a SIP Server's messages placed on the legs
// their dialogs are mapped to, and what a summary collection keeps of them
// (file_collector.hpp, CollectMode::Summary).
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/parse/sip_message.hpp"

namespace calltrail::correlate {

namespace {

constexpr std::size_t kMaxPendingSip = 64;                  // messages of one Call-ID
constexpr std::size_t kMaxPendingCalls = 1 << 16;           // Call-IDs waiting
constexpr Micros kSipMappingWait = Micros{60} * 1'000'000;  // a mapping follows in ms
constexpr std::size_t kMaxLegDialogs = 64;
// Recorded dialogs a summary tells apart; past that it keeps every message
// whole, as Full does (more memory, the same answer).
constexpr std::size_t kMaxRecordingCalls = 1 << 16;

}  // namespace

// A SIP message (or a mapping line) joins the leg whose CallUUID its Call-ID
// is mapped to: by a `CID:CUUID>` line, or by X-Genesys-CallUUID on a request
// the site sent (it names the site's own leg; on a received one it names the
// sender's). Messages before their dialog's mapping wait for it.
void FileCollector::add_sip(const model::Event& e) {
  namespace k = parse::sip_keys;
  SipFacts f;
  std::string_view uuid, method, to_tag, reason, request_uri, recording;
  bool response = false;
  const auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = std::max(fields[i].end, i + 1)) {
    using model::Attr;
    const std::string_view v = e.value(fields[i]);
    switch (e.attr(fields[i])) {
      case Attr::SipCallId:
        f.call_id = v;
        break;
      case Attr::SipDirection:
        f.sent = v == "out";
        break;
      case Attr::SipMethod:
        method = v;
        break;
      case Attr::SipStatus:
        response = true;
        break;
      case Attr::SipGenesysCallUuid:
        f.genesys_uuid = v;
        break;
      case Attr::SipToTag:
        to_tag = v;
        break;
      case Attr::SipFrom:
        f.from = v;
        break;
      case Attr::SipTo:
        f.to = v;
        break;
      case Attr::SipReason:
        reason = v;
        break;
      case Attr::SipRequestUri:
        request_uri = v;
        break;
      case Attr::SipMappedCallUuid:
        uuid = v;
        break;
      case Attr::SipRecording:
        recording = v;
        break;
      default:
        break;
    }
  }
  if (f.call_id.empty()) return;  // not of a dialog
  const absl::string_view call_key(f.call_id.data(), f.call_id.size());
  const bool mapping = e.name == k::kMappingName;
  f.first_invite = !mapping && !response && method == "INVITE" && to_tag.empty();
  // The CallUUID the parser found for the message (the mapping line after it),
  // or that a mapping line repeats; a request the site sent names its own.
  std::string_view named = uuid;
  if (named.empty() && f.sent && !response) named = f.genesys_uuid;
  // Hashed once: the key of the mappings, and the hash of the waiting messages'.
  static_assert(sizeof(std::size_t) == sizeof(std::uint64_t));
  const std::uint64_t call_hash = sip_pending_.hash_function()(call_key);
  auto mapped = sip_uuid_by_call_.find(call_hash);
  if (!named.empty()) {
    if (mapped == sip_uuid_by_call_.end()) {
      mapped = sip_uuid_by_call_.try_emplace(call_hash).first;
      mapped->second.set_uuid(named);
    } else if (!uuid.empty() && !mapped->second.has_uuid(uuid)) {
      mapped->second.set_uuid(uuid);
      mapped->second.part = kNoPart;
    }
  }
  // Before `pending` is looked up: dropping stale messages erases entries.
  if (mapped == sip_uuid_by_call_.end()) drop_stale_sip(e.times.local);
  auto pending = sip_pending_.find(call_key, call_hash);
  if (mapping) {
    // Not an event of the call: it maps the messages that waited for it.
    if (pending == sip_pending_.end() || uuid.empty()) return;
    if (filter_ == nullptr ||
        filter_->call_uuids.contains(absl::string_view(uuid.data(), uuid.size()))) {
      const std::uint32_t leg = leg_for(uuid);
      place_waiting(leg, f.call_id, pending->second);
      // A reading of the leg's stretches alone must meet this line too.
      if (mode_ == CollectMode::Scan) note_place(leg, e.where.offset);
    }
    sip_pending_.erase(pending);
    return;
  }
  if (mode_ == CollectMode::Summary) {
    const bool set_full = recording_calls_.size() >= kMaxRecordingCalls;
    if (!recording.empty() && !set_full) recording_calls_.emplace(f.call_id);
    f.kept = set_full || recording_calls_.contains(call_key);
  }
  const bool full = mode_ != CollectMode::Scan && f.kept;
  EventRef ref = make_ref(e, mode_ != CollectMode::Scan);
  ref.flags |= EventRef::kSip;
  if (f.sent) ref.flags |= EventRef::kSipSent;
  if (full) {
    ref.this_dn = partial_.strings.intern(request_uri);
    ref.other_dn = partial_.strings.intern(e.peer);
    std::string note = "Call-ID=";
    note.append(f.call_id);
    if (response && !method.empty()) note.append(" Method=").append(method);
    if (!recording.empty()) note.append(" Recording=").append(recording);
    if (!reason.empty()) note.append(" Reason=").append(reason);
    ref.note = partial_.strings.intern(note);
  }
  if (mapped == sip_uuid_by_call_.end()) {
    if (pending == sip_pending_.end()) {
      pending = sip_pending_.try_emplace(std::string(f.call_id)).first;
      pending->second.first = ref.local;
      sip_pending_order_.emplace_back(ref.local, f.call_id);
    }
    SipPending& p = pending->second;
    if (p.messages.size() >= kMaxPendingSip) return;
    SipWaiting& w = p.messages.emplace_back();
    w.ref = ref;
    w.sent = f.sent;
    w.first_invite = f.first_invite;
    w.kept = f.kept;
    if (f.first_invite) {
      w.genesys_uuid = f.genesys_uuid;
      w.from = f.from;
      w.to = f.to;
    }
    return;
  }
  SipMapping& m = mapped->second;
  if (filter_ != nullptr &&
      !filter_->call_uuids.contains(absl::string_view(m.uuid.data(), m.uuid.size()))) {
    if (pending != sip_pending_.end()) sip_pending_.erase(pending);
    return;
  }
  if (m.part != cuts_) {
    m.leg = leg_for(m.uuid);
    m.part = cuts_;
  }
  const std::uint32_t leg = m.leg;
  if (mode_ == CollectMode::Scan) {
    if (m.call_key == 0) m.call_key = text_key(f.call_id);
    f.call_key = m.call_key;
  }
  if (pending != sip_pending_.end()) {
    place_waiting(leg, f.call_id, pending->second);
    sip_pending_.erase(pending);
  }
  place_sip(leg, ref, f);
}

void FileCollector::place_waiting(std::uint32_t leg, std::string_view call_id,
                                  const SipPending& pending) {
  for (const SipWaiting& w : pending.messages)
    place_sip(leg, w.ref,
              SipFacts{call_id, w.genesys_uuid, w.from, w.to, w.sent, w.first_invite, w.kept});
}

void FileCollector::place_sip(std::uint32_t leg, const EventRef& ref, const SipFacts& f) {
  ++partial_.call_events;
  note_place(leg, ref.offset);
  LegSpan& span = partial_.spans[leg];
  const bool names_sender = f.first_invite && !f.sent && !f.genesys_uuid.empty();
  if (mode_ == CollectMode::Scan) {
    ScanLegs& s = partial_.scan_legs;
    const LinkKey h = f.call_key != 0 ? f.call_key : text_key(f.call_id);
    LegState& state = leg_state_[leg];
    if (h != state.sip_call) {
      for_each_call_id_key(f.call_id, [&](LinkKey key) { s.add_sip_key(leg, key); });
      state.sip_call = h;
    }
    if (names_sender) s.add_sip_key(leg, text_key(f.genesys_uuid));
    // The parties a full collection gives the leg: the first INVITE's users.
    if (probe_ != nullptr && !span.probe_hit && f.first_invite)
      span.probe_hit = probe_->matches_party(f.from) || probe_->matches_party(f.to);
    return;
  }
  Leg& l = partial_.legs[leg];
  if (f.kept) {
    l.events.push_back(ref);
  } else {
    add_landmark(leg, ref);
  }
  auto d = std::find_if(l.sip_dialogs.begin(), l.sip_dialogs.end(),
                        [&](const SipDialog& x) { return x.call_id == f.call_id; });
  if (d == l.sip_dialogs.end()) {
    if (l.sip_dialogs.size() >= kMaxLegDialogs) return;
    d = l.sip_dialogs.insert(l.sip_dialogs.end(), SipDialog{});
    d->call_id = f.call_id;
  }
  if (f.first_invite && d->origin == SipDialog::Origin::Unknown) {
    d->origin = f.sent ? SipDialog::Origin::Sent : SipDialog::Origin::Received;
    // Where and when only: the event itself, with its strings, is in `events`.
    d->invite = ref;
    d->invite->name = d->invite->this_dn = d->invite->other_dn = d->invite->note = 0;
    if (names_sender) d->remote_uuid = f.genesys_uuid;
    l.add_dn(f.from, kMaxLegDns);
    l.add_dn(f.to, kMaxLegDns);
  }
}

void FileCollector::drop_stale_sip(Micros now) {
  while (!sip_pending_order_.empty() && (sip_pending_order_.front().first < now - kSipMappingWait ||
                                         sip_pending_order_.size() > kMaxPendingCalls)) {
    auto& [first, call_id] = sip_pending_order_.front();
    auto it = sip_pending_.find(call_id);
    if (it != sip_pending_.end() && it->second.first == first) sip_pending_.erase(it);
    sip_pending_order_.pop_front();
  }
}

void FileCollector::add_landmark(std::uint32_t leg, const EventRef& ref) {
  if (sip_landmarks_.size() <= leg) sip_landmarks_.resize(leg + 1);
  SipLandmarks& m = sip_landmarks_[leg];
  auto time = [](const EventRef& r) { return r.has_utc() ? r.utc : r.local; };
  if (m.seen++ == 0) {
    m.at.fill(ref);
    return;
  }
  if (ref.offset < m.at[0].offset) m.at[0] = ref;
  if (ref.offset > m.at[1].offset) m.at[1] = ref;
  if (time(ref) < time(m.at[2])) m.at[2] = ref;
  if (time(ref) > time(m.at[3])) m.at[3] = ref;
}

void FileCollector::place_landmarks() {
  for (std::uint32_t leg = 0; leg < sip_landmarks_.size(); ++leg) {
    SipLandmarks& m = sip_landmarks_[leg];
    if (m.seen == 0) continue;
    Leg& l = partial_.legs[leg];
    std::uint64_t kept = 0;
    for (std::size_t i = 0; i < m.at.size(); ++i) {
      bool again = false;
      for (std::size_t j = 0; j < i; ++j)
        again = again || m.at[j].offset == m.at[i].offset;
      if (again) continue;
      l.events.push_back(m.at[i]);
      ++kept;
    }
    l.summarised_events += m.seen - kept;
  }
  sip_landmarks_.clear();
}

}  // namespace calltrail::correlate
