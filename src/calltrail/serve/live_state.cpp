#include "calltrail/serve/live_state.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>
#include <type_traits>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/secrets.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/model/identifiers.hpp"
#include "calltrail/parse/sip_message.hpp"

namespace calltrail::serve {

namespace {

constexpr std::size_t kMaxSearchNodes = 10'000;  // per DN, ANI, DNIS or user-data value
constexpr std::size_t kMaxUserDataKeys = 64;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return out;
}

std::string prefixed(char kind, std::string_view value) {
  std::string k;
  k.reserve(value.size() + 2);
  k += kind;
  k += ':';
  k += value;
  return k;
}

using correlate::reintern;

}  // namespace

const char* to_string(SourceKind k) {
  return k == SourceKind::Text ? "text" : "events";
}

const char* to_string(UpdateKind k) {
  switch (k) {
    case UpdateKind::Created:
      return "created";
    case UpdateKind::LegAdded:
      return "leg_added";
    case UpdateKind::Linked:
      return "linked";
    case UpdateKind::Completed:
      return "completed";
    case UpdateKind::Merged:
      return "merged";
    case UpdateKind::Updated:
      return "updated";
  }
  return "updated";
}

void MemoryLiveStore::commit(std::span<const SourceCheckpoint> checkpoints) {
  std::lock_guard lock(mutex_);
  for (const auto& c : checkpoints)
    positions_[std::string(c.source)] = c.next;
}

std::optional<std::uint64_t> MemoryLiveStore::position(std::string_view source) const {
  std::lock_guard lock(mutex_);
  auto it = positions_.find(source);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

void append_summary_json(std::string& out, const InteractionSummary& s) {
  base::JsonWriter w(out);
  w.begin_object();
  w.field("interaction_id", s.id);
  w.field("complete", s.complete);
  w.field("open", s.open);
  w.field("legs", std::uint64_t{s.legs});
  w.field("links_paired", std::uint64_t{s.links_paired});
  w.field("events", s.events);
  w.field("start", base::format_utc(s.start));
  w.field("end", base::format_utc(s.end));
  w.key("sites").begin_array();
  for (const auto& site : s.sites)
    w.value(site);
  w.end_array();
  w.end_object();
}

std::string update_json(const Update& u) {
  std::string out;
  out += "{\"seq\":";
  out += std::to_string(u.seq);
  out += ",\"kind\":";
  base::append_json_string(out, to_string(u.kind));
  out += ",\"interaction_id\":";
  base::append_json_string(out, u.interaction.id);
  if (u.kind == UpdateKind::Merged) {
    out += ",\"survivor\":";
    base::append_json_string(out, u.interaction.id);
    out += ",\"merged\":[";
    for (std::size_t i = 0; i < u.merged.size(); ++i) {
      if (i > 0) out += ',';
      base::append_json_string(out, u.merged[i]);
    }
    out += ']';
  }
  out += ",\"interaction\":";
  append_summary_json(out, u.interaction);
  out += '}';
  return out;
}

struct LiveCorrelation::Source {
  Source(std::string source_name, SourceKind source_kind, std::uint32_t file_index)
      : name(std::move(source_name)), kind(source_kind), file(file_index), collector(file_index) {
    info.path = name;
    partial.file = file_index;
  }

  std::string name;
  SourceKind kind;
  std::uint32_t file;
  std::string path;  // followed file
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  parse::FileInfo info;
  base::Diagnostics diagnostics;
  // Events go to the collector; after each batch what it holds is cut and
  // appended to `partial`, everything collected so far (the same cut goes to
  // the store).
  correlate::FileCollector collector;
  correlate::FilePartial partial;
  std::unordered_map<std::string, std::uint32_t> leg_by_uuid;  // in `partial`
  std::uint64_t part_start = 0;                                // where the events not yet cut begin
  std::uint64_t max_emitted = 0;  // byte offset of the latest event not yet cut
  bool emitted = false;
  std::string pending;  // durable text: the bytes from part_start to next
  // Durable sources: what the next commit writes (the cuts since the last
  // one, merged), and the ticket of the latest accepted batch.
  correlate::FilePartial store_part;
  std::unordered_map<std::string, std::uint32_t> store_legs;
  bool store_has_part = false;
  bool store_dirty = false;
  std::uint64_t store_part_start = 0;
  std::uint64_t store_resume_offset = 0;
  store::ResumeState store_resume;
  std::uint64_t ticket = 0;
  parse::EventCallback sink;
  std::unique_ptr<parse::LogParser> parser;
  bool ended = false;
  std::uint64_t next = 0;
  std::uint64_t events = 0;
  std::optional<Micros> last_event_utc;
  std::optional<SteadyTime> last_batch;
  std::size_t legs_seen = 0;
  std::size_t islinks_seen = 0;
  std::size_t transfers_seen = 0;
  correlate::LegObservations observations;  // of `partial`, by leg
  std::string raw;                          // pushed text (or event lines), from raw_base on
  std::uint64_t raw_base = 0;               // what came before a restart is not kept
  bool raw_complete = true;
  std::uint64_t raw_offset = 0;    // events sources: offset of the next event line in `raw`
  std::uint64_t pushed_bytes = 0;  // pushed text or event lines taken (max_source_bytes)
};

LiveCorrelation::LiveCorrelation(LiveOptions options, LiveStore* store)
    : options_(std::move(options)), store_(store) {}

LiveCorrelation::~LiveCorrelation() = default;

LiveCorrelation::Source& LiveCorrelation::source_for(std::string_view name, SourceKind kind,
                                                     std::string_view follow_path) {
  auto it = source_index_.find(std::string(name));
  if (it != source_index_.end()) return *sources_[it->second];
  const auto file = static_cast<std::uint32_t>(sources_.size());
  auto s = std::make_unique<Source>(std::string(name), kind, file);
  if (!follow_path.empty()) {
    s->path = std::string(follow_path);
    s->info.path = s->path;  // the file's own name (its date, its site)
    struct stat st {};
    if (::stat(s->path.c_str(), &st) == 0) {
      s->dev = st.st_dev;
      s->ino = st.st_ino;
    }
  }
  Source* raw_source = s.get();
  if (kind == SourceKind::Text) {
    s->sink = [this, raw_source](model::Event& e) { on_event(*raw_source, e); };
    s->parser = std::make_unique<parse::LogParser>(s->info, file, s->diagnostics, s->sink);
  }
  source_index_.emplace(std::string(name), file);
  if (follow_path.empty()) ++pushed_sources_;
  sources_.push_back(std::move(s));
  return *sources_.back();
}

std::uint32_t LiveCorrelation::node(correlate::LinkKey key) {
  auto [it, added] = nodes_.try_emplace(key, static_cast<std::uint32_t>(parent_.size()));
  if (added) {
    node_keys_.push_back(key);
    parent_.push_back(it->second);
    members_.push_back({it->second});
  }
  return it->second;
}

std::uint32_t LiveCorrelation::find(std::uint32_t n) {
  while (parent_[n] != n) {
    parent_[n] = parent_[parent_[n]];
    n = parent_[n];
  }
  return n;
}

void LiveCorrelation::unite(std::uint32_t a, std::uint32_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return;
  if (members_[a].size() < members_[b].size()) std::swap(a, b);
  parent_[b] = a;
  members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
  members_[b] = {};
  if (auto it = component_ids_.find(b); it != component_ids_.end()) {
    auto& ids = component_ids_[a];
    ids.insert(ids.end(), it->second.begin(), it->second.end());
    component_ids_.erase(b);
  }
  if (auto it = dirty_.find(b); it != dirty_.end()) {
    const SteadyTime t = it->second;
    dirty_.erase(it);
    auto [d, added] = dirty_.try_emplace(a, t);
    if (!added && t < d->second) d->second = t;
  }
}

void LiveCorrelation::mark_dirty(std::uint32_t n) {
  dirty_.try_emplace(find(n), std::chrono::steady_clock::now());
}

void LiveCorrelation::on_event(Source& s, const model::Event& e) {
  s.collector.add(e);
  s.max_emitted = std::max(s.max_emitted, e.where.offset);
  s.emitted = true;
  ++s.events;
  ++counters_.events;
  if (auto utc = e.times.utc(); utc && (!s.last_event_utc || *utc > *s.last_event_utc))
    s.last_event_utc = utc;
}

bool LiveCorrelation::cut(Source& s) {
  const bool text = s.kind == SourceKind::Text;
  const bool durable = store_ != nullptr && store_->durable() && s.path.empty();
  // A durable text source is cut at the parser's latest record boundary,
  // where a restarted parser can resume, when no event from beyond it was
  // collected yet; everything else at the end of the batch.
  bool cutting = true;
  std::uint64_t end = s.next;
  store::ResumeState state;
  if (text && durable && !s.ended) {
    const parse::ParserCheckpoint& cp = s.parser->checkpoint();
    cutting = cp.offset > s.part_start && !(s.emitted && s.max_emitted >= cp.offset);
    if (cutting) {
      end = cp.offset;
      state.parser = cp;
    }
  } else if (!text) {
    state.parser.offset = s.raw_offset;  // events: where the next event line's raw text goes
  }
  correlate::FilePartial part;
  if (cutting) {
    part = s.collector.cut();
    s.emitted = false;
    s.max_emitted = 0;
    if (durable) {
      // Without the ConnIDs: every ConnID the source ever saw, written with
      // each commit, would make commits grow with the source's age. A restart
      // rebuilds them from the stored legs instead (restore()).
      state.collector = s.collector.carry_without_conns();
    }
  }
  if (durable && text) {
    const std::uint64_t done = cutting ? end - s.part_start : 0;
    s.pending.erase(0, std::min<std::uint64_t>(done, s.pending.size()));
    if (s.ended) s.pending.clear();
  }
  if (durable) {
    // Kept for the next commit (sync_store), which the answer waits for.
    if (cutting) {
      if (!s.store_has_part) s.store_part_start = s.part_start;
      s.store_has_part = true;
      correlate::append_partial(s.store_part, part, s.store_legs);
      s.store_resume_offset = end;
      s.store_resume = std::move(state);
    }
    if (!s.store_dirty) store_dirty_.push_back(s.file);
    s.store_dirty = true;
    s.ticket = ++accepted_seq_;
  } else if (store_ != nullptr) {
    SourceCheckpoint c;
    c.source = s.name;
    c.kind = s.kind;
    c.follow_path = s.path;
    c.next = s.next;
    c.ended = s.ended;
    c.info = &s.info;
    try {
      store_->commit({&c, 1});
    } catch (const std::exception& e) {
      store_error_ = base::redact_secrets(std::string("the store failed: ") + e.what());
      return false;
    }
  }
  if (cutting) {
    s.part_start = end;
    append_part(s, part);
  }
  return true;
}

void LiveCorrelation::append_part(Source& s, const correlate::FilePartial& part) {
  std::vector<std::string> conns;
  for (const auto& [conn, o] : part.orphans)
    conns.push_back(conn);
  const std::size_t islinks_from = s.partial.islinks.size();
  const std::size_t transfers_from = s.partial.transfers.size();
  std::vector<std::uint32_t> legs = correlate::append_partial(s.partial, part, s.leg_by_uuid);
  std::sort(legs.begin(), legs.end());
  legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
  // Marked again here: events collected in an earlier batch may only now
  // join the partial a rebuild reads.
  index_part(s, legs, islinks_from, transfers_from, conns);
}

// What legs `legs` of s.partial (and its observations from the given
// positions on, and the orphan events of `conns`) link by joins their nodes
// (correlate/link_keys.hpp, as trace and the store key them); what users
// search them by besides goes to the search index.
void LiveCorrelation::index_part(Source& s, std::span<const std::uint32_t> legs,
                                 std::size_t islinks_from, std::size_t transfers_from,
                                 std::span<const std::string> conns) {
  using correlate::LinkKey;
  const correlate::FilePartial& p = s.partial;
  auto leg_node = [&](std::uint32_t li) { return node(correlate::text_key(p.legs[li].call_uuid)); };
  for (const std::uint32_t li : legs) {
    const correlate::Leg& leg = p.legs[li];
    const std::uint32_t first = leg_node(li);
    correlate::for_each_leg_key(leg, [&](LinkKey k) { unite(first, node(k)); });
    mark_dirty(first);
    std::vector<std::string> search;
    for (const auto& dn : leg.dns)
      search.push_back(prefixed('d', dn));
    if (!leg.ani.empty()) search.push_back(prefixed('a', leg.ani));
    if (!leg.dnis.empty()) search.push_back(prefixed('n', leg.dnis));
    for (const auto& [key, value] : leg.user_data)
      search.push_back(prefixed('k', key + "=" + value));
    for (const auto& key : search) {
      auto& v = search_index_[key];
      if (v.size() >= kMaxSearchNodes) continue;
      if (!v.empty() && find(v.back()) == find(first)) continue;
      v.push_back(first);
    }
    for (const auto& e : leg.events)
      if (e.has_utc() && (!s.last_event_utc || e.utc > *s.last_event_utc)) s.last_event_utc = e.utc;
  }
  for (std::size_t k = islinks_from; k < p.islinks.size(); ++k) {
    const auto& o = p.islinks[k];
    if (o.leg < p.legs.size() && !o.id.empty())
      unite(leg_node(o.leg), node(correlate::text_key(o.id)));
  }
  for (std::size_t k = transfers_from; k < p.transfers.size(); ++k) {
    const auto& t = p.transfers[k];
    if (t.leg < p.legs.size() && !t.value.empty())
      unite(leg_node(t.leg), node(correlate::transfer_key(t.via, t.value)));
  }
  for (const auto& conn : conns) {
    auto it = p.orphans.find(conn);
    const auto number = correlate::conn_number(conn);
    if (it == p.orphans.end() || !number) continue;
    const std::uint32_t n = node(correlate::conn_key(*number));
    correlate::for_each_orphan_key(*number, it->second, [&](LinkKey k) { unite(n, node(k)); });
    mark_dirty(n);
    OrphanNode& o = orphans_of_node_[n];
    o.conn = conn;
    if (std::find(o.files.begin(), o.files.end(), s.file) == o.files.end())
      o.files.push_back(s.file);
  }
}

void LiveCorrelation::index_new_legs(Source& s) {
  const correlate::FilePartial& p = s.partial;
  for (; s.legs_seen < p.legs.size(); ++s.legs_seen) {
    const std::uint32_t n = node(correlate::text_key(p.legs[s.legs_seen].call_uuid));
    legs_of_node_[n].emplace_back(s.file, static_cast<std::uint32_t>(s.legs_seen));
  }
  auto& by_leg = s.observations;
  by_leg.islinks.resize(p.legs.size());
  by_leg.transfers.resize(p.legs.size());
  for (; s.islinks_seen < p.islinks.size(); ++s.islinks_seen)
    by_leg.islinks[p.islinks[s.islinks_seen].leg].push_back(
        static_cast<std::uint32_t>(s.islinks_seen));
  for (; s.transfers_seen < p.transfers.size(); ++s.transfers_seen)
    by_leg.transfers[p.transfers[s.transfers_seen].leg].push_back(
        static_cast<std::uint32_t>(s.transfers_seen));
}

void LiveCorrelation::after_batch(Source& s, std::uint64_t events_before, Accepted* a) {
  if (!cut(s) && a != nullptr) {
    a->status = Accepted::Unavailable;
    a->error = *store_error_;
  }
  index_new_legs(s);

  const auto now = std::chrono::steady_clock::now();
  s.last_batch = now;
  ++counters_.batches;
  const std::uint64_t added = s.events - events_before;
  if (added > 0) {
    const auto second = std::chrono::time_point_cast<std::chrono::seconds>(now);
    if (rate_window_.empty() || rate_window_.back().first != second) {
      rate_window_.emplace_back(second, 0);
      if (rate_window_.size() > 12) rate_window_.erase(rate_window_.begin());
    }
    rate_window_.back().second += added;
  }
}

Accepted LiveCorrelation::admit(const Source& s, SourceKind kind, std::uint64_t at,
                                std::uint64_t size) {
  Accepted a;
  a.next = s.next;
  if (store_error_) {
    a.status = Accepted::Unavailable;
    a.error = *store_error_;
    return a;
  }
  const bool text = kind == SourceKind::Text;
  if (s.kind != kind) {
    a.status = Accepted::Invalid;
    a.error =
        "source '" + s.name +
        (text ? "' receives events JSON, not log text" : "' receives log text, not events JSON");
    return a;
  }
  if (at > s.next) {
    a.status = Accepted::Gap;
    a.error = std::string(text ? "offset " : "event ") + std::to_string(at) +
              " is past the end of what source '" + s.name + "' has sent (" +
              std::to_string(s.next) + (text ? " bytes" : " events") + "); resend from there";
    return a;
  }
  a.duplicates = std::min<std::uint64_t>(s.next - at, size);
  if (a.duplicates == size && size > 0) ++counters_.duplicate_batches;
  return a;
}

Accepted LiveCorrelation::refuse_push(std::string_view name) const {
  Accepted a;
  auto it = source_index_.find(std::string(name));
  if (it != source_index_.end()) {
    const Source& s = *sources_[it->second];
    a.next = s.next;
    if (!s.path.empty()) {
      // Text pushed into it would move its position past bytes the file has
      // not given yet, and the file's own bytes would then be dropped as
      // duplicates.
      a.status = Accepted::Invalid;
      a.error = "source '" + s.name +
                "' is a followed file: it is read from disk and takes nothing pushed (push "
                "under another name)";
    }
    return a;
  }
  if (options_.max_sources != 0 && pushed_sources_ >= options_.max_sources) {
    a.status = Accepted::TooManySources;
    a.error = "this server takes at most " + std::to_string(options_.max_sources) +
              " pushed sources (--max-sources); '" + std::string(name) + "' would be one more";
  }
  return a;
}

bool LiveCorrelation::is_followed(std::string_view source) const {
  std::lock_guard lock(mutex_);
  auto it = source_index_.find(std::string(source));
  return it != source_index_.end() && !sources_[it->second]->path.empty();
}

std::uint64_t LiveCorrelation::ticket_of(std::string_view source) const {
  auto it = source_index_.find(std::string(source));
  return it == source_index_.end() ? 0 : sources_[it->second]->ticket;
}

bool LiveCorrelation::sync_store(std::uint64_t ticket) {
  std::lock_guard leader(commit_mutex_);
  std::vector<SourceCheckpoint> checkpoints;
  std::vector<std::string> names;
  std::vector<std::string> pendings;
  std::vector<parse::FileInfo> infos;
  std::vector<correlate::FilePartial> parts;
  std::vector<store::ResumeState> resumes;
  std::uint64_t taking = 0;
  {
    std::lock_guard lock(mutex_);
    if (store_error_) return false;
    if (committed_seq_ >= ticket) return true;
    taking = accepted_seq_;
    // Reserved: the checkpoints point into these.
    const std::size_t n = store_dirty_.size();
    for (auto* v : {&names, &pendings})
      v->reserve(n);
    infos.reserve(n);
    parts.reserve(n);
    resumes.reserve(n);
    for (std::uint32_t f : store_dirty_) {
      Source& s = *sources_[f];
      SourceCheckpoint& c = checkpoints.emplace_back();
      c.source = names.emplace_back(s.name);
      c.kind = s.kind;
      c.next = s.next;
      c.ended = s.ended;
      c.info = &infos.emplace_back(s.info);
      c.pending = pendings.emplace_back(s.pending);
      if (s.store_has_part) {
        c.part = &parts.emplace_back(std::move(s.store_part));
        c.part_start = s.store_part_start;
        c.part_end = s.store_resume_offset;
        c.resume_offset = s.store_resume_offset;
        c.resume = &resumes.emplace_back(s.store_resume);
        s.store_part = correlate::FilePartial{};
        s.store_legs.clear();
        s.store_has_part = false;
      }
      s.store_dirty = false;
    }
    store_dirty_.clear();
  }
  try {
    store_->commit(checkpoints);
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    store_error_ = base::redact_secrets(std::string("the store failed: ") + e.what());
    return false;
  }
  std::lock_guard lock(mutex_);
  committed_seq_ = taking;
  return true;
}

template <typename Take>
auto LiveCorrelation::taken(std::string_view source, Take&& take) {
  std::uint64_t ticket = 0;
  auto result = [&] {
    std::lock_guard lock(mutex_);
    auto r = take();
    ticket = ticket_of(source);
    return r;
  }();
  const bool committed = ticket == 0 || sync_store(ticket);  // waits for the commit
  if constexpr (std::is_same_v<decltype(result), Accepted>) {
    if (result.status == Accepted::Ok && !committed) {
      result.status = Accepted::Unavailable;
      result.error = store_error().value_or("the store failed");
    }
  }
  return result;  // end_text: a failure shows in store_error()
}

Accepted LiveCorrelation::add_text(std::string_view source, std::uint64_t offset,
                                   std::string_view bytes, std::string_view follow_path) {
  return taken(source, [&] { return add_text_locked(source, offset, bytes, follow_path); });
}

std::uint64_t LiveCorrelation::end_text(std::string_view source) {
  return taken(source, [&] { return end_text_locked(source); });
}

Accepted LiveCorrelation::add_events(std::string_view source, std::uint64_t first,
                                     std::span<model::Event> events,
                                     std::span<const std::string_view> raw_lines) {
  return taken(source, [&] { return add_events_locked(source, first, events, raw_lines); });
}

Accepted LiveCorrelation::add_text_locked(std::string_view source, std::uint64_t offset,
                                          std::string_view bytes, std::string_view follow_path) {
  if (follow_path.empty()) {
    Accepted refused = refuse_push(source);
    if (refused.status != Accepted::Ok) return refused;
  }
  Source& s = source_for(source, SourceKind::Text, follow_path);
  Accepted a = admit(s, SourceKind::Text, offset, bytes.size());
  if (a.status != Accepted::Ok || a.duplicates == bytes.size()) return a;
  const std::uint64_t skip = a.duplicates;
  if (s.ended) {
    a.status = Accepted::Invalid;
    a.error = "source '" + s.name + "' has ended";
    return a;
  }
  const std::string_view fresh = bytes.substr(skip);
  if (follow_path.empty() && options_.max_source_bytes != 0 &&
      s.pushed_bytes + fresh.size() > options_.max_source_bytes) {
    a.status = Accepted::SourceFull;
    a.error = "source '" + s.name + "' would pass the " +
              std::to_string(options_.max_source_bytes) +
              " bytes one source may push (--max-source-mb); nothing was taken";
    return a;
  }
  if (follow_path.empty()) s.pushed_bytes += fresh.size();
  const std::uint64_t before = s.events;
  s.parser->feed(fresh);
  s.next += fresh.size();
  if (store_ != nullptr && store_->durable() && s.path.empty()) s.pending.append(fresh);
  if (s.path.empty() && s.raw_complete) {
    if (retained_raw_ + fresh.size() <= options_.retain_raw_bytes) {
      s.raw.append(fresh);
      retained_raw_ += fresh.size();
    } else {
      s.raw_complete = false;
    }
  }
  a.accepted = fresh.size();
  a.events = s.events - before;
  a.next = s.next;
  after_batch(s, before, &a);
  return a;
}

std::uint64_t LiveCorrelation::end_text_locked(std::string_view source) {
  auto it = source_index_.find(std::string(source));
  if (it == source_index_.end()) return 0;
  Source& s = *sources_[it->second];
  if (s.kind != SourceKind::Text || s.ended || store_error_) return 0;
  const std::uint64_t before = s.events;
  s.parser->finish();
  s.ended = true;
  after_batch(s, before);
  return s.events - before;
}

Accepted LiveCorrelation::add_events_locked(std::string_view source, std::uint64_t first,
                                            std::span<model::Event> events,
                                            std::span<const std::string_view> raw_lines) {
  {
    Accepted refused = refuse_push(source);
    if (refused.status != Accepted::Ok) return refused;
  }
  Source& s = source_for(source, SourceKind::Events, {});
  Accepted a = admit(s, SourceKind::Events, first, events.size());
  if (a.status != Accepted::Ok || a.duplicates == events.size()) return a;
  const std::uint64_t skip = a.duplicates;
  if (options_.max_source_bytes != 0) {
    std::uint64_t fresh = 0;
    for (std::size_t i = skip; i < raw_lines.size(); ++i)
      fresh += raw_lines[i].size() + 1;
    if (s.pushed_bytes + fresh > options_.max_source_bytes) {
      a.status = Accepted::SourceFull;
      a.error = "source '" + s.name + "' would pass the " +
                std::to_string(options_.max_source_bytes) +
                " bytes one source may push (--max-source-mb); nothing was taken";
      return a;
    }
    s.pushed_bytes += fresh;
  }
  const std::uint64_t before = s.events;
  for (std::size_t i = skip; i < events.size(); ++i) {
    model::Event& e = events[i];
    e.where.file_index = s.file;
    if (!e.app.empty() && s.info.app.empty()) s.info.app = e.app;
    if (e.times.utc_offset && !s.info.utc_offset) s.info.utc_offset = e.times.utc_offset;
    // Raw text of pushed events is the event's JSON line as the server keeps it.
    e.where.offset = s.raw_offset;
    if (i < raw_lines.size()) {
      const std::string_view line = raw_lines[i];
      s.raw_offset += line.size() + 1;
      if (s.raw_complete && retained_raw_ + line.size() + 1 <= options_.retain_raw_bytes) {
        s.raw.append(line);
        s.raw += '\n';
        retained_raw_ += line.size() + 1;
      } else {
        s.raw_complete = false;
      }
    }
    ++s.info.events;
    on_event(s, e);
  }
  s.next = first + events.size();
  a.accepted = events.size() - skip;
  a.events = s.events - before;
  a.next = s.next;
  after_batch(s, before, &a);
  return a;
}

bool LiveCorrelation::dirty() const {
  std::lock_guard lock(mutex_);
  return !dirty_.empty();
}

std::optional<std::uint64_t> LiveCorrelation::position(std::string_view source) {
  std::lock_guard lock(mutex_);
  auto it = source_index_.find(std::string(source));
  if (it == source_index_.end()) return std::nullopt;
  return sources_[it->second]->next;
}

std::size_t LiveCorrelation::evict(std::optional<SteadyTime> now) {
  if (options_.retention.count() == 0) return 0;
  std::lock_guard lock(mutex_);
  const SteadyTime t = now.value_or(std::chrono::steady_clock::now());
  if (!now) {
    if (t - last_evict_ < std::chrono::seconds(1)) return 0;
    last_evict_ = t;
  }
  // Whole components whose interactions are all complete, ended and old.
  std::vector<std::uint32_t> roots;
  for (const auto& [root, ids] : component_ids_) {
    if (dirty_.contains(root)) continue;
    bool old_enough = !ids.empty();
    for (const auto& id : ids) {
      auto it = summaries_.find(id);
      old_enough = old_enough && it != summaries_.end() && it->second.complete &&
                   !it->second.open && t - it->second.changed >= options_.retention;
    }
    if (old_enough) roots.push_back(root);
  }
  std::size_t evicted = 0;
  for (std::uint32_t root : roots) {
    evicted += component_ids_[root].size();
    evict_component(root);
  }
  if (evicted > 0) {
    // Search entries of identifiers that are gone.
    for (auto it = search_index_.begin(); it != search_index_.end();) {
      auto& v = it->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](std::uint32_t n) { return !node_keys_[n]; }),
              v.end());
      it = v.empty() ? search_index_.erase(it) : std::next(it);
    }
  }
  return evicted;
}

void LiveCorrelation::evict_component(std::uint32_t root) {
  for (const auto& id : component_ids_[root]) {
    summaries_.erase(id);
    ++counters_.evicted_interactions;
  }
  component_ids_.erase(root);
  for (std::uint32_t m : members_[root]) {
    if (auto it = legs_of_node_.find(m); it != legs_of_node_.end()) {
      for (auto [file, li] : it->second) {
        Source& s = *sources_[file];
        correlate::Leg& leg = s.partial.legs[li];
        std::string uuid = lower(leg.call_uuid);
        s.leg_by_uuid.erase(leg.call_uuid);
        for (std::uint32_t k : s.observations.islinks[li])
          s.partial.islinks[k] = {};
        for (std::uint32_t k : s.observations.transfers[li])
          s.partial.transfers[k] = {};
        s.observations.islinks[li] = {};
        s.observations.transfers[li] = {};
        leg = {};
        // Only a store can answer for an evicted leg's late events; without
        // one nothing of the leg is kept.
        if (store_ != nullptr && store_->durable()) evicted_uuids_.insert(std::move(uuid));
        ++counters_.evicted_legs;
      }
      legs_of_node_.erase(it);
    }
    if (auto it = orphans_of_node_.find(m); it != orphans_of_node_.end()) {
      for (std::uint32_t file : it->second.files)
        sources_[file]->partial.orphans.erase(it->second.conn);
      orphans_of_node_.erase(it);
    }
    if (node_keys_[m]) nodes_.erase(*node_keys_[m]);
    node_keys_[m].reset();
  }
  members_[root] = {};
}

std::optional<std::string> LiveCorrelation::store_error() const {
  std::lock_guard lock(mutex_);
  return store_error_;
}

void LiveCorrelation::index_restored(Source& s) {
  std::vector<std::uint32_t> legs(s.partial.legs.size());
  std::iota(legs.begin(), legs.end(), 0u);
  std::vector<std::string> conns;
  for (const auto& [conn, o] : s.partial.orphans)
    conns.push_back(conn);
  index_part(s, legs, 0, 0, conns);
}

std::size_t LiveCorrelation::restore() {
  if (store_ == nullptr) return 0;
  std::vector<RestoredSource> restored = store_->restore();
  {
    std::lock_guard lock(mutex_);
    for (RestoredSource& r : restored) {
      Source& s = source_for(r.name, r.kind, {});
      s.info = std::move(r.info);
      s.info.path = s.name;
      s.next = r.next;
      s.ended = r.ended;
      s.part_start = r.resume_offset;
      append_part(s, r.partial);
      // The collector's ConnID -> CallUUID carry, from the stored legs: for a
      // ConnID on several legs, the leg with the latest event.
      std::unordered_map<std::uint64_t, std::pair<std::uint64_t, std::string>> latest;
      for (const correlate::Leg& leg : s.partial.legs) {
        std::uint64_t last = 0;
        for (const auto& e : leg.events)
          last = std::max(last, e.offset);
        for (const std::uint64_t conn : leg.conn_ids) {
          auto [it, added] = latest.try_emplace(conn, last, leg.call_uuid);
          if (!added && last >= it->second.first) it->second = {last, leg.call_uuid};
        }
      }
      auto& carried = r.resume.collector.conn_legs;
      carried.clear();
      for (const auto& [conn, at] : latest)
        carried.emplace_back(conn, at.second);
      std::sort(carried.begin(), carried.end());
      s.collector = correlate::FileCollector(s.file, r.resume.collector);
      index_restored(s);
      s.events = s.partial.events;
      if (s.kind == SourceKind::Text) {
        s.raw_base = r.resume_offset;
        s.raw = r.pending;
        retained_raw_ += s.raw.size();
        if (!s.ended) {
          // The text after the last part: parsed again from its boundary.
          s.parser->resume(r.resume.parser);
          s.pending = std::move(r.pending);
          s.parser->feed(s.pending);
        }
      } else {
        s.raw_offset = r.resume.parser.offset;
        s.raw_base = s.raw_offset;
      }
      index_new_legs(s);
    }
  }
  recompute();  // the restored interactions, announced to no one
  return restored.size();
}

Built LiveCorrelation::build_roots(const std::vector<std::uint32_t>& roots) {
  const std::size_t n = sources_.size();
  std::vector<correlate::FilePartial> parts(n);
  std::vector<parse::FileInfo> infos(n);
  std::vector<std::vector<std::uint32_t>> chosen(n);      // legs per file
  std::vector<std::vector<std::string>> orphan_conns(n);  // orphan ConnIDs per file
  for (std::uint32_t root : roots) {
    for (std::uint32_t m : members_[root]) {
      if (auto it = legs_of_node_.find(m); it != legs_of_node_.end())
        for (auto [file, leg] : it->second)
          chosen[file].push_back(leg);
      if (auto it = orphans_of_node_.find(m); it != orphans_of_node_.end())
        for (std::uint32_t file : it->second.files)
          orphan_conns[file].push_back(it->second.conn);
    }
  }
  Built out;
  for (std::uint32_t f = 0; f < n; ++f) {
    const Source& s = *sources_[f];
    out.file_sources.push_back(s.name);
    infos[f] = s.info;
    auto& legs = chosen[f];
    std::sort(legs.begin(), legs.end());
    legs.erase(std::unique(legs.begin(), legs.end()), legs.end());
    parts[f] = correlate::select_legs(s.partial, legs, orphan_conns[f], &s.observations);
    parts[f].file = f;
  }
  correlate::BuildOptions build = options_.build;
  for (const auto& [path, site] : pinned_sites_)
    build.sites.push_back({path, site});
  // A new segment of a named site's application joins that site at once.
  for (const auto& sp : sources_) {
    if (sp->info.app.empty() || pinned_sites_.contains(sp->info.path)) continue;
    if (auto it = app_sites_.find(sp->info.app); it != app_sites_.end())
      build.sites.push_back({sp->info.path, it->second});
  }
  out.correlation = correlate::build_correlation(std::move(parts), std::move(infos), build);
  return out;
}

void LiveCorrelation::pin_site_names(const correlate::Correlation& c) {
  using correlate::SiteNameSource;
  for (const auto& site : c.sites) {
    if (site.name_source == SiteNameSource::Application ||
        site.name_source == SiteNameSource::FileStem)
      continue;
    for (std::uint32_t f : site.files)
      pinned_sites_.emplace(c.files[f].info.path, site.name);
    if (!site.app.empty()) app_sites_.emplace(site.app, site.name);
  }
}

InteractionSummary LiveCorrelation::summarize(const correlate::Correlation& c,
                                              const correlate::Interaction& it) const {
  InteractionSummary s;
  s.id = it.id;
  s.complete = it.complete;
  s.legs = static_cast<std::uint32_t>(it.legs.size());
  s.start = it.start;
  s.end = it.end;
  // Links that join two of its legs: a hint toward another interaction has
  // both ends too, but joins nothing.
  for (std::uint32_t l : it.links)
    if (c.links[l].paired() && c.links[l].kind != correlate::LinkKind::Hint) ++s.links_paired;
  for (std::uint32_t l : it.legs) {
    const correlate::Leg& leg = c.legs[l];
    s.events += leg.events.size();
    s.open = s.open || !leg.deleted;
    const std::string& site = c.sites[leg.site].name;
    if (std::find(s.sites.begin(), s.sites.end(), site) == s.sites.end()) s.sites.push_back(site);
    s.leg_keys.push_back(lower(leg.call_uuid));
  }
  return s;
}

std::vector<Update> LiveCorrelation::recompute() {
  std::lock_guard lock(mutex_);
  std::vector<Update> out;
  if (dirty_.empty()) return out;
  std::vector<std::uint32_t> roots;
  for (const auto& [root, t] : dirty_)
    roots.push_back(root);
  std::sort(roots.begin(), roots.end());
  Built built = build_roots(roots);
  const correlate::Correlation& c = built.correlation;
  counters_.rebuilt_legs += c.legs.size();
  pin_site_names(c);

  // The previous interactions of these components, by leg.
  std::unordered_map<std::string, std::string> old_owner;  // leg key -> old id
  std::unordered_map<std::string, InteractionSummary> old;
  for (std::uint32_t root : roots) {
    auto it = component_ids_.find(root);
    if (it == component_ids_.end()) continue;
    for (const auto& id : it->second) {
      auto s = summaries_.find(id);
      if (s == summaries_.end()) continue;
      for (const auto& k : s->second.leg_keys)
        old_owner[k] = id;
      old.emplace(id, std::move(s->second));
      summaries_.erase(s);
    }
    component_ids_.erase(it);
  }

  auto emit = [&](UpdateKind kind, const InteractionSummary& s, std::uint32_t root,
                  std::vector<std::string> merged = {}) {
    Update u;
    u.seq = ++update_seq_;
    u.kind = kind;
    u.interaction = s;
    u.merged = std::move(merged);
    u.received = dirty_.at(root);
    out.push_back(std::move(u));
  };
  const SteadyTime now = std::chrono::steady_clock::now();
  for (const correlate::Interaction& it : c.interactions) {
    const std::size_t told_before = out.size();
    InteractionSummary s = summarize(c, it);
    const std::uint32_t root = find(node(correlate::text_key(c.legs[it.root].call_uuid)));
    if (!dirty_.contains(root)) continue;  // cannot happen: every leg built is in a dirty root
    std::set<std::string> owners;
    for (const auto& k : s.leg_keys)
      if (auto o = old_owner.find(k); o != old_owner.end()) owners.insert(o->second);
    if (owners.empty()) {
      emit(UpdateKind::Created, s, root);
      if (s.links_paired > 0) emit(UpdateKind::Linked, s, root);
      if (s.complete) emit(UpdateKind::Completed, s, root);
    } else {
      std::vector<std::string> merged;
      for (const auto& o : owners)
        if (o != s.id) merged.push_back(o);
      if (!merged.empty()) emit(UpdateKind::Merged, s, root, merged);
      // Compared with what the subscriber knew: the old interactions together.
      InteractionSummary before;
      before.complete = true;
      for (const auto& o : owners) {
        const InteractionSummary& p = old.at(o);
        before.legs += p.legs;
        before.links_paired += p.links_paired;
        before.events += p.events;
        before.complete = before.complete && p.complete;
        before.end = std::max(before.end, p.end);
      }
      bool told = !merged.empty();
      auto tell = [&](UpdateKind kind) {
        emit(kind, s, root);
        told = true;
      };
      if (s.legs > before.legs) tell(UpdateKind::LegAdded);
      if (s.links_paired > before.links_paired) tell(UpdateKind::Linked);
      if (s.complete && !before.complete) tell(UpdateKind::Completed);
      if (!told &&
          (s.events != before.events || s.complete != before.complete || s.end != before.end))
        emit(UpdateKind::Updated, s, root);
    }
    s.changed = now;
    if (out.size() == told_before) {
      if (auto o = old.find(s.id); o != old.end()) s.changed = o->second.changed;
    }
    component_ids_[root].push_back(s.id);
    summaries_[s.id] = std::move(s);
  }
  counters_.updates += out.size();
  ++counters_.recomputes;
  dirty_.clear();
  return out;
}

std::vector<std::uint32_t> LiveCorrelation::roots_for_query(std::string_view id) {
  std::set<std::uint32_t> roots;
  auto try_index = [&](const std::string& key) {
    if (auto it = search_index_.find(key); it != search_index_.end())
      for (std::uint32_t n : it->second)
        roots.insert(find(n));
  };
  correlate::LinkKey keys[2];
  for (int i = 0, k = correlate::query_keys(id, keys); i < k; ++i)
    if (auto it = nodes_.find(keys[i]); it != nodes_.end()) roots.insert(find(it->second));
  try_index(prefixed('d', id));
  try_index(prefixed('a', id));
  try_index(prefixed('n', id));
  if (id.find('=') != std::string_view::npos) try_index(prefixed('k', id));
  return {roots.begin(), roots.end()};
}

std::vector<SearchHit> LiveCorrelation::search(const SearchQuery& q) {
  std::unique_lock lock(mutex_);
  std::vector<SearchHit> hits;
  auto keep = [&](const InteractionSummary& s) {
    if (q.from && s.end < *q.from) return false;
    if (q.to && s.start > *q.to) return false;
    if (!q.site.empty()) {
      bool any = false;
      for (const auto& site : s.sites)
        any = any || site.find(q.site) != std::string::npos;
      if (!any) return false;
    }
    return true;
  };
  if (q.id.empty()) {
    for (const auto& [id, s] : summaries_)
      if (keep(s)) hits.push_back({s, ""});
  } else {
    const auto roots = roots_for_query(q.id);
    if (!roots.empty()) {
      Built b = build_roots(roots);
      for (const auto& m : correlate::find_interactions(b.correlation, q.id)) {
        InteractionSummary s = summarize(b.correlation, b.correlation.interactions[m.interaction]);
        if (keep(s)) hits.push_back({std::move(s), m.matched});
      }
    }
    if (hits.empty() && counters_.evicted_interactions > 0) {
      // Perhaps evicted: the store answers (outside the lock).
      lock.unlock();
      if (auto b = built_from_store(q.id)) {
        for (const auto& m : correlate::find_interactions(b->correlation, q.id)) {
          InteractionSummary s =
              summarize(b->correlation, b->correlation.interactions[m.interaction]);
          if (keep(s)) hits.push_back({std::move(s), m.matched});
        }
      }
    }
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.interaction.start != b.interaction.start ? a.interaction.start > b.interaction.start
                                                      : a.interaction.id < b.interaction.id;
  });
  if (hits.size() > q.limit) hits.resize(q.limit);
  return hits;
}

namespace {

// The interaction `id` names in `b`: its own id, else the first carrying it.
bool choose_interaction(Built& b, std::string_view id) {
  const auto& c = b.correlation;
  for (std::uint32_t i = 0; i < c.interactions.size(); ++i) {
    if (lower(c.interactions[i].id) == lower(id)) {
      b.interaction = i;
      return true;
    }
  }
  auto matches = correlate::find_interactions(c, id);
  if (matches.empty()) return false;
  b.interaction = matches.front().interaction;
  return true;
}

}  // namespace

std::optional<Built> LiveCorrelation::build_interaction(std::string_view id) {
  {
    std::lock_guard lock(mutex_);
    const auto roots = roots_for_query(id);
    if (!roots.empty()) {
      Built b = build_roots(roots);
      if (choose_interaction(b, id)) {
        // A leg evicted earlier that got events again is only partly here.
        bool partial = false;
        for (std::uint32_t l : b.correlation.interactions[b.interaction].legs)
          partial = partial || evicted_uuids_.contains(lower(b.correlation.legs[l].call_uuid));
        if (!partial) return b;
      }
    }
    if (counters_.evicted_interactions == 0) return std::nullopt;
  }
  return built_from_store(id);
}

std::optional<Built> LiveCorrelation::built_from_store(std::string_view id) {
  if (store_ == nullptr) return std::nullopt;
  // Outside the lock: batches go on while the store is read.
  std::optional<correlate::Correlation> c = store_->load(id, options_.build);
  if (!c) return std::nullopt;
  Built b;
  b.correlation = std::move(*c);
  for (const auto& f : b.correlation.files)
    b.file_sources.push_back(f.info.path);
  if (!choose_interaction(b, id)) return std::nullopt;
  return b;
}

std::optional<std::string> LiveCorrelation::raw_lines(std::string_view source, std::uint64_t offset,
                                                      std::size_t lines, std::string& error) {
  std::string text;
  std::string path;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = source_index_.find(std::string(source));
    if (it == source_index_.end()) {
      error = "no source named '" + std::string(source) + "'";
      return std::nullopt;
    }
    const Source& s = *sources_[it->second];
    if (s.path.empty()) {
      if (offset < s.raw_base) {
        error = "the raw text of source '" + s.name + "' at offset " + std::to_string(offset) +
                " was received before the server restarted and is not kept";
        return std::nullopt;
      }
      const std::uint64_t at = offset - s.raw_base;
      if (at >= s.raw.size()) {
        error = s.raw_complete ? "offset " + std::to_string(offset) +
                                     " is past the end of source '" + s.name + "'"
                               : "the raw text of source '" + s.name +
                                     "' was not kept at that offset (--retain-raw limit)";
        return std::nullopt;
      }
      text = s.raw.substr(at, 1 << 20);
    } else {
      path = s.path;
      dev = s.dev;
      ino = s.ino;
    }
  }
  if (!path.empty()) {
    // A followed file may have been rotated by rename: find it by identity
    // in its folder.
    std::string actual = path;
    struct stat st {};
    if (ino != 0 && (::stat(path.c_str(), &st) != 0 || st.st_ino != ino || st.st_dev != dev)) {
      actual.clear();
      std::error_code ec;
      const auto dir = std::filesystem::path(path).parent_path();
      for (const auto& entry : std::filesystem::directory_iterator(
               dir.empty() ? std::filesystem::path(".") : dir, ec)) {
        if (::stat(entry.path().c_str(), &st) == 0 && st.st_ino == ino && st.st_dev == dev) {
          actual = entry.path().string();
          break;
        }
      }
      if (actual.empty()) {
        error = "the file of source '" + std::string(source) + "' is gone (" + path + ")";
        return std::nullopt;
      }
    }
    std::ifstream in(actual, std::ios::binary);
    if (!in || !in.seekg(static_cast<std::streamoff>(offset))) {
      error = "cannot read " + actual + " at offset " + std::to_string(offset);
      return std::nullopt;
    }
    text.resize(1 << 20);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.empty()) {
      error = "offset " + std::to_string(offset) + " is past the end of " + actual;
      return std::nullopt;
    }
  }
  std::size_t pos = 0;
  for (std::size_t i = 0; i < lines && pos < text.size(); ++i) {
    auto nl = text.find('\n', pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  text.resize(pos);
  return text;
}

LiveMetrics LiveCorrelation::metrics() {
  std::lock_guard lock(mutex_);
  LiveMetrics m = counters_;
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t recent = 0;
  for (const auto& [second, n] : rate_window_)
    if (now - second < std::chrono::seconds(10)) recent += n;
  m.events_per_second = static_cast<double>(recent) / 10.0;
  m.interactions = summaries_.size();
  m.identifiers_held = nodes_.size();
  for (const auto& sp : sources_) {
    for (const auto& leg : sp->partial.legs) {
      if (leg.call_uuid.empty()) continue;  // evicted
      ++m.legs_held;
      m.events_held += leg.events.size();
    }
  }
  for (const auto& mem : members_)
    m.largest_component = std::max<std::uint64_t>(m.largest_component, mem.size());
  for (const auto& [id, s] : summaries_) {
    if (!s.complete) ++m.incomplete_interactions;
    if (s.open) ++m.open_interactions;
  }
  for (const auto& sp : sources_) {
    const Source& s = *sp;
    SourceStatus st;
    st.name = s.name;
    st.kind = s.kind;
    st.path = s.path;
    st.next = s.next;
    st.events = s.events;
    const auto& seq = s.partial.sequence;
    st.gaps = seq.gaps.size();
    for (const auto& g : seq.gaps)
      st.missing += g.last_missing - g.first_missing + 1;
    st.last_event_utc = s.last_event_utc;
    if (s.last_batch)
      st.seconds_since_batch =
          std::chrono::duration_cast<std::chrono::seconds>(now - *s.last_batch).count();
    st.malformed = s.diagnostics.count();
    m.sources.push_back(std::move(st));
  }
  return m;
}

}  // namespace calltrail::serve
