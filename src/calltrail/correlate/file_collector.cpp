#include "calltrail/correlate/file_collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "calltrail/base/time.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/model/identifiers.hpp"

namespace calltrail::correlate {

namespace {

constexpr std::size_t kMaxGapsPerFile = 10'000;
constexpr std::uint64_t kMaxOffsetVotes = 256;

// The attributes correlation looks at, found in one pass over an event.
struct Extract {
  std::string_view call_uuid, conn_id, this_dn, other_dn, third_dn, ani, dnis, call_type;
  std::string_view first_transfer, last_transfer, transfer_conn, previous_conn;
  std::string_view ref_uuid, orig_uuid, new_uuid;
  const model::Field* islinks = nullptr;
  const model::Field* user_data = nullptr;
};

Extract extract(const model::Event& e) {
  Extract x;
  auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = std::max(fields[i].end, i + 1)) {
    const model::Field& f = fields[i];
    std::string_view k = e.key(f);
    if (k.size() < 12 || k.substr(0, 9) != "Attribute") continue;
    std::string_view n = k.substr(9);
    auto v = [&] { return unquote(e.value(f)); };
    switch (n[0]) {
      case 'A':
        if (n == "ANI") x.ani = v();
        break;
      case 'C':
        if (n == "CallUUID") {
          x.call_uuid = v();
        } else if (n == "ConnID") {
          x.conn_id = v();
        } else if (n == "CallType") {
          x.call_type = v();
        }
        break;
      case 'D':
        if (n == "DNIS") x.dnis = v();
        break;
      case 'F':
        if (n == "FirstTransferConnID") x.first_transfer = v();
        break;
      case 'I':
        if (n == "ISLinkList" && f.kind == model::ValueKind::List) x.islinks = &f;
        break;
      case 'L':
        if (n == "LastTransferConnID") x.last_transfer = v();
        break;
      case 'N':
        if (n == "NewCallUUID") x.new_uuid = v();
        break;
      case 'O':
        if (n == "OtherDN") {
          x.other_dn = v();
        } else if (n == "OrigCallUUID") {
          x.orig_uuid = v();
        }
        break;
      case 'P':
        if (n == "PreviousConnID") x.previous_conn = v();
        break;
      case 'R':
        if (n == "RefCallUUID") x.ref_uuid = v();
        break;
      case 'T':
        if (n == "ThisDN") {
          x.this_dn = v();
        } else if (n == "TransferConnID") {
          x.transfer_conn = v();
        } else if (n == "ThirdPartyDN") {
          x.third_dn = v();
        }
        break;
      case 'U':
        if (n == "UserData" && f.kind == model::ValueKind::List) x.user_data = &f;
        break;
      default:
        break;
    }
  }
  return x;
}

// A ConnID as its 64-bit number, and back to the normalised 16-digit text,
// without allocating (this runs for every event).
std::optional<std::uint64_t> conn_number(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    n = (n << 4) | d;
  }
  return n;
}

struct ConnText {
  char digits[16];
  explicit ConnText(std::uint64_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i, n >>= 4)
      digits[i] = kHex[n & 15];
  }
  std::string_view view() const { return {digits, 16}; }
};

void add_conn(std::vector<std::string>& v, std::string_view raw, std::size_t limit) {
  auto n = conn_number(raw);
  if (!n) return;
  ConnText t(*n);
  if (v.size() >= limit) return;
  for (const auto& x : v)
    if (x == t.view()) return;
  v.emplace_back(t.view());
}

void add_unique(std::vector<std::string>& v, std::string_view s, std::size_t limit) {
  if (s.empty() || v.size() >= limit) return;
  for (const auto& x : v)
    if (x == s) return;
  v.emplace_back(s);
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

}  // namespace

FileCollector::FileCollector(std::uint32_t file_index) {
  partial_.file = file_index;
}

std::uint32_t FileCollector::leg_for(std::string_view call_uuid) {
  auto it = leg_by_uuid_.find(call_uuid);
  if (it != leg_by_uuid_.end()) return it->second;
  auto index = static_cast<std::uint32_t>(partial_.legs.size());
  Leg& leg = partial_.legs.emplace_back();
  leg.site = partial_.file;
  leg.call_uuid = std::string(call_uuid);
  leg_by_uuid_.emplace(leg.call_uuid, index);
  return index;
}

EventRef FileCollector::make_ref(const model::Event& e) {
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
  r.name = partial_.strings.intern(e.name);
  return r;
}

void FileCollector::add(const model::Event& e) {
  ++partial_.events;
  if (!e.app.empty()) ++partial_.apps[e.app];
  EventRef ref = make_ref(e);
  if (e.times.utc_stamp) {
    if (!partial_.first_utc || *e.times.utc_stamp < *partial_.first_utc)
      partial_.first_utc = e.times.utc_stamp;
    if (offset_votes_ < kMaxOffsetVotes) {
      ++offset_votes_;
      ++partial_.offset_votes[round_offset(e.times.local, *e.times.utc_stamp)];
    }
  }
  track_sequence(e, ref);

  const Extract x = extract(e);
  ref.this_dn = partial_.strings.intern(x.this_dn);
  ref.other_dn = partial_.strings.intern(x.other_dn);
  {
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
  Leg& l = partial_.legs[leg];
  l.events.push_back(ref);
  if (conn) add_conn(l.conn_ids, x.conn_id, SIZE_MAX);
  add_conn(l.transfer_conn_ids, x.first_transfer, kMaxLegDns);
  add_conn(l.transfer_conn_ids, x.last_transfer, kMaxLegDns);
  add_unique(l.dns, x.this_dn, kMaxLegDns);
  add_unique(l.dns, x.other_dn, kMaxLegDns);
  add_unique(l.dns, x.third_dn, kMaxLegDns);
  if (l.ani.empty()) l.ani = std::string(x.ani);
  if (l.dnis.empty()) l.dnis = std::string(x.dnis);
  if (l.call_type.empty()) l.call_type = std::string(x.call_type);
  if (e.name == "EventCallDeleted") l.deleted = true;

  auto fields = e.fields();
  if (x.user_data != nullptr) {
    auto index = static_cast<std::uint32_t>(x.user_data - fields.data());
    for (std::uint32_t c : e.children(index)) {
      const model::Field& f = fields[c];
      if (f.kind == model::ValueKind::List) continue;
      if (l.user_data.size() >= kMaxLegUserData) break;
      std::string_view k = unquote(e.key(f));
      std::string_view v = unquote(e.value(f)).substr(0, kMaxUserDataValue);
      bool seen = false;
      for (const auto& [uk, uv] : l.user_data)
        seen = seen || (uk == k && uv == v);
      if (!seen) l.user_data.emplace_back(k, v);
    }
  }
  if (x.islinks != nullptr) {
    auto index = static_cast<std::uint32_t>(x.islinks - fields.data());
    for (std::uint32_t c : e.children(index)) {
      const model::Field& f = fields[c];
      if (f.kind != model::ValueKind::List) continue;
      IsLinkObservation o;
      o.leg = leg;
      o.id = std::string(unquote(e.key(f)));
      o.event = ref;
      for (std::uint32_t g : e.children(c)) {
        std::string_view k = unquote(e.key(fields[g]));
        std::string_view v = unquote(e.value(fields[g]));
        if (k == "location-name") {
          o.location = std::string(v);
        } else if (k == "direction-role") {
          o.role = v == "source"   ? IsLinkRole::Source
                   : v == "target" ? IsLinkRole::Target
                                   : IsLinkRole::Unknown;
        }
      }
      if (!o.id.empty()) partial_.islinks.push_back(std::move(o));
    }
  }
  collect_transfers(x, ref, leg, partial_.transfers);
}

namespace {

void collect_transfers(const Extract& x, const EventRef& ref, std::uint32_t leg,
                       std::vector<TransferObservation>& out) {
  auto add = [&](TransferVia via, std::string value) {
    if (value.empty()) return;
    out.push_back(TransferObservation{leg, via, std::move(value), ref});
  };
  add(TransferVia::OrigCallUUID, std::string(x.orig_uuid));
  add(TransferVia::RefCallUUID, std::string(x.ref_uuid));
  add(TransferVia::NewCallUUID, std::string(x.new_uuid));
  if (auto n = conn_number(x.transfer_conn))
    add(TransferVia::TransferConnID, std::string(ConnText(*n).view()));
  if (auto n = conn_number(x.previous_conn))
    add(TransferVia::PreviousConnID, std::string(ConnText(*n).view()));
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
    c.conn_legs.emplace_back(conn, partial_.legs[leg].call_uuid);
  std::sort(c.conn_legs.begin(), c.conn_legs.end());
  c.sequence_last = partial_.sequence.last;
  c.sequence_last_utc = partial_.sequence.last_utc;
  c.offset_votes = offset_votes_;
  return c;
}

FilePartial FileCollector::cut() {
  for (const auto& [conn, leg] : leg_by_conn_)
    carried_conns_[conn] = partial_.legs[leg].call_uuid;
  leg_by_conn_.clear();
  leg_by_uuid_.clear();
  FilePartial out = std::move(partial_);
  partial_ = FilePartial{};
  partial_.file = out.file;
  partial_.sequence.last = out.sequence.last;
  partial_.sequence.last_utc = out.sequence.last_utc;
  return out;
}

void FileCollector::track_sequence(const model::Event& e, const EventRef& ref) {
  auto seq = e.sequence_number();
  if (!seq) return;
  SequenceTrack& t = partial_.sequence;
  std::optional<Micros> utc;
  if (ref.has_utc()) utc = ref.utc;
  if (!t.last) {
    t.first = seq;
    t.first_utc = utc;
    t.first_line = ref.line;
  } else if (*seq == *t.last + 1) {
    // in order
  } else if (*seq > *t.last + 1) {
    if (t.gaps.size() < kMaxGapsPerFile) {
      t.gaps.push_back(
          SequenceGap{*t.last + 1, *seq - 1, t.last_utc, utc, partial_.file, ref.line});
    }
  } else {
    ++t.out_of_order;
    return;
  }
  t.last = seq;
  if (utc) t.last_utc = utc;
}

}  // namespace calltrail::correlate
