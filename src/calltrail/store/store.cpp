#include "calltrail/store/store.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/model/identifiers.hpp"
#include "calltrail/store/codec.hpp"
#include "calltrail/store/loader.hpp"
#include "calltrail/store/schema.hpp"

namespace calltrail::store {

namespace {

using correlate::FilePartial;
using correlate::Leg;

constexpr std::int64_t kFactsLock = 0x6661637473;  // "facts"
// A file's lock, xor its id (the value earlier versions took, so that they
// and this one still exclude each other).
constexpr std::int64_t kFileLock = 0x62519bd33343277d;
constexpr std::size_t kKeysPerInsert = 64;

}  // namespace

Store::Store(std::unique_ptr<Database> db) : db_(std::move(db)) {
  migrate(*db_);
}

namespace {

FileRow read_file_row(Statement& s) {
  FileRow f;
  f.id = s.integer(0);
  f.path = std::string(s.text(1));
  f.head_len = s.integer(2);
  f.head_hash = s.integer(3);
  f.size = s.integer(4);
  f.gz = s.integer(5) != 0;
  f.resume_offset = s.integer(6);
  if (!s.is_null(7) && !s.blob(7).empty()) f.resume = decode_resume(s.blob(7));
  if (!s.is_null(8)) f.open_part = s.integer(8);
  if (!s.is_null(9)) f.info = decode_info(s.blob(9));
  f.info.path = f.path;
  return f;
}

constexpr const char* kFileColumns =
    "SELECT id, path, head_len, head_hash, size, gz, resume_offset, resume_state, open_part, "
    "info FROM files ";

}  // namespace

std::optional<FileRow> Store::active_file(const std::string& path) {
  auto s =
      db_->prepare(std::string(kFileColumns) + "WHERE path = ? AND status = 0 ORDER BY id DESC");
  s->bind_text(1, path);
  if (!s->step()) return std::nullopt;
  return read_file_row(*s);
}

std::vector<FileRow> Store::files_with_head(std::int64_t head_hash) {
  auto s = db_->prepare(std::string(kFileColumns) + "WHERE head_hash = ? ORDER BY id");
  s->bind_int(1, head_hash);
  std::vector<FileRow> out;
  while (s->step())
    out.push_back(read_file_row(*s));
  return out;
}

std::int64_t Store::add_file(const std::string& path, std::int64_t head_len, std::int64_t head_hash,
                             bool gz) {
  db_->begin();
  try {
    auto s = db_->prepare(
        "INSERT INTO files (path, head_len, head_hash, gz) VALUES (?, ?, ?, ?) RETURNING id");
    s->bind_text(1, path);
    s->bind_int(2, head_len);
    s->bind_int(3, head_hash);
    s->bind_int(4, gz ? 1 : 0);
    s->step();
    const std::int64_t id = s->integer(0);
    s.reset();
    db_->commit();
    return id;
  } catch (const DbError& e) {
    db_->rollback();
    if (e.connection()) throw;
    throw DbError(fmt::format("{} could not be added ({}): is another ingest reading it? Run "
                              "again when it is done",
                              path, e.what()),
                  false);
  } catch (...) {
    db_->rollback();
    throw;
  }
}

void Store::set_file_path(std::int64_t id, const std::string& path) {
  auto s = db_->prepare("UPDATE files SET path = ?, status = 0 WHERE id = ?");
  s->bind_text(1, path);
  s->bind_int(2, id);
  s->step();
}

void Store::retire_file(std::int64_t id) {
  auto s = db_->prepare("UPDATE files SET status = 1 WHERE id = ?");
  s->bind_int(1, id);
  s->step();
}

namespace {

void delete_part(Database& db, std::int64_t part) {
  auto del_key = db.prepare("DELETE FROM keys WHERE key = ? AND ref = ?");
  StringPool pool;
  {
    auto legs = db.prepare("SELECT id, data FROM legs WHERE part = ?");
    legs->bind_int(1, part);
    while (legs->step()) {
      const LegRecord r = decode_leg(legs->blob(1), 0, pool);
      for (std::int64_t h : index_keys(r.leg, r.transfers, r.islink_ids)) {
        del_key->reset();
        del_key->bind_int(1, h);
        del_key->bind_int(2, legs->integer(0));
        del_key->step();
      }
    }
  }
  {
    auto orphans = db.prepare("SELECT id, conn, data FROM orphans WHERE part = ?");
    orphans->bind_int(1, part);
    while (orphans->step()) {
      const std::string conn(orphans->text(1));
      const auto o = decode_orphans(orphans->blob(2), 0, pool);
      for (std::int64_t h : orphan_keys(conn, o)) {
        del_key->reset();
        del_key->bind_int(1, h);
        del_key->bind_int(2, -orphans->integer(0));
        del_key->step();
      }
    }
  }
  for (const char* table : {"legs", "islinks", "orphans"}) {
    auto s = db.prepare(fmt::format("DELETE FROM {} WHERE part = ?", table));
    s->bind_int(1, part);
    s->step();
  }
  auto s = db.prepare("DELETE FROM parts WHERE id = ?");
  s->bind_int(1, part);
  s->step();
}

// Inserts a part's rows (part, legs, IS-Link observations, orphan events,
// identifier index) inside the caller's transaction; the part's id.
std::int64_t insert_part(Database& db, std::int64_t file, std::uint64_t start_offset,
                         std::uint64_t end_offset, const FilePartial& p,
                         WrittenKeys* written = nullptr) {
  std::int64_t part = 0;
  {
    auto s = db.prepare(
        "INSERT INTO parts (file, start_offset, end_offset, events, summary) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id");
    s->bind_int(1, file);
    s->bind_int(2, static_cast<std::int64_t>(start_offset));
    s->bind_int(3, static_cast<std::int64_t>(end_offset));
    s->bind_int(4, static_cast<std::int64_t>(p.events));
    s->bind_blob(5, encode_summary(correlate::summary_of(p)));
    s->step();
    part = s->integer(0);
  }
  // Per leg: its transfer observations (with their place) and IS-Link ids.
  std::vector<std::vector<TransferRecord>> leg_transfers(p.legs.size());
  for (std::uint32_t k = 0; k < p.transfers.size(); ++k) {
    const auto& t = p.transfers[k];
    if (t.leg < p.legs.size()) leg_transfers[t.leg].push_back({k, t});
  }
  std::vector<std::vector<std::string>> leg_islinks(p.legs.size());
  for (const auto& o : p.islinks)
    if (o.leg < p.legs.size()) leg_islinks[o.leg].push_back(o.id.str());

  auto insert_leg = db.prepare(
      "INSERT INTO legs (part, file, call_uuid, first_utc, last_utc, data) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
  auto insert_key = db.prepare("INSERT INTO keys (key, ref) VALUES (?, ?) ON CONFLICT DO NOTHING");
  std::string many = "INSERT INTO keys (key, ref) VALUES (?, ?)";
  for (std::size_t i = 1; i < kKeysPerInsert; ++i)
    many += ", (?, ?)";
  auto insert_keys = db.prepare(many + " ON CONFLICT DO NOTHING");
  std::vector<std::int64_t> leg_rows(p.legs.size());
  std::vector<std::pair<std::int64_t, std::int64_t>> keys;  // hash, leg (or -orphan) row
  StringPool scratch;
  for (std::uint32_t k = 0; k < p.legs.size(); ++k) {
    const Leg& l = p.legs[k];
    const std::string data = encode_leg(l, leg_transfers[k], leg_islinks[k], p.strings);
    std::optional<model::Micros> first, last;
    for (const auto& e : l.events) {
      if (!e.has_utc()) continue;
      if (!first || e.utc < *first) first = e.utc;
      if (!last || e.utc > *last) last = e.utc;
    }
    insert_leg->reset();
    insert_leg->bind_int(1, part);
    insert_leg->bind_int(2, file);
    insert_leg->bind_text(3, l.call_uuid);
    if (first) {
      insert_leg->bind_int(4, *first);
      insert_leg->bind_int(5, *last);
    } else {
      insert_leg->bind_null(4);
      insert_leg->bind_null(5);
    }
    insert_leg->bind_blob(6, data);
    insert_leg->step();
    leg_rows[k] = insert_leg->integer(0);
    insert_leg->reset();
    std::vector<std::int64_t> leg_keys = index_keys(l, leg_transfers[k], leg_islinks[k]);
    if (written != nullptr) {
      const auto uuid = static_cast<std::int64_t>(correlate::text_key(l.call_uuid));
      std::vector<std::int64_t>& done = (*written)[l.call_uuid.str()];
      std::vector<std::int64_t> fresh;
      std::set_difference(leg_keys.begin(), leg_keys.end(), done.begin(), done.end(),
                          std::back_inserter(fresh));
      std::vector<std::int64_t> all;
      std::set_union(done.begin(), done.end(), fresh.begin(), fresh.end(), std::back_inserter(all));
      done = std::move(all);
      if (!std::binary_search(fresh.begin(), fresh.end(), uuid))
        fresh.insert(std::upper_bound(fresh.begin(), fresh.end(), uuid), uuid);
      leg_keys = std::move(fresh);
      if (l.deleted) written->erase(l.call_uuid.str());
    }
    for (std::int64_t h : leg_keys)
      keys.emplace_back(h, leg_rows[k]);
  }
  {
    auto s = db.prepare("INSERT INTO islinks (part, file, leg, data) VALUES (?, ?, ?, ?)");
    for (const auto& o : p.islinks) {
      if (o.leg >= leg_rows.size()) continue;
      s->reset();
      s->bind_int(1, part);
      s->bind_int(2, file);
      s->bind_int(3, leg_rows[o.leg]);
      s->bind_blob(4, encode_islink(o, p.strings));
      s->step();
    }
  }
  {
    auto s =
        db.prepare("INSERT INTO orphans (part, file, conn, data) VALUES (?, ?, ?, ?) RETURNING id");
    for (const auto& [conn, o] : p.orphans) {
      s->reset();
      s->bind_int(1, part);
      s->bind_int(2, file);
      s->bind_text(3, conn);
      s->bind_blob(4, encode_orphans(o, p.strings));
      s->step();
      const std::int64_t id = s->integer(0);
      s->reset();
      for (std::int64_t h : orphan_keys(conn, o))
        keys.emplace_back(h, -id);
    }
  }
  // In key order, so that the index pages are visited once each, and many
  // rows a statement.
  std::sort(keys.begin(), keys.end());
  std::size_t done = 0;
  for (; done + kKeysPerInsert <= keys.size(); done += kKeysPerInsert) {
    insert_keys->reset();
    for (std::size_t i = 0; i < kKeysPerInsert; ++i) {
      insert_keys->bind_int(static_cast<int>(2 * i + 1), keys[done + i].first);
      insert_keys->bind_int(static_cast<int>(2 * i + 2), keys[done + i].second);
    }
    insert_keys->step();
  }
  for (; done < keys.size(); ++done) {
    insert_key->reset();
    insert_key->bind_int(1, keys[done].first);
    insert_key->bind_int(2, keys[done].second);
    insert_key->step();
  }
  return part;
}

}  // namespace

bool Store::write_part(const PartWrite& w) {
  Database& db = *db_;
  db.begin();
  try {
    db.lock(kFileLock ^ w.file);
    {
      auto s = db.prepare("SELECT resume_offset, open_part FROM files WHERE id = ?");
      s->bind_int(1, w.file);
      if (!s->step()) throw DbError(fmt::format("file row {} disappeared", w.file), false);
      const auto offset = static_cast<std::uint64_t>(s->integer(0));
      std::optional<std::int64_t> open;
      if (!s->is_null(1)) open = s->integer(1);
      if (offset != w.expect_resume_offset || open != w.expect_open_part) {
        s.reset();
        db.rollback();
        return false;
      }
    }
    if (w.expect_open_part) delete_part(db, *w.expect_open_part);

    const FilePartial& p = w.partial;
    const std::int64_t part = insert_part(db, w.file, w.start_offset, w.end_offset, p);
    {
      auto s = db.prepare(
          "UPDATE files SET resume_offset = ?, resume_state = ?, size = ?, info = ?, "
          "open_part = ?, events = events + ? WHERE id = ?");
      s->bind_int(1, static_cast<std::int64_t>(w.resume_offset));
      if (w.resume_state.empty()) {
        s->bind_null(2);
      } else {
        s->bind_blob(2, w.resume_state);
      }
      s->bind_int(3, static_cast<std::int64_t>(w.size));
      s->bind_blob(4, encode_info(w.info));
      if (w.open) {
        s->bind_int(5, part);
      } else {
        s->bind_null(5);
      }
      s->bind_int(6, static_cast<std::int64_t>(p.events));
      s->bind_int(7, w.file);
      s->step();
    }
    db.commit();
    return true;
  } catch (...) {
    db.rollback();
    throw;
  }
}

void Store::refresh_facts() {
  Database& db = *db_;
  db.begin();
  try {
    db.lock(kFactsLock);
    const std::string version = parts_version(db);
    Loader loader(db);
    loader.load_files();
    auto s = db.prepare("SELECT id, leg, file, data FROM islinks ORDER BY id");
    while (s->step())
      loader.islink_rows.push_back(
          {s->integer(0), s->integer(1), s->integer(2), {}, std::string(s->blob(3))});
    s.reset();
    loader.add_islinks(true);
    std::vector<std::int64_t> ids;
    for (const auto& f : loader.files)
      ids.push_back(f.id);
    correlate::BuildOptions options;
    options.sites = site_names();
    const correlate::Correlation c = loader.build(options);
    auto file = db.prepare("UPDATE files SET site = ?, site_source = ? WHERE id = ?");
    for (std::uint32_t i = 0; i < c.files.size() && i < ids.size(); ++i) {
      if (!c.files[i].site) continue;  // not a log: no site
      const auto& site = c.sites[*c.files[i].site];
      file->reset();
      file->bind_text(1, site.name);
      file->bind_int(2, static_cast<std::int64_t>(site.name_source));
      file->bind_int(3, ids[i]);
      file->step();
    }
    run(db, "DELETE FROM sites");
    auto site = db.prepare(
        "INSERT INTO sites (name, clock_offset, clock_reference, clock_links) VALUES (?, ?, ?, ?)");
    for (const auto& si : c.sites) {
      site->reset();
      site->bind_text(1, si.name);
      if (si.clock_offset) {
        site->bind_int(2, *si.clock_offset);
      } else {
        site->bind_null(2);
      }
      site->bind_text(3, c.sites[si.clock_reference].name);
      site->bind_int(4, si.clock_links);
      site->step();
    }
    file.reset();
    site.reset();
    run(db, "DELETE FROM meta WHERE key = 'facts_parts'");
    auto v = db.prepare("INSERT INTO meta (key, value) VALUES ('facts_parts', ?)");
    v->bind_text(1, version);
    v->step();
    v.reset();
    db.commit();
  } catch (...) {
    db.rollback();
    throw;
  }
}

namespace {

constexpr const char* kSourceColumns =
    "SELECT s.name, s.kind, s.file, s.next, s.pending, f.resume_offset, f.resume_state, f.info, "
    "f.events, f.path, s.ended FROM sources s JOIN files f ON f.id = s.file ";

SourceRow read_source_row(Statement& s) {
  SourceRow r;
  r.name = std::string(s.text(0));
  r.kind = s.integer(1);
  r.file = s.integer(2);
  r.next = static_cast<std::uint64_t>(s.integer(3));
  if (!s.is_null(4)) r.pending = std::string(s.blob(4));
  r.resume_offset = static_cast<std::uint64_t>(s.integer(5));
  if (!s.is_null(6) && !s.blob(6).empty()) r.resume = decode_resume(s.blob(6));
  if (!s.is_null(7)) r.info = decode_info(s.blob(7));
  r.events = static_cast<std::uint64_t>(s.integer(8));
  r.info.path = std::string(s.text(9));
  r.ended = s.integer(10) != 0;
  return r;
}

}  // namespace

std::vector<SourceRow> Store::sources() {
  auto s = db_->prepare(std::string(kSourceColumns) + "ORDER BY s.file");
  std::vector<SourceRow> out;
  while (s->step())
    out.push_back(read_source_row(*s));
  return out;
}

SourceRow Store::add_source(const std::string& name, std::int64_t kind) {
  db_->begin();
  try {
    auto f = db_->prepare(
        "INSERT INTO files (path, status, head_len, head_hash, gz) VALUES (?, 2, -1, 0, 0) "
        "RETURNING id");
    f->bind_text(1, name);
    f->step();
    SourceRow r;
    r.name = name;
    r.kind = kind;
    r.file = f->integer(0);
    r.info.path = name;
    f.reset();
    auto s = db_->prepare("INSERT INTO sources (name, kind, file) VALUES (?, ?, ?)");
    s->bind_text(1, name);
    s->bind_int(2, kind);
    s->bind_int(3, r.file);
    s->step();
    s.reset();
    db_->commit();
    return r;
  } catch (...) {
    db_->rollback();
    throw;
  }
}

void Store::commit_sources(std::span<const SourceCommit> commits) {
  Database& db = *db_;
  db.begin();
  try {
    for (const SourceCommit& c : commits) {
      if (c.part != nullptr) {
        insert_part(db, c.file, c.start_offset, c.end_offset, *c.part, c.written);
        auto s = db.prepare(
            "UPDATE files SET resume_offset = ?, resume_state = ?, size = ?, info = ?, "
            "events = events + ? WHERE id = ?");
        s->bind_int(1, static_cast<std::int64_t>(c.resume_offset));
        if (c.resume_state.empty()) {
          s->bind_null(2);
        } else {
          s->bind_blob(2, c.resume_state);
        }
        s->bind_int(3, static_cast<std::int64_t>(c.next));
        if (c.info != nullptr) {
          s->bind_blob(4, encode_info(*c.info));
        } else {
          s->bind_null(4);
        }
        s->bind_int(5, static_cast<std::int64_t>(c.part->events));
        s->bind_int(6, c.file);
        s->step();
      }
      {
        auto s = db.prepare("UPDATE sources SET next = ?, ended = ?, pending = ? WHERE name = ?");
        s->bind_int(1, static_cast<std::int64_t>(c.next));
        s->bind_int(2, c.ended ? 1 : 0);
        if (c.pending.empty()) {
          s->bind_null(3);
        } else {
          s->bind_blob(3, c.pending);
        }
        s->bind_text(4, c.name);
        s->step();
        if (s->changes() != 1)
          throw DbError(fmt::format("source '{}' is not in the store", c.name), false);
      }
    }
    db.commit();
  } catch (...) {
    db.rollback();
    throw;
  }
}

}  // namespace calltrail::store
