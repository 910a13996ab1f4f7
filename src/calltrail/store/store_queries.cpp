// The store's queries: every interaction (load_all), the one an identifier
// reaches (load_for_id), and one file's partial.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "calltrail/correlate/link_keys.hpp"
#include "calltrail/store/loader.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::store {

namespace {

constexpr std::size_t kMaxClosureLegs = 2'000'000;

}  // namespace

correlate::FilePartial Store::load_file_partial(std::int64_t file, std::uint32_t index) {
  Loader loader(*db_);
  loader.load_files(file);
  if (loader.files.empty()) throw DbError(fmt::format("file row {} is missing", file), false);
  {
    auto s = db_->prepare(
        "SELECT l.id, l.part, l.file, l.data FROM parts p JOIN legs l ON l.part = p.id "
        "WHERE p.file = ? ORDER BY l.id");
    s->bind_int(1, file);
    while (s->step())
      loader.add_leg({s->integer(0), s->integer(1), s->integer(2), {}, std::string(s->blob(3))});
  }
  {
    auto s = db_->prepare(
        "SELECT o.id, o.part, o.file, o.conn, o.data FROM parts p JOIN orphans o ON o.part = p.id "
        "WHERE p.file = ? ORDER BY o.id");
    s->bind_int(1, file);
    while (s->step())
      loader.add_orphans({s->integer(0), s->integer(1), s->integer(2), std::string(s->text(3)),
                          std::string(s->blob(4))});
  }
  {
    auto s = db_->prepare(
        "SELECT i.id, i.leg, i.file, i.data FROM parts p JOIN islinks i ON i.part = p.id "
        "WHERE p.file = ? ORDER BY i.id");
    s->bind_int(1, file);
    while (s->step())
      loader.islink_rows.push_back(
          {s->integer(0), s->integer(1), s->integer(2), {}, std::string(s->blob(3))});
  }
  loader.add_islinks(false);
  loader.place_transfers();
  correlate::FilePartial out = std::move(loader.partials.front());
  out.file = index;
  return out;
}

correlate::Correlation Store::load_all(const correlate::BuildOptions& options, LoadStats* stats) {
  Loader loader(*db_);
  loader.load_files();
  {
    auto s = db_->prepare("SELECT id, part, file, data FROM legs ORDER BY id");
    while (s->step()) {
      loader.add_leg({s->integer(0), s->integer(1), s->integer(2), {}, std::string(s->blob(3))});
      if (stats != nullptr) ++stats->legs;
    }
  }
  {
    auto s = db_->prepare("SELECT id, part, file, conn, data FROM orphans ORDER BY id");
    while (s->step())
      loader.add_orphans({s->integer(0), s->integer(1), s->integer(2), std::string(s->text(3)),
                          std::string(s->blob(4))});
  }
  {
    auto s = db_->prepare("SELECT id, leg, file, data FROM islinks ORDER BY id");
    while (s->step())
      loader.islink_rows.push_back(
          {s->integer(0), s->integer(1), s->integer(2), {}, std::string(s->blob(3))});
  }
  loader.add_islinks(false);
  if (stats != nullptr) stats->whole = true;
  correlate::BuildOptions named = options;
  auto kept = site_names();
  named.sites.insert(named.sites.begin(), kept.begin(), kept.end());
  return loader.build(named);
}

std::optional<correlate::Correlation> Store::load_for_id(std::string_view id,
                                                         const correlate::BuildOptions& options,
                                                         LoadStats* stats) {
  // Site facts older than the parts (an ingest ended before it refreshed
  // them) are brought up to date first.
  std::string facts_version;
  {
    auto s = db_->prepare("SELECT value FROM meta WHERE key = 'facts_parts'");
    if (s->step()) facts_version = std::string(s->text(0));
  }
  if (facts_version != parts_version(*db_)) refresh_facts();
  Loader loader(*db_);
  loader.load_files();
  if (!loader.facts_complete) return std::nullopt;

  auto by_key = db_->prepare("SELECT ref FROM keys WHERE key = ?");
  auto leg_row = db_->prepare("SELECT id, part, file, data FROM legs WHERE id = ?");
  auto orphan_row = db_->prepare("SELECT id, part, file, conn, data FROM orphans WHERE id = ?");

  correlate::LinkKey keys_of_id[2];
  std::vector<std::int64_t> frontier;
  for (int i = 0, n = correlate::query_keys(id, keys_of_id); i < n; ++i)
    frontier.push_back(static_cast<std::int64_t>(keys_of_id[i]));
  std::unordered_set<std::int64_t> seen_keys(frontier.begin(), frontier.end());
  std::unordered_set<std::int64_t> seen_refs;
  std::vector<Loader::Row> legs, orphans;
  StringPool scratch;
  while (!frontier.empty()) {
    std::vector<std::int64_t> refs;
    for (std::int64_t k : frontier) {
      by_key->reset();
      by_key->bind_int(1, k);
      while (by_key->step()) {
        const std::int64_t ref = by_key->integer(0);
        if (seen_refs.insert(ref).second) refs.push_back(ref);
      }
    }
    frontier.clear();
    if (legs.size() + refs.size() > kMaxClosureLegs) return std::nullopt;
    auto more = [&](const std::vector<std::int64_t>& keys) {
      for (std::int64_t h : keys)
        if (seen_keys.insert(h).second) frontier.push_back(h);
    };
    for (std::int64_t ref : refs) {
      if (ref > 0) {
        leg_row->reset();
        leg_row->bind_int(1, ref);
        if (!leg_row->step()) continue;
        Loader::Row row{
            ref, leg_row->integer(1), leg_row->integer(2), {}, std::string(leg_row->blob(3))};
        const LegRecord r = decode_leg(row.data, 0, scratch);
        more(link_keys(r.leg, r.transfers, r.islink_ids));
        legs.push_back(std::move(row));
      } else {
        orphan_row->reset();
        orphan_row->bind_int(1, -ref);
        if (!orphan_row->step()) continue;
        Loader::Row row{-ref, orphan_row->integer(1), orphan_row->integer(2),
                        std::string(orphan_row->text(3)), std::string(orphan_row->blob(4))};
        more(orphan_keys(row.conn, decode_orphans(row.data, 0, scratch)));
        orphans.push_back(std::move(row));
      }
    }
  }
  auto by_id = [](const Loader::Row& a, const Loader::Row& b) { return a.id < b.id; };
  std::sort(legs.begin(), legs.end(), by_id);
  std::sort(orphans.begin(), orphans.end(), by_id);
  for (const auto& row : legs)
    loader.add_leg(row);
  for (const auto& row : orphans)
    loader.add_orphans(row);
  auto islinks = db_->prepare("SELECT id, leg, file, data FROM islinks WHERE leg = ?");
  for (const auto& row : legs) {
    islinks->reset();
    islinks->bind_int(1, row.id);
    while (islinks->step())
      loader.islink_rows.push_back({islinks->integer(0),
                                    islinks->integer(1),
                                    islinks->integer(2),
                                    {},
                                    std::string(islinks->blob(3))});
  }
  loader.add_islinks(false);
  if (stats != nullptr) stats->legs = legs.size();
  correlate::SiteFacts facts = loader.facts();
  correlate::BuildOptions with_facts = options;
  with_facts.facts = &facts;
  return loader.build(with_facts);
}

}  // namespace calltrail::store
