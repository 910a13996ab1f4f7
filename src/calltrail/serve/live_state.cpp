#include "calltrail/serve/live_state.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "calltrail/serve/live_source.hpp"

namespace calltrail::serve {

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
    case UpdateKind::Clocks:
      return "clocks";
    case UpdateKind::RecordingsGrouped:
      return "recordings_grouped";
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

void LiveCorrelation::on_event(Source& s, const model::Event& e) {
  s.collector.add(e);
  s.max_emitted = std::max(s.max_emitted, e.where.offset);
  s.emitted = true;
  ++s.events;
  ++counters_.events;
  if (auto utc = e.times.utc(); utc && (!s.last_event_utc || *utc > *s.last_event_utc))
    s.last_event_utc = utc;
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
  } else if (sources_.size() >= correlate::EventRef::kMaxFiles) {
    // Events name their source in 24 bits (correlate/leg.hpp), whatever the limit.
    a.status = Accepted::TooManySources;
    a.error = "this server takes at most " + std::to_string(correlate::EventRef::kMaxFiles) +
              " sources; '" + std::string(name) + "' would be one more";
  }
  return a;
}

bool LiveCorrelation::is_followed(std::string_view source) const {
  std::lock_guard lock(mutex_);
  auto it = source_index_.find(std::string(source));
  return it != source_index_.end() && !sources_[it->second]->path.empty();
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
  return !dirty_.empty() || !clock_stale_.empty() || facts_behind();
}

std::optional<std::uint64_t> LiveCorrelation::position(std::string_view source) {
  std::lock_guard lock(mutex_);
  auto it = source_index_.find(std::string(source));
  if (it == source_index_.end()) return std::nullopt;
  return sources_[it->second]->next;
}

std::optional<std::string> LiveCorrelation::store_error() const {
  std::lock_guard lock(mutex_);
  return store_error_;
}

LiveMetrics LiveCorrelation::metrics() {
  std::lock_guard lock(mutex_);
  LiveMetrics m = counters_;
  m.recordings = recordings_.size();
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
