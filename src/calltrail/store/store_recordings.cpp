// The recordings `serve --db` was given (POST /api/recordings), kept as the
// manifest gave them so that a restarted server places them again.
#include "calltrail/store/store.hpp"

namespace calltrail::store {

void Store::put_recordings(std::span<const recordings::Recording> recordings) {
  if (recordings.empty()) return;
  db_->begin();
  try {
    std::int64_t seq = 0;
    {
      auto s = db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM recordings");
      if (s->step()) seq = s->integer(0);
    }
    auto put = db_->prepare(
        "INSERT INTO recordings (recording_id, seq, call_uuid, conn_id, site, start_time, "
        "end_time, media, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (recording_id) "
        "DO UPDATE SET call_uuid = excluded.call_uuid, conn_id = excluded.conn_id, "
        "site = excluded.site, start_time = excluded.start_time, end_time = excluded.end_time, "
        "media = excluded.media, line = excluded.line");
    for (const recordings::Recording& r : recordings) {
      put->reset();
      put->bind_text(1, r.recording_id);
      put->bind_int(2, ++seq);
      put->bind_text(3, r.call_uuid);
      put->bind_text(4, r.conn_id);
      put->bind_text(5, r.site);
      put->bind_text(6, r.start);
      put->bind_text(7, r.end);
      put->bind_text(8, r.media);
      put->bind_int(9, static_cast<std::int64_t>(r.line));
      put->step();
    }
    db_->commit();
  } catch (...) {
    db_->rollback();
    throw;
  }
}

std::vector<recordings::Recording> Store::recordings() {
  auto s = db_->prepare(
      "SELECT recording_id, call_uuid, conn_id, site, start_time, end_time, media, line "
      "FROM recordings ORDER BY seq");
  std::vector<recordings::Recording> out;
  while (s->step()) {
    recordings::Recording& r = out.emplace_back();
    r.recording_id = std::string(s->text(0));
    r.call_uuid = std::string(s->text(1));
    r.conn_id = std::string(s->text(2));
    r.site = std::string(s->text(3));
    r.start = std::string(s->text(4));
    r.end = std::string(s->text(5));
    r.media = std::string(s->text(6));
    r.line = static_cast<std::uint64_t>(s->integer(7));
  }
  return out;
}

}  // namespace calltrail::store
