// Recordings in the live correlation (POST /api/recordings, GET
// /api/recordings/{id}, the recordings_grouped update): held by id and by
// CallUUID, kept by the store before they are acknowledged, and placed on
// the legs of each rebuild with recordings::place_recordings(), the
// function `calltrail recordings` uses, so both answer alike.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "calltrail/base/ascii.hpp"
#include "calltrail/base/json_writer.hpp"
#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/recordings/placement.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

using base::ascii_lower;

void LiveCorrelation::put_recording(recordings::Recording r) {
  auto rebuild = [&](std::string_view call_uuid) {
    if (auto n = nodes_.find(correlate::text_key(call_uuid)); n != nodes_.end())
      mark_dirty(n->second);
  };
  auto [it, added] = recording_slots_.try_emplace(r.recording_id, recordings_.size());
  const std::size_t slot = it->second;
  if (added) {
    recordings_.push_back(std::move(r));
  } else {
    // Given again: it leaves the group of its former CallUUID.
    const std::string was = ascii_lower(recordings_[slot].call_uuid);
    auto& slots = recordings_by_uuid_[was];
    slots.erase(std::remove(slots.begin(), slots.end(), slot), slots.end());
    if (slots.empty()) recordings_by_uuid_.erase(was);
    rebuild(was);
    recordings_[slot] = std::move(r);
  }
  const recordings::Recording& now = recordings_[slot];
  recordings_by_uuid_[ascii_lower(now.call_uuid)].push_back(slot);
  rebuild(now.call_uuid);
}

std::vector<recordings::Recording> LiveCorrelation::recordings_on(
    const correlate::Correlation& c) const {
  std::set<std::size_t> slots;
  if (!recordings_by_uuid_.empty())
    for (const correlate::Leg& l : c.legs)
      if (auto it = recordings_by_uuid_.find(ascii_lower(l.call_uuid));
          it != recordings_by_uuid_.end())
        slots.insert(it->second.begin(), it->second.end());
  std::vector<recordings::Recording> out;
  for (const std::size_t k : slots)
    out.push_back(recordings_[k]);
  return out;
}

std::vector<std::vector<std::string>> LiveCorrelation::group_recordings(
    const correlate::Correlation& c) const {
  std::vector<std::vector<std::string>> out(c.interactions.size());
  const std::vector<recordings::Recording> recs = recordings_on(c);
  if (recs.empty()) return out;
  const recordings::Placed placed = recordings::place_recordings(c, recs);
  for (std::size_t in = 0; in < out.size() && in < placed.by_interaction.size(); ++in)
    for (const std::size_t k : placed.by_interaction[in])
      out[in].push_back(recs[k].recording_id);
  return out;
}

bool LiveCorrelation::recordings_grouped(const InteractionSummary& s,
                                         const std::vector<const InteractionSummary*>& before,
                                         const std::vector<std::string>& merged,
                                         std::vector<std::string>& added) {
  std::set<std::string> had;
  bool took_over = false;  // from an interaction whose id is gone
  for (const InteractionSummary* b : before) {
    had.insert(b->recordings.begin(), b->recordings.end());
    took_over = took_over || (!b->recordings.empty() &&
                              std::find(merged.begin(), merged.end(), b->id) != merged.end());
  }
  for (const auto& id : s.recordings)
    if (!had.contains(id)) added.push_back(id);
  // Or it lost some: one given again for another CallUUID, a leg gone to
  // another interaction.
  const bool lost = had.size() != s.recordings.size() - added.size();
  return !added.empty() || took_over || lost;
}

RecordingsTaken LiveCorrelation::add_recordings(const recordings::Manifest& manifest) {
  RecordingsTaken t;
  t.problems = manifest.problems;
  // One POST at a time: what the limit allows is decided, kept by the store,
  // then held, with no other POST in between.
  std::lock_guard post(recordings_post_mutex_);
  std::vector<recordings::Recording> take;
  std::uint64_t replaced = 0;
  std::uint64_t duplicates = 0;
  {
    std::lock_guard lock(mutex_);
    if (store_error_) {
      t.stored = false;
      t.error = *store_error_;
      return t;
    }
    std::unordered_map<std::string, std::uint64_t> lines;  // recording id -> its line here
    std::size_t held = recordings_.size();
    for (const recordings::Recording& r : manifest.recordings) {
      if (auto [it, added] = lines.try_emplace(r.recording_id, r.line); !added) {
        ++duplicates;
        t.problems.push_back(
            {r.line, fmt::format("recording_id '{}' was given on line {} already (one record a "
                                 "recording); the record is left out",
                                 r.recording_id, it->second)});
        continue;
      }
      const bool known = recording_slots_.contains(r.recording_id);
      if (!known && options_.max_recordings > 0 && held >= options_.max_recordings) {
        t.problems.push_back(
            {r.line, fmt::format("the server holds its limit of {} recordings (serve "
                                 "--max-recordings); the record is left out",
                                 options_.max_recordings)});
        ++counters_.recordings_refused;
        continue;
      }
      held += known ? 0 : 1;
      replaced += known ? 1 : 0;
      take.push_back(r);
    }
    counters_.recordings_invalid += manifest.problems.size() + duplicates;
  }
  if (store_ != nullptr && !take.empty()) {
    try {
      store_->put_recordings(take);
    } catch (const std::exception& e) {
      t.stored = false;
      t.error = std::string("the store could not keep the recordings: ") + e.what();
      return t;
    }
  }
  std::lock_guard lock(mutex_);
  t.accepted = take.size();
  t.replaced = replaced;
  for (recordings::Recording& r : take)
    put_recording(std::move(r));
  t.held = recordings_.size();
  std::stable_sort(t.problems.begin(), t.problems.end(),
                   [](const auto& a, const auto& b) { return a.line < b.line; });
  return t;
}

std::optional<std::string> LiveCorrelation::recording_json(std::string_view recording_id) {
  recordings::Recording r;
  {
    std::lock_guard lock(mutex_);
    auto it = recording_slots_.find(std::string(recording_id));
    if (it == recording_slots_.end()) return std::nullopt;
    r = recordings_[it->second];
  }
  std::optional<Built> b = build_interaction(r.call_uuid);
  const correlate::Correlation c = b ? std::move(b->correlation) : correlate::Correlation{};
  std::vector<recordings::Recording> recs;
  {
    std::lock_guard lock(mutex_);
    recs = recordings_on(c);
  }
  // Itself, even when given again meanwhile (then as it was asked for).
  auto self = std::find_if(recs.begin(), recs.end(), [&](const recordings::Recording& x) {
    return x.recording_id == r.recording_id;
  });
  if (self == recs.end()) {
    recs.push_back(r);
    self = recs.end() - 1;
  }
  const recordings::Placed placed = recordings::place_recordings(c, recs);
  std::string out;
  recordings::append_recording_json(out, c, recs, placed,
                                    static_cast<std::size_t>(self - recs.begin()));
  return out;
}

std::optional<std::string> LiveCorrelation::interaction_recordings_json(std::string_view id) {
  std::optional<Built> b = build_interaction(id);
  if (!b) return std::nullopt;
  const correlate::Correlation& c = b->correlation;
  std::vector<recordings::Recording> recs;
  {
    std::lock_guard lock(mutex_);
    recs = recordings_on(c);
  }
  const recordings::Placed placed = recordings::place_recordings(c, recs);
  std::string out = "{\"interaction_id\":";
  base::append_json_string(out, c.interactions[b->interaction].id);
  out += ",\"recordings\":[";
  bool first = true;
  if (b->interaction < placed.by_interaction.size())
    for (const std::size_t k : placed.by_interaction[b->interaction]) {
      if (!first) out += ',';
      first = false;
      recordings::append_recording_json(out, c, recs, placed, k);
    }
  out += "]}";
  return out;
}

}  // namespace calltrail::serve
