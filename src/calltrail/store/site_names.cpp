// Site names given to ingest, kept in the meta table as one value: each
// FILE and app@switch with its length before it ("5:a.log14:Alpha@Switch1"),
// so that no byte of a path needs escaping.
#include <algorithm>
#include <charconv>

#include "calltrail/store/store.hpp"

namespace calltrail::store {

namespace {

constexpr std::int64_t kSiteNamesLock = 0x736974656e616d65;  // "sitename"

void append_field(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

// The next field of `in`, or false at its end (or where it is damaged).
bool next_field(std::string_view& in, std::string& out) {
  const auto colon = in.find(':');
  std::size_t n = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(in.data(), in.data() + colon, n).ec != std::errc() ||
      n > in.size() - colon - 1)
    return false;
  out = std::string(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

std::string encode(const std::vector<correlate::SiteOverride>& names) {
  std::string out;
  for (const auto& n : names) {
    append_field(out, n.file);
    append_field(out, n.site);
  }
  return out;
}

}  // namespace

std::vector<correlate::SiteOverride> Store::site_names() {
  std::vector<correlate::SiteOverride> out;
  auto s = db_->prepare("SELECT value FROM meta WHERE key = 'site_names'");
  if (!s->step()) return out;
  std::string_view in = s->text(0);
  correlate::SiteOverride o;
  while (next_field(in, o.file) && next_field(in, o.site))
    out.push_back(o);
  return out;
}

bool Store::add_site_names(std::span<const correlate::SiteOverride> names) {
  Database& db = *db_;
  db.begin();
  try {
    db.lock(kSiteNamesLock);
    std::vector<correlate::SiteOverride> kept = site_names();
    const std::string before = encode(kept);
    for (const auto& n : names) {
      std::erase_if(kept, [&](const correlate::SiteOverride& k) { return k.file == n.file; });
      kept.push_back(n);
    }
    const std::string after = encode(kept);
    if (after != before) {
      run(db, "DELETE FROM meta WHERE key = 'site_names'");
      auto s = db.prepare("INSERT INTO meta (key, value) VALUES ('site_names', ?)");
      s->bind_text(1, after);
      s->step();
    }
    db.commit();
    return after != before;
  } catch (...) {
    db.rollback();
    throw;
  }
}

}  // namespace calltrail::store
