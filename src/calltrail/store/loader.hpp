// Store::Loader: rebuilds FilePartials from a store's rows, for the
// queries (store_queries.cpp) and the site facts (store.cpp).
#pragma once

#include <string>
#include <vector>

#include "calltrail/correlate/partial.hpp"
#include "calltrail/store/codec.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::store {

// Which parts exist ("max id:count"): site facts remember the version they
// were computed for.
inline std::string parts_version(Database& db) {
  auto s = db.prepare("SELECT count(*), max(id) FROM parts");
  if (!s->step()) return {};
  return std::to_string(s->integer(1)) + ":" + std::to_string(s->integer(0));
}

// Rebuilds correlate::FilePartials from rows, in the order one pass over each file
// would have produced them.
struct Store::Loader {
  explicit Loader(Database& database) : db(database) {}

  struct FileEntry {
    std::int64_t id = 0;
    parse::FileInfo info;
    correlate::SiteFacts::FileSite site;
  };
  struct PendingTransfer {
    std::int64_t part;
    std::uint32_t seq;
    std::uint32_t file;
    correlate::TransferObservation t;
  };
  struct Row {
    std::int64_t id;
    std::int64_t part;
    std::int64_t file;
    std::string conn;  // orphans
    std::string data;
  };

  Database& db;
  std::vector<FileEntry> files;
  std::unordered_map<std::int64_t, std::uint32_t> file_index;
  std::vector<correlate::FilePartial> partials;
  std::vector<std::unordered_map<std::string, std::uint32_t>> uuid_leg;
  std::vector<PendingTransfer> transfers;
  std::unordered_map<std::int64_t, std::uint32_t> leg_of_row;  // leg row -> leg in its partial
  std::vector<Row> islink_rows;
  bool facts_complete = true;

  // Every file, or only the file row `only`.
  void load_files(std::optional<std::int64_t> only = std::nullopt) {
    auto s = db.prepare(only ? "SELECT id, path, info, site, site_source FROM files WHERE id = ?"
                        : db.kind() == Database::Kind::Postgres
                            ? "SELECT id, path, info, site, site_source FROM files "
                              "ORDER BY path COLLATE \"C\", id"
                            : "SELECT id, path, info, site, site_source FROM files "
                              "ORDER BY path, id");
    if (only) s->bind_int(1, *only);
    while (s->step()) {
      FileEntry f;
      f.id = s->integer(0);
      if (!s->is_null(2)) f.info = decode_info(s->blob(2));
      f.info.path = std::string(s->text(1));
      if (s->is_null(3)) {
        facts_complete = false;
      } else {
        f.site.site = std::string(s->text(3));
        f.site.source = static_cast<correlate::SiteNameSource>(s->integer(4));
      }
      if (files.size() >= correlate::EventRef::kMaxFiles) {
        throw CodecError(
            fmt::format("the store holds more than {} files, more than one "
                        "correlation can refer to",
                        correlate::EventRef::kMaxFiles));
      }
      file_index.emplace(f.id, static_cast<std::uint32_t>(files.size()));
      files.push_back(std::move(f));
    }
    partials.resize(files.size());
    uuid_leg.resize(files.size());
    for (std::uint32_t i = 0; i < partials.size(); ++i)
      partials[i].file = i;
    auto p = db.prepare(only ? "SELECT file, summary FROM parts WHERE file = ? ORDER BY id"
                             : "SELECT file, summary FROM parts ORDER BY id");
    if (only) p->bind_int(1, *only);
    while (p->step()) {
      auto it = file_index.find(p->integer(0));
      if (it == file_index.end()) continue;
      correlate::merge_summary(partials[it->second], decode_summary(p->blob(1), it->second));
    }
  }

  std::uint32_t index_of(std::int64_t file) const {
    auto it = file_index.find(file);
    if (it == file_index.end()) throw CodecError(fmt::format("row of unknown file {}", file));
    return it->second;
  }

  void add_leg(const Row& row) {
    const std::uint32_t fi = index_of(row.file);
    correlate::FilePartial& p = partials[fi];
    LegRecord r = decode_leg(row.data, fi, p.strings);
    auto [it, added] =
        uuid_leg[fi].emplace(r.leg.call_uuid, static_cast<std::uint32_t>(p.legs.size()));
    const std::uint32_t li = it->second;
    if (added) {
      p.legs.push_back(std::move(r.leg));
    } else {
      correlate::merge_leg(p.legs[li], std::move(r.leg));
    }
    for (auto& t : r.transfers) {
      t.observation.leg = li;
      transfers.push_back({row.part, t.seq, fi, std::move(t.observation)});
    }
    leg_of_row[row.id] = li;
  }

  void add_orphans(const Row& row) {
    const std::uint32_t fi = index_of(row.file);
    correlate::FilePartial& p = partials[fi];
    correlate::OrphanEvents o = decode_orphans(row.data, fi, p.strings);
    auto& to = p.orphans[row.conn];
    to.events.insert(to.events.end(), o.events.begin(), o.events.end());
    to.transfers.insert(to.transfers.end(), o.transfers.begin(), o.transfers.end());
  }

  // Stub legs for IS-Link observations whose legs were not loaded (facts).
  void add_islinks(bool stub_missing_legs) {
    std::sort(islink_rows.begin(), islink_rows.end(),
              [](const Row& a, const Row& b) { return a.id < b.id; });
    for (const Row& row : islink_rows) {
      const std::uint32_t fi = index_of(row.file);
      correlate::FilePartial& p = partials[fi];
      auto leg = leg_of_row.find(row.part);  // `part` holds the leg row here
      if (leg == leg_of_row.end()) {
        if (!stub_missing_legs) continue;
        correlate::Leg& l = p.legs.emplace_back();
        l.site = fi;
        l.call_uuid = "#" + std::to_string(row.part);
        leg = leg_of_row.emplace(row.part, static_cast<std::uint32_t>(p.legs.size() - 1)).first;
      }
      correlate::IsLinkObservation o = decode_islink(row.data, fi, p.strings);
      o.leg = leg->second;
      p.islinks.push_back(std::move(o));
    }
    islink_rows.clear();
  }

  // The transfer observations of every file, in the order of one pass.
  void place_transfers() {
    std::stable_sort(transfers.begin(), transfers.end(), [](const auto& a, const auto& b) {
      return a.part != b.part ? a.part < b.part : a.seq < b.seq;
    });
    for (auto& t : transfers)
      partials[t.file].transfers.push_back(std::move(t.t));
    transfers.clear();
  }

  correlate::Correlation build(const correlate::BuildOptions& options) {
    place_transfers();
    std::vector<parse::FileInfo> infos;
    infos.reserve(files.size());
    for (auto& f : files)
      infos.push_back(f.info);
    return correlate::build_correlation(std::move(partials), std::move(infos), options);
  }

  correlate::SiteFacts facts() {
    correlate::SiteFacts out;
    for (const auto& f : files)
      out.files.push_back(f.site);
    auto s = db.prepare("SELECT name, clock_offset, clock_reference, clock_links FROM sites");
    while (s->step()) {
      correlate::SiteFacts::Clock c;
      c.site = std::string(s->text(0));
      if (!s->is_null(1)) c.offset = s->integer(1);
      c.reference = std::string(s->text(2));
      c.links = static_cast<std::uint32_t>(s->integer(3));
      out.clocks.push_back(std::move(c));
    }
    return out;
  }
};

}  // namespace calltrail::store
