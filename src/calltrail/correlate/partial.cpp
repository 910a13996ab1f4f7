#include "calltrail/correlate/partial.hpp"

#include <algorithm>

namespace calltrail::correlate {

namespace {

template <typename T>
void add_unique(std::vector<T>& to, const std::vector<T>& from, std::size_t limit) {
  for (const auto& s : from) {
    if (to.size() >= limit) return;
    if (std::find(to.begin(), to.end(), s) == to.end()) to.push_back(s);
  }
}

EventRef moved_ref(EventRef r, std::uint32_t file, const StringPool& from, StringPool& to) {
  r.file = file;
  return reintern(r, from, to);
}

}  // namespace

PartSummary summary_of(const FilePartial& p) {
  PartSummary s;
  s.events = p.events;
  s.call_events = p.call_events;
  s.sequence = p.sequence;
  s.apps = p.apps;
  s.offset_votes = p.offset_votes;
  s.first_utc = p.first_utc;
  return s;
}

void merge_summary(FilePartial& into, const PartSummary& part) {
  into.events += part.events;
  into.call_events += part.call_events;
  auto& a = into.sequence;
  const auto& b = part.sequence;
  if (!a.first && b.first) {
    a.first = b.first;
    a.first_utc = b.first_utc;
    a.first_line = b.first_line;
  }
  if (b.last) a.last = b.last;
  if (b.last_utc) a.last_utc = b.last_utc;
  a.out_of_order += b.out_of_order;
  a.gaps.insert(a.gaps.end(), b.gaps.begin(), b.gaps.end());
  for (const auto& [app, n] : part.apps)
    into.apps[app] += n;
  for (const auto& [off, n] : part.offset_votes)
    into.offset_votes[off] += n;
  if (part.first_utc && (!into.first_utc || *part.first_utc < *into.first_utc))
    into.first_utc = part.first_utc;
}

FilePartial summary_copy(const FilePartial& p) {
  FilePartial out;
  out.file = p.file;
  merge_summary(out, summary_of(p));
  return out;
}

void merge_leg(Leg& to, Leg&& from) {
  add_unique(to.conn_ids, from.conn_ids, SIZE_MAX);
  if (from.transfer_conn_ids)
    add_unique(to.transfer_conn_ids.set(), from.transfer_conn_ids.get(), kMaxLegDns);
  add_unique(to.dns, from.dns, kMaxLegDns);
  if (to.ani.empty()) to.ani = std::move(from.ani);
  if (to.dnis.empty()) to.dnis = std::move(from.dnis);
  if (to.call_type.empty()) to.call_type = std::move(from.call_type);
  for (const auto& [k, v] : from.user_data)
    to.user_data.add(k, v, kMaxLegUserData);
  to.events.insert(to.events.end(), from.events.begin(), from.events.end());
  to.summarised_events += from.summarised_events;
  merge_sip_dialogs(to.sip_dialogs, std::move(from.sip_dialogs));
  if (from.history) merge_call_history(to.history.set(), from.history.get());
  to.deleted = to.deleted || from.deleted;
}

std::vector<std::uint32_t> append_partial(
    FilePartial& into, const FilePartial& part,
    std::unordered_map<std::string, std::uint32_t>& legs_by_uuid) {
  const std::uint32_t file = into.file;
  std::vector<std::uint32_t> index;
  index.reserve(part.legs.size());
  for (Leg leg : part.legs) {
    for (auto& e : leg.events)
      e = moved_ref(e, file, part.strings, into.strings);
    for (auto& d : leg.sip_dialogs)
      if (d.invite) d.invite->file = file;  // where and when only: no strings
    if (leg.history && leg.history->event) leg.history.set().event->file = file;
    leg.site = file;
    auto [it, added] =
        legs_by_uuid.emplace(leg.call_uuid, static_cast<std::uint32_t>(into.legs.size()));
    if (added) {
      into.legs.push_back(std::move(leg));
    } else {
      merge_leg(into.legs[it->second], std::move(leg));
    }
    index.push_back(it->second);
  }
  for (IsLinkObservation o : part.islinks) {
    o.leg = index.at(o.leg);
    o.event = moved_ref(o.event, file, part.strings, into.strings);
    into.islinks.push_back(std::move(o));
  }
  for (TransferObservation t : part.transfers) {
    t.leg = index.at(t.leg);
    t.event = moved_ref(t.event, file, part.strings, into.strings);
    into.transfers.push_back(std::move(t));
  }
  for (const auto& [conn, o] : part.orphans) {
    auto& to = into.orphans[conn];
    for (const auto& e : o.events)
      to.events.push_back(moved_ref(e, file, part.strings, into.strings));
    for (TransferObservation t : o.transfers) {
      t.event = moved_ref(t.event, file, part.strings, into.strings);
      to.transfers.push_back(std::move(t));
    }
  }
  PartSummary summary = summary_of(part);
  for (auto& g : summary.sequence.gaps)
    g.file = file;
  merge_summary(into, summary);
  return index;
}

FilePartial select_legs(const FilePartial& p, std::span<const std::uint32_t> legs,
                        std::span<const std::string> orphan_conns, const LegObservations* by_leg) {
  FilePartial s = summary_copy(p);
  constexpr std::uint32_t kNotTaken = UINT32_MAX;
  std::vector<std::uint32_t> index(p.legs.size(), kNotTaken);
  std::vector<std::uint32_t> islinks, transfers;
  for (const std::uint32_t i : legs) {
    if (i >= p.legs.size()) continue;
    index[i] = static_cast<std::uint32_t>(s.legs.size());
    Leg& l = s.legs.emplace_back(p.legs[i]);
    if (i < p.spans.size()) s.spans.push_back(p.spans[i]);
    for (auto& e : l.events)
      e = reintern(e, p.strings, s.strings);
    if (by_leg != nullptr && i < by_leg->islinks.size()) {
      islinks.insert(islinks.end(), by_leg->islinks[i].begin(), by_leg->islinks[i].end());
      transfers.insert(transfers.end(), by_leg->transfers[i].begin(), by_leg->transfers[i].end());
    }
  }
  if (by_leg == nullptr) {
    for (std::uint32_t k = 0; k < p.islinks.size(); ++k)
      if (p.islinks[k].leg < index.size() && index[p.islinks[k].leg] != kNotTaken)
        islinks.push_back(k);
    for (std::uint32_t k = 0; k < p.transfers.size(); ++k)
      if (p.transfers[k].leg < index.size() && index[p.transfers[k].leg] != kNotTaken)
        transfers.push_back(k);
  } else {
    std::sort(islinks.begin(), islinks.end());
    std::sort(transfers.begin(), transfers.end());
  }
  for (const std::uint32_t k : islinks) {
    IsLinkObservation& c = s.islinks.emplace_back(p.islinks[k]);
    c.leg = index[c.leg];
    c.event = reintern(c.event, p.strings, s.strings);
  }
  for (const std::uint32_t k : transfers) {
    TransferObservation& c = s.transfers.emplace_back(p.transfers[k]);
    c.leg = index[c.leg];
    c.event = reintern(c.event, p.strings, s.strings);
  }
  for (const auto& conn : orphan_conns) {
    auto it = p.orphans.find(conn);
    if (it == p.orphans.end()) continue;
    OrphanEvents& to = s.orphans[conn];
    for (const auto& e : it->second.events)
      to.events.push_back(reintern(e, p.strings, s.strings));
    for (const auto& t : it->second.transfers) {
      TransferObservation& x = to.transfers.emplace_back(t);
      x.event = reintern(t.event, p.strings, s.strings);
    }
  }
  return s;
}

}  // namespace calltrail::correlate
