#include "calltrail/correlate/spare_events.hpp"

#include <algorithm>
#include <cassert>

namespace calltrail::correlate {

namespace {

bool by_line(const EventRef& a, const EventRef& b) {
  return a.line < b.line;
}

// Differences taken modulo 2^64 and folded so that small ones of either sign
// take few bytes (zigzag), written seven bits a byte (LEB128).
std::uint64_t fold(std::uint64_t d) {
  return (d << 1) ^ (std::uint64_t{0} - (d >> 63));
}
std::uint64_t unfold(std::uint64_t z) {
  return (z >> 1) ^ (std::uint64_t{0} - (z & 1));
}

void put(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (unsigned shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto b = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    v |= std::uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::uint64_t bits(Micros t) {
  return static_cast<std::uint64_t>(t);
}

}  // namespace

std::size_t summary_reads(std::span<const EventRef> ev, std::vector<bool>& keep) {
  const std::size_t n = ev.size();
  keep.assign(n, true);
  if (n <= 2) return n;
  for (std::size_t k = 1; k < n; ++k)
    if (ev[k].file != ev[0].file || ev[k].line <= ev[k - 1].line) return n;
  keep.assign(n, false);
  keep[0] = keep[n - 1] = true;
  std::size_t first_timed = n, last_timed = n, earliest = n, latest = n;
  bool want_next_timed = false;
  for (std::size_t k = 0; k < n; ++k) {
    const EventRef& e = ev[k];
    if (e.is_sip() || e.note != 0) keep[k] = true;
    if (!e.has_utc()) {
      keep[k] = true;
      if (last_timed != n) keep[last_timed] = true;
      want_next_timed = true;
      continue;
    }
    if (want_next_timed) keep[k] = true;
    want_next_timed = false;
    if (first_timed == n) first_timed = k;
    last_timed = k;
    if (earliest == n || e.utc < ev[earliest].utc) earliest = k;
    if (latest == n || e.utc > ev[latest].utc) latest = k;
  }
  for (const std::size_t k : {first_timed, last_timed, earliest, latest})
    if (k != n) keep[k] = true;
  return static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true));
}

void encode_events(std::span<const EventRef> events, std::string& out) {
  EventRef p;
  for (const EventRef& e : events) {
    put(out, fold(e.line - p.line));
    put(out, fold(e.offset - p.offset));
    put(out, fold(std::uint64_t{e.file} - p.file));
    put(out, fold(bits(e.utc) - bits(p.utc)));
    put(out, fold((bits(e.local) - bits(e.utc)) - (bits(p.local) - bits(p.utc))));
    put(out, e.flags | (e.local_digits << 8));
    for (const std::uint32_t s : {e.name, e.this_dn, e.other_dn, e.note})
      put(out, s);
    p = e;
  }
}

bool decode_events(std::string_view in, EventList& out) {
  const std::size_t size = out.size();
  EventRef p;
  std::uint64_t v[10];
  while (!in.empty()) {
    for (auto& x : v)
      if (!get(in, x)) {
        out.resize(size);
        return false;
      }
    EventRef e;
    e.line = (p.line + unfold(v[0])) & ((std::uint64_t{1} << 40) - 1);
    e.offset = (p.offset + unfold(v[1])) & ((std::uint64_t{1} << 48) - 1);
    e.file = static_cast<std::uint32_t>((p.file + unfold(v[2])) & ((1u << 24) - 1));
    e.utc = static_cast<Micros>(bits(p.utc) + unfold(v[3]));
    e.local = static_cast<Micros>(bits(e.utc) + (bits(p.local) - bits(p.utc)) + unfold(v[4]));
    e.flags = v[5] & 0xff;
    e.local_digits = (v[5] >> 8) & 0xff;
    e.name = static_cast<std::uint32_t>(v[6]);
    e.this_dn = static_cast<std::uint32_t>(v[7]);
    e.other_dn = static_cast<std::uint32_t>(v[8]);
    e.note = static_cast<std::uint32_t>(v[9]);
    out.push_back(e);
    p = e;
  }
  return true;
}

std::uint64_t SpareEvents::events() const {
  std::uint64_t n = 0;
  for (const std::uint32_t c : count)
    n += c;
  return n;
}

SpareEvents set_aside(std::span<Leg> legs) {
  SpareEvents s;
  s.at.reserve(legs.size() + 1);
  s.count.reserve(legs.size());
  std::vector<bool> keep;
  std::vector<EventRef> spare;
  for (Leg& l : legs) {
    s.at.push_back(s.bytes.size());
    s.count.push_back(0);
    EventList& ev = l.events;
    // A summary collection adds a leg's SIP landmarks after its other events.
    if (!std::is_sorted(ev.begin(), ev.end(), by_line) &&
        std::all_of(ev.begin(), ev.end(), [&](const EventRef& e) { return e.file == ev[0].file; }))
      std::stable_sort(ev.begin(), ev.end(), by_line);
    const std::size_t n = ev.size();
    const std::size_t kept = summary_reads(ev, keep);
    if (kept == n) continue;
    spare.clear();
    std::size_t to = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (keep[k]) {
        ev[to++] = ev[k];
      } else {
        spare.push_back(ev[k]);
      }
    }
    ev.resize(kept);
    encode_events(spare, s.bytes);
    s.count.back() = static_cast<std::uint32_t>(n - kept);
  }
  s.at.push_back(s.bytes.size());
  s.bytes.shrink_to_fit();
  return s;
}

void restore(Leg& leg, const SpareEvents& spare, std::size_t k) {
  if (spare.empty() || spare.count[k] == 0) return;
  const std::size_t middle = leg.events.size();
  leg.events.reserve(middle + spare.count[k]);
  const std::string_view bytes(spare.bytes);
  [[maybe_unused]] const bool whole =
      decode_events(bytes.substr(spare.at[k], spare.at[k + 1] - spare.at[k]), leg.events);
  assert(whole && leg.events.size() == middle + spare.count[k]);
  std::inplace_merge(leg.events.begin(), leg.events.begin() + static_cast<std::ptrdiff_t>(middle),
                     leg.events.end(), by_line);
}

}  // namespace calltrail::correlate
