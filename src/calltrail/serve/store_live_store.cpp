#include "calltrail/serve/store_live_store.hpp"

#include <cstdlib>

namespace calltrail::serve {

StoreLiveStore::StoreLiveStore(const std::string& url)
    : store_(std::make_unique<store::Store>(store::open_database(url))), url_(url) {
  for (const auto& row : store_->sources())
    sources_.emplace(row.name, Known{row.file, row.next, {}});
}

void StoreLiveStore::commit(std::span<const SourceCheckpoint> checkpoints) {
  std::lock_guard lock(mutex_);
  std::vector<store::SourceCommit> writes;
  for (const SourceCheckpoint& c : checkpoints) {
    if (!c.follow_path.empty()) continue;  // followed files: store::follow
    auto it = sources_.find(c.source);
    if (it == sources_.end()) {
      const store::SourceRow row =
          store_->add_source(std::string(c.source), static_cast<std::int64_t>(c.kind));
      it = sources_.emplace(row.name, Known{row.file, 0, {}}).first;
    }
    store::SourceCommit& w = writes.emplace_back();
    w.file = it->second.file;
    w.name = std::string(c.source);
    w.next = c.next;
    w.ended = c.ended;
    w.pending = c.pending;
    w.part = c.part;
    w.start_offset = c.part_start;
    w.end_offset = c.part_end;
    w.resume_offset = c.resume_offset;
    if (c.resume != nullptr) w.resume_state = store::encode_resume(*c.resume);
    w.info = c.info;
    w.written = &it->second.written;
  }
  if (writes.empty()) return;
  store_->commit_sources(writes);
  for (const auto& w : writes)
    sources_.find(w.name)->second.next = w.next;
  ++commits_;
  if (after_commit) after_commit(commits_);
}

std::optional<std::uint64_t> StoreLiveStore::position(std::string_view source) const {
  std::lock_guard lock(mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return std::nullopt;
  return it->second.next;
}

std::vector<RestoredSource> StoreLiveStore::restore() {
  std::lock_guard lock(mutex_);
  std::vector<RestoredSource> out;
  for (auto& row : store_->sources()) {
    RestoredSource r;
    r.name = row.name;
    r.kind = row.kind == static_cast<std::int64_t>(SourceKind::Events) ? SourceKind::Events
                                                                       : SourceKind::Text;
    r.next = row.next;
    r.ended = row.ended;
    r.info = std::move(row.info);
    r.partial = store_->load_file_partial(row.file, 0);
    r.resume_offset = row.resume_offset;
    if (row.resume) r.resume = std::move(*row.resume);
    r.pending = std::move(row.pending);
    out.push_back(std::move(r));
  }
  return out;
}

void StoreLiveStore::put_recordings(std::span<const recordings::Recording> recordings) {
  std::lock_guard lock(mutex_);
  store_->put_recordings(recordings);
}

std::vector<recordings::Recording> StoreLiveStore::restore_recordings() {
  std::lock_guard lock(mutex_);
  return store_->recordings();
}

std::optional<correlate::Correlation> StoreLiveStore::load(std::string_view id,
                                                           const correlate::BuildOptions& options) {
  std::lock_guard lock(query_mutex_);
  try {
    if (!query_store_) query_store_ = std::make_unique<store::Store>(store::open_database(url_));
    if (auto c = query_store_->load_for_id(id, options, nullptr)) return c;
    return query_store_->load_all(options, nullptr);
  } catch (const std::exception&) {
    query_store_.reset();  // opened again next time
    throw;
  }
}

}  // namespace calltrail::serve
