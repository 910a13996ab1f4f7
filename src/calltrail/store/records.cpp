#include "calltrail/store/records.hpp"

#include <algorithm>
#include <unordered_map>

#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/store/codec.hpp"

namespace calltrail::store {

namespace {

constexpr std::uint64_t kFormat = 1;
// Legs since they keep SIP dialogs (a leg of format 1 has none).
constexpr std::uint64_t kSipLegFormat = 2;
// Legs since they keep their ISCC call history (format 2 has none).
constexpr std::uint64_t kLegFormat = 3;

// Strings of a run of events, written once each.
class LocalStrings {
 public:
  explicit LocalStrings(const StringPool& pool) : pool_(pool) {}
  std::uint64_t id(std::uint32_t global) {
    if (global == 0) return 0;
    auto [it, added] = ids_.emplace(global, order_.size() + 1);
    if (added) order_.push_back(global);
    return it->second;
  }
  void write(Writer& w) const {
    w.u(order_.size());
    for (std::uint32_t g : order_)
      w.str(pool_.at(g));
  }

 private:
  const StringPool& pool_;
  std::unordered_map<std::uint32_t, std::uint64_t> ids_;
  std::vector<std::uint32_t> order_;
};

std::vector<std::uint32_t> read_strings(Reader& r, StringPool& pool) {
  std::vector<std::uint32_t> m{0};
  const std::size_t n = r.count();
  m.reserve(n + 1);
  for (std::size_t k = 0; k < n; ++k)
    m.push_back(pool.intern(r.str()));
  return m;
}

std::uint32_t local(const std::vector<std::uint32_t>& m, std::uint64_t id) {
  if (id >= m.size()) throw CodecError("string id out of range");
  return m[id];
}

struct EventBase {
  std::int64_t utc = 0, local = 0, line = 0, offset = 0;
};

void write_event(Writer& w, const EventRef& e, LocalStrings& s, EventBase& b) {
  w.u(e.flags);
  w.u(e.local_digits);
  w.i(e.utc - b.utc);
  w.i(e.local - b.local);
  w.i(static_cast<std::int64_t>(e.line) - b.line);
  w.i(static_cast<std::int64_t>(e.offset) - b.offset);
  w.u(s.id(e.name));
  w.u(s.id(e.this_dn));
  w.u(s.id(e.other_dn));
  w.u(s.id(e.note));
  b = {e.utc, e.local, static_cast<std::int64_t>(e.line), static_cast<std::int64_t>(e.offset)};
}

// One delta-coded field: a damaged BLOB's delta may not fit with the value
// before it.
void add_delta(std::int64_t& base, std::int64_t delta) {
  if (__builtin_add_overflow(base, delta, &base)) throw CodecError("event field out of range");
}

EventRef read_event(Reader& r, const std::vector<std::uint32_t>& m, std::uint32_t file,
                    EventBase& b) {
  EventRef e;
  e.flags = static_cast<std::uint8_t>(r.u());
  e.local_digits = static_cast<std::uint8_t>(r.u());
  add_delta(b.utc, r.i());
  add_delta(b.local, r.i());
  add_delta(b.line, r.i());
  add_delta(b.offset, r.i());
  e.utc = b.utc;
  e.local = b.local;
  e.line = static_cast<std::uint64_t>(b.line);
  e.offset = static_cast<std::uint64_t>(b.offset);
  e.file = file;
  e.name = local(m, r.u());
  e.this_dn = local(m, r.u());
  e.other_dn = local(m, r.u());
  e.note = local(m, r.u());
  return e;
}

// Events after their string table: the table is written first, so the events
// go to a scratch writer.
void write_events(Writer& w, const std::vector<const EventRef*>& events, const StringPool& pool) {
  LocalStrings s(pool);
  Writer body;
  EventBase b;
  body.u(events.size());
  for (const EventRef* e : events)
    write_event(body, *e, s, b);
  s.write(w);
  w.data() += body.data();
}

std::vector<EventRef> read_events(Reader& r, std::uint32_t file, StringPool& pool) {
  const auto m = read_strings(r, pool);
  EventBase b;
  std::vector<EventRef> out(r.count());
  for (auto& e : out)
    e = read_event(r, m, file, b);
  return out;
}

correlate::TransferVia read_via(Reader& r) {
  const auto via = r.u();
  if (via > static_cast<std::uint64_t>(correlate::TransferVia::PreviousConnID))
    throw CodecError("unknown transfer kind");
  return static_cast<correlate::TransferVia>(via);
}

// An event list holds a run's own events, then one per transfer observation:
// moves the own ones to `own` and returns the transfers' events.
template <typename Events>
std::vector<EventRef> split_events(std::vector<EventRef> events, std::size_t transfers,
                                   Events& own) {
  if (transfers > events.size()) throw CodecError("more transfers than events");
  const auto n = static_cast<std::ptrdiff_t>(events.size() - transfers);
  own.assign(events.begin(), events.begin() + n);
  return {events.begin() + n, events.end()};
}

void check_format(Reader& r) {
  if (r.u() != kFormat) throw CodecError("unknown record format");
}

template <typename Text>
void write_list(Writer& w, const std::vector<Text>& v) {
  w.u(v.size());
  for (const auto& s : v)
    w.str(s);
}

// ConnIDs as their normalised text, as the format has always held them.
void write_conns(Writer& w, const std::vector<std::uint64_t>& v) {
  w.u(v.size());
  for (const std::uint64_t c : v)
    w.str(correlate::ConnText(c).view());
}

std::vector<std::uint64_t> read_conns(Reader& r) {
  const std::size_t n = r.count();
  std::vector<std::uint64_t> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (auto c = correlate::conn_number(r.str())) v.push_back(*c);
  return v;
}

template <typename Text = std::string>
std::vector<Text> read_list(Reader& r) {
  std::vector<Text> v(r.count());
  for (auto& s : v)
    s = r.str();
  return v;
}

}  // namespace

std::string encode_leg(const correlate::Leg& leg, const std::vector<TransferRecord>& transfers,
                       const std::vector<std::string>& islink_ids, const StringPool& pool) {
  Writer w;
  w.u(kLegFormat);
  w.str(leg.call_uuid);
  write_conns(w, leg.conn_ids);
  write_conns(w, leg.transfer_conn_ids.get());
  write_list(w, leg.dns);
  w.str(leg.ani);
  w.str(leg.dnis);
  w.str(leg.call_type);
  w.u(leg.user_data.size());
  for (const auto& [k, v] : leg.user_data) {
    w.str(k);
    w.str(v);
  }
  w.u(leg.deleted ? 1 : 0);
  std::vector<const EventRef*> events;
  events.reserve(leg.events.size() + transfers.size());
  for (const auto& e : leg.events)
    events.push_back(&e);
  for (const auto& t : transfers)
    events.push_back(&t.observation.event);
  write_events(w, events, pool);
  w.u(transfers.size());
  for (const auto& t : transfers) {
    w.u(t.seq);
    w.u(static_cast<std::uint64_t>(t.observation.via));
    w.str(t.observation.value);
  }
  write_list(w, islink_ids);
  // SIP dialogs, then the INVITEs of those that have one as an event list.
  w.u(leg.sip_dialogs.size());
  std::vector<const EventRef*> invites;
  for (const auto& d : leg.sip_dialogs) {
    w.str(d.call_id);
    w.u(static_cast<std::uint64_t>(d.origin));
    w.str(d.remote_uuid);
    w.u(d.invite ? 1 : 0);
    if (d.invite) invites.push_back(&*d.invite);
  }
  write_events(w, invites, pool);
  // ISCC call history: last, then first origin; its event as an event list.
  const correlate::CallHistory& history = leg.history.get();
  for (const auto* o : {&history.last, &history.first}) {
    w.str(o->location);
    w.str(o->orig_dn);
    w.u(o->conn ? 1 : 0);
    if (o->conn) w.str(correlate::ConnText(*o->conn).view());
  }
  std::vector<const EventRef*> history_event;
  if (history.event) history_event.push_back(&*history.event);
  write_events(w, history_event, pool);
  return w.take();
}

LegRecord decode_leg(std::string_view blob, std::uint32_t file, StringPool& pool) {
  Reader r(blob);
  const std::uint64_t format = r.u();
  if (format != kFormat && format != kSipLegFormat && format != kLegFormat)
    throw CodecError("unknown record format");
  LegRecord out;
  correlate::Leg& l = out.leg;
  l.site = file;
  l.call_uuid = std::string(r.str());
  l.conn_ids = read_conns(r);
  if (auto transfers = read_conns(r); !transfers.empty())
    l.transfer_conn_ids.set() = std::move(transfers);
  l.dns = read_list<base::ShortText>(r);
  l.ani = std::string(r.str());
  l.dnis = std::string(r.str());
  l.call_type = std::string(r.str());
  const std::size_t nu = r.count();
  for (std::size_t k = 0; k < nu; ++k) {
    const std::string_view key = r.str();
    l.user_data.emplace_back(key, r.str());
  }
  l.deleted = r.u() != 0;
  std::vector<EventRef> events = read_events(r, file, pool);
  const std::vector<EventRef> transfer_events =
      split_events(std::move(events), r.count(), l.events);
  for (const EventRef& e : transfer_events) {
    TransferRecord t;
    t.seq = r.u32();
    t.observation.via = read_via(r);
    t.observation.value = std::string(r.str());
    t.observation.event = e;
    out.transfers.push_back(std::move(t));
  }
  out.islink_ids = read_list(r);
  if (format >= kSipLegFormat) {
    l.sip_dialogs.resize(r.count());
    std::size_t with_invite = 0;
    for (auto& d : l.sip_dialogs) {
      d.call_id = std::string(r.str());
      const auto origin = r.u();
      if (origin > static_cast<std::uint64_t>(correlate::SipDialog::Origin::Received))
        throw CodecError("unknown SIP dialog origin");
      d.origin = static_cast<correlate::SipDialog::Origin>(origin);
      d.remote_uuid = std::string(r.str());
      if (r.u() != 0) {
        d.invite.emplace();  // read below
        ++with_invite;
      }
    }
    const std::vector<EventRef> invites = read_events(r, file, pool);
    if (invites.size() != with_invite) throw CodecError("SIP dialogs and their INVITEs differ");
    std::size_t k = 0;
    for (auto& d : l.sip_dialogs)
      if (d.invite) d.invite = invites[k++];
  }
  if (format >= kLegFormat) {
    correlate::CallHistory h;
    for (auto* o : {&h.last, &h.first}) {
      o->location = std::string(r.str());
      o->orig_dn = std::string(r.str());
      if (r.u() != 0) {
        o->conn = correlate::conn_number(r.str());
        if (!o->conn) throw CodecError("a call history ConnID that is not one");
      }
    }
    std::vector<EventRef> event = read_events(r, file, pool);
    if (event.size() > 1) throw CodecError("more than one call history event");
    if (!event.empty()) h.event = event.front();
    if (!h.empty() || h.event) l.history.set() = std::move(h);
  }
  if (!r.done()) throw CodecError("trailing bytes");
  return out;
}

std::string encode_islink(const correlate::IsLinkObservation& o, const StringPool& pool) {
  Writer w;
  w.u(kFormat);
  w.str(o.id);
  w.u(static_cast<std::uint64_t>(o.role));
  w.str(o.location);
  write_events(w, {&o.event}, pool);
  return w.take();
}

correlate::IsLinkObservation decode_islink(std::string_view blob, std::uint32_t file,
                                           StringPool& pool) {
  Reader r(blob);
  check_format(r);
  correlate::IsLinkObservation o;
  o.id = std::string(r.str());
  const auto role = r.u();
  if (role > static_cast<std::uint64_t>(correlate::IsLinkRole::Target))
    throw CodecError("unknown IS-Link role");
  o.role = static_cast<correlate::IsLinkRole>(role);
  o.location = std::string(r.str());
  auto events = read_events(r, file, pool);
  if (events.size() != 1 || !r.done()) throw CodecError("bad IS-Link observation");
  o.event = events.front();
  return o;
}

std::string encode_orphans(const correlate::OrphanEvents& o, const StringPool& pool) {
  Writer w;
  w.u(kFormat);
  std::vector<const EventRef*> events;
  for (const auto& e : o.events)
    events.push_back(&e);
  for (const auto& t : o.transfers)
    events.push_back(&t.event);
  write_events(w, events, pool);
  w.u(o.transfers.size());
  for (const auto& t : o.transfers) {
    w.u(static_cast<std::uint64_t>(t.via));
    w.str(t.value);
  }
  return w.take();
}

correlate::OrphanEvents decode_orphans(std::string_view blob, std::uint32_t file,
                                       StringPool& pool) {
  Reader r(blob);
  check_format(r);
  correlate::OrphanEvents o;
  std::vector<EventRef> events = read_events(r, file, pool);
  const std::vector<EventRef> transfer_events =
      split_events(std::move(events), r.count(), o.events);
  for (const EventRef& e : transfer_events) {
    correlate::TransferObservation t;
    t.via = read_via(r);
    t.value = std::string(r.str());
    t.event = e;
    o.transfers.push_back(std::move(t));
  }
  if (!r.done()) throw CodecError("trailing bytes");
  return o;
}

std::string encode_summary(const PartSummary& s) {
  Writer w;
  w.u(kFormat);
  w.u(s.events);
  w.u(s.call_events);
  const auto& q = s.sequence;
  w.opt_u(q.first);
  w.opt_u(q.last);
  w.opt_i(q.first_utc);
  w.opt_i(q.last_utc);
  w.u(q.first_line);
  w.u(q.out_of_order);
  w.u(q.gaps.size());
  for (const auto& g : q.gaps) {
    w.u(g.first_missing);
    w.u(g.last_missing);
    w.opt_i(g.after_utc);
    w.opt_i(g.before_utc);
    w.u(g.line);
  }
  w.u(s.apps.size());
  for (const auto& [app, n] : s.apps) {
    w.str(app);
    w.u(n);
  }
  w.u(s.offset_votes.size());
  for (const auto& [off, n] : s.offset_votes) {
    w.i(off);
    w.u(n);
  }
  w.opt_i(s.first_utc);
  return w.take();
}

PartSummary decode_summary(std::string_view blob, std::uint32_t file) {
  Reader r(blob);
  check_format(r);
  PartSummary s;
  s.events = r.u();
  s.call_events = r.u();
  auto& q = s.sequence;
  q.first = r.opt_u();
  q.last = r.opt_u();
  q.first_utc = r.opt_i();
  q.last_utc = r.opt_i();
  q.first_line = r.u();
  q.out_of_order = r.u();
  q.gaps.resize(r.count());
  for (auto& g : q.gaps) {
    g.first_missing = r.u();
    g.last_missing = r.u();
    g.after_utc = r.opt_i();
    g.before_utc = r.opt_i();
    g.line = r.u();
    g.file = file;
  }
  const std::size_t na = r.count();
  for (std::size_t k = 0; k < na; ++k) {
    std::string app(r.str());
    s.apps[app] += r.u();
  }
  const std::size_t nv = r.count();
  for (std::size_t k = 0; k < nv; ++k) {
    const auto off = static_cast<std::int32_t>(r.i());
    s.offset_votes[off] += r.u();
  }
  s.first_utc = r.opt_i();
  if (!r.done()) throw CodecError("trailing bytes");
  return s;
}

std::string encode_info(const parse::FileInfo& f) {
  Writer w;
  w.u(kFormat);
  w.str(f.app);
  w.str(f.app_type);
  w.str(f.host);
  w.opt_i(f.local_start);
  w.opt_i(f.utc_start);
  w.opt_i(f.utc_offset);
  w.u(f.utc_offset_from_header ? 1 : 0);
  w.u(f.bytes);
  w.u(f.lines);
  w.u(f.events);
  w.u(f.malformed);
  w.u(f.timed_lines);
  return w.take();
}

parse::FileInfo decode_info(std::string_view blob) {
  Reader r(blob);
  check_format(r);
  parse::FileInfo f;
  f.app = std::string(r.str());
  f.app_type = std::string(r.str());
  f.host = std::string(r.str());
  f.local_start = r.opt_i();
  f.utc_start = r.opt_i();
  if (auto off = r.opt_i()) f.utc_offset = static_cast<std::int32_t>(*off);
  f.utc_offset_from_header = r.u() != 0;
  f.bytes = r.u();
  f.lines = r.u();
  f.events = r.u();
  f.malformed = r.u();
  if (!r.done()) f.timed_lines = r.u();  // absent from stores written before it was counted
  if (!r.done()) throw CodecError("trailing bytes");
  return f;
}

std::string encode_resume(const ResumeState& s) {
  Writer w;
  w.u(kFormat);
  const auto& c = s.parser;
  w.u(c.offset);
  w.u(c.line);
  w.opt_i(c.day);
  w.i(c.last_time_of_day);
  w.i(c.last_time.time_of_day);
  w.opt_i(c.last_time.day);
  w.u(c.last_time.digits);
  w.u(c.last_time.at_sign ? 1 : 0);
  w.u(c.last_time.size);
  w.u((c.have_time ? 1 : 0) | (c.offset_checked ? 2 : 0) | (c.utc_offset_from_header ? 4 : 0));
  w.opt_i(c.utc_offset);
  w.u(c.events);
  w.u(c.malformed);
  const auto& k = s.collector;
  w.opt_u(k.sequence_last);
  w.opt_i(k.sequence_last_utc);
  w.u(k.offset_votes);
  w.u(k.conn_legs.size());
  for (const auto& [conn, uuid] : k.conn_legs) {
    w.u(conn);
    w.str(uuid);
  }
  return w.take();
}

ResumeState decode_resume(std::string_view blob) {
  Reader r(blob);
  check_format(r);
  ResumeState s;
  auto& c = s.parser;
  c.offset = r.u();
  c.line = r.u();
  c.day = r.opt_i();
  c.last_time_of_day = r.i();
  c.last_time.time_of_day = r.i();
  c.last_time.day = r.opt_i();
  c.last_time.digits = static_cast<std::uint8_t>(r.u());
  c.last_time.at_sign = r.u() != 0;
  c.last_time.size = static_cast<std::size_t>(r.u());
  const auto flags = r.u();
  c.have_time = (flags & 1) != 0;
  c.offset_checked = (flags & 2) != 0;
  c.utc_offset_from_header = (flags & 4) != 0;
  if (auto off = r.opt_i()) c.utc_offset = static_cast<std::int32_t>(*off);
  c.events = r.u();
  c.malformed = r.u();
  auto& k = s.collector;
  k.sequence_last = r.opt_u();
  k.sequence_last_utc = r.opt_i();
  k.offset_votes = r.u();
  const std::size_t n = r.count();
  k.conn_legs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto conn = r.u();
    k.conn_legs.emplace_back(conn, std::string(r.str()));
  }
  if (!r.done()) throw CodecError("trailing bytes");
  return s;
}

namespace {

std::vector<std::int64_t> sorted_unique(std::vector<std::int64_t> h) {
  std::sort(h.begin(), h.end());
  h.erase(std::unique(h.begin(), h.end()), h.end());
  return h;
}

void add_link_keys(const correlate::Leg& leg, const std::vector<TransferRecord>& transfers,
                   const std::vector<std::string>& islink_ids, std::vector<std::int64_t>& h) {
  auto add = [&](correlate::LinkKey k) { h.push_back(static_cast<std::int64_t>(k)); };
  correlate::for_each_leg_key(leg, add);
  for (const auto& t : transfers)
    if (!t.observation.value.empty())
      add(correlate::transfer_key(t.observation.via, t.observation.value));
  for (const auto& id : islink_ids)
    if (!id.empty()) add(correlate::text_key(id));
}

}  // namespace

std::vector<std::int64_t> link_keys(const correlate::Leg& leg,
                                    const std::vector<TransferRecord>& transfers,
                                    const std::vector<std::string>& islink_ids) {
  std::vector<std::int64_t> h;
  add_link_keys(leg, transfers, islink_ids, h);
  return sorted_unique(std::move(h));
}

std::vector<std::int64_t> index_keys(const correlate::Leg& leg,
                                     const std::vector<TransferRecord>& transfers,
                                     const std::vector<std::string>& islink_ids) {
  std::vector<std::int64_t> h;
  add_link_keys(leg, transfers, islink_ids, h);
  auto add = [&](std::string_view s) {
    if (!s.empty()) h.push_back(static_cast<std::int64_t>(correlate::text_key(s)));
  };
  for (const auto& d : leg.dns)
    add(d);
  add(leg.ani);
  add(leg.dnis);
  std::string kv;
  for (const auto& [key, value] : leg.user_data) {
    kv.assign(key).append("=").append(value);
    add(kv);
  }
  return sorted_unique(std::move(h));
}

std::vector<std::int64_t> orphan_keys(std::string_view conn, const correlate::OrphanEvents& o) {
  std::vector<std::int64_t> h;
  if (auto n = correlate::conn_number(conn))
    correlate::for_each_orphan_key(
        *n, o, [&](correlate::LinkKey k) { h.push_back(static_cast<std::int64_t>(k)); });
  return sorted_unique(std::move(h));
}

}  // namespace calltrail::store
