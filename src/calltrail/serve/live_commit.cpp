#include <algorithm>
#include <numeric>
#include <type_traits>

#include "calltrail/base/secrets.hpp"
#include "calltrail/serve/live_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

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
  std::vector<recordings::Recording> recordings = store_->restore_recordings();
  {
    std::lock_guard lock(mutex_);
    for (recordings::Recording& r : recordings)
      put_recording(std::move(r));
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
          if (!added && last >= it->second.first) it->second = {last, leg.call_uuid.str()};
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

}  // namespace calltrail::serve
